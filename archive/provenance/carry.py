"""What linking derives from texts alone, carried from one chunk of a linking run to the next.

A recomputation in chunks (archive.provenance_store) links each chunk's neighbourhood in an index
of its own, and the neighbourhoods of consecutive chunks overlap: in articles that share passages
most documents are recomputed by several chunks (50,000 articles recombined from Reuters
paragraphs: 590,866 documents examined). A document's analysis, and an aligned pair's
features (all but the cosine, which each chunk sets from its own candidate index), depend only on
the texts, so a later chunk takes them from here instead of computing them again: the links are
the same.

Analyses and features are kept pickled (smaller than the objects, and what the linking workers
send back anyway), for the ``max_docs`` documents that the latest chunks recomputed (see
:meth:`Carried.retain`): a chunk's neighbourhood is mostly in the previous few, and memory stays
bounded (about 2.5 KB a document: its analysis and share of the pairs; 10,000 recombined
articles: 17 MB of analyses, 4 MB for 8,205 pairs).
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


_PROTOCOL = pickle.HIGHEST_PROTOCOL
# Documents kept: two neighbourhoods of chunked linking (provenance_store.MAX_SCOPE_DOCS). Linking
# 20,000 recombined articles, the previous neighbourhood alone held two thirds of what a chunk
# could reuse (28,589 of the 41,765 documents examined again).
MAX_DOCS = 20_000


@dataclass
class Carried:
    """Per-document analyses and per-pair features, by id. (Leads are not carried: they are
    read off the fingerprint tokens, which costs less than unpickling them.)"""

    max_docs: int = MAX_DOCS
    analyses: dict[int, bytes] = field(default_factory=dict)
    features: dict[tuple[int, int], bytes] = field(default_factory=dict)
    # Documents by the last chunk that recomputed them, least recent first.
    _recent: OrderedDict[int, None] = field(default_factory=OrderedDict)
    # What the latest chunk took from here and what it had to compute, for reports and tests.
    reused_analyses: int = 0
    reused_pairs: int = 0
    computed_analyses: int = 0
    computed_pairs: int = 0

    def analysis(self, doc_id: int) -> Any | None:
        data = self.analyses.get(doc_id)
        return None if data is None else pickle.loads(data)

    def pair(self, key: tuple[int, int]) -> Any | None:
        data = self.features.get(key)
        return None if data is None else pickle.loads(data)

    def keep_analysis(self, doc_id: int, analysis: Any) -> None:
        self.analyses[doc_id] = pickle.dumps(analysis, protocol=_PROTOCOL)

    def keep_pair(self, key: tuple[int, int], features: Any) -> None:
        self.features[key] = pickle.dumps(features, protocol=_PROTOCOL)

    def retain(self, doc_ids: Iterable[int]) -> None:
        """Mark ``doc_ids`` (a chunk's neighbourhood) as the most recently used; forget what
        concerns the least recently used documents beyond ``max_docs``."""
        for doc_id in doc_ids:
            self._recent[doc_id] = None
            self._recent.move_to_end(doc_id)
        if len(self._recent) <= self.max_docs:
            return
        while len(self._recent) > self.max_docs:
            gone, _ = self._recent.popitem(last=False)
            self.analyses.pop(gone, None)
        self.features = {k: v for k, v in self.features.items() if k[0] in self._recent and k[1] in self._recent}
