"""Stories: connected components of all links, named by their smallest document id.

Because every link joins two documents into one story, a ``related`` link (no copying, only the
same names and wording) must mean the same event, not the same topic: templated wire texts (debt
filings, eurobond launches, daily money-market reports) share most of their words and names, and
linking them would chain dozens of different events into one "story". What tells two news texts
about one event apart from two texts of one template is the lead: the first sentence names the
protagonist (the company, person or body the news is about) and gives the key figures.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from .align import Alignment, Substitution
from .features import CAP, DETECT, NUM, STOP, WORD, Tokens, idf, token_hash, tokenize
from .sets import any_in, in_sorted  # np.isin without its sorts: names are sorted, leads' few


def stories(doc_ids: Iterable[int], edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    parent: dict[int, int] = {d: d for d in doc_ids}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving keeps trees shallow
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            # The smaller id becomes the root, so a story's id is its smallest member.
            parent[max(ra, rb)] = min(ra, rb)
    return {d: root(d) for d in parent}


# -- the lead: who the news is about and its key figures -------------------------------------
# A sentence ends at . ! ? followed by space and a capital, quote or bracket; searching from the
# 40th character skips abbreviations in a dateline or a leading name ("U.S.", "Dr.").
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z\"“(<])")
# A hyphen between two letters, as in "love-Valentine's" (not in "32-year" or "U.S.-Japan"), and
# one that ends a line inside a word ("Schwarz-" / "enegger").
_WORD_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-\n(?=[^\W\d_])")
LEAD_MIN_CHARS = 40
# A lead's least common name is its subject (see subject_of) up to this share of the archive; a
# protagonist (see protagonists) must be rarer.
SUBJECT_MAX_DF_SHARE = 0.05
LEAD_MAX_CHARS = 400  # tables and lists have no sentence end: their first lines serve
# The protagonists are the rarest names of the lead. Two, not one, because a lead often names a
# parent and its unit, or a bidder and its target; more would admit the template's own names
# ("Securities and Exchange Commission", "Commodity Credit Corporation").
PROTAGONISTS = 2
# A name in more than this share of the archive is a place or an institution every report of a
# kind mentions ("U.S.", "Bank of England", "Fed": 1.5% and 1.1% of Reuters' stories, in daily
# reports of the same wording), not what tells one event from the next.
PROTAGONIST_MAX_DF_SHARE = 0.01
PROTAGONIST_MIN_DF_LIMIT = 2  # small archives: frequencies say little, keep the rarest names


# Figures written as words ("two billion dlrs", "four mln stg") are the same figures as digits:
# the hash of the word stands for the hash of the digits.
_NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                 "fourteen fifteen sixteen seventeen eighteen nineteen twenty").split()
_NUMBER_WORD_HASH = {token_hash(w): token_hash(str(i)) for i, w in enumerate(_NUMBER_WORDS)}
# Months a lead names (written with a capital): the period a report covers or the day it is
# about. "May" is also a verb, so it counts only where it cannot start a sentence.
_MONTH_NUMBERS = {name: i + 1 for i, name in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTH_NUMBERS.update(jan=1, feb=2, mar=3, apr=4, jun=6, jul=7, aug=8, sep=9, sept=9, oct=10, nov=11, dec=12)
_MONTH_HASH = {token_hash(name): month for name, month in _MONTH_NUMBERS.items()}
_MAY = token_hash("may")
_MONTH_HASHES = np.array(sorted(_MONTH_HASH), dtype=np.int64)


@dataclass(frozen=True)
class Lead:
    """The names, figures and months of a text's first sentence."""

    names: np.ndarray  # distinct hashes of capitalised words, sorted
    slots: Mapping[int, frozenset[int]]  # unit word hash -> the numbers given in that unit
    months: frozenset[int] = frozenset()  # 1-12, the months named
    tabular: bool = False  # mostly figures: a table's first rows ("Shr 41 cts vs 17 cts ...")
    words: frozenset[int] = frozenset()  # its other words (not names nor figures), distinct


# A lead with at least this share of number tokens is a table's first rows.
TABULAR_MIN_NUMBER_SHARE = 0.25


