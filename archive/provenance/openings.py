"""The opening rules: a rewrite of any kind starts from its article's opening.

A model asked to paraphrase, rewrite or continue an article starts from its first sentences, and
a copy holds them, while another article on the topic opens with its own lead and a sibling
rewrite in the model's own words. These rules read how much of a text's opening (its first
content terms, weighted by rarity) another text holds: a linked text whose source opens with words
it lacks goes to an original whose opening it holds; a parentless text goes to the original whose
opening it holds most; and the family rules give no text an original whose opening it holds far
less of than a nearer text's. OpeningRules is mixed into FamilyRules (and so into
engine.ProvenanceIndex), whose openings, neighbour searches and pairwise measures it reads; it
works in place on the ``parent`` map as the family rules do. Each rule's measured effect is in
docs/provenance.md.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .candidates import TermTable
from .pairs import Oriented, other_end
from .params import (COPY_RELATIONS, EXCERPT_COPY_COVERAGE, FAMILY_STYLE_GAP, OPENING_ALIGN_COVER, OPENING_ELSEWHERE_LEAD,
                     OPENING_FAMILY_COVER, ORIGINAL_MIN_COSINE, ORIGINAL_NEIGHBOURS)


class OpeningRules:
    """Texts sent to the original whose opening they hold (see the module)."""

    def _opening_held_nearer(self, q: int, d: int) -> bool:
        """d holds OPENING_ELSEWHERE_LEAD more of the opening of a text nearer it than q (among
        its ORIGINAL_NEIGHBOURS nearest texts) than of q's opening. A rewrite of any kind starts
        from its article's opening, and so do its siblings: when a nearer text's opening is in d
        and q's is not, q is likelier another article on the topic than d's, as it is for a
        rewrite whose article is not in the archive (its nearest texts are its siblings, the
        articles on the topic farther away)."""
        near = self._neighbours([d], ORIGINAL_NEIGHBOURS)[d]
        cosines = dict(near)
        cosine = cosines[q] if q in cosines else float(self.candidates.pair_cosines([d], [q])[0])
        nearer = [x for x, c in near if c > cosine and x not in (d, q)]
        if not nearer:
            return False
        covers = self._opening_covers([q] + nearer, d)
        return max(covers[1:]) - covers[0] >= OPENING_ELSEWHERE_LEAD

    def _opening_sources(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
                         promoted: set[tuple[int, int]]) -> None:
        """A text d whose chosen source p opens with words d mostly lacks (d holds less than
        OPENING_ALIGN_COVER of p's opening) goes to q, an original whose opening d holds
        (OPENING_FAMILY_COVER or more), when q may source d on its family's word
        (_consensus_source) and is paired with d or, when d's link is a rewrite link, sources a
        rewrite among d's nearest texts (the lists _nearest_originals searched; the pair is
        aligned now if need be, see _one_story) (in place; decided on the links as they stand).
        An LLM rewrite of any kind starts from its article's opening, however much it rewords
        or elaborates what follows (and a copy holds it, wherever it puts it); a sibling rewrite
        opens in the model's own words, and another article on the topic with its own lead,
        though either may read more human-written or be nearer overall (LLMFake: the 9 links so
        moved were all wrong; 7 go to the true source, 2 to a text identical to it; 4 of the 9
        sources were found through d's nearest texts, the true source ranking beyond them)."""
        paired_with = self._paired_texts()
        sources = self._rewrite_sources(oriented, parent, promoted)
        near = self._neighbours(list(sources), ORIGINAL_NEIGHBOURS)
        moves: dict[int, tuple[int, int]] = {}
        for d in sorted(parent):
            p = other_end(parent[d], d)
            if self._opening_cover(p, d) >= OPENING_ALIGN_COVER or self._excerpt_copy(d, parent[d]):
                continue
            close = paired_with.get(d, set())
            if d in sources:
                close = close | {sources[x] for x, c in near[d] if c >= ORIGINAL_MIN_COSINE and x in sources}
            others = [q for q in sorted(close) if q not in (d, p) and q not in parent]
            best: tuple[float, int] | None = None
            for q, cover in zip(others, self._opening_covers(others, d)):
                if cover >= OPENING_FAMILY_COVER and (best is None or cover > best[0]) and self._consensus_source(q, d):
                    best = (cover, q)
            if best is not None:
                key = (min(d, best[1]), max(d, best[1]))
                if self._one_story(key):
                    moves[d] = key
        for d, qkey in sorted(moves.items()):
            self._repoint(oriented, parent, promoted, d, qkey, "opening_source")

    def _excerpt_copy(self, d: int, key: tuple[int, int]) -> bool:
        """d is a copy (the pair ``key``) lying nearly all inside its source (EXCERPT_COPY_COVERAGE):
        an excerpt, which may start anywhere in its source, not only at its opening (a farm that
        drops a story's first paragraphs)."""
        return self.pairs[key].decision.relation in COPY_RELATIONS and self._covered(d, key) >= EXCERPT_COPY_COVERAGE

    def _opening_originals(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
                           promoted: set[tuple[int, int]]) -> None:
        """A parentless text d that sources nothing goes to the original q whose opening it holds most,
        when it holds OPENING_FAMILY_COVER of it or more and q may source d by style
        (_may_source_by_style, as a model's family's original when its rewrites say so) (in place).
        The originals' openings are a second way to a loose rewrite's source beside its nearest
        texts by cosine: an open-ended rewrite elaborates its article's lead in a model's words, and
        in an archive of such rewrites its nearest texts are other rewrites sharing that vocabulary,
        of other articles more often than of its own (LLMFake: of the 53 unlinked rewrites whose source
        is not among their 12 nearest texts, 431 of the 636 texts on those lists are rewrites of
        other articles; the source ranks 27th by cosine at the median, and a fetch of 16 instead of
        12 would reach only 7 of them; but 28 hold the source's opening at least as much as any
        other article's). The source finds its rewrites, not the reverse: only originals (texts
        sourcing rewrites) are searched, so an archive without rewrite links costs nothing."""
        sources = self._rewrite_sources(oriented, parent, promoted)
        if not sources:
            return
        originals = self._originals_of(sources, parent)
        sourcing = {other_end(key, x) for x, key in parent.items()}
        texts = [d for d in sorted(self.docs) if d not in parent and d not in sourcing]
        if not texts:
            return
        best = self._by_opening_original(texts, originals)
        gaps = self._family_style_gaps(sources)
        # A text that nothing says is a model's (_nothing_says_models) is taken for a model's
        # elaboration only on its family's word: some of its nearest texts are q's rewrites
        # (_siblings_nearer; q itself ranks far down, or it would have been found by cosine).
        models = self._model_outlets()
        unvouched = [d for d in texts if best[d] is not None and self._nothing_says_models(d, models)]
        near = self._neighbours(unvouched, ORIGINAL_NEIGHBOURS) if unvouched else {}
        moves: dict[int, tuple[int, int]] = {}
        for d in texts:
            q = best[d]
            if q is None:
                continue
            if d in near and not self._siblings_nearer(q, d, near[d], sources):
                continue
            if self._may_source_by_style(q, d, original=gaps.get(q, 0.0) >= FAMILY_STYLE_GAP):
                key = (min(d, q), max(d, q))
                if self._one_story(key):
                    moves[d] = key
        for d, key in sorted(moves.items()):
            self._repoint(oriented, parent, promoted, d, key, "opening_original")

    def _by_opening_original(self, texts: list[int], originals: list[int]) -> dict[int, int | None]:
        """Each text's original by opening (_best_held), searched once per result() while the
        originals stay the same (a round that links no original's rewrite leaves them so)."""
        key = tuple(originals)
        if self._by_opening is None or self._by_opening[0] != key:
            self._by_opening = (key, {})
        best = self._by_opening[1]
        todo = [d for d in texts if d not in best]
        if todo:
            held = _openings_held([self.body_terms[d] for d in todo], [self.opening[q] for q in originals],
                                  [self._opening_weights(q) for q in originals], OPENING_FAMILY_COVER)
            best.update(zip(todo, _best_held(held, todo, originals)))
        return best


def _openings_held(bodies: list[np.ndarray], openings: list[np.ndarray], weights: list[np.ndarray],
                   least: float) -> sp.csr_matrix:
    """[i, j]: the share of opening j (distinct terms, with their ``weights``) that body i (sorted
    distinct terms) holds, rounded so that equal openings tie exactly, wherever it may reach
    ``least``: a body holding none of an opening's heaviest terms that make up more than
    1 - ``least`` of it holds less, so only the bodies holding one of those are counted (rare
    terms: a few bodies each, where most of a news archive holds some common opening word).
    One sparse product over the openings' terms only: a body's other terms cannot count."""
    shape = (len(bodies), len(openings))
    if not bodies or not openings:
        return sp.csr_matrix(shape)
    terms = np.concatenate(openings)
    vocab = np.unique(terms)
    shares = [w / w.sum() if w.sum() else w for w in weights]
    heavy = np.zeros(vocab.shape[0], dtype=bool)
    heavy[np.searchsorted(vocab, np.concatenate([o[_heaviest(s, 1.0 - least)] for o, s in zip(openings, shares)]))] = True
    owner = np.repeat(np.arange(len(openings)), [o.shape[0] for o in openings])
    opened = sp.csr_matrix((np.concatenate(shares), (owner, np.searchsorted(vocab, terms))),
                           shape=(len(openings), vocab.shape[0]))
    body = np.concatenate(bodies)
    of_body = np.repeat(np.arange(len(bodies)), [b.shape[0] for b in bodies])
    # Each body term's column (-1: none) from a hash table: half the time of a binary search.
    col = TermTable.of(vocab, np.arange(1, vocab.shape[0] + 1)).get(body) - 1
    found = col >= 0
    counted = np.zeros(len(bodies), dtype=bool)
    counted[of_body[found & heavy[col]]] = True
    found &= counted[of_body]
    present = sp.csr_matrix((np.ones(int(found.sum())), (of_body[found], col[found])), shape=(len(bodies), vocab.shape[0]))
    held = (present @ opened.T).tocsr()
    held.data = np.round(held.data, 6)
    return held


def _heaviest(shares: np.ndarray, share: float) -> np.ndarray:
    """Positions of the largest ``shares`` (ties in order) up to the first that brings their sum
    above ``share`` (all of them if none does)."""
    order = np.argsort(-shares, kind="stable")
    # (A margin past the 6 decimals that shares are rounded to: a body short of ``least`` stays so.)
    above = np.flatnonzero(np.cumsum(shares[order]) > share + 1e-6)
    return order[: above[0] + 1] if above.shape[0] else order


def _best_held(held: sp.csr_matrix, texts: list[int], originals: list[int]) -> list[int | None]:
    """For each of ``texts`` (rows of ``held``), the original (column; ``originals`` in id order,
    none of them one of the texts) whose opening it holds most, at least OPENING_FAMILY_COVER of
    it, ties to the first; None if none."""
    rows = np.repeat(np.arange(held.shape[0]), np.diff(held.indptr))
    enough = held.data >= OPENING_FAMILY_COVER
    rows, cols, vals = rows[enough], held.indices[enough], held.data[enough]
    order = np.lexsort((cols, -vals, rows))
    rows, cols = rows[order], cols[order]
    first = np.ones(rows.shape[0], dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    out: list[int | None] = [None] * len(texts)
    for row, col in zip(rows[first].tolist(), cols[first].tolist()):
        out[row] = originals[col]
    return out
