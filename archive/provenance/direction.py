"""Which of two related texts is the source: independent signals summed as log-odds.

Each signal votes for one side with a weight (log-odds) and a reason; the confidence is the
logistic of the sum, 0.5 when nothing is known. Signals:
- dates: the earlier publication is the source (strongest, when both are known and differ);
- word frequency of substitutions: a spinner swaps common words for rarer synonyms, so the side
  whose substituted words are more frequent in the archive is the original (copies only: a
  rewrite's words are a model's or a writer's choice);
- known spinner artefacts, site cruft and LLM style: present in copies, rare in originals;
- attribution: a text that credits the other's outlet ("according to Reuters") copied it;
- containment: a text wholly contained in a longer one is usually the cut copy (weak), and an
  excerpt or summary when it is a small part of it (stronger).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from .align import Alignment
from .classify import PairFeatures, word_for_word
from .dates import describe_gap, seconds_later
from .features import STOP, Tokens
from .outlets import outlet_key
from .style import spinner_artefacts

DATE_WEIGHT = 3.0            # earlier date: p ~ 0.95
MIN_DATE_GAP_SECONDS = 60.0  # re-issues in the same minute say nothing about order
SUBSTITUTION_WEIGHT = 0.4    # per net substitution vote, capped below
SUBSTITUTION_CAP = 3.0
MIN_FREQ_RATIO = 2.0         # a vote needs one side at least twice as frequent
MIN_FREQ_EVIDENCE = 5.0      # documents; below this a small archive's counts are noise
MIN_NET_VOTES = 3
MIN_VOTE_AGREEMENT = 0.6     # share of votes; human paraphrases mix both ways
# ... or a margin that chance would hardly give (a one-sided z of 3 with even odds): a spinner
# with a large dictionary swaps common words for rarer ones mostly, not always (66 to 19 in a
# copy that swapped a third of its words), and a copy's many swaps make that margin sure.
MIN_VOTE_Z = 3.0
# Word frequencies mean something only in an archive of some size.
MIN_ARCHIVE_FOR_FREQUENCY = 1000
# A pair without edits whose passages cover this share of both texts has the same words: style
# does not orient it (see direction).
SAME_WORDS_COVERAGE = 0.95
ARTEFACT_WEIGHT = 1.0
# A known artefact standing where the other text has the phrase it replaces ("stilted
# intelligence" for "artificial intelligence") shows which text was spun from which: with one
# more artefact or the copy's cruft (the copy-traits vote) it outweighs a date, one alone ties
# (a scraped or back-dated copy's date is wrong more often than such a swap is a coincidence).
IN_PLACE_ARTEFACT_WEIGHT = 2.0
# Tokens of context around a substitution where its artefact may stand ("stilted" for
# "artificial" is the swap; the artefact is "stilted intelligence").
ARTEFACT_CONTEXT = 4
CRUFT_WEIGHT = 0.8
COPY_TRAITS_CAP = 2.0
FRAMING_WEIGHT = 3.0         # as a date: a published text never holds a model's reply
AI_STYLE_WEIGHT = 0.6        # per marker per 100 words of difference, capped below
AI_STYLE_CAP = 2.5
ATTRIBUTION_WEIGHT = 2.0
CONTAINMENT_WEIGHT = 0.5
EXCERPT_MIN_ASYMMETRY = 0.6  # with one text >= 0.8 aligned, the other at most 0.4 (0.2 at 0.8)
EXCERPT_WEIGHT = 1.5
# A copy cut short or padded (see _excerpt_of_the_other): the shorter text this much inside the
# other, at least this much more of it aligned than of the other, and few words swapped.
EXCERPT_STYLE_MIN_COVERAGE = 0.9
EXCERPT_STYLE_MIN_ASYMMETRY = 0.2
EXCERPT_STYLE_MAX_SUBSTITUTION_RATE = 0.15
LLM_WORD_WEIGHT = 0.6        # per word per 100 words of difference
MIN_LLM_WORD_GAP = 0.5
DETAIL_WEIGHT = 3.0          # per unit difference in the share of details kept
DETAIL_CAP = 1.5
MIN_DETAIL_GAP = 0.15


@dataclass(frozen=True)
class DocTraits:
    """What direction needs to know about one document."""

    published_at: datetime | None
    source: str | None
    words: int
    artefacts: int
    cruft: int
    ai_markers: int
    cited_outlets: frozenset[str]
    details: int  # distinct names and numbers
    llm_words: float = 0.0  # LLM-favoured words per 100 words
    burstiness: float = 0.0  # how irregular it reads: sentence-length variation, people's marks (style.irregularity)
    # A model's framing of its reply or its repetition loop (style.model_framing, loops.py):
    # written by a model.
    framing: int = 0

    # Outlets as compared (outlets.outlet_key), once per document rather than for every pair.
    @functools.cached_property
    def outlet(self) -> str | None:
        return outlet_key(self.source)

    @functools.cached_property
    def credited(self) -> frozenset[str]:
        """The outlets the text credits, as compared."""
        return frozenset(key for key in map(outlet_key, self.cited_outlets) if key)


@dataclass(frozen=True)
class Signal:
    name: str
    favours: str  # 'a' or 'b': the side this signal says is the source
    weight: float
    reason: str

    def as_json(self, a: int, b: int) -> dict[str, Any]:
        return {"signal": self.name, "source": a if self.favours == "a" else b,
                "weight": round(self.weight, 3), "reason": self.reason}


def _vote(name: str, logit: float, reason: str) -> Signal | None:
    if logit == 0:
        return None
    return Signal(name, "a" if logit > 0 else "b", abs(logit), reason)


def substitution_votes(
    f: PairFeatures, ta: Tokens, tb: Tokens, text_a: str, text_b: str, freq: Callable[[np.ndarray], np.ndarray]
) -> tuple[float, list[list[str]]]:
    """(log-odds for a being the source, example pairs [a phrase, b phrase, favoured side])."""
    net = votes = 0
    examples: list[list[str]] = []
    subs = f.alignment.substitutions
    freqs_a = _phrase_freqs(ta, [(s.a0, s.a1) for s in subs], freq)
    freqs_b = _phrase_freqs(tb, [(s.b0, s.b1) for s in subs], freq)
    for s, fa, fb in zip(subs, freqs_a, freqs_b):
        if fa is None or fb is None or max(fa, fb) < MIN_FREQ_EVIDENCE:
            continue
        if fa >= MIN_FREQ_RATIO * fb:
            net += 1
            side = "a"
        elif fb >= MIN_FREQ_RATIO * fa:
            net -= 1
            side = "b"
        else:
            continue
        votes += 1
        if len(examples) < 12:
            examples.append([
                text_a[ta.starts[s.a0]:ta.ends[s.a1 - 1]], text_b[tb.starts[s.b0]:tb.ends[s.b1 - 1]], side
            ])
    if abs(net) < MIN_NET_VOTES or (abs(net) < MIN_VOTE_AGREEMENT * votes and abs(net) < MIN_VOTE_Z * votes ** 0.5):
        return 0.0, examples
    logit = max(-SUBSTITUTION_CAP, min(SUBSTITUTION_CAP, SUBSTITUTION_WEIGHT * net))
    return logit, examples


def _phrase_freqs(t: Tokens, spans: list[tuple[int, int]], freq: Callable[[np.ndarray], np.ndarray]) -> list[float | None]:
    """Archive frequency of each phrase ``t[i0:i1]``, taken as that of its rarest content word
    (None for a phrase without one); one frequency look-up for all of them, as a spun pair has
    dozens of substitutions."""
    if not spans:
        return []
    hashes, kinds = t.hashes.tolist(), t.kinds.tolist()
    content: list[int] = []
    bounds: list[tuple[int, int]] = []
    for i0, i1 in spans:
        lo = len(content)
        content.extend(h for h, k in zip(hashes[i0:i1], kinds[i0:i1]) if k != STOP)
        bounds.append((lo, len(content)))
    if not content:
        return [None] * len(spans)
    df = freq(np.array(content, dtype=np.int64)).tolist()
    return [float(min(df[lo:hi])) + 1.0 if hi > lo else None for lo, hi in bounds]


def _artefacts_in_place(f: PairFeatures, ta: Tokens, tb: Tokens, text_a: str, text_b: str) -> int:
    """How many more distinct known artefacts b has than a at a substitution whose other side
    holds the artefact's usual phrase (b's artefact "this 12 months" where a says "this year")."""
    found: dict[str, set[str]] = {"a": set(), "b": set()}
    for s in f.alignment.substitutions:
        window_a = _window(ta, text_a, s.a0, s.a1)
        window_b = _window(tb, text_b, s.b0, s.b1)
        for side, own, other in (("a", window_a, window_b), ("b", window_b, window_a)):
            for marker in spinner_artefacts(own):
                if marker.usual and marker.usual in other.lower() and marker.phrase.lower() not in other.lower():
                    found[side].add(marker.usual)
    return len(found["b"]) - len(found["a"])


def _window(t: Tokens, text: str, i0: int, i1: int) -> str:
    """The text of tokens ``i0:i1`` with ARTEFACT_CONTEXT tokens either side."""
    n = len(t.starts)
    if n == 0:
        return ""
    lo, hi = max(i0 - ARTEFACT_CONTEXT, 0), min(max(i1, i0 + 1) + ARTEFACT_CONTEXT, n)
    return text[t.starts[lo]:t.ends[hi - 1]]


def _excerpt_of_the_other(al: Alignment) -> bool:
    """The shorter text lies nearly all inside the other (EXCERPT_STYLE_MIN_COVERAGE) and the
    other holds much besides (EXCERPT_STYLE_MIN_ASYMMETRY), its shared words in place: few
    substitutions, as a cut or crufted copy has."""
    short, long_ = max(al.coverage_a, al.coverage_b), min(al.coverage_a, al.coverage_b)
    return (short >= EXCERPT_STYLE_MIN_COVERAGE and short - long_ >= EXCERPT_STYLE_MIN_ASYMMETRY
            and al.substitution_rate < EXCERPT_STYLE_MAX_SUBSTITUTION_RATE)


def direction(
    f: PairFeatures,
    ta: Tokens,
    tb: Tokens,
    text_a: str,
    text_b: str,
    da: DocTraits,
    db: DocTraits,
    freq: Callable[[np.ndarray], np.ndarray],
    archive_size: int,
    rewrite: bool,
    llm_styled: tuple[bool, bool] = (False, False),
    own_llm_words: tuple[float, float] | None = None,
) -> tuple[float, list[Signal], list[list[str]]]:
    """(probability that a is the source of b, signals, substitution examples). ``llm_styled``:
    whether a and b each read as LLM output on their own (the engine's judgement of one text).
    ``own_llm_words``: a's and b's LLM-favoured word rates over the words the other lacks
    (style.own_llm_word_rates; by default each text's whole rate)."""
    signals: list[Signal | None] = []
    pa, pb = da.published_at, db.published_at
    gap = seconds_later(pa, pb)
    if pa and pb and gap is not None and abs(gap) >= MIN_DATE_GAP_SECONDS:
        signals.append(_vote("date", DATE_WEIGHT if gap > 0 else -DATE_WEIGHT,
                             describe_gap(pa, pb) if gap > 0 else describe_gap(pb, pa)))
    if not rewrite and (da.framing > 0) != (db.framing > 0):
        # A model's reply left in a copy (its request echoed, "I hope this helps"), or a model's
        # repetition loop: that text was made by a model from the other, whatever else the pair
        # shows (a reply that quotes its whole passage holds the other as an excerpt would).
        # Between rewrites the engine already takes no framed text for a source; the other is
        # then one more model's text.
        signals.append(_vote("model_framing", FRAMING_WEIGHT if db.framing else -FRAMING_WEIGHT,
                             "a language model's framing of its reply, or its repetition loop, only in the copy"))
    # LLM style: headings and stock phrases, plus the rate of words models favour. The two
    # measure one thing, so they share one cap.
    ai_a = 100.0 * da.ai_markers / max(da.words, 50)
    ai_b = 100.0 * db.ai_markers / max(db.words, 50)
    style = 0.0
    # A rate needs two markers of difference: one heading or stock phrase is a fact about one
    # line (a human article can have one), and in a text of 400 words it alone passed the gap
    # (LLMFake: sources taken for rewrites of their rewrites by it).
    if abs(ai_a - ai_b) >= 0.25 and abs(da.ai_markers - db.ai_markers) >= 2:
        style += AI_STYLE_WEIGHT * 4 * (ai_b - ai_a)
    llm_a, llm_b = own_llm_words or (da.llm_words, db.llm_words)
    if abs(llm_a - llm_b) >= MIN_LLM_WORD_GAP:
        style += LLM_WORD_WEIGHT * (llm_b - llm_a)
    style = max(-AI_STYLE_CAP, min(AI_STYLE_CAP, style))
    al = f.alignment
    if not al.substitutions and not al.internal_edits and min(al.coverage_a, al.coverage_b) >= SAME_WORDS_COVERAGE:
        # The same words in the same order: what style tells apart is layout, such as headings
        # that a scraper ran into one paragraph with the text, not who wrote it (a flattened copy
        # of a model's article was taken for its source).
        style = 0.0
    styled_a, styled_b = llm_styled
    if not rewrite and not (styled_a or styled_b) and _excerpt_of_the_other(al):
        # One text is the other cut short (or padded) with the words they share in place, and
        # neither reads as a model's on its own: their LLM-style rates differ by what one holds
        # and the other does not (a cut lead, a farm's added lines), which says nothing of who
        # wrote the shared words. A copy that dropped its source's lead, with a few LLM-favoured
        # words in it, was taken for that source's source. (A model's reply that quotes an
        # article and adds its own words reads as a model's: there the signal stays.)
        style = 0.0
    in_place = word_for_word(f)
    if not rewrite and in_place and not (styled_a != styled_b and (style > 0) == styled_b):
        # Two texts the same word for word but for substitutions in place differ in LLM-favoured
        # words only where one swapped the other's words: that says which way a spinner went no
        # better than a coin (its thesaurus drops a source's "crucial" as readily as it puts one
        # in), unless one text reads as a model's on its own. Spin probe, open dictionary: 3
        # copies were taken for their source's source by this alone (a source's 0.8 such
        # words per 100, the copy's 0); no dev link changes.
        style = 0.0
    sub_logit, examples = 0.0, []
    if archive_size >= MIN_ARCHIVE_FOR_FREQUENCY:
        sub_logit, examples = substitution_votes(f, ta, tb, text_a, text_b, freq)
    # A spinner's thesaurus trait: a model rewording a text picks the more common word about as
    # often as the rarer one (LLMFake rewrites: the vote named the source in 26 pairs, the
    # rewrite in 31), so it orients copies, not rewrites. Nor a model's rewrite that kept enough
    # wording to be classified a copy: the vote does not count for a side that reads as LLM output
    # against one that does not (``llm_styled``) when the style signal says the reverse. LLMFake:
    # one pair, a ChatGPT paraphrase that was taken for the source of its article; without the
    # vote it and one more rewrite of the article find their source. Never in Reuters, the spun
    # copies or the spin probe: a spinner's synonyms can make one side LLM-styled by its word rate
    # (a Reuters story at 1.5 per 100 words, its spun copy at 1.1), but then the signal is silent.
    # Nor in a pair the same word for word but for substitutions in place: that is a spinner's
    # work, which the vote reads, and a human source rich in LLM-favoured words reads as a model's
    # by them alone (open-dictionary probe, seed 12: a 22 to 1 vote silenced, its copy taken for
    # its source).
    against_style = styled_a != styled_b and (sub_logit > 0) == styled_a and style * sub_logit < 0 and not in_place
    if sub_logit and not rewrite and not against_style:
        signals.append(_vote("substitution_frequency", sub_logit,
                             "in most substituted words the source side uses the word more frequent in the archive"))
    spun_in_place = _artefacts_in_place(f, ta, tb, text_a, text_b) if da.artefacts or db.artefacts else 0
    if spun_in_place:
        signals.append(_vote("artefacts_in_place", IN_PLACE_ARTEFACT_WEIGHT * max(-2, min(2, spun_in_place)),
                             "known spinner artefacts where the other text has the phrases they stand for"))
    # Artefacts and cruft both say "this text is some site's copy", not "copied from the other
    # text", so together they count as one capped signal.
    traits = ARTEFACT_WEIGHT * max(-2, min(2, db.artefacts - da.artefacts))
    if (da.cruft > 0) != (db.cruft > 0):
        traits += CRUFT_WEIGHT if db.cruft else -CRUFT_WEIGHT
    traits = max(-COPY_TRAITS_CAP, min(COPY_TRAITS_CAP, traits))
    if traits:
        signals.append(_vote("copy_traits", traits,
                             "spinner artefacts or site cruft only in the copy (a republisher's traits)"))
    if style:
        signals.append(_vote("ai_style", style,
                             f"LLM-style headings/phrases per 100 words: {ai_a:.1f} vs {ai_b:.1f}; "
                             f"LLM-favoured words the other lacks per 100 words: {llm_a:.1f} vs {llm_b:.1f}"))
    # (Compared as outlets: a text crediting "Reuters" credits the page stored as "www.reuters.com".)
    if db.outlet and db.outlet in da.credited:
        signals.append(_vote("attribution", -ATTRIBUTION_WEIGHT, f"text credits {db.source}"))
    if da.outlet and da.outlet in db.credited:
        signals.append(_vote("attribution", ATTRIBUTION_WEIGHT, f"text credits {da.source}"))
    # Rewrites and summaries drop details (names, numbers) and rarely add checkable ones, so
    # the text whose details are mostly found in the other is the derived one. Not for aligned
    # copies: spinners title-case headlines and add cruft, which inflates the copy's "names".
    if rewrite and da.details and db.details:
        shared = f.shared_names + f.shared_numbers
        kept_a, kept_b = shared / da.details, shared / db.details  # share of each text's details in the other
        if abs(kept_a - kept_b) >= MIN_DETAIL_GAP:
            logit = max(-DETAIL_CAP, min(DETAIL_CAP, DETAIL_WEIGHT * (kept_b - kept_a)))
            signals.append(_vote("details", logit,
                                 f"{kept_b:.0%} of the copy's names/numbers are in the source, "
                                 f"{kept_a:.0%} the other way" if logit > 0 else
                                 f"{kept_a:.0%} of the copy's names/numbers are in the source, "
                                 f"{kept_b:.0%} the other way"))
    cov_a, cov_b = f.alignment.coverage_a, f.alignment.coverage_b
    if max(cov_a, cov_b) >= 0.8 and abs(cov_a - cov_b) >= 0.3:
        # A text that is a small part of the other is its excerpt or summary: nobody spins or
        # edits a short text into one several times as long by adding paragraphs around it.
        excerpt = abs(cov_a - cov_b) >= EXCERPT_MIN_ASYMMETRY
        weight = EXCERPT_WEIGHT if excerpt else CONTAINMENT_WEIGHT
        signals.append(_vote("containment", weight if cov_b > cov_a else -weight,
                             "the copy is a small part of the source (an excerpt or summary)" if excerpt
                             else "the copy is contained in the longer source (cut ending)"))
    kept = [s for s in signals if s is not None]
    logit = sum(s.weight if s.favours == "a" else -s.weight for s in kept)
    return 1.0 / (1.0 + math.exp(-logit)), kept, examples