def subject_of(lead: Lead, doc_freq: np.ndarray, archive_size: int) -> np.ndarray:
    """The lead's least common name (``doc_freq``: the archive frequency of each of
    ``lead.names``), when it is in at most SUBJECT_MAX_DF_SHARE of the archive: who a lead is
    about even when no name of it is rare enough for a protagonist ("Chemical Bank said ...").
    Empty for a table (its row labels, "Shr", "Avg", are no subject); months are left out."""
    if lead.tabular:
        return lead.names[:0]
    keep = np.array([h not in _MONTH_HASH for h in lead.names.tolist()], dtype=bool)
    names, df = lead.names[keep], doc_freq[keep]
    least = np.argsort(df, kind="stable")[:1]
    return names[least[df[least] <= SUBJECT_MAX_DF_SHARE * archive_size]]


def lead_of(text: str, tokens: Tokens | None = None, split_hyphens: bool = False,
            language: str | None = DETECT) -> Lead:
    """The lead of ``text``; ``tokens``, the whole text's own (its fingerprint, or
    ``Tokens.after`` a cut), spare tokenising the lead again: a token's form depends only on its
    own characters and those before it, so the lead's tokens are the text's tokens that end in it.
    A lead tokenised again is read in ``language``, its whole text's (features.text_language): a
    token's kind depends on its text's first 200 tokens too, and a German lead read alone by
    English's function words would count a sentence-initial "Der" among its names
    (_names_mask). A word cut by LEAD_MAX_CHARS is
    left out: its stump ("Fieldcorporat") is no name the text holds. ``split_hyphens``: words a
    hyphen joins are the lead's words one by one ("love-Valentine's Day-and": a copy that writes
    an em dash as a hyphen names what its source's lead names), and a word a line-end hyphen
    splits is one word ("Schwarz-" / "enegger": a copy set for print)."""
    end = _SENTENCE_END.search(text, LEAD_MIN_CHARS)
    first = text[: end.end() if end else LEAD_MAX_CHARS][:LEAD_MAX_CHARS]
    if split_hyphens and (_WORD_HYPHEN.search(first) or _LINE_END_HYPHEN.search(first)):
        after = text[len(first): len(first) + 1]  # one character more shows a word going on
        first = _WORD_HYPHEN.sub(" ", _LINE_END_HYPHEN.sub("", first))
        tokens = tokenize(first + after, language)
    elif tokens is None:
        tokens = tokenize(text[: len(first) + 1], language)  # one character more shows a word going on
    t = _head(tokens, len(first))
    upper = _upper_initials(first, t)
    is_name = _names_mask(t, upper)
    names = np.unique(t.hashes[is_name])
    hashes, kinds = t.hashes.tolist(), t.kinds.tolist()
    tabular = bool(t.kinds.shape[0]) and float((t.kinds == NUM).mean()) >= TABULAR_MIN_NUMBER_SHARE
    words = frozenset(t.hashes[~is_name & (t.kinds != NUM)].tolist())
    return Lead(names, _number_slots(hashes, kinds), _months(hashes, upper.tolist()), tabular, words)


def lead_joins_words(text: str) -> bool:
    """Words a hyphen joins, or a word a line-end hyphen splits, may be in the lead of ``text``
    (lead_of's ``split_hyphens``)."""
    return (_WORD_HYPHEN.search(text, 0, LEAD_MAX_CHARS) is not None
            or _LINE_END_HYPHEN.search(text, 0, LEAD_MAX_CHARS) is not None)


def _upper_initials(text: str, t: Tokens) -> np.ndarray:
    return np.array([text[s].isupper() for s in t.starts.tolist()], dtype=bool)


def _names_mask(t: Tokens, upper: np.ndarray) -> np.ndarray:
    """Which tokens are names. Sentence-initial capitals count too: wire leads start with the
    protagonist ("Witco Corp said ..."), and an ordinary word there ("Shares", "Prices") is too
    common in the archive to be taken for one (protagonists and rare names are the rare ones)."""
    return (t.kinds == CAP) | ((t.kinds == WORD) & upper)


def _months(hashes: list[int], upper: list[bool]) -> frozenset[int]:
    # A wrapped line makes a month look sentence-initial to the tokenizer, so the capital alone
    # decides; only "May" must not be the lead's first word.
    return frozenset(_MONTH_HASH[h] for i, (h, up) in enumerate(zip(hashes, upper))
                     if up and h in _MONTH_HASH and (h != _MAY or i > 0))


