"""Candidate pairs from an inverted index of the words copying leaves alone.

Never all pairs: each document is scored only against documents that share at least one of
its not-too-common terms (content words, numbers, names; document frequency capped), with IDF
weights, and keeps its top ``k``. Rare names and numbers survive synonym spinning and LLM
rewriting, which is why this finds sources that shingle-based LSH misses at high spin rates.

Memory: the index holds each document's terms once (int32 columns, float32 term weights, in a
few large arrays). A neighbour search adds two normalised copies of the rows, each about the
size of the index: the inverted index of the capped rows, and the rows for the full cosine
(every chunk's pools reach most of the archive, so those are normalised once, not per chunk),
plus the product of one chunk at a time. Every sparse product
here works row by row, so normalising a subset of rows gives those rows bit for bit as
normalising the whole matrix would: scores, and hence neighbours, do not depend on how rows are
grouped.

The index also finds the archive's boilerplate (boilerplate.py): it keeps each document's
sampled word shingles with its row (about 35 a document, 12 bytes each) until the boilerplate is
found, and how often each term is written as a name or number; a text holding boilerplate is then
searched by a second row, of its terms without it (held for those texts only).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import repeat
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from archive.parallel import cores_free

from .boilerplate import MIN_STORIES, boilerplate_of, distinct_shingles, is_boilerplate
from .features import CAP, NUM, STOP, Tokens, idf
from .shared import shared_copy, shared_zeros

TOP_K = 12
POOL_K = 40
# A term in more than this share of the archive says little about which story a text tells
# and would make the candidate join quadratic; MIN_DF_CAP keeps small archives searchable.
DF_CAP_SHARE = 0.01
MIN_DF_CAP = 50
# Documents scored per sparse product: the product is the peak of memory (Reuters: 69 MB at 512
# rows, 194 MB at 2048, for 13% more time).
_CHUNK = 512
# Rows weighted and normalised per step when the inverted index is built.
_ROW_BLOCK = 8192
# Added documents' arrays are merged into one piece every this many documents: a numpy array's
# header (~100 bytes) costs as much as a short document's terms (documents added one at a time).
_PIECE_DOCS = 4096
_NO_LINES = np.zeros(0, dtype=np.int64)
_PAIR_BLOCK = 50_000


def _grown(counts: np.ndarray, size: int) -> np.ndarray:
    """``counts`` with room for ``size`` entries (doubled at least, so growing stays linear)."""
    if size <= counts.shape[0]:
        return counts
    return np.concatenate([counts, np.zeros(max(size, 2 * counts.shape[0]) - counts.shape[0], dtype=counts.dtype)])


def _weighted(rows: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    return (rows @ sp.diags(idf.astype(np.float32))).tocsr()


def _unit_scale(weighted: sp.csr_matrix) -> np.ndarray:
    """1 / Euclidean length of each row (1 for empty rows), float32."""
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (1.0 / norms).astype(np.float32)


def _scaled(weighted: sp.csr_matrix, scale: np.ndarray) -> sp.csr_matrix:
    return (sp.diags(scale) @ weighted).tocsr()


def _normalised(rows: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """``rows`` weighted by ``idf`` and scaled to unit length (empty rows stay empty)."""
    weighted = _weighted(rows, idf)
    return _scaled(weighted, _unit_scale(weighted))


def _share(matrix: sp.csr_matrix) -> None:
    """Move ``matrix``'s arrays into shared mappings (see archive.provenance.shared), one at a
    time, so that at most one array is held twice meanwhile."""
    matrix.data = shared_copy(matrix.data)
    matrix.indices = shared_copy(matrix.indices)
    matrix.indptr = shared_copy(matrix.indptr)


def _row_products(rows: sp.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot product of rows[a[i]] and rows[b[i]] for each i."""
    if a.shape[0] == 0:
        return np.zeros(0, dtype=np.float32)
    return np.asarray(rows[a].multiply(rows[b]).sum(axis=1)).ravel()


def _pools_of(chunk: np.ndarray, sims: sp.csr_matrix, among: int | None, within: np.ndarray | None,
              book: PoolBook | None, out: list[tuple[Pool, Offers | None]]) -> None:
    """Append the pool (and offers) of each row of ``chunk`` from its scores ``sims``, in order."""
    for i, row in enumerate(chunk.tolist()):
        cols = sims.indices[sims.indptr[i] : sims.indptr[i + 1]]
        if within is not None:
            cols = within[cols]
        vals = sims.data[sims.indptr[i] : sims.indptr[i + 1]]
        keep = (cols != row) if among is None else (cols != row) & (cols < among)
        cols, vals = cols[keep], vals[keep]
        # Scores rounded so that the pool does not depend on float noise.
        rounded = np.round(vals, 6)
        offers = None if book is None else book.offers(cols, rounded)
        if cols.shape[0] > POOL_K:
            # Stable order (score, then column). Only scores at or above the POOL_K-th
            # best can be in the pool: sort those.
            cut = np.partition(rounded, cols.shape[0] - POOL_K)[cols.shape[0] - POOL_K]
            top = rounded >= cut
            cols, rounded = cols[top], rounded[top]
        order = np.lexsort((cols, -rounded))[:POOL_K]
        out.append(((cols[order].astype(np.int32), rounded[order]), offers))


def _columns_as_rows(matrix: sp.csr_matrix, cols: np.ndarray, among: sp.csr_matrix) -> sp.csr_matrix:
    """``matrix[:, cols].T.tocsr()``: for each of ``cols``, its column's stored entries as a row,
    in order of row (the same arrays). Scipy's column selection reads every entry of the matrix
    (the whole archive's inverted index, for a few rows); here each entry is looked up where
    it can be, row i of ``among`` listing the rows of ``matrix`` that column cols[i] may have
    an entry in (a superset), by a binary search of each such row's sorted columns."""
    if not matrix.has_sorted_indices:
        return matrix[:, cols].T.tocsr()
    among = among.tocsr()
    if not among.has_sorted_indices:
        among = among.sorted_indices()
    owner = np.repeat(np.arange(cols.shape[0]), np.diff(among.indptr))
    rows = among.indices.astype(np.int64)
    wanted = cols.astype(np.int64)[owner]
    lo = matrix.indptr[rows].astype(np.int64)
    end = matrix.indptr[rows + 1].astype(np.int64)
    hi = end.copy()
    # lower bound of ``wanted`` among each row's columns, all rows at once
    while True:
        open_ = np.flatnonzero(lo < hi)
        if open_.shape[0] == 0:
            break
        mid = (lo[open_] + hi[open_]) // 2
        below = matrix.indices[mid] < wanted[open_]
        lo[open_[below]] = mid[below] + 1
        hi[open_[~below]] = mid[~below]
    found = lo < end
    found[found] = matrix.indices[lo[found]] == wanted[found]
    counts = np.bincount(owner[found], minlength=cols.shape[0])
    indptr = np.zeros(cols.shape[0] + 1, dtype=matrix.indptr.dtype)
    np.cumsum(counts, out=indptr[1:])
    out = sp.csr_matrix((matrix.data[lo[found]], rows[found].astype(matrix.indices.dtype), indptr),
                        shape=(cols.shape[0], matrix.shape[0]))
    out.has_sorted_indices = True
    return out


