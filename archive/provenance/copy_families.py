"""The copy rules: which of several copies of one story a copy was taken from.

Spinners and content farms copy a story over and over, wires re-issue it, and two copies of one
original look like a copy of a copy: a spinner with a fixed dictionary makes its heavier spin
contain the lighter one's swaps, a re-issue differs from the first issue by a correction. These
rules tell siblings from chains by the words each text keeps or changes (a copy that keeps a word
its supposed source swapped was not made from it) and pick the version of a re-issued story a
copy follows. CopyRules is mixed into FamilyRules (and so into engine.ProvenanceIndex), whose
pairs, alignments and documents it reads; it works in place on the ``parent`` map as the family
rules do. Each rule's measured effect is in docs/provenance.md.
"""

from __future__ import annotations

import numpy as np

from .boilerplate import site_free_title
from .classify import SPUN_MIN_RATE, SPUN_MIN_SUBS, PairFeatures
from .model import DERIVATIONS
from .pairs import Oriented, other_end
from .params import (COPY_ALIKE_COVERAGE_MARGIN, COPY_RELATIONS, SIBLING_OWN_PASSAGE_TOKENS, SPIN_SIBLING_MAX_COVERAGE_LOSS,
                     VERSION_EXPLAIN_MARGIN)
from .versions import Surface, agreement, best_version, keeps_clock_of