def _head(tokens: Tokens, cut: int) -> Tokens:
    """The tokens that end by character ``cut``."""
    k = int(tokens.ends.searchsorted(cut, side="right"))
    return Tokens(tokens.hashes[:k], tokens.kinds[:k], tokens.starts[:k], tokens.ends[:k])


def _number_slots(words: list[int], word_kinds: list[int]) -> dict[int, frozenset[int]]:
    """Numbers keyed by the word after them ("150 mln", "9-1/2 pct", "7 cts", "two billion"):
    the slot that says what the figure measures, so that figures of different things are never
    compared."""
    hashes = [_NUMBER_WORD_HASH.get(h, h) for h in words]
    kinds = [NUM if h in _NUMBER_WORD_HASH else k for h, k in zip(words, word_kinds)]
    slots: dict[int, set[int]] = {}
    for i, kind in enumerate(kinds):
        if kind != NUM:
            continue
        j = i + 1
        while j < len(kinds) and kinds[j] == NUM:  # "1.50 1.75 dlrs": one slot
            j += 1
        if j < len(kinds) and kinds[j] != STOP:
            slots.setdefault(hashes[j], set()).add(hashes[i])
    return {u: frozenset(v) for u, v in slots.items()}


def protagonists(lead: Lead, doc_freq: np.ndarray, archive_size: int) -> np.ndarray:
    """The rarest names of the lead (``doc_freq`` holds the archive frequency of each of
    ``lead.names``), leaving out names common across the archive."""
    order = np.argsort(doc_freq, kind="stable")
    rare = order[doc_freq[order] <= _rare_name_limit(archive_size)]
    return lead.names[rare[:PROTAGONISTS]]


def _rare_name_limit(archive_size: int) -> float:
    """The most documents a name may be in and still tell one event or company from another."""
    return max(PROTAGONIST_MIN_DF_LIMIT, PROTAGONIST_MAX_DF_SHARE * archive_size)


def figures_differ(a: Lead, b: Lead) -> bool:
    """Both leads give a figure in the same unit and none of them agree: another day's report,
    another issue, another price (a follow-up repeats the figure it updates)."""
    return any(not (a.slots[u] & b.slots[u]) for u in a.slots.keys() & b.slots.keys())


def months_differ(a: Lead, b: Lead) -> bool:
    """Both leads name months and none the same: reports on different periods ("prices fell in
    January" / "were unchanged in February") or about different days."""
    return bool(a.months) and bool(b.months) and not (a.months & b.months)


# Reports of one event appear within weeks of each other; two texts on one subject further apart
# (a minister's remarks in March and in June, a company's offer and its completion months later)
# are another event, however alike their names and wording.
EVENT_MAX_GAP_SECONDS = 30 * 24 * 3600
# Routine reports without a protagonist ("Fed adds reserves", "money market given help") come
# daily in the same words: two of them are one event only when published within a day.
ROUTINE_MAX_GAP_SECONDS = 24 * 3600


def same_event(a: Lead, pa: np.ndarray, b: Lead, pb: np.ndarray, gap_seconds: float | None = None) -> bool:
    """Whether two texts linked as ``related`` report one event: each lead names the other's
    protagonist (both ways, so a round-up that lists a company does not join that company's
    own story), their lead figures and months do not differ and, when both are dated
    (``gap_seconds``: None when a date is unknown), they appeared within EVENT_MAX_GAP_SECONDS.
    Leads without a rare name (routine market reports) are one event only within a day."""
    if figures_differ(a, b) or months_differ(a, b):
        return False
    if gap_seconds is not None and gap_seconds > EVENT_MAX_GAP_SECONDS:
        return False
    if not pa.shape[0] and not pb.shape[0]:
        return gap_seconds is None or gap_seconds <= ROUTINE_MAX_GAP_SECONDS
    if pa.shape[0] and not in_sorted(pa, b.names).any():
        return False
    if pb.shape[0] and not in_sorted(pb, a.names).any():
        return False
    return True