# Bits of each part of _pool_order's one-number key: pool rows, scores in millionths, documents.
_KEY_BITS = 21


def _pool_order(to: np.ndarray, score: np.ndarray, by: np.ndarray) -> np.ndarray:
    """``np.lexsort((by, -score, to))`` for pool entries (scores rounded to 6 decimals, from 0 to
    2: cosines), by one sort of an int64 key where the three fit in it (up to 2**21 rows): a
    lexsort sorts three times, and merging the offers into the pools was ~5% of a chunk."""
    millionths = np.rint(score.astype(np.float64) * 1e6).astype(np.int64)
    limit = 1 << _KEY_BITS
    if (to.shape[0] == 0 or int(to.max()) >= limit or int(by.max()) >= limit or int(millionths.min()) < 0
            or int(millionths.max()) >= limit or int(to.min()) < 0 or int(by.min()) < 0):
        return np.lexsort((by, -score, to))
    key = (to.astype(np.int64) << (2 * _KEY_BITS)) | ((limit - 1 - millionths) << _KEY_BITS) | by.astype(np.int64)
    # (Keys are unique: a pool holds a document once.)
    return np.argsort(key)


def _products(left: list[sp.csr_matrix], right: sp.csr_matrix) -> list[sp.csr_matrix]:
    """``m @ right`` for each ``m`` of ``left``, on threads when there are several: scipy's sparse
    products run without the GIL, and each row's scores are the same whichever rows share a
    product."""
    if len(left) == 1:
        return [(left[0] @ right).tocsr()]
    with ThreadPoolExecutor(max_workers=len(left), thread_name_prefix="archive-search") as pool:
        return list(pool.map(lambda m: (m @ right).tocsr(), left))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Each value's rank among the distinct values (equal values, equal ranks): what
    ``np.unique(values, return_inverse=True)`` returns as the inverse, at a third of its cost."""
    perm = np.argsort(values)
    ordered = values[perm]
    ranks = np.empty(values.shape[0], dtype=np.int64)
    if values.shape[0]:
        ranks[perm] = np.concatenate(([0], np.cumsum(ordered[1:] != ordered[:-1])))
    return ranks


def _by_document_then(doc_of: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """``np.lexsort((rank, doc_of))`` for non-negative ranks and document numbers: one stable
    sort of a combined key, several times faster than lexsort's sort per key."""
    width = int(rank.max()) + 1 if rank.shape[0] else 1
    return np.argsort(doc_of.astype(np.int64) * width + rank, kind="stable")


@dataclass
class _Search:
    """What neighbour searches need from an unchanged index."""

    capped_idf: np.ndarray
    # Every row weighted by the full idf and scaled to unit length (the full cosine's rows).
    full_unit: sp.csr_matrix
    # Capped, normalised rows transposed: for each term, the documents that have it.
    inverted: sp.csr_matrix


@dataclass(frozen=True)
class TermTable:
    """A value per term hash in an open-addressing hash table (linear probing, at most a quarter
    full): the document frequencies of every text's terms are looked up in one go before the
    linking workers fork, and a hash's low bits pick its slot in a table that stays in cache,
    where a binary search of the sorted vocabulary took ~4x as long."""

    keys: np.ndarray
    values: np.ndarray  # -1: an empty slot
    mask: int

    @classmethod
    def of(cls, keys: np.ndarray, values: np.ndarray) -> "TermTable":
        """The table of distinct ``keys`` (term hashes) and their non-negative ``values``."""
        size = 1 << max(4, (4 * keys.shape[0] - 1).bit_length())
        table = cls(np.zeros(size, dtype=np.int64), np.full(size, -1, dtype=np.int64), size - 1)
        pending = np.arange(keys.shape[0])
        slot = keys & table.mask
        while pending.shape[0]:
            free = pending[table.values[slot[pending]] < 0]
            taken, first = np.unique(slot[free], return_index=True)  # one key per free slot
            table.keys[taken] = keys[free[first]]
            table.values[taken] = values[free[first]]
            placed = np.zeros(keys.shape[0], dtype=bool)
            placed[free[first]] = True
            pending = pending[~placed[pending]]
            slot[pending] = (slot[pending] + 1) & table.mask
        return table

    def get(self, hashes: np.ndarray) -> np.ndarray:
        """The value of each hash, 0 for hashes not in the table."""
        slot = hashes & self.mask
        found = self.values[slot]
        filled = found >= 0
        hit = (self.keys[slot] == hashes) & filled
        out = np.where(hit, found, 0)
        todo = np.flatnonzero(filled & ~hit)  # collided: probe the next slots
        while todo.shape[0]:
            slot[todo] = (slot[todo] + 1) & self.mask
            found = self.values[slot[todo]]
            hit = (self.keys[slot[todo]] == hashes[todo]) & (found >= 0)
            out[todo[hit]] = found[hit]
            todo = todo[~hit & (found >= 0)]
        return out


