"""Full-text search over the archive: a Whoosh index derived from the store, and its query language.

The index is rebuildable from the store at any time (``SearchIndex.rebuild``) and checked against it
(``SearchIndex.check`` / ``repair``) by document id and content hash.
"""

from archive.search import lazy_morph

lazy_morph.install()  # before anything imports whoosh.query

from archive.search.analysis import words  # noqa: E402
from archive.search.index import Drift, SearchIndex  # noqa: E402
from archive.search.query import FIELDS, ParsedQuery, parse  # noqa: E402
from archive.search.schema import IndexDoc  # noqa: E402
from archive.search.searcher import Hit, SearchResults, Snapshot, count, search, snapshot  # noqa: E402
from archive.search.snippets import Snippet, render  # noqa: E402

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