# -- templates: the same wording filled in for another day or another company ----------------
# Wire services publish many reports in one fixed wording ("The Bank of England said it forecast
# a shortage of around 800 mln stg in the money market today", "X is issuing a 10 billion yen
# eurobond due ...", "X said it is raising its prime lending rate to 7-3/4 pct"): aligned, two of
# them look like a light edit of each other. A copy keeps the figures of what it copies (a
# spinner swaps even names, never figures); a re-issue or correction follows within hours.
TEMPLATE_CHECKED = frozenset({"duplicate", "near_copy", "spun"})
# A correction or re-issue follows within hours; daily reports come a day apart, give or take
# minutes (so a whole day would miss half of them).
TEMPLATE_MIN_DAYS_APART = 0.5
# ... but a correction of one figure in a table of them ("Shr loss 56 cts vs loss 71 cts Net loss
# 809,000 ...") may come the next day; another day's report changes the figures that are its news.
CORRECTION_MIN_SHARED_FIGURES = 4
CORRECTION_MAX_DAYS_APART = 1.5


_FIGURE = re.compile(r"\d+|[a-z]+")
_NUMBER_WORD_VALUE = {w: str(i) for i, w in enumerate(_NUMBER_WORDS)}


def _figures(span: str) -> list[str]:
    """The figures of a piece of text, in order, number words as digits ("seven" -> "7")."""
    out = []
    for m in _FIGURE.findall(span.replace(",", "").lower()):
        if m[0].isdigit():
            out.append(m)
        elif m in _NUMBER_WORD_VALUE:
            out.append(_NUMBER_WORD_VALUE[m])
    return out


def _span_figures(text: str, t: Tokens, i0: int, i1: int) -> list[str]:
    """The figures of the tokens ``t[i0:i1]`` of ``text``."""
    return _figures(text[int(t.starts[i0]):int(t.ends[i1 - 1])])


def figures_changed(alignment: Alignment, text_a: str, tokens_a: Tokens, text_b: str, tokens_b: Tokens) -> int:
    """Replacements of the alignment where both sides give figures and they differ: "800"
    against "350", "five" against "seven", not a spinner's "24-nation" against "24-country"
    nor "two" against "2"."""
    changed = 0
    for c in alignment.number_conflicts + alignment.substitutions:
        fa, fb = _span_figures(text_a, tokens_a, c.a0, c.a1), _span_figures(text_b, tokens_b, c.b0, c.b1)
        changed += bool(fa) and bool(fb) and fa != fb
    return changed


def same_figures_as_substitutions(alignment: Alignment, text_a: str, tokens_a: Tokens, text_b: str,
                                   tokens_b: Tokens) -> Alignment:
    """``alignment`` with the number conflicts whose two sides give the same figures taken as
    substitutions: a token that glues a figure to a short word (a footnote mark "act.2",
    "1.Break", "50-mln-dlr"; a longer word with digits is no figure at all, features._base_kind)
    holds a number, and a spinner rewording its word ("law.2") changes the token but not the
    figure. Counted as differing numbers, three such made a spun copy another story. Itself
    when every conflict's figures differ (most pairs: "1.20 dlrs" against "1.10 dlrs")."""
    same = _read_alike(alignment.number_conflicts, _span_figures, text_a, tokens_a, text_b, tokens_b)
    if not same:
        return alignment
    return dataclasses.replace(
        alignment,
        number_conflicts=tuple(c for c in alignment.number_conflicts if c not in same),
        substitutions=tuple(sorted(alignment.substitutions + tuple(same), key=lambda s: (s.a0, s.b0))),
    )


def typographic_edits_as_matches(alignment: Alignment, text_a: str, tokens_a: Tokens, text_b: str,
                                 tokens_b: Tokens) -> Alignment:
    """``alignment`` without the substitutions whose two sides spell the same letters and
    digits ("govern- ment" / "government": a line-end hyphen of a text wrapped for print;
    "love-Valentine's" / "love Valentine's": an em dash folded to a hyphen): nobody changed a
    word there, so they count as matched text, not as edits a spinner or an editor made.
    Itself when there are none (most pairs)."""
    same = _read_alike(alignment.substitutions, _span_letters, text_a, tokens_a, text_b, tokens_b)
    if not same:
        return alignment
    return dataclasses.replace(
        alignment,
        substitutions=tuple(c for c in alignment.substitutions if c not in same),
        matched=alignment.matched + sum(min(c.a1 - c.a0, c.b1 - c.b0) for c in same),
        internal_edits=alignment.internal_edits - len(same),
    )