class AscendingRows(Mapping[int, int]):
    """Each id's row in an index whose ``ids`` ascend, found by bisection of that list: a dict
    held ~80 bytes a document (16 MB at 200,000), in the linking process and in every worker
    it forks."""

    def __init__(self, ids: "Sequence[int]") -> None:
        self._ids = ids

    def __getitem__(self, doc_id: int) -> int:
        row = bisect_left(self._ids, doc_id)
        if row == len(self._ids) or self._ids[row] != doc_id:
            raise KeyError(doc_id)
        return row

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass
class CandidateIndex:
    """Inverted index over document terms; grows with :meth:`add` (memory linear in the archive)."""

    # A list while documents are added; see release_rows.
    ids: "list[int] | array[int]" = field(default_factory=list)
    # A dict while documents are added; see release_rows.
    row_of: dict[int, int] | AscendingRows = field(default_factory=dict)
    vocab: dict[int, int] = field(default_factory=dict)
    # Rows' columns and weights in pieces of up to _PIECE_DOCS documents (the latest batches
    # one array each until they are merged), merged into one piece (shared with the matrix)
    # whenever the matrix is built, so the index is not held twice.
    _rows: list[np.ndarray] = field(default_factory=list)
    _tf: list[np.ndarray] = field(default_factory=list)
    _lengths: array = field(default_factory=lambda: array("q"))
    _df: np.ndarray = field(default_factory=lambda: np.zeros(1024, dtype=np.int64))
    _matrix: sp.csr_matrix | None = None
    _df_table: TermTable | None = None
    _search: _Search | None = None
    # Pieces at the end of _rows/_tf not merged yet (one per add_many), and their documents.
    _loose: int = 0
    _loose_docs: int = 0
    # The rows were dropped while searching (see release_rows).
    _released: bool = False
    # Each text's sampled shingles (boilerplate.py) with its row, one array pair per batch, and
    # per column how often the term was written as a name or number and at all: what tells a
    # site's boilerplate (a shingle on pages of different stories) from a story's own sentences.
    _shingles: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    _detail_uses: np.ndarray = field(default_factory=lambda: np.zeros(1024, dtype=np.int64))
    _uses: np.ndarray = field(default_factory=lambda: np.zeros(1024, dtype=np.int64))
    _shingles_sorted: bool = False
    _boilerplate: np.ndarray | None = None
    _holders: frozenset[int] | None = None
    # The rows that searches and pair cosines read for texts with a site's boilerplate: their
    # terms without it (see search_without_boilerplate), by row, as (columns, weights) like a
    # matrix row; the full rows stay, for term frequencies and for telling the boilerplate.
    _search_rows: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    # Documents added while they could be read from the background (see add_many), not indexed
    # yet, and the tokens to search some of them by.
    _pending: list[tuple[int, Tokens]] = field(default_factory=list)
    _pending_lines: list[np.ndarray] = field(default_factory=list)
    _pending_ids: set[int] = field(default_factory=set)
    _pending_search: dict[int, Tokens] = field(default_factory=dict)
    # What searches read of the pending documents until they change (see _read_from_background
    # and neighbours): a chunk's family rules search its neighbourhood one text at a time.
    _pending_in_background: bool = False
    _pending_rows: np.ndarray | None = None
    # The whole archive's index when this one holds only part of it (an incremental update works
    # on the new documents' neighbourhood): term weights then come from the whole archive, so the
    # part ranks and decides as it would inside the whole.
    background: "CandidateIndex | None" = None
    # The background's inverted index among this part's rows there, with the search and rows it
    # was taken for (see _background_columns).
    _background_held: "tuple[_Search, bytes, sp.csr_matrix] | None" = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def archive_size(self) -> int:
        """Documents that term frequencies refer to: the whole archive's when there is a background."""
        return len(self.background) if self.background is not None else len(self.ids)

    def add(self, doc_id: int, tokens: Tokens, lines: np.ndarray | None = None) -> None:
        self.add_many([(doc_id, tokens)], None if lines is None else [lines])

    def add_many(self, docs: Sequence[tuple[int, Tokens]], lines: Sequence[np.ndarray] | None = None) -> None:
        """Index documents in this order: the same index as adding them one by one, built with a
        few array operations for the whole batch instead of several per document (adding was a
        tenth of the serial part of linking a whole archive). ``lines``: each document's keys of
        its standalone lines and headline parts (Fingerprint.lines, boilerplate.title_keys),
        counted with its shingles; none if not given."""
        if lines is None:
            lines = [_NO_LINES] * len(docs)
        elif len(lines) != len(docs):
            raise ValueError("one array of line keys a document")
        seen: set[int] = set()
        for doc_id, _ in docs:
            if doc_id in self.row_of or doc_id in seen or doc_id in self._pending_ids:
                raise ValueError(f"document {doc_id} is already indexed")
            seen.add(doc_id)
        if not docs:
            return
        if self._in_background(seen):
            # Pair cosines come from the background's rows (see pair_cosines): these documents
            # are indexed here only if this part is searched on its own.
            self._pending.extend(docs)
            self._pending_lines.extend(lines)
            self._pending_ids |= seen
            self._pending_changed()
            return
        self._index_pending()
        self._index(docs, lines)

    def _in_background(self, doc_ids: Iterable[int]) -> bool:
        """The documents are in a background prepared for searching (a chunked linking run's whole
        archive), whose rows are weighted and normalised already."""
        background = self.background
        return (background is not None and background._search is not None
                and all(doc_id in background.row_of for doc_id in doc_ids))

    def _read_from_background(self) -> bool:
        """Everything this part holds is read from its background (see add_many)."""
        if self.ids or self.background is None or self.background._search is None:
            return False
        if not self._pending_in_background:  # (once true, true while the pending documents stay)
            self._pending_in_background = self._in_background(self._pending_ids)
        return self._pending_in_background

    def _pending_changed(self) -> None:
        self._pending_in_background = False
        self._pending_rows = None

    def _index_pending(self) -> None:
        if self._pending:
            pending, self._pending, self._pending_ids = self._pending, [], set()
            self._pending_changed()
            pending_lines, self._pending_lines = self._pending_lines, []
            self._index(pending, pending_lines)
            searched, self._pending_search = self._pending_search, {}
            self.search_without_boilerplate(list(searched.items()))

    def search_without_boilerplate(self, docs: Sequence[tuple[int, Tokens | None]]) -> None:
        """Searches and pair cosines read each of ``docs`` (indexed already) by these tokens: its
        text without its boilerplate (boilerplate.py), whose words would otherwise rank the
        farm's other pages above a short copy's source; or by its whole text again (None). Its
        full row stays for term frequencies and the boilerplate rule, which count whole texts."""
        if self._search is not None:
            raise RuntimeError("the index is being searched: its rows cannot change")
        indexed: list[tuple[int, Tokens]] = []
        for doc_id, tokens in docs:
            if doc_id in self._pending_ids:
                # (Read from the background, which searches it by the same tokens.)
                if tokens is None:
                    self._pending_search.pop(doc_id, None)
                else:
                    self._pending_search[doc_id] = tokens
            elif tokens is None:
                self._search_rows.pop(self.row_of[doc_id], None)
            else:
                indexed.append((doc_id, tokens))
        for (doc_id, _), row in zip(indexed, self._rows_of([tokens for _, tokens in indexed])):
            self._search_rows[self.row_of[doc_id]] = row

    def _rows_of(self, streams: Sequence[Tokens]) -> list[tuple[np.ndarray, np.ndarray]]:
        """A matrix row of each token stream (whose terms are all indexed): columns ascending,
        with their sublinear term frequencies (as _index makes them), all made at once."""
        if not streams:
            return []
        kept = [t.hashes[t.kinds != STOP] for t in streams]
        doc_of = np.repeat(np.arange(len(kept), dtype=np.int64), [k.shape[0] for k in kept])
        terms, inverse = np.unique(np.concatenate(kept), return_inverse=True)
        cols = np.fromiter(map(self.vocab.__getitem__, terms.tolist()), dtype=np.int64,
                           count=terms.shape[0])[inverse.reshape(-1)]
        order = np.lexsort((cols, doc_of))
        cols, doc_of = cols[order], doc_of[order]
        starts = np.flatnonzero(np.r_[True, (cols[1:] != cols[:-1]) | (doc_of[1:] != doc_of[:-1])][:cols.shape[0]])
        counts = np.diff(np.r_[starts, cols.shape[0]])
        cols, doc_of = cols[starts].astype(np.int32), doc_of[starts]
        weights = (1.0 + np.log(counts)).astype(np.float32)
        bounds = np.searchsorted(doc_of, np.arange(len(kept) + 1)).tolist()
        return [(cols[a:b], weights[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]

    def _searched_rows(self, rows: np.ndarray) -> sp.csr_matrix:
        """The matrix's rows ``rows`` (in that order) as searches read them: a text with
        boilerplate by its row without it (see search_without_boilerplate)."""
        block = self.matrix()[rows]
        if not self._search_rows:
            return block
        replaced = [(i, self._search_rows[row]) for i, row in enumerate(rows.tolist()) if row in self._search_rows]
        if not replaced:
            return block
        lengths = np.diff(block.indptr)
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        done = 0
        for i, (cols, tf) in replaced:
            indices += [block.indices[block.indptr[done]:block.indptr[i]], cols]
            data += [block.data[block.indptr[done]:block.indptr[i]], tf]
            lengths[i] = cols.shape[0]
            done = i + 1
        indices.append(block.indices[block.indptr[done]:])
        data.append(block.data[block.indptr[done]:])
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        return sp.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr), shape=block.shape)

    def _index(self, docs: Sequence[tuple[int, Tokens]], lines: Sequence[np.ndarray]) -> None:
        # Each document's distinct content terms, sorted, with their counts: (document, term)
        # pairs sorted by document, then term.
        content = [t.kinds != STOP for _, t in docs]
        kept = [t.hashes[c] for (_, t), c in zip(docs, content)]
        sizes = np.array([k.shape[0] for k in kept], dtype=np.int64)
        doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), sizes)
        hashes = np.concatenate(kept)
        kinds = np.concatenate([t.kinds[c] for (_, t), c in zip(docs, content)])
        is_detail = (kinds == CAP) | (kinds == NUM)
        order = _by_document_then(doc_of, _ranks(hashes))
        doc_of, hashes, is_detail = doc_of[order], hashes[order], is_detail[order]
        first = np.ones(hashes.shape[0], dtype=bool)
        first[1:] = (hashes[1:] != hashes[:-1]) | (doc_of[1:] != doc_of[:-1])
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, hashes.shape[0]))
        detail_counts = np.add.reduceat(is_detail.astype(np.int64), starts) if starts.shape[0] else starts
        doc_of, terms = doc_of[starts], hashes[starts]
        cols = self._columns(terms)
        # Within each document by column, as the matrix rows are stored.
        order = _by_document_then(doc_of, cols)
        cols, counts, doc_of, detail_counts = cols[order], counts[order], doc_of[order], detail_counts[order]
        n_vocab = len(self.vocab)
        self._df, self._uses, self._detail_uses = (_grown(a, n_vocab) for a in (self._df, self._uses, self._detail_uses))
        self._df[:n_vocab] += np.bincount(cols, minlength=n_vocab)
        self._uses[:n_vocab] += np.bincount(cols, weights=counts, minlength=n_vocab).astype(np.int64)
        self._detail_uses[:n_vocab] += np.bincount(cols, weights=detail_counts, minlength=n_vocab).astype(np.int64)
        shingles, owners = distinct_shingles([t.hashes for _, t in docs], lines)
        self._shingles_sorted = False
        self._shingles.append((shingles, (owners + len(self.ids)).astype(np.int32)))
        # Sublinear term frequency: a name repeated through a story marks it more than once,
        # but not ten times more.
        self._rows.append(cols)
        self._tf.append((1.0 + np.log(counts)).astype(np.float32))
        self._loose += 1
        self._loose_docs += len(docs)
        if self._loose_docs >= _PIECE_DOCS:
            self._merge_loose()
        assert isinstance(self.row_of, dict)  # (not released: see release_rows)
        for (doc_id, _), length in zip(docs, np.bincount(doc_of, minlength=len(docs)).tolist()):
            self.row_of[doc_id] = len(self.ids)
            self.ids.append(doc_id)
            self._lengths.append(length)
        self._matrix = None
        self._df_table = None
        self._search = None
        self._boilerplate = None
        self._holders = None

    def _columns(self, terms: np.ndarray) -> np.ndarray:
        """The column of each term (int32: half the memory of the index's largest part; a
        vocabulary stays far below 2**31 terms); a term seen for the first time gets the next
        column, in the order of the batch, as adding its documents one by one would give it.
        Looked up once per distinct term (a whole archive's batch repeats each ~30 times)."""
        distinct, first, inverse = np.unique(terms, return_index=True, return_inverse=True)
        listed = distinct.tolist()
        cols = np.array(list(map(self.vocab.get, listed, repeat(-1))), dtype=np.int64)
        new = np.flatnonzero(cols < 0)
        for i in new[np.argsort(first[new], kind="stable")].tolist():  # in order of first use
            cols[i] = self.vocab[listed[i]] = len(self.vocab)
        return cols[inverse.reshape(-1)].astype(np.int32)

    def _merge_loose(self) -> None:
        if self._loose > 1:
            self._rows[-self._loose:] = [np.concatenate(self._rows[-self._loose:])]
            self._tf[-self._loose:] = [np.concatenate(self._tf[-self._loose:])]
        self._loose = self._loose_docs = 0

    def df_of(self, hashes: np.ndarray) -> np.ndarray:
        """Document frequency of each term hash (0 for unseen terms)."""
        if self.background is not None:
            return self.background.df_of(hashes)
        return self._term_table().get(hashes)

    def boilerplate(self) -> np.ndarray:
        """The archive's boilerplate shingles, sorted (see boilerplate.py): the whole archive's
        when there is a background, as with term frequencies."""
        if self.background is not None:
            return self.background.boilerplate()
        self._index_pending()
        if self._boilerplate is None:
            self._boilerplate = self._find_boilerplate()
        return self._boilerplate

    def release_shingles(self) -> None:
        """For an index that no longer changes (a chunked run's whole archive): find its
        boilerplate and drop the shingles it was found from (12 bytes a text's shingle, some
        80 MB at 200,000 documents, and twice that while they are sorted), before its search is
        prepared beside them."""
        self.boilerplate_holders()
        self._shingles = []

    def boilerplate_holders(self) -> frozenset[int]:
        """The texts that hold a boilerplate shingle (the others have no boilerplate to leave out)."""
        if self.background is not None:
            return self.background.boilerplate_holders()
        found = self.boilerplate()
        if self._holders is None:
            shingles, holders = self._postings()
            rows = np.unique(holders[np.isin(shingles, found)]) if found.shape[0] else np.zeros(0, dtype=np.int32)
            self._holders = frozenset(self.ids[row] for row in rows.tolist())
        return self._holders

    def boilerplate_changed_by(self, doc_ids: Iterable[int]) -> set[int]:
        """The other texts holding a shingle whose being boilerplate or not ``doc_ids`` decided
        (it is, and would not be without them, or the other way): their tokens to link change
        with these texts added (an update links them again, as a build of the whole archive
        would)."""
        shingles, holders = self._postings()
        rows = np.array(sorted(self.row_of[d] for d in doc_ids if d in self.row_of), dtype=np.int32)
        if not rows.shape[0] or not shingles.shape[0]:
            return set()
        added = np.isin(holders, rows)
        details = self._story_details()
        # Only these shingles' status is asked: the archive's whole boilerplate is read when
        # known already, else not found for them (the rule over every shingle: 8 s of a removal
        # at 200,000 documents).
        found = self.boilerplate() if self.background is not None or self._boilerplate is not None else None
        out: set[int] = set()
        for shingle in np.unique(shingles[added]).tolist():
            lo, hi = int(np.searchsorted(shingles, shingle, "left")), int(np.searchsorted(shingles, shingle, "right"))
            if hi - lo < MIN_STORIES:
                continue
            others = holders[lo:hi][~added[lo:hi]]
            before = is_boilerplate(others, details, len)
            now = bool(np.isin(shingle, found)) if found is not None else is_boilerplate(holders[lo:hi], details, len)
            if before != now:
                out.update(self.ids[row] for row in others.tolist())
        return out

    def _postings(self) -> tuple[np.ndarray, np.ndarray]:
        """Every text's sampled shingles as (shingle, row) pairs sorted by shingle, then row."""
        if len(self._shingles) != 1 or not self._shingles_sorted:
            parts, self._shingles = self._shingles, []  # (each batch's arrays freed once joined)
            shingles = np.concatenate([s for s, _ in parts]) if parts else np.zeros(0, dtype=np.int64)
            holders = np.concatenate([r for _, r in parts]) if parts else np.zeros(0, dtype=np.int32)
            del parts
            # Batches come in row order, each sorted by row: a stable sort by shingle keeps the
            # rows of one shingle in order.
            order = np.argsort(shingles, kind="stable")
            self._shingles = [(shingles[order], holders[order])]
            self._shingles_sorted = True
        return self._shingles[0]

    def _story_details(self) -> Callable[[int], frozenset[int]]:
        """Each row's details (the terms written as a name or number in most of their uses),
        read from the rows on demand: what tells the stories apart (boilerplate.py)."""
        matrix = self.matrix()
        n_vocab = len(self.vocab)
        detail_column = 2 * self._detail_uses[:n_vocab] > self._uses[:n_vocab]
        read: dict[int, frozenset[int]] = {}

        def details(row: int) -> frozenset[int]:
            if row not in read:
                cols = matrix.indices[matrix.indptr[row]:matrix.indptr[row + 1]]
                read[row] = frozenset(cols[detail_column[cols]].tolist())
            return read[row]
        return details

    def _find_boilerplate(self) -> np.ndarray:
        shingles, holders = self._postings()
        return boilerplate_of(shingles, holders, self._story_details(), len)

    def _term_table(self) -> TermTable:
        if self._df_table is None:
            self._df_table = TermTable.of(self._vocab_keys(), self._df[: len(self.vocab)])
        return self._df_table

    def _vocab_keys(self) -> np.ndarray:
        """Term hashes by column: a term's column is its position in the vocabulary (see add)."""
        return np.fromiter(self.vocab.keys(), dtype=np.int64, count=len(self.vocab))

    def weights(self, capped: bool) -> np.ndarray:
        """IDF per column; ``capped`` zeroes terms above the document-frequency cap."""
        self._index_pending()
        n = self.archive_size
        if self.background is not None:
            df = self.background.df_of(self._vocab_keys()).astype(np.float64)
        else:
            df = self._df[: len(self.vocab)].astype(np.float64)
        weights = idf(df, n)
        if capped:
            weights[df > max(MIN_DF_CAP, DF_CAP_SHARE * n)] = 0.0
        if not weights.shape[0]:
            # No text has a term yet ("!!! ???"): the matrix keeps one empty column (see matrix).
            return np.zeros(1)
        return weights

    def matrix(self) -> sp.csr_matrix:
        if self._released:
            raise RuntimeError("the index's rows were released (release_rows)")
        self._index_pending()
        if self._matrix is None:
            lengths = np.asarray(self._lengths, dtype=np.int64)
            indptr = np.concatenate([[0], np.cumsum(lengths)])
            indices = np.concatenate(self._rows) if self._rows else np.zeros(0, dtype=np.int32)
            self._rows = []
            data = np.concatenate(self._tf) if self._tf else np.zeros(0, dtype=np.float32)
            self._tf = []
            self._matrix = sp.csr_matrix(
                (data, indices, indptr), shape=(len(self.ids), max(len(self.vocab), 1))
            )
            self._rows, self._tf = [self._matrix.indices], [self._matrix.data]
            self._loose = self._loose_docs = 0
        return self._matrix

    def release_rows(self) -> None:
        """Inside a :meth:`searching` block that lasts as long as the index is used (a chunked
        linking run's whole archive): drop the rows, a third of the index's memory with the
        search's own two copies; a search reads its documents' capped rows back from the inverted
        index (the same values in the same order). The index can no longer change or be searched
        after the block, so ids that ascend (a whole archive's) find their rows by bisection, and
        its vocabulary is dropped."""
        assert self._search is not None
        self.release_shingles()  # (found from the rows, which go now)
        self._matrix, self._rows, self._tf, self._search_rows = None, [], [], {}
        self._released = True
        if all(a < b for a, b in zip(self.ids, self.ids[1:])):
            # Eight bytes an id, where a list holds a pointer and an int object (36 bytes: 7 MB at
            # 200,000 documents, in the linking process and, copied at each fork, in its worker).
            self.ids = array("q", self.ids)
            self.row_of = AscendingRows(self.ids)
        # Term frequencies are read from the table from now on (df_of), not the vocabulary's dict
        # (70,499 terms at 200,000 documents: ~9 MB in the linking process and in each worker).
        self._term_table()
        self.vocab = {}
        # Read by every chunk, by forked workers seldom: shared, so a worker maps only what it reads.
        _share(self._search.full_unit)
        _share(self._search.inverted)

    def _capped_rows(self, rows: np.ndarray, search: _Search) -> sp.csr_matrix:
        """Rows ``rows`` (in that order) weighted by the capped idf and scaled to unit length."""
        if self._released:
            # A capped row's terms are among its full row's.
            return _columns_as_rows(search.inverted, rows, search.full_unit[rows])
        return self._rows_normalised(rows, search.capped_idf)

    def _rows_normalised(self, rows: np.ndarray, idf: np.ndarray) -> sp.csr_matrix:
        """Rows ``rows`` (in that order) weighted by ``idf`` and scaled to unit length."""
        return _normalised(self._searched_rows(rows), idf)

    @contextmanager
    def searching(self) -> Iterator[None]:
        """Neighbour searches inside the block share one inverted index (the index must not
        change meanwhile); outside, each search builds its own and frees it at the end. A block
        inside another shares the outer one's."""
        if self._search is not None or self._read_from_background():
            yield
            return
        self._search = self._prepare_search()
        try:
            yield
        finally:
            self._search = None

    def _prepare_search(self) -> _Search:
        capped_idf = self.weights(capped=True)
        matrix = self.matrix()
        # Built a block of rows at a time, so the weighted and squared copies are never whole.
        blocks = [self._rows_normalised(np.arange(lo, min(lo + _ROW_BLOCK, matrix.shape[0])), capped_idf)
                  for lo in range(0, matrix.shape[0], _ROW_BLOCK)]
        capped = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix(matrix.shape, dtype=np.float32)
        del blocks
        inverted = capped.T.tocsr()
        full_idf = self.weights(capped=False)
        units = [self._rows_normalised(np.arange(lo, min(lo + _ROW_BLOCK, matrix.shape[0])), full_idf)
                 for lo in range(0, matrix.shape[0], _ROW_BLOCK)]
        full_unit = sp.vstack(units, format="csr") if units else sp.csr_matrix(matrix.shape, dtype=np.float32)
        return _Search(capped_idf=capped_idf, full_unit=full_unit, inverted=inverted)

    def pair_cosines(self, a_ids: list[int], b_ids: list[int]) -> np.ndarray:
        """Cosine over all content terms for each pair (a_ids[i], b_ids[i]), rounded. A part of a
        background prepared for searching takes the background's rows, normalised with the same
        weights (the whole archive's) once for the run; so it has the cosines of a whole build
        (whose rows list the terms in the same order) and needs no rows of its own."""
        if not a_ids:
            return np.zeros(0)
        if self.background is not None and self._in_background([*a_ids, *b_ids]):
            background = self.background
            assert background._search is not None
            rows_a = np.array([background.row_of[d] for d in a_ids], dtype=np.int64)
            rows_b = np.array([background.row_of[d] for d in b_ids], dtype=np.int64)
            out = np.empty(rows_a.shape[0])
            for lo in range(0, rows_a.shape[0], _PAIR_BLOCK):
                ra, rb = rows_a[lo : lo + _PAIR_BLOCK], rows_b[lo : lo + _PAIR_BLOCK]
                out[lo : lo + ra.shape[0]] = _row_products(background._search.full_unit, ra, rb)
            return np.round(out, 6)
        idf = self.weights(capped=False)
        rows_a = np.array([self.row_of[d] for d in a_ids], dtype=np.int64)
        rows_b = np.array([self.row_of[d] for d in b_ids], dtype=np.int64)
        out = np.empty(rows_a.shape[0])
        for lo in range(0, rows_a.shape[0], _PAIR_BLOCK):
            ra, rb = rows_a[lo : lo + _PAIR_BLOCK], rows_b[lo : lo + _PAIR_BLOCK]
            out[lo : lo + ra.shape[0]] = self._cosines(ra, rb, idf)
        return np.round(out, 6)

    def _cosines(self, rows_a: np.ndarray, rows_b: np.ndarray, idf: np.ndarray) -> np.ndarray:
        """Cosine of each pair of rows, weighting each row involved once."""
        needed = np.unique(np.concatenate([rows_a, rows_b]))
        if needed.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        unit = self._rows_normalised(needed, idf)
        return _row_products(unit, np.searchsorted(needed, rows_a), np.searchsorted(needed, rows_b))

    def neighbours(self, doc_ids: list[int], k: int = TOP_K, among: int | None = None) -> dict[int, list[tuple[int, float]]]:
        """Top-``k`` (other id, cosine) for each of ``doc_ids``, best first, ties by id, among the
        first ``among`` documents added (all when None).

        Two steps: the join over capped terms proposes a pool of ``POOL_K`` documents per
        document (cheap, sub-quadratic); they are then ranked by the cosine over all content
        terms, because in a topical archive the common topic words ("vaccine") still separate a
        paraphrase's source from its neighbours.
        """
        background = self.background
        if background is not None and self._read_from_background():
            # The same lists as this part's own index would give (the background's weights, rows
            # in its term order), without indexing it.
            assert among is None  # (rows of this part are not the background's)
            if self._pending_rows is None:
                self._pending_rows = np.array(sorted(background.row_of[d] for d in self._pending_ids), dtype=np.int64)
            within = self._pending_rows
            pools = background.pools(doc_ids, within=within, within_columns=self._background_columns(within))
            return background.ranked(doc_ids, [pool for pool, _ in pools], k)
        return self.ranked(doc_ids, [pool for pool, _ in self.pools(doc_ids, among)], k)

    def pools(self, doc_ids: list[int], among: int | None = None, book: PoolBook | None = None,
              within: np.ndarray | None = None,
              within_columns: sp.csr_matrix | None = None) -> list[tuple[Pool, Offers | None]]:
        """Each document's pool (see :meth:`neighbours`) among the first ``among`` documents (or
        the rows ``within``, sorted, whose columns of the inverted index the caller may hold
        already: ``within_columns``), and, with a ``book``, its offers: the older documents held
        there whose pools it may enter."""
        search = self._search or self._prepare_search()
        # Only those columns are joined (each score is summed over the same terms in the same order).
        if within is None:
            inverted = search.inverted
        else:
            inverted = within_columns if within_columns is not None else search.inverted[:, within]
        out: list[tuple[Pool, Offers | None]] = []
        rows = np.array([self.row_of[d] for d in doc_ids], dtype=np.int64)
        # The products run on threads where cores are free (scipy's run without the GIL): a
        # group of pieces at a time, as many rows in all as one _CHUNK (the memory peak).
        threads = cores_free()
        step = max(1, min(_CHUNK // threads, -(-rows.shape[0] // threads)))
        pieces = [rows[lo : lo + step] for lo in range(0, rows.shape[0], step)]
        for first in range(0, len(pieces), threads):
            group = pieces[first : first + threads]
            # (Each piece's rows in the main thread: the matrix behind them is built on demand.)
            products = _products([self._capped_rows(piece, search) for piece in group], inverted)
            for chunk, sims in zip(group, products):
                _pools_of(chunk, sims, among, within, book, out)
        return out

    def _background_columns(self, within: np.ndarray) -> sp.csr_matrix:
        """The background's inverted index among ``within`` (this part's rows there), taken once
        for as long as the part and the background's search stay the same: a chunk's family
        rules search its neighbourhood again and again, and each selection of columns reads the
        whole archive's index (~12 ms at 200,000 documents). Held by the part, which goes with
        its chunk (a few MB)."""
        background = self.background
        assert background is not None and background._search is not None
        search, rows = background._search, within.tobytes()
        held = self._background_held
        if held is None or held[0] is not search or held[1] != rows:
            held = self._background_held = (search, rows, search.inverted[:, within])
        return held[2]

    def ranked(self, doc_ids: list[int], pools: Sequence[Pool], k: int = TOP_K) -> dict[int, list[tuple[int, float]]]:
        """Top-``k`` (other id, cosine) for each of ``doc_ids`` among its pool, best first, ties by id."""
        search = self._search or self._prepare_search()
        ids = np.asarray(self.ids, dtype=np.int64)
        out: dict[int, list[tuple[int, float]]] = {}
        for lo, chunk in self._row_chunks(doc_ids):
            pool_cols = [cols.astype(np.int64) for cols, _ in pools[lo : lo + _CHUNK]]
            sizes = np.array([a.shape[0] for a in pool_cols], dtype=np.int64)
            r_arr = np.repeat(chunk, sizes)
            c_arr = np.concatenate(pool_cols) if pool_cols else np.zeros(0, dtype=np.int64)
            self._top(chunk, sizes, ids[c_arr], _row_products(search.full_unit, r_arr, c_arr), k, out)
        return out

    def ranked_in_book(self, doc_ids: list[int], book: PoolBook, k: int = TOP_K) -> dict[int, list[tuple[int, float]]]:
        """:meth:`ranked` of the pools that ``book`` holds for ``doc_ids``, with the cosines the
        book keeps for them; those it lacks (a pool never ranked, documents that entered a pool
        since it was last ranked) are computed and kept. A pool's document has the same cosine with it whenever
        it is ranked (one row product of the index's unchanged rows), so the lists are those
        of :meth:`ranked`."""
        search = self._search or self._prepare_search()
        ids = np.asarray(self.ids, dtype=np.int64)
        out: dict[int, list[tuple[int, float]]] = {}
        for _, chunk in self._row_chunks(doc_ids):
            cols = book.cols[chunk]
            cosines = book.cosines[chunk]
            present = cols >= 0  # (a held pool fills the front of its row: see PoolBook.pool)
            todo_row, todo_slot = np.nonzero(present & np.isnan(cosines))
            if todo_row.shape[0]:
                found = _row_products(search.full_unit, chunk[todo_row], cols[todo_row, todo_slot].astype(np.int64))
                cosines[todo_row, todo_slot] = found
                book.cosines[chunk[todo_row], todo_slot] = found
            book.cosines_reused += int(present.sum()) - todo_row.shape[0]
            book.cosines_computed += todo_row.shape[0]
            self._top(chunk, present.sum(axis=1), ids[cols[present]], cosines[present], k, out)
        return out

    def _row_chunks(self, doc_ids: list[int]) -> Iterator[tuple[int, np.ndarray]]:
        """The rows of ``doc_ids`` _CHUNK at a time (the peak of a ranking's memory), each with
        the position of its first document."""
        rows = np.array([self.row_of[d] for d in doc_ids], dtype=np.int64)
        for lo in range(0, rows.shape[0], _CHUNK):
            yield lo, rows[lo : lo + _CHUNK]

    def _top(self, rows: np.ndarray, sizes: np.ndarray, other: np.ndarray, cosines: np.ndarray, k: int,
             out: dict[int, list[tuple[int, float]]]) -> None:
        """Into ``out``: for each of ``rows`` (whose candidates are the next ``sizes[i]`` of
        ``other``, with their full ``cosines``), its best ``k`` (id, cosine) by (score, then id)."""
        # Round scores so that ties (and hence order) do not depend on float noise.
        cos = np.round(cosines.astype(np.float64), 6)
        # All rows in one sort.
        which = np.repeat(np.arange(sizes.shape[0]), sizes)
        order = np.lexsort((other, -cos, which))
        rank = np.arange(order.shape[0]) - np.repeat(np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
        order = order[rank < k]
        top_other, top_cos = other[order].tolist(), cos[order].tolist()
        bounds = np.concatenate([[0], np.cumsum(np.minimum(sizes, k))]).tolist()
        for i, row in enumerate(rows.tolist()):
            b0, b1 = bounds[i], bounds[i + 1]
            out[self.ids[row]] = list(zip(top_other[b0:b1], top_cos[b0:b1]))


# A document's candidate pool: columns and rounded capped scores, best first (ties by column).
Pool = tuple[np.ndarray, np.ndarray]
# Offers of one document to older ones' pools: their rows and its scores with them.
Offers = tuple[np.ndarray, np.ndarray]


class PoolBook:
    """The candidate pools of the documents searched during one chunked linking run, kept
    current as later documents are searched, so that a document searched again (a chunk's
    core holds ~11 older documents per new one, each searched among the documents up to the
    chunk) takes its pool from here instead of a join over the whole index, whose cost grows
    with the archive.

    Exact: a pool is the top POOL_K of the document's capped scores among the documents before
    a horizon. Held at horizon h, it becomes the pool at a later horizon h' by offering it the
    documents in [h, h'): each of them, searched when its chunk was linked, scored every older
    document (a capped score is one sparse dot product, the same bits whichever side computes
    it), and the top POOL_K of the old pool and the offers is the top POOL_K of all. So every
    document searched from the start of a run in id order offers itself to the older pools
    it enters (:meth:`offers`, then :meth:`take_offers`) before any of them is read.
    Memory: POOL_K columns and scores per document (320 bytes; 64 MB at 200,000), resident
    only for the documents searched so far.

    Beside each pool's capped scores it keeps the full cosines that ranking it computed
    (:meth:`CandidateIndex.ranked_in_book`; NaN until then): a chunk's core holds ~11 older
    documents per new one, and ranking each of their pools again computed ~40 cosines when
    only those of the documents that entered it since are new (~6.5 a pool at 14,000-20,000
    of the scale articles: nearly every such pool changed, so its ranked list cannot be kept). Memory: POOL_K float32
    per document (160 bytes; 32 MB at 200,000)."""

    def __init__(self, size: int) -> None:
        # In shared mappings: only the linking process reads and writes them, its forked workers
        # never (see archive.provenance.shared). Only held rows are read, each filled when it is
        # held (hold), so the pages of the rows not held yet are never touched: not resident.
        self.cols = shared_zeros((size, POOL_K), np.int32)
        self.scores = shared_zeros((size, POOL_K), np.float32)
        self.cosines = shared_zeros((size, POOL_K), np.float32)
        # Cosines that ranking took from here and that it computed (for reports and tests).
        self.cosines_reused = 0
        self.cosines_computed = 0
        self.held = np.zeros(size, dtype=bool)
        # The lowest score of each full pool; an offer must beat it to enter.
        self._floor = np.full(size, -np.inf, dtype=np.float32)
        # Documents from this row on are being searched now: they offer to the older ones only.
        self.start = 0

    def offers(self, cols: np.ndarray, rounded: np.ndarray) -> Offers:
        """Of a document's scores (``cols``, ``rounded``), those that may enter older held pools
        (checked against the pools as they were before the current searches: a superset)."""
        older = cols < self.start
        cols, rounded = cols[older], rounded[older]
        held = self.held[cols]
        cols, rounded = cols[held], rounded[held]
        # (A tie does not enter: ties go to the earlier document, and every offer comes from a
        # later one than the pool's.)
        enters = rounded > self._floor[cols]
        return cols[enters].astype(np.int32), rounded[enters]

    def pool(self, row: int) -> Pool:
        cols = self.cols[row]
        n = int((cols >= 0).sum())
        return cols[:n].copy(), self.scores[row, :n].copy()

    def hold(self, rows: Sequence[int], pools: Sequence[Pool]) -> None:
        for row, (cols, scores) in zip(rows, pools):
            self.cols[row] = -1
            self.cosines[row] = np.nan
            self.cols[row, : cols.shape[0]] = cols
            self.scores[row, : cols.shape[0]] = scores
            self.held[row] = True
        self._set_floors(np.asarray(rows, dtype=np.int64))

    def take_offers(self, rows: Sequence[int], made: Sequence[Offers | None]) -> None:
        """Merge the offers made by ``rows`` (searched now) into the older pools."""
        offers = [o for o in made if o is not None]
        assert len(offers) == len(rows)
        sizes = [o[0].shape[0] for o in offers]
        if not sum(sizes):
            return
        to = np.concatenate([o[0] for o in offers]).astype(np.int64)
        by = np.repeat(np.asarray(rows, dtype=np.int32), sizes)
        score = np.concatenate([o[1] for o in offers]).astype(np.float32)
        touched = np.unique(to)
        old_cols = self.cols[touched].ravel()
        present = old_cols >= 0
        to = np.concatenate([np.repeat(touched, POOL_K)[present], to])
        by = np.concatenate([old_cols[present], by])
        score = np.concatenate([self.scores[touched].ravel()[present], score])
        # The cosines of the documents that stay in a pool go with them; those who enter have none yet.
        cosine = np.concatenate([self.cosines[touched].ravel()[present],
                                 np.full(by.shape[0] - int(present.sum()), np.nan, dtype=np.float32)])
        # (No document is offered to a pool that has it: a pool held before the documents
        # searched now has none of them.)
        order = _pool_order(to, score, by)
        to, by, score, cosine = to[order], by[order], score[order], cosine[order]
        first = np.searchsorted(to, touched)
        rank = np.arange(to.shape[0]) - np.repeat(first, np.diff(np.append(first, to.shape[0])))
        kept = rank < POOL_K
        self.cols[touched] = -1
        self.cosines[touched] = np.nan
        self.cols[to[kept], rank[kept]] = by[kept]
        self.scores[to[kept], rank[kept]] = score[kept]
        self.cosines[to[kept], rank[kept]] = cosine[kept]
        self._set_floors(touched)

    def _set_floors(self, rows: np.ndarray) -> None:
        self._floor[rows] = np.where(self.cols[rows, -1] >= 0, self.scores[rows, -1], -np.inf)