class CopyRules:
    """Sibling copies told from chains of copies, and the version a copy follows (see the module)."""

    def _no_spin_chains(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]]) -> None:
        """A spun copy d whose chosen source p is itself a copy of q, while d is a spun copy of q
        in its own right: q is d's source (in place). Independent spins of one original are far
        commoner than a spin of a spin, and a spinner with a fixed dictionary makes the heavier
        of two spins of q contain the lighter one's swaps, so the text cannot tell the chain
        from two siblings; the original is the claim the evidence supports (p stays related).
        The reverse case, d keeping words p swapped, is already caught by _is_sibling. Not when
        p is q's own re-issue (same outlet): then p is a version of the story, not a copy; nor
        when d reproduces p word for word: then d was taken from p (or p from d)."""
        moves: dict[int, tuple[int, int]] = {}
        for d in sorted(parent):
            key = parent[d]
            o = oriented[key]
            if o.derived != d or self.pairs[key].decision.relation not in ("near_copy", "spun") or not self._reworded(key):
                continue  # a verbatim copy of p was taken from p (or p from it)
            pkey = parent.get(o.source)
            if pkey is None or self.pairs[pkey].decision.relation not in COPY_RELATIONS:
                continue
            p, q = o.source, other_end(pkey, o.source)
            qkey = (min(d, q), max(d, q))
            rec = self.pairs.get(qkey)
            if q == d or rec is None or rec.decision.relation != "spun" or qkey not in oriented or self._same_outlet(p, q):
                continue
            if oriented[qkey].source == q and self._covered(d, qkey) >= self._covered(d, key) - SPIN_SIBLING_MAX_COVERAGE_LOSS:
                moves[d] = qkey
        for d, qkey in sorted(moves.items()):
            parent[d] = qkey
            self._why[d] = "spin_siblings"

    def _pick_versions(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
                       promoted: set[tuple[int, int]]) -> None:
        """When d's source exists in several versions (re-issues: duplicates or near copies of
        each other that explain d about equally well), the version whose distinguishing surface
        details (spelling, case, line layout, headline words) d shares most (versions.py); when
        none does, the one whose clock time d's time stamp keeps, else the current choice (the
        earliest issue). In place."""
        by_derived: dict[int, dict[int, tuple[int, int]]] = {}
        for key, o in oriented.items():
            if self.pairs[key].decision.relation in DERIVATIONS:
                by_derived.setdefault(o.derived, {})[o.source] = key
        surfaces: dict[int, Surface] = {}

        def surface(x: int) -> Surface:
            if x not in surfaces:
                # (A site's name after its headlines is the copier's, as its lines are.)
                title = site_free_title(self.docs[x].title, self.candidates.boilerplate())
                surfaces[x] = Surface.of(self.docs[x].text, title, self._furniture(x))
            return surfaces[x]

        for d in sorted(parent):
            key = parent[d]
            if key in promoted or oriented[key].derived != d or self._why.get(d) == "spin_siblings":
                continue  # (a sibling copy shares d's swaps: that agreement is the spinner's)
            p = other_end(key, d)
            explains = self._explains(key, oriented[key])
            options = by_derived.get(d, {})
            versions = [s for s, k in sorted(options.items()) if s != p and self._are_versions(s, p)
                        and abs(self._explains(k, oriented[k]) - explains) <= VERSION_EXPLAIN_MARGIN]
            if not versions:
                continue
            preferred = [p, *versions]
            clock = keeps_clock_of(self.docs[d].published_at, {v: self.docs[v].published_at for v in preferred})
            if clock is not None:  # first among versions the surface cannot tell apart
                preferred.remove(clock)
                preferred.insert(0, clock)
            scores = agreement(surface(d), {v: surface(v) for v in preferred})
            chosen = best_version(scores, preferred)
            if chosen != p:
                parent[d] = options[chosen]
                tied = sum(score == scores[chosen] for score in scores.values()) > 1
                self._why[d] = "version_clock" if chosen == clock and tied else "version"

    def _reworded(self, key: tuple[int, int]) -> bool:
        """The pair differs by word swaps (as a spun pair does; a same-outlet pair is called
        near_copy whatever its swaps), so each text may be a separate spin of a third."""
        al = self.pairs[key].features.alignment
        return al.substitution_rate >= SPUN_MIN_RATE and len(al.substitutions) >= SPUN_MIN_SUBS

    def _restores_what_p_swapped(self, d: int, p: int, q: int) -> bool:
        """Where p swapped words of q's (the p-q substitutions), d holds q's words in their place
        (d differs from p there, by exactly q's words): a copier of p could not know them, so d
        was not made from p. One such place is evidence, where the sibling test's term sets need
        MIN_EDIT_TERMS (a light spin swaps one to three words). Copy pairs only: the texts
        aligned word for word around the place."""
        dp, pq = (min(d, p), max(d, p)), (min(p, q), max(p, q))
        if dp not in self.pairs or pq not in self.pairs:
            return False
        if not {self.pairs[dp].decision.relation, self.pairs[pq].decision.relation} <= COPY_RELATIONS:
            return False
        fpq, fdp = self.pairs[pq].features, self.pairs[dp].features
        # p's swapped spans, with q's words there, and d's words where d differs from p.
        q_words = {(s.a0, s.a1) if p == fpq.a else (s.b0, s.b1): (s.b0, s.b1) if p == fpq.a else (s.a0, s.a1)
                   for s in fpq.alignment.substitutions}
        hp, hq, hd = self.tokens[p].hashes, self.tokens[q].hashes, self.tokens[d].hashes
        for s in fdp.alignment.substitutions:
            p_span, d_span = ((s.a0, s.a1), (s.b0, s.b1)) if p == fdp.a else ((s.b0, s.b1), (s.a0, s.a1))
            q_span = q_words.get(p_span)
            if q_span is None:
                continue
            q_has = hq[q_span[0]:q_span[1]].tolist()
            if hd[d_span[0]:d_span[1]].tolist() == q_has and hp[p_span[0]:p_span[1]].tolist() != q_has:
                return True
        return False

    def _holds_what_only_p_has(self, d: int, key: tuple[int, int], dq: tuple[int, int]) -> bool:
        """d is a copy (the pair ``key``) of p, an issue of q's story (the caller asks), and holds a
        passage of p's that q (the other text of ``dq``) lacks: SIBLING_OWN_PASSAGE_TOKENS or more
        of d's words, outside its furniture, aligned with p and not with q (a paragraph p added in
        its re-issue). Then d was made from p, however few of p's other words it kept (a cut copy
        lacks most of what p added past its cut, which the sibling test's term sets read as a
        sibling's). Only between issues: two rewrites of one article share reworded passages their
        article lacks (LLMFake, Clough: asked of every copy pair, 0.9653 / 0.8955 -> 0.9589 /
        0.8883 and 0.9158 -> 0.8947)."""
        if self.pairs[key].decision.relation not in COPY_RELATIONS or dq not in self.features:
            return False
        n = len(self.tokens[d])
        only_p = (self._aligned_mask(d, self.features[key], n) & ~self._aligned_mask(d, self.features[dq], n)
                  & self._outside_furniture(d))
        return int(only_p.sum()) >= SIBLING_OWN_PASSAGE_TOKENS

    def _aligned_mask(self, d: int, f: PairFeatures, n: int) -> np.ndarray:
        """Which of d's ``n`` tokens lie inside the passages aligned with the other text of the
        pair ``f``."""
        mask = np.zeros(n, dtype=bool)
        for passage in f.alignment.passages:
            lo, hi = (passage.a0, passage.a1) if d == f.a else (passage.b0, passage.b1)
            mask[lo:hi] = True
        return mask

    def _copies_a_passage_reuse(self, d: int, key: tuple[int, int], p: int, pkey: tuple[int, int]) -> bool:
        """d is a copy (the pair ``key``) of p, which only took a passage of its source over
        (``pkey``, a partial reuse: an article of its own), and p's source holds far less of d
        than p does: d was made from p, whatever of p's words it lacks (a heavy spin swaps most
        of them, which the sibling test reads as lacking p's own words)."""
        if self.pairs[key].decision.relation not in COPY_RELATIONS or not self._reuses_only_part(p, pkey):
            return False
        q = other_end(pkey, p)
        dq = (min(d, q), max(d, q))
        return dq not in self.pairs or self._covered(d, dq) < self._covered(d, key) - SPIN_SIBLING_MAX_COVERAGE_LOSS

    def _copied_alike(self, d: int, p: int, q: int, parent: dict[int, tuple[int, int]]) -> bool:
        """d is a verbatim or spun copy of p, p one of q, and d is as close to q as to p: q holds
        as much of d, with no more of d's words swapped. Then d has nothing of p's own (its
        swaps, its cuts, its added lines), and was as likely made from q as p was: two copies
        of one story, not a copy of a copy. Closer by terms alone is no sign: a spinner's fixed
        dictionary makes two spins share synonyms wherever they stand (p's "stated" further
        down matching d's "stated" for another "said"). Substitutions are counted where the
        texts align, so d keeping p's own swap in its place does keep p."""
        dp, dq = (min(d, p), max(d, p)), (min(d, q), max(d, q))
        if dq not in self.pairs or self.pairs[parent[p]].decision.relation not in COPY_RELATIONS:
            return False
        if not {self.pairs[dp].decision.relation, self.pairs[dq].decision.relation} <= COPY_RELATIONS:
            return False
        swapped_p = len(self.pairs[dp].features.alignment.substitutions)
        swapped_q = len(self.pairs[dq].features.alignment.substitutions)
        return swapped_q <= swapped_p and self._covered(d, dq) >= self._covered(d, dp) - COPY_ALIKE_COVERAGE_MARGIN

    def _covered(self, d: int, key: tuple[int, int]) -> float:
        """Share of d inside the passages aligned with the other text of the pair ``key``."""
        f = self.pairs[key].features
        return f.alignment.coverage_a if d == f.a else f.alignment.coverage_b

    def _are_versions(self, a: int, b: int) -> bool:
        """a and b are issues of one story: duplicates, or near copies by one outlet (its re-issues
        and corrections). A near copy by another or an unknown outlet is a copy, whose own edits a
        sibling may share (_no_spin_chains judges those)."""
        rec = self.pairs.get((min(a, b), max(a, b)))
        if rec is None:
            return False
        return rec.decision.relation == "duplicate" or rec.decision.relation == "near_copy" and self._same_outlet(a, b)
