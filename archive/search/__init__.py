"""Full-text search over the archive: a Whoosh index derived from the store, and its query language.

The index is rebuildable from the store at any time (``SearchIndex.rebuild``) and checked against it
(``SearchIndex.check`` / ``repair``) by document id and content hash.

The names below are imported from their modules on first use: a process imports only the
modules it needs (a search does not import the writer's, nor ``IndexDoc``'s).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from archive.search import lazy_morph

lazy_morph.install()  # before anything imports whoosh.query

_MODULE_OF = {
    "words": "analysis",
    "Drift": "index",
    "SearchIndex": "index",
    "FIELDS": "query",
    "ParsedQuery": "query",
    "parse": "query",
    "IndexDoc": "document",
    "Hit": "searcher",
    "SearchResults": "searcher",
    "Snapshot": "searcher",
    "count": "searcher",
    "search": "searcher",
    "snapshot": "searcher",
    "Snippet": "snippets",
    "render": "snippets",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:  # a submodule not imported yet: the import system imports it next
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
