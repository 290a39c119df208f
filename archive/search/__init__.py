"""Full-text search over the archive: a Whoosh index derived from the store, and its query language.

The index is rebuildable from the store at any time (``SearchIndex.rebuild``) and checked against it
(``SearchIndex.check`` / ``repair``) by document id and content hash.
"""

from archive.search.analysis import words
from archive.search.index import Drift, SearchIndex
from archive.search.query import FIELDS, ParsedQuery, parse
from archive.search.schema import IndexDoc
from archive.search.searcher import Hit, SearchResults, Snapshot, count, search, snapshot
from archive.search.snippets import Snippet, render

__all__ = [
    "FIELDS",
    "Drift",
    "Hit",
    "IndexDoc",
    "ParsedQuery",
    "SearchIndex",
    "SearchResults",
    "Snapshot",
    "Snippet",
    "count",
    "parse",
    "render",
    "search",
    "snapshot",
    "words",
]
