"""Candidate pairs from an inverted index of the words copying leaves alone.

Never all pairs: each document is scored only against documents that share at least one of
its not-too-common terms (content words, numbers, names; document frequency capped), with IDF
weights, and keeps its top ``k``. Rare names and numbers survive synonym spinning and LLM
rewriting, which is why this finds sources that shingle-based LSH misses at high spin rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .features import STOP, Tokens

TOP_K = 12
# A term in more than this share of the archive says little about which story a text tells
# and would make the candidate join quadratic; MIN_DF_CAP keeps small archives searchable.
DF_CAP_SHARE = 0.01
MIN_DF_CAP = 50
_CHUNK = 2048


def doc_terms(tokens: Tokens) -> np.ndarray:
    """The distinct non-function-word term hashes of a document, sorted."""
    return np.unique(tokens.hashes[tokens.kinds != STOP])


@dataclass
class CandidateIndex:
    """Inverted index over document terms; grows with :meth:`add` (memory linear in the archive)."""

    ids: list[int] = field(default_factory=list)
    row_of: dict[int, int] = field(default_factory=dict)
    vocab: dict[int, int] = field(default_factory=dict)
    _rows: list[np.ndarray] = field(default_factory=list)
    _df: np.ndarray = field(default_factory=lambda: np.zeros(1024, dtype=np.int64))
    _matrix: sp.csr_matrix | None = None
    _sorted_vocab: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, doc_id: int, tokens: Tokens) -> None:
        if doc_id in self.row_of:
            raise ValueError(f"document {doc_id} is already indexed")
        terms = doc_terms(tokens)
        cols = np.fromiter((self._column(int(h)) for h in terms), dtype=np.int64, count=terms.shape[0])
        cols.sort()
        if len(self.vocab) > self._df.shape[0]:
            self._df = np.concatenate([self._df, np.zeros(self._df.shape[0] * 2, dtype=np.int64)])
        self._df[cols] += 1
        self.row_of[doc_id] = len(self.ids)
        self.ids.append(doc_id)
        self._rows.append(cols)
        self._matrix = None
        self._sorted_vocab = None

    def _column(self, h: int) -> int:
        col = self.vocab.get(h)
        if col is None:
            col = self.vocab[h] = len(self.vocab)
        return col

    def df_of(self, hashes: np.ndarray) -> np.ndarray:
        """Document frequency of each term hash (0 for unseen terms)."""
        if self._sorted_vocab is None:
            keys = np.fromiter(self.vocab.keys(), dtype=np.int64, count=len(self.vocab))
            cols = np.fromiter(self.vocab.values(), dtype=np.int64, count=len(self.vocab))
            order = np.argsort(keys)
            self._sorted_vocab = (keys[order], self._df[cols[order]].copy())
        keys, dfs = self._sorted_vocab
        if keys.shape[0] == 0:
            return np.zeros(len(hashes), dtype=np.int64)
        pos = np.minimum(np.searchsorted(keys, hashes), keys.shape[0] - 1)
        return np.where(keys[pos] == hashes, dfs[pos], 0)

    def weights(self) -> np.ndarray:
        """IDF per column, zero above the document-frequency cap."""
        n = len(self.ids)
        df = self._df[: len(self.vocab)].astype(np.float64)
        cap = max(MIN_DF_CAP, DF_CAP_SHARE * n)
        idf = np.log((n + 1.0) / (df + 1.0)) + 1.0
        idf[df > cap] = 0.0
        return idf

    def matrix(self) -> sp.csr_matrix:
        if self._matrix is None:
            lengths = np.fromiter((r.shape[0] for r in self._rows), dtype=np.int64, count=len(self._rows))
            indptr = np.concatenate([[0], np.cumsum(lengths)])
            indices = np.concatenate(self._rows) if self._rows else np.zeros(0, dtype=np.int64)
            data = np.ones(indices.shape[0], dtype=np.float32)
            self._matrix = sp.csr_matrix(
                (data, indices, indptr), shape=(len(self._rows), max(len(self.vocab), 1))
            )
        return self._matrix

    def neighbours(self, doc_ids: list[int], k: int = TOP_K) -> dict[int, list[tuple[int, float]]]:
        """Top-``k`` (other id, cosine) for each of ``doc_ids``, best first, ties by id."""
        x = self.matrix()
        idf = self.weights().astype(np.float32)
        weighted = (x @ sp.diags(idf)).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        weighted = sp.diags(1.0 / norms).astype(np.float32) @ weighted
        weighted_t = weighted.T.tocsr()
        ids = np.asarray(self.ids, dtype=np.int64)
        out: dict[int, list[tuple[int, float]]] = {}
        rows = np.array([self.row_of[d] for d in doc_ids], dtype=np.int64)
        for lo in range(0, rows.shape[0], _CHUNK):
            chunk = rows[lo : lo + _CHUNK]
            sims = (weighted[chunk] @ weighted_t).tocsr()
            for i, row in enumerate(chunk.tolist()):
                start, end = sims.indptr[i], sims.indptr[i + 1]
                cols = sims.indices[start:end]
                vals = sims.data[start:end]
                keep = cols != row
                cols, vals = cols[keep], vals[keep]
                if cols.shape[0] > k:
                    part = np.argpartition(-vals, k)[: k * 2 if cols.shape[0] > 2 * k else k]
                    cols, vals = cols[part], vals[part]
                other = ids[cols]
                # Round scores so that ties (and hence order) do not depend on float noise.
                rounded = np.round(vals.astype(np.float64), 6)
                order = np.lexsort((other, -rounded))[:k]
                out[self.ids[row]] = [(int(other[j]), float(rounded[j])) for j in order]
        return out
