"""An open index snapshot as our own search code reads it: the part of Whoosh's ``Searcher`` it uses.

Importing ``whoosh.searching`` and its collectors and sorting facets (with the highlighting and
classifying modules they import) cost an `archive search` process on Reuters ~20M of its ~396M
instructions; the queries ``postings`` scores itself need only the reader, the schema, BM25F's
statistics and stored fields. What still runs
through Whoosh (its collectors, a query it does not score) gets Whoosh's own ``Searcher`` over
the same reader from ``searcher()``, imported then.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from whoosh.reading import IndexReader
from whoosh.scoring import BM25F

if TYPE_CHECKING:
    from whoosh.index import FileIndex
    from whoosh.searching import Searcher


class View:
    """``Searcher``'s reading side, the same values: a top view over the index's reader, and
    one per segment (``leaf_searchers``) sharing its schema, weighting and idf cache."""

    def __init__(self, reader: IndexReader, index: FileIndex, parent: View | None = None) -> None:
        self._reader = reader
        self._index = index
        self._doccount = reader.doc_count_all()
        self._searcher: Searcher | None = None
        # Weak, as Whoosh's own: the top view holds its segments' views.
        self._parent = None if parent is None else weakref.ref(parent)
        self.schema = reader.schema if parent is None else parent.schema
        self.weighting: Any = BM25F() if parent is None else parent.weighting
        self._idf_cache: dict[tuple[str, Any], float] = {} if parent is None else parent._idf_cache
        self._leaves = [(self, 0)] if reader.is_atomic() else [
            (View(leaf, index, self), offset) for leaf, offset in reader.leaf_readers()]
        self.stored_fields = reader.stored_fields
        self.doc_frequency = reader.doc_frequency
        self.frequency = reader.frequency

    def reader(self) -> IndexReader:
        return self._reader

    def leaf_searchers(self) -> list[tuple[View, int]]:
        return self._leaves

    def get_parent(self) -> View:
        parent = None if self._parent is None else self._parent()
        return self if parent is None else parent

    def doc_count(self) -> int:
        return self._reader.doc_count()

    def doc_count_all(self) -> int:
        return self._doccount

    def avg_field_length(self, fieldname: str, default: float | None = None) -> float | None:
        if not self.schema[fieldname].scorable:
            return default
        return self.get_parent().reader().field_length(fieldname) / (self._doccount or 1)

    def idf(self, fieldname: str, text: Any) -> float:
        """``Searcher.idf``: the weighting's, cached per term for the snapshot."""
        term = (fieldname, text)
        found = self._idf_cache.get(term)
        if found is None:
            found = self._idf_cache[term] = self.weighting.idf(self, fieldname, text)
        return found

    def up_to_date(self) -> bool:
        return bool(self._index.latest_generation() == self._reader.generation())

    def searcher(self) -> Searcher:
        """Whoosh's searcher over this view's reader (for a segment's view, the top searcher's
        for that segment), made when first asked for."""
        top = self.get_parent()
        if top is not self:
            return next(leaf for leaf, _ in top.searcher().leaf_searchers() if leaf.reader() is self._reader)
        if self._searcher is None:
            from whoosh.searching import Searcher

            self._searcher = Searcher(self._reader, fromindex=self._index)
        return self._searcher
