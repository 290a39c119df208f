"""Pair features and the relation they support: duplicate, near_copy, spun, rewrite, related.

Every threshold is a named constant with the reason it should hold beyond the dev data. They
are ratios of the pair's own tokens (coverage, substitution rate, shares of shared names and
numbers), not corpus-specific scores, so they carry over to other spinners and sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from .align import Alignment, Prepared, align, shared_content_in_order, substitutes_in_place
from .features import CAP, NUM, STOP, Tokens

# -- copy relations (aligned text) ------------------------------------------------------------
# Share of the shorter text that must lie inside aligned passages. Synonym spinning at 0.45
# still leaves function words, names and numbers in place, so passages cover most of the copy;
# same-topic stories share only formulaic runs.
MIN_COPY_COVERAGE = 0.5
MIN_COPY_MATCHED = 15       # tokens; below this a "copy" is a shared sentence or two
MIN_LONGEST_RUN = 10        # at least one verbatim stretch of ten tokens (spun dev copies: >= 14)
# Differing numbers inside aligned text mean a different story in the same template (earnings
# tables: "Shr 1.20 dlrs vs 1.10 dlrs"); a correction changes one or two.
MAX_CONFLICT_SHARE = 0.25
MAX_CONFLICTS_FREE = 2
# ... but a template repeats formulaic phrases between its figures, never several sentences in a
# row: a verbatim run this long is copied text, and its "conflicts" are changed figures (a
# correction) or tokenisation ("1.Break" against "1. Break" in a copied list). Dev: 2 of the
# 48k aligned Reuters/spun pairs with conflicts have such a run, both spun copies of one story.
TEMPLATE_MAX_RUN = 60
# A heavy spin can leave no verbatim run of MIN_LONGEST_RUN (a large dictionary swapping most
# content words: 'the quarterly report' -> 'the periodic account' every few words), yet it stays
# word for word: words are replaced where they stand, so nearly every edit of the alignment (a
# non-equal stretch between its first and last aligned word) is a short substitution inside a
# passage, and passages still cover nearly all of the copy. A revision, by a person or a model,
# also inserts, drops and reorders clauses: in LLMFake's and Clough's pairs covering 70% or more
# without a run of 10, at most 62% of the edits were such substitutions (over all their pairs
# with 10 edits, 50% at the 95th percentile); in spun copies without a run of 10
# (spin_probe --open-dictionary, up to 27% of the words swapped) 96% or more; the share that
# tells them apart is align.SPINNER_SUB_SHARE (align.substitutes_in_place, which also decides
# when a spin's repeats and moved stretches are aligned). The share is a pattern only over
# enough edits: a notice of 20 words whose 3 differences are all in place (a fund's name, its
# dividend) is one template filled in twice, not a spin; WORD_FOR_WORD_MIN_SUBS is what a heavy
# spin of even a short paragraph leaves (those copies swap 22 to 98).
WORD_FOR_WORD_MIN_COVERAGE = 0.8
WORD_FOR_WORD_MIN_SUBS = 10
# Substitutions per reusable word that make a copy 'spun' rather than a light edit.
SPUN_MIN_RATE = 0.025
SPUN_MIN_SUBS = 3
# A spinner keeps the structure: passages cover nearly all of the copy. A reworded text with
# less in passages was restructured (new sentences, headings): a rewrite.
SPUN_MIN_COVERAGE = 0.6
# Unmatched tokens (cruft, whitespace-only edits) tolerated at the ends of a duplicate.
DUP_MAX_UNMATCHED_SHARE = 0.12
DUP_MAX_UNMATCHED = 40

# Partial reuse: a long verbatim stretch is reuse even when the rest of the text is new (a cut
# and paste into a longer answer, a heavy revision that keeps a few sentences).
PARTIAL_MIN_RUN = 20
PARTIAL_MIN_COVERAGE = 0.2
# Heavy revision: reworded throughout, yet aligned passages (word order kept between
# substitutions) still cover a fair share of one text.
REVISION_MIN_COVERAGE = 0.15
REVISION_MIN_RUN = 8
REVISION_MIN_COSINE = 0.3

# -- rewrites (no long verbatim runs, same facts in the same order) ---------------------------
REWRITE_MIN_COSINE = 0.35    # tf-idf cosine over all content terms
REWRITE_MIN_ORDERED = 0.35   # share of the shared content terms that appear in the same order
REWRITE_MIN_SHARED = 10      # shared content terms
REWRITE_MIN_ANCHORS = 3      # shared names and numbers: the facts a paraphrase must keep
REWRITE_MIN_NAMES = 2        # of which names (numbers like years and "100" are too common)
REWRITE_MIN_ANCHOR_SHARE = 0.3  # ... as a share of the names/numbers of the text with fewer
SPARSE_REWRITE_MIN_SHARED = 20
SPARSE_REWRITE_MIN_ORDERED = 0.5

# Paraphrases keep the numbers; two texts that each give several numbers but few of the same
# ones report different facts (next quarter's results, another company in the same template).
MIN_NUMBERS_TO_COMPARE = 3
MAX_SHARED_NUMBER_SHARE = 0.25

# -- related: same names and numbers, no sign of copying ----------------------------------
RELATED_MIN_COSINE = 0.5
RELATED_MIN_ANCHORS = 4
# Internal only, never a link by itself: a pair similar enough to be one family of texts.
FAMILY = "family"
FAMILY_MIN_COSINE = 0.2
FAMILY_MIN_ANCHORS = 2


@dataclass(frozen=True)
class Anchors:
    """Names and numbers: what spinners and paraphrasers keep and what tells stories apart."""

    numbers: frozenset[int]
    names: frozenset[int]
    terms: int  # distinct content (non-function) terms

    @classmethod
    def of(cls, tokens: Tokens) -> "Anchors":
        # Sets straight from the lists: a fifth of the cost of np.unique first.
        return cls(
            frozenset(tokens.hashes[tokens.kinds == NUM].tolist()),
            frozenset(tokens.hashes[tokens.kinds == CAP].tolist()),
            len(set(tokens.hashes[tokens.kinds != STOP].tolist())),
        )


@dataclass(frozen=True)
class PairFeatures:
    a: int
    b: int
    cosine: float
    alignment: Alignment
    shared_content: int
    ordered_content: int
    shared_numbers: int
    numbers_only_a: int
    numbers_only_b: int
    shared_names: int
    terms_a: int
    terms_b: int
    details_a: int  # distinct names and numbers
    details_b: int

    def with_cosine(self, cosine: float) -> "PairFeatures":
        """``dataclasses.replace(self, cosine=cosine)``, at a fraction of its cost (it runs for
        every aligned pair on each result()); itself when the cosine is the same (frozen: a copy
        would only take time and memory, and a whole build's pairs keep their cosines)."""
        if cosine == self.cosine:
            return self
        copy = object.__new__(PairFeatures)
        copy.__dict__.update(self.__dict__)
        copy.__dict__["cosine"] = cosine  # frozen: set as the generated __init__ does
        return copy

    @property
    def min_content_len(self) -> int:
        return max(1, min(self.alignment.len_a, self.alignment.len_b))

    @property
    def copy_coverage(self) -> float:
        """Coverage of the text that is (mostly) contained in the other."""
        return max(self.alignment.coverage_a, self.alignment.coverage_b)

    @property
    def ordered_share(self) -> float:
        return self.ordered_content / max(1, self.shared_content)


def pair_features(a: int, b: int, pa: Prepared, pb: Prepared, xa: Anchors, xb: Anchors,
                  cosine: float) -> PairFeatures:
    al = align(pa, pb)
    shared, ordered = shared_content_in_order(pa, pb)
    shared_numbers = len(xa.numbers & xb.numbers)
    return PairFeatures(
        a=a,
        b=b,
        cosine=cosine,
        alignment=al,
        shared_content=shared,
        ordered_content=ordered,
        shared_numbers=shared_numbers,
        numbers_only_a=len(xa.numbers) - shared_numbers,
        numbers_only_b=len(xb.numbers) - shared_numbers,
        shared_names=len(xa.names & xb.names),
        terms_a=xa.terms,
        terms_b=xb.terms,
        details_a=len(xa.names) + len(xa.numbers),
        details_b=len(xb.names) + len(xb.numbers),
    )


@dataclass(frozen=True)
class Decision:
    relation: str | None  # None: no link
    score: float
    reasons: tuple[str, ...]


def different_story(f: PairFeatures) -> bool:
    al = f.alignment
    if al.longest_run >= TEMPLATE_MAX_RUN:
        return False
    conflicts = len(al.number_conflicts)
    return conflicts > MAX_CONFLICTS_FREE and conflicts > MAX_CONFLICT_SHARE * max(1, al.numbers_shared)


def word_for_word(f: PairFeatures) -> bool:
    """A spinner's substitution, however heavy: passages cover nearly all of the copy and nearly
    every edit between the first and last aligned word is a short substitution in place."""
    al = f.alignment
    return (
        al.matched >= MIN_COPY_MATCHED
        and f.copy_coverage >= WORD_FOR_WORD_MIN_COVERAGE
        and al.substitution_rate >= SPUN_MIN_RATE
        and substitutes_in_place(al, WORD_FOR_WORD_MIN_SUBS)
    )


def classify(f: PairFeatures) -> Decision:
    al = f.alignment
    reasons: list[str] = []
    if different_story(f):
        reasons.append(
            f"{len(al.number_conflicts)} numbers differ inside aligned text vs {al.numbers_shared} shared: "
            "same template, different story"
        )
        return Decision(None, round(f.cosine, 3), tuple(reasons))
    if al.matched and al.matched == al.len_a == al.len_b and not al.internal_edits:
        # The same words, however few: too short to tell a copy from a shared sentence, but the
        # same text is a duplicate by definition (two identical one-line items were a "rewrite").
        return Decision("duplicate", 1.0, ("identical text",))
    copy_like = (
        al.matched >= MIN_COPY_MATCHED
        and al.longest_run >= MIN_LONGEST_RUN
        and f.copy_coverage >= MIN_COPY_COVERAGE
    )
    if not copy_like and word_for_word(f):
        reasons.append(
            f"aligned passages cover {al.coverage_a:.0%} / {al.coverage_b:.0%} of the two texts, "
            f"{len(al.substitutions)} of its {al.internal_edits} edits short substitutions in place "
            f"(word for word; longest verbatim run {al.longest_run} tokens)"
        )
        return Decision("spun", round(f.copy_coverage * (1.0 - al.substitution_rate), 3), tuple(reasons))
    if copy_like:
        reasons.append(
            f"aligned passages cover {al.coverage_a:.0%} / {al.coverage_b:.0%} of the two texts "
            f"(longest verbatim run {al.longest_run} tokens)"
        )
        unmatched_a = al.len_a - al.matched
        unmatched_b = al.len_b - al.matched
        nsubs = len(al.substitutions)
        score = round(f.copy_coverage * (1.0 - al.substitution_rate), 3)
        if (
            al.internal_edits == 0
            and max(unmatched_a, unmatched_b) <= DUP_MAX_UNMATCHED
            and max(unmatched_a / max(al.len_a, 1), unmatched_b / max(al.len_b, 1)) <= DUP_MAX_UNMATCHED_SHARE
        ):
            reasons.append("identical text apart from the ends (cruft)" if max(unmatched_a, unmatched_b) else "identical text")
            return Decision("duplicate", 1.0 if unmatched_a == unmatched_b == 0 else round(score, 3), tuple(reasons))
        if nsubs >= SPUN_MIN_SUBS and al.substitution_rate >= SPUN_MIN_RATE and f.copy_coverage < SPUN_MIN_COVERAGE:
            reasons.append(f"{nsubs} substitutions and restructured text: passages cover under {SPUN_MIN_COVERAGE:.0%}")
            return Decision("rewrite", score, tuple(reasons))
        if nsubs >= SPUN_MIN_SUBS and al.substitution_rate >= SPUN_MIN_RATE:
            reasons.append(f"{nsubs} word substitutions in aligned text (rate {al.substitution_rate:.2f})")
            return Decision("spun", score, tuple(reasons))
        reasons.append(f"{nsubs} substitutions: verbatim reuse with light edits")
        return Decision("near_copy", score, tuple(reasons))
    if al.longest_run >= PARTIAL_MIN_RUN and f.copy_coverage >= PARTIAL_MIN_COVERAGE:
        reasons.append(
            f"verbatim passage of {al.longest_run} tokens; passages cover {al.coverage_a:.0%} / "
            f"{al.coverage_b:.0%} of the two texts (partial reuse)"
        )
        return Decision("near_copy", round(f.copy_coverage, 3), tuple(reasons))
    if al.longest_run >= REVISION_MIN_RUN and f.copy_coverage >= REVISION_MIN_COVERAGE and f.cosine >= REVISION_MIN_COSINE:
        reasons.append(
            f"reworded passages in the same order cover {al.coverage_a:.0%} / {al.coverage_b:.0%} "
            f"(longest verbatim run {al.longest_run}, {len(al.substitutions)} substitutions): heavy revision"
        )
        return Decision("rewrite", round(max(f.copy_coverage, f.cosine), 3), tuple(reasons))
    fewer_numbers = min(f.shared_numbers + f.numbers_only_a, f.shared_numbers + f.numbers_only_b)
    if fewer_numbers >= MIN_NUMBERS_TO_COMPARE and f.shared_numbers <= MAX_SHARED_NUMBER_SHARE * fewer_numbers:
        reasons.append(f"only {f.shared_numbers} of {fewer_numbers} numbers in common: different facts")
        return Decision(None, round(f.cosine, 3), tuple(reasons))
    anchors = f.shared_names + f.shared_numbers
    fewer_details = min(f.details_a, f.details_b)
    worded_alike = f.cosine >= REWRITE_MIN_COSINE and f.ordered_share >= REWRITE_MIN_ORDERED
    rewrite_like = worded_alike and f.shared_content >= REWRITE_MIN_SHARED and (
        (anchors >= REWRITE_MIN_ANCHORS and f.shared_names >= REWRITE_MIN_NAMES
         and anchors >= REWRITE_MIN_ANCHOR_SHARE * max(1, fewer_details))
        # A text with hardly any names or numbers of its own cannot share several: then every
        # one it has must be shared, and the wording must carry the rest.
        or (fewer_details < REWRITE_MIN_ANCHORS and anchors >= max(1, fewer_details)
            and f.shared_content >= SPARSE_REWRITE_MIN_SHARED and f.ordered_share >= SPARSE_REWRITE_MIN_ORDERED)
    )
    if rewrite_like:
        reasons.append(
            f"{f.shared_content} shared content terms, {f.ordered_share:.0%} in the same order; "
            f"{f.shared_names} shared names, {f.shared_numbers} shared numbers; cosine {f.cosine:.2f}"
        )
        return Decision("rewrite", round(f.cosine, 3), tuple(reasons))
    if f.cosine >= RELATED_MIN_COSINE and f.shared_names + f.shared_numbers >= RELATED_MIN_ANCHORS:
        reasons.append(f"same names/numbers ({f.shared_names}/{f.shared_numbers}) without shared wording")
        return Decision("related", round(f.cosine, 3), tuple(reasons))
    if f.cosine >= FAMILY_MIN_COSINE and f.shared_names + f.shared_numbers >= FAMILY_MIN_ANCHORS:
        # Too weak to report, but kept: if a close sibling of this text derives from the
        # other one, this text does too (see engine._choose_parents).
        reasons.append(f"weakly similar (cosine {f.cosine:.2f}, {f.shared_names + f.shared_numbers} names/numbers)")
        return Decision(FAMILY, round(f.cosine, 3), tuple(reasons))
    return Decision(None, round(f.cosine, 3), tuple(reasons))