def _read_alike(edits: tuple[Substitution, ...], read: Callable[[str, Tokens, int, int], object], text_a: str,
                tokens_a: Tokens, text_b: str, tokens_b: Tokens) -> list[Substitution]:
    """The ``edits`` whose two sides ``read`` the same (their figures, their letters)."""
    return [c for c in edits if read(text_a, tokens_a, c.a0, c.a1) == read(text_b, tokens_b, c.b0, c.b1)]


def _span_letters(text: str, t: Tokens, i0: int, i1: int) -> str:
    """The letters and digits of the tokens ``t[i0:i1]`` of ``text``, lower-cased."""
    return "".join(c for c in text[int(t.starts[i0]):int(t.ends[i1 - 1])].lower() if c.isalnum())


def another_day(changed_figures: int, shared_figures: int, gap_seconds: float | None) -> str | None:
    """Why two copy-like texts are one template's reports of different days, or None: some
    figures differ inside the aligned text (``changed_figures``, see figures_changed) and they
    appeared more than half a day apart. A correction changes a figure within hours, or one
    figure of many (``shared_figures``: the numbers inside aligned text) by the next day."""
    if not changed_figures or gap_seconds is None or gap_seconds <= TEMPLATE_MIN_DAYS_APART * 86400:
        return None
    if (changed_figures == 1 and shared_figures >= CORRECTION_MIN_SHARED_FIGURES
            and gap_seconds <= CORRECTION_MAX_DAYS_APART * 86400):
        return None
    return (f"{changed_figures} figure(s) differ inside the aligned text and the texts appeared "
            f"{gap_seconds / 86400:.1f} days apart: one template, another day's report")


# A copy keeps the names of what it copies: a spinner swaps a place or a nationality ("Tokyo's" ->
# "Yeddo's", "Italian" -> "European country") but no dictionary holds the rare names of the rest
# of the text (people, companies). Two texts of one template about two companies share under this
# share of those names (the template's own, if any).
RARE_NAMES_MIN_SHARED = 0.5
# ... and they are one template only where its wording holds at least this share of one of them:
# two pages that share a passage (a quote, a site's list of links) are two articles, whose other
# names say nothing about copying.
TEMPLATE_MIN_COVERAGE = 0.5
# Leads apart (see leads_apart): each lead's own names hold at least this share of the idf weight
# of its rare names. Reuters: two-company templates 0.5-1.0; corrections and re-issues 0.16-0.37
# (a changed buyer, a reworded lead: "U.S. Carmaker General Motors" -> "General Motors").
LEAD_MIN_OWN_SHARE = 0.5
# ... and the leads are one sentence template: this share of the shorter one's other words (not
# names nor figures) are the other's. Without it, texts that open with a sentence of their own and
# go on verbatim (an LLM rewrite's new opening, a digest) were taken for templates.
LEAD_MIN_SHARED_WORDS = 0.6
# Protagonists spelt this alike are one name, misspelt and corrected ("Fieldcor" / "Fidelcor").
SPELLING_MIN_RATIO = 0.8


def rare_names(text: str, tokens: Tokens, doc_freq_of: Callable[[np.ndarray], np.ndarray],
               archive_size: int) -> np.ndarray:
    """The distinct names of a text (capitalised words, sentence-initial ones included as in
    lead_of) that are rare in the archive (see PROTAGONIST_MAX_DF_SHARE): who and what the text
    is about, not places every report names nor ordinary words that start a sentence."""
    names = np.unique(tokens.hashes[_names_mask(tokens, _upper_initials(text, tokens))])
    return names[doc_freq_of(names) <= _rare_name_limit(archive_size)]


def spelt_alike(words_a: Iterable[str], words_b: Iterable[str]) -> bool:
    """Some word of each list is the other's, misspelt (SPELLING_MIN_RATIO, case aside)."""
    return any(SequenceMatcher(None, x.lower(), y.lower()).ratio() >= SPELLING_MIN_RATIO
               for x in words_a for y in words_b)


