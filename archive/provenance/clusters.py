"""Stories: connected components of all links, named by their smallest document id."""

from __future__ import annotations

from collections.abc import Iterable


def stories(doc_ids: Iterable[int], edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    parent: dict[int, int] = {d: d for d in doc_ids}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving keeps trees shallow
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            # The smaller id becomes the root, so a story's id is its smallest member.
            parent[max(ra, rb)] = min(ra, rb)
    return {d: root(d) for d in parent}