def own_names(lead: Lead, doc_freq: np.ndarray, archive_size: int, other: Lead) -> tuple[np.ndarray, float]:
    """The lead's rare names (as rare as a protagonist may be; ``doc_freq``: the archive frequency
    of each of ``lead.names``), months aside, that the ``other`` lead does not name, and their
    share of the idf weight of all its rare names: who sets it apart from a lead written on the
    same template. The template's own names ("NASDAQ", a eurobond's lead manager, "West Texas
    Sour") are in both leads and cancel out; a correction or re-issue keeps most of its lead's
    names, so the one it changes ("sold to Banner Industries" -> "to Oak Industries") weighs little."""
    keep = (doc_freq <= _rare_name_limit(archive_size)) & ~in_sorted(lead.names, _MONTH_HASHES)
    names, weights = lead.names[keep], idf(doc_freq[keep], archive_size)
    own = ~in_sorted(names, other.names)
    total = float(weights.sum())
    return names[own], (float(weights[own].sum()) / total if total else 0.0)


def leads_apart(lead_a: Lead, own_a: tuple[np.ndarray, float], hashes_a: np.ndarray,
                lead_b: Lead, own_b: tuple[np.ndarray, float], hashes_b: np.ndarray,
                figures_apart: bool = False) -> bool:
    """The two leads are one sentence template (most of the other words of the shorter are the
    other's: LEAD_MIN_SHARED_WORDS), each is mostly about names the other lead lacks (``own_a``,
    ``own_b``: see own_names, at least LEAD_MIN_OWN_SHARE of each), and one side's go unmentioned
    in the other text altogether (``hashes_a``, ``hashes_b``: the texts' tokens): one template
    filled in for two companies. One side is enough because a report may name the rival that
    moved first further down ("Phillips raised its postings ... follows similar moves by Sun
    Co"). Leads worded apart are no template: a text that opens with its own sentence and goes
    on verbatim (a rewrite that adds an opening, a digest's first item) is judged as before.
    When their figures differ too (``figures_apart``), any own name on each side will do: two
    funds of one family ("Franklin Massachusetts / Minnesota ... sets payout of 5.2 / 5.4 cts"),
    where a correction changes a name or a figure, seldom both."""
    (names_a, share_a), (names_b, share_b) = own_a, own_b
    if not (names_a.shape[0] and names_b.shape[0]):
        return False
    if not figures_apart and min(share_a, share_b) < LEAD_MIN_OWN_SHARE:
        return False
    fewer = min(len(lead_a.words), len(lead_b.words))
    if not fewer or len(lead_a.words & lead_b.words) < LEAD_MIN_SHARED_WORDS * fewer:
        return False
    return not any_in(names_a, hashes_b) or not any_in(names_b, hashes_a)


def protagonists_apart(pa: np.ndarray, hashes_a: np.ndarray, pb: np.ndarray, hashes_b: np.ndarray) -> bool:
    """Each lead's protagonists (``pa``, ``pb``) are missing from the other text's tokens
    (``hashes_a``, ``hashes_b``); False when a lead names none (routine reports, tables)."""
    return bool(pa.shape[0] and pb.shape[0]) and not any_in(pa, hashes_b) and not any_in(pb, hashes_a)


def another_company(some_figures_differ: bool, coverage: float, rare_a: np.ndarray, rare_b: np.ndarray,
                    unspun: bool = False) -> str | None:
    """Why two copy-like texts whose protagonists are apart (protagonists_apart) are one
    template filled in for two companies, or None: some figures differ (``some_figures_differ``:
    in the aligned text or the leads) or, where the aligned passages hold at least
    TEMPLATE_MIN_COVERAGE of one text (``coverage``, the larger share), the texts share few of
    their rare names (``rare_a``, ``rare_b``, sorted, see rare_names) or the pair is no spinner's work
    (``unspun``: a duplicate or near copy, whose only edits are the names). A spun copy whose
    protagonist the spinner swapped keeps its figures and the rest of its names. The caller rules
    out misspelt names (spelt_alike)."""
    if some_figures_differ:
        return ("figures differ and neither text names the other's protagonist: one template, "
                "another company's news")
    fewer = min(rare_a.shape[0], rare_b.shape[0])
    if coverage >= TEMPLATE_MIN_COVERAGE and fewer and in_sorted(rare_a, rare_b).sum() < RARE_NAMES_MIN_SHARED * fewer:
        return ("neither text names the other's protagonist and they share few rare names: one "
                "template, another company's news")
    if coverage >= TEMPLATE_MIN_COVERAGE and unspun:
        return ("neither text names the other's protagonist, yet the rest is verbatim: one template, "
                "another company's news (a spinner that swapped a name would have swapped other words too)")
    return None
