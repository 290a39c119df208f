"""A site's boilerplate: passages that recur word for word in texts telling different stories.

A content farm ends (or opens) every page with the same paragraph: a disclaimer, an about-us
note, a request for donations. Aligned like a story's words, it makes copies of different stories
by one farm read as partial reuse of each other, and a farm's second copy of a story read as a copy
of its first (the sibling test sees a passage the first added and the second carried over).
Cruft shapes (style._CRUFT_LINE) cannot know a farm's own prose; repetition across stories does.

The rule: word shingles of ``SHINGLE_TOKENS`` tokens, one in ``SHINGLE_SAMPLE`` kept by its hash
(so every text keeps the same ones, and no line breaks are needed: an archive's candidate index is
built from token streams alone). A kept shingle held by ``MIN_STORIES`` texts that are pairwise
different stories is boilerplate: under ``SAME_STORY_SHARE`` of the smaller text's names and
numbers in common (spinners and rewriters keep names and numbers; copies of one story share them,
different stories do not), beside the details all the holders have (the passage's own names).
Copies of one story repeat its sentences however often, and stay. Five stories, not three: LLM
rewrites of one article keep its sentences and invent names of their own, so three of them (with
the article stored twice) read as different stories by their names.
Measured with bench/boilerplate_probe.py over Reuters, spun_dev, LLMFake and a probe's farm
copies in one index: all of the probe's boilerplate tokens, 0.4% of the copies' story tokens; in
the real corpora Reuters' own template paragraphs (168 stories) and a gossip site's newsletter
prompt (9 articles), no rewrite's text (docs/provenance.md, method 2026.12-55).

A site's short lines hold no such shingle: a line that stands alone is keyed whole and counted
as one more (``standalone_lines``, method 2026.12-61; a count in it as a slot, 2026.12-63), as
is each part of a headline that a separator sets apart (a site's name after it:
``title_segments``, 2026.12-62).

Pure functions; archive.provenance.candidates keeps the postings, engine masks the tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import accumulate

import numpy as np

from .features import NUM, Tokens, token_hash, tokenize
from .style import LINE_ENDS

SHINGLE_TOKENS = 12
SHINGLE_SAMPLE = 8
MIN_STORIES = 5
SAME_STORY_SHARE = 0.3
COMMON_SHARE = 0.5
# Holders read per shingle (in archive order): a farm's paragraph on hundreds of pages shows
# five stories among its first few holders.
HOLDERS_READ = 40
# Two boilerplate shingles this many tokens apart or closer are one passage: the tokens between
# them (not kept by the sampling) are boilerplate too.
PASSAGE_GAP = 4 * SHINGLE_SAMPLE
# ... or this far apart in one line: a site's paragraph with a slot that varies from page to page
# (the page's title: ~10 tokens) breaks every shingle across the slot and the slot's neighbours.
SLOT_GAP = 2 * PASSAGE_GAP
# A line this much boilerplate already is boilerplate whole (its first and last words fall
# between the kept shingles), as is one where at least two of its own kept shingles are, and this
# share of them; if no more than LINE_REST of its tokens are left.
LINE_SHARE = 0.4
LINE_SHINGLE_SHARE = 0.5
LINE_REST = 4 * SHINGLE_TOKENS
# In a longer line, a passage this close to the line's start or end takes the tokens before or
# after it.
EDGE_GAP = SHINGLE_TOKENS + SHINGLE_SAMPLE

# A site's short lines above and below its pages ("Got a news tip? Email the desk.", "Fresh from
# our newsroom") hold no shingle of SHINGLE_TOKENS tokens, and a template's lines need not have
# any shape that style._CRUFT_LINE knows. A line that stands alone (its own paragraph, or a whole
# sentence between lines that end theirs: never a hard-wrapped fragment of one) of LINE_MIN_TOKENS
# to LINE_MAX_TOKENS tokens is keyed whole, as one more shingle held by its text, and is
# boilerplate by the same rule. Its figures (in digits or in words) are keyed as a slot, not as
# themselves, a run of them as one: a site's line with a count ("1,234 people read this story",
# "Join 48,000 readers") varies page to page in its count alone. A figure is never boilerplate, so
# a masked line keeps its figures (a dividend notice's "Pay April 15": the date is the notice's
# own). A line needs LINE_MIN_WORDS tokens that are no figure, and holds at most LINE_MAX_COUNTS
# runs of figures: a table's rows compare two ("Qtly div 10 cts vs 10 cts prior") and recur from
# story to story (on the 200,000-document synthetic corpus, whose paragraphs include Reuters'
# table rows, keying them too doubled the texts holding boilerplate: 18,194 of the first 30,000
# against 7,341; 9,242 with one count at most).
LINE_MIN_TOKENS = 3
LINE_MAX_TOKENS = 3 * SHINGLE_TOKENS
LINE_MIN_WORDS = 2
LINE_MAX_COUNTS = 1
# Figures written as words are figures too ("Qtly div five cts vs five cts prior").
_NUMBER_WORDS = np.array(sorted(token_hash(word) for word in (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion trillion nil").split()), dtype=np.int64)
# A page's headline often ends (or starts) with its site's name: the parts of a headline that a
# separator sets apart are keyed too, and one held by texts of five different stories is the
# site's, no headline word of a version of the story (versions.py).
TITLE_SEPARATOR = re.compile(r"\s+(?:[-|–—•·»]+|::)\s+")

_MULTIPLIER = np.uint64(1099511628211)
_LINE_SALT = 0x5851F42D4C957F2D  # (keys of lines, of headline parts and of windows are kept apart)
_TITLE_SALT = 0x2545F4914F6CDD1D
_FIGURE_SLOT = token_hash("<figure>")  # (what a line's key reads for each of its figures)
_MASK64 = (1 << 64) - 1
_EMPTY = np.zeros(0, dtype=np.int64)


def standalone_lines(tokens: Tokens, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The text's standalone lines (see LINE_MIN_TOKENS): each one's key (int64, from its
    tokens' hashes), first token and one past its last, in text order; ``tokens`` is the text's
    whole token stream."""
    keys: list[int] = []
    firsts: list[int] = []
    ends: list[int] = []
    lines = text.split("\n")
    stripped = [line.strip() for line in lines]
    # Each line's first token and one past its last, and the figures before each token, found
    # for all lines at once (a line at a time was a tenth of fingerprinting a text).
    at = np.searchsorted(tokens.starts, list(accumulate((len(line) + 1 for line in lines), initial=0))).tolist()
    is_figure = _figures(tokens)
    figures = np.cumsum(is_figure).tolist()  # (up to and with each token)
    # Each token that goes on a run of figures ("twelve thousand": one count), and how many
    # runs start up to and with each token: found for the text on its first line with two
    # figures (most texts have none that stands alone).
    in_run: list[bool] = []
    run_starts: list[int] = []
    hashes: list[int] | None = None
    for i, line in enumerate(stripped):
        lo, hi = at[i], at[i + 1]
        if not LINE_MIN_TOKENS <= hi - lo <= LINE_MAX_TOKENS:
            continue
        in_line = figures[hi - 1] - (figures[lo - 1] if lo else 0)
        if hi - lo - in_line < LINE_MIN_WORDS:
            continue
        before = stripped[i - 1] if i else ""
        after = stripped[i + 1] if i + 1 < len(stripped) else ""
        if (before and before[-1] not in LINE_ENDS) or (after and line[-1] not in LINE_ENDS):
            continue  # a part of a sentence wrapped over several lines
        if in_line > 1 and not in_run:
            going_on = is_figure.copy()
            going_on[0] = False
            going_on[1:] &= is_figure[:-1]
            in_run = going_on.tolist()
            run_starts = np.cumsum(is_figure & ~going_on).tolist()
        # (A run at the line's start counts for it whatever the line before ends with.)
        if in_line > 1 and run_starts[hi - 1] - run_starts[lo] + int(is_figure[lo]) > LINE_MAX_COUNTS:
            continue
        if hashes is None:
            hashes = np.where(is_figure, _FIGURE_SLOT, tokens.hashes).tolist() if figures[-1] else tokens.hashes.tolist()
        line_hashes = hashes[lo:hi]
        if in_line > 1:  # (runs to join)
            line_hashes = [line_hashes[0]] + [h for h, cont in zip(line_hashes[1:], in_run[lo + 1:hi]) if not cont]
        keys.append(_key(line_hashes, _LINE_SALT))
        firsts.append(lo)
        ends.append(hi)
    return (np.array(keys, dtype=np.int64), np.array(firsts, dtype=np.int64), np.array(ends, dtype=np.int64))


def _figures(tokens: Tokens) -> np.ndarray:
    """Which tokens are figures, in digits or in words."""
    return (tokens.kinds == NUM) | np.isin(tokens.hashes, _NUMBER_WORDS)


def line_keys(tokens: Tokens, text: str) -> np.ndarray:
    """The distinct keys of the text's standalone lines, sorted (what its fingerprint keeps)."""
    return np.array(sorted(set(standalone_lines(tokens, text)[0].tolist())), dtype=np.int64)


def title_segments(title: str | None) -> list[tuple[str, int | None]]:
    """The parts of a headline that separators set apart ("Pilots strike halts sailings - Daily
    Buzz Hub"), each with its key (see TITLE_SEPARATOR), or None for a part with a figure (never
    boilerplate); no parts for a headline without a separator."""
    parts = [part.strip() for part in TITLE_SEPARATOR.split(title or "")]
    if len(parts) < 2:
        return []
    out: list[tuple[str, int | None]] = []
    for part in parts:
        tokens = tokenize(part)
        keyed = len(tokens) and not _figures(tokens).any()
        out.append((part, _key(tokens.hashes.tolist(), _TITLE_SALT) if keyed else None))
    return out


def title_keys(title: str | None) -> np.ndarray:
    """The distinct keys of a headline's parts, sorted (counted with its text's shingles)."""
    keys = [key for _, key in title_segments(title) if key is not None]
    return np.array(sorted(set(keys)), dtype=np.int64) if keys else _EMPTY


def with_title_keys(lines: np.ndarray, title: str | None) -> np.ndarray:
    """A text's line keys (sorted) and its headline parts' keys: what its candidate index counts
    with its shingles."""
    parts = title_keys(title)
    return np.union1d(lines, parts) if parts.shape[0] else lines


def site_free_title(title: str | None, boilerplate: np.ndarray) -> str | None:
    """The headline without its parts that are boilerplate (a site's name after every headline
    it posts): what is left tells one version of a story from another."""
    segments = title_segments(title)
    if not boilerplate.shape[0] or not any(key is not None for _, key in segments):
        return title
    keys = np.array([0 if key is None else key for _, key in segments], dtype=np.int64)
    held = _held_in(boilerplate, keys) & np.array([key is not None for _, key in segments])
    return " ".join(part for (part, _), site in zip(segments, held.tolist()) if not site)


def _key(hashes: list[int], salt: int) -> int:
    """One int64 key of a run of token hashes."""
    acc = salt
    for h in hashes:
        acc = (acc * int(_MULTIPLIER) + h) & _MASK64
    acc ^= acc >> 31
    acc = (acc * 0x94D049BB133111EB) & _MASK64
    acc ^= acc >> 29
    return acc - (1 << 64) if acc >= 1 << 63 else acc


def _window_hashes(hashes: np.ndarray) -> np.ndarray:
    """The hash of every window of SHINGLE_TOKENS consecutive tokens (uint64; none if fewer)."""
    n = hashes.shape[0] - SHINGLE_TOKENS + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = hashes.astype(np.uint64)
    acc = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):  # (arithmetic modulo 2**64 is the point)
        for j in range(SHINGLE_TOKENS):
            acc = acc * _MULTIPLIER + h[j:j + n]
        # Mixed, so that the sampling by low bits does not follow the last token's hash.
        mixed = acc ^ (acc >> np.uint64(29))
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(32)
    return mixed


def sampled_shingles(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The kept shingles of a token stream (int64 hashes) and the position where each starts."""
    windows = _window_hashes(hashes)
    keep = np.flatnonzero((windows % np.uint64(SHINGLE_SAMPLE)) == 0)
    return windows[keep].view(np.int64), keep


def distinct_shingles(streams: Sequence[np.ndarray],
                      lines: Sequence[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every stream's distinct kept shingles, as (shingles, stream index) sorted by stream, then
    shingle: sampled_shingles of each, in one pass over their concatenation (a batch of an
    archive's texts at once) with the windows across two streams left out; with each stream's
    ``lines`` (the keys of its standalone lines and headline parts: line_keys, title_keys), those
    too."""
    if not streams:
        return _EMPTY, _EMPTY
    lengths = np.array([s.shape[0] for s in streams], dtype=np.int64)
    stream_of = np.repeat(np.arange(len(streams), dtype=np.int64), lengths)
    windows = _window_hashes(np.concatenate(streams))
    n = windows.shape[0]
    inside = stream_of[:n] == stream_of[SHINGLE_TOKENS - 1:SHINGLE_TOKENS - 1 + n]
    keep = np.flatnonzero(inside & ((windows % np.uint64(SHINGLE_SAMPLE)) == 0))
    shingles, owners = windows[keep].view(np.int64), stream_of[keep]
    if lines is not None:
        counts = np.array([k.shape[0] for k in lines], dtype=np.int64)
        shingles = np.concatenate([shingles, *lines]).astype(np.int64, copy=False)
        owners = np.concatenate([owners, np.repeat(np.arange(len(lines), dtype=np.int64), counts)])
    if not shingles.shape[0]:
        return _EMPTY, _EMPTY
    order = np.lexsort((shingles, owners))
    shingles, owners = shingles[order], owners[order]
    first = np.r_[True, (shingles[1:] != shingles[:-1]) | (owners[1:] != owners[:-1])]
    return shingles[first], owners[first]


def boilerplate_of(shingles: np.ndarray, holders: np.ndarray, terms: Callable[[int], frozenset[int]],
                   weight: Callable[[frozenset[int]], float]) -> np.ndarray:
    """The boilerplate shingles (sorted) among postings: ``shingles[i]`` is held by text
    ``holders[i]`` (each pair once, sorted by shingle, then holder: archive order), ``terms(holder)`` the terms that tell
    that text's story (its names and figures), ``weight(terms)`` what they weigh (how many, say)."""
    if not shingles.shape[0]:
        return _EMPTY
    starts = np.flatnonzero(np.r_[True, shingles[1:] != shingles[:-1]])
    ends = np.r_[starts[1:], shingles.shape[0]]
    many = ends - starts >= MIN_STORIES
    out = [int(shingles[start]) for start, end in zip(starts[many].tolist(), ends[many].tolist())
           if is_boilerplate(holders[start:end], terms, weight)]
    return np.array(out, dtype=np.int64)


def is_boilerplate(holders: np.ndarray, terms: Callable[[int], frozenset[int]],
                   weight: Callable[[frozenset[int]], float]) -> bool:
    """Whether a shingle held by ``holders`` (in archive order) is boilerplate: MIN_STORIES of
    its first HOLDERS_READ holders are pairwise different stories (see different_stories)."""
    return holders.shape[0] >= MIN_STORIES and different_stories(holders[:HOLDERS_READ].tolist(), terms, weight)


def different_stories(texts: Sequence[int], terms: Callable[[int], frozenset[int]],
                       weight: Callable[[frozenset[int]], float]) -> bool:
    """Whether MIN_STORIES of ``texts`` (holders of one shingle) are pairwise different stories,
    taken greedily in order, by the terms each has beside those all of them have.

    What all the holders have is the passage's own words (a farm's name, "Facebook, Twitter and
    Instagram"), or the story's when they all tell one: copies and rewrites of an article have
    much of it in common with every other, so when that common part weighs more than
    COMMON_SHARE of the lightest holder, they are one story. Beside it, two texts of one story
    share SAME_STORY_SHARE of the lighter one's weight or more (its topic's words and names);
    two stories next to nothing."""
    held = [terms(text) for text in texts]
    common = frozenset.intersection(*held)
    if weight(common) > COMMON_SHARE * min(weight(h) for h in held):
        return False
    picked: list[tuple[frozenset[int], float]] = []
    for own in (h - common for h in held):
        own_weight = weight(own)
        if all(weight(own & other) < SAME_STORY_SHARE * max(min(own_weight, other_weight), 1e-9)
               for other, other_weight in picked):
            picked.append((own, own_weight))
            if len(picked) >= MIN_STORIES:
                return True
    return False


def boilerplate_mask(tokens: Tokens, text: str, boilerplate: np.ndarray) -> np.ndarray | None:
    """Which tokens of a text are boilerplate (``boilerplate``: sorted shingle hashes), or None
    when none is: the tokens its boilerplate shingles cover, those between two of them close
    enough to be one passage, and every token of a line that is mostly boilerplate so (see
    LINE_SHARE)."""
    return boilerplate_masks([(tokens, text)], boilerplate)[0]


def boilerplate_masks(texts: Sequence[tuple[Tokens, str]], boilerplate: np.ndarray) -> list[np.ndarray | None]:
    """boilerplate_mask of each (tokens, text), computed for all of them at once (an archive's
    holders of boilerplate are read a batch at a time: per text, the shingles' dozen array
    operations were most of the time)."""
    out: list[np.ndarray | None] = [None] * len(texts)
    if not boilerplate.shape[0] or not texts:
        return out
    lengths = np.array([len(tokens) for tokens, _ in texts], dtype=np.int64)
    first_token = np.r_[0, np.cumsum(lengths)]
    stream_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    windows = _window_hashes(np.concatenate([tokens.hashes for tokens, _ in texts]))
    n = windows.shape[0]
    inside = stream_of[:n] == stream_of[SHINGLE_TOKENS - 1:SHINGLE_TOKENS - 1 + n]
    sampled = np.flatnonzero(inside & ((windows % np.uint64(SHINGLE_SAMPLE)) == 0))
    hashes = windows[sampled].view(np.int64)
    is_found = _held_in(boilerplate, hashes)
    found = sampled[is_found]  # where the text's boilerplate shingles start
    lines_found: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # boilerplate lines, as token ranges
    for i, (tokens, text) in enumerate(texts):
        keys, firsts, ends = standalone_lines(tokens, text)
        held = _held_in(boilerplate, keys)
        if held.any():
            lines_found[i] = (firsts[held], ends[held])
    if not found.shape[0] and not lines_found:
        return out
    total = int(first_token[-1])
    # Lines: a line's tokens are those starting between two line breaks of their text.
    # Positions are doubled, so that a mark just before each text's first character (odd) ends
    # the text before it.
    first_char = np.r_[0, np.cumsum([len(text) for _, text in texts])]
    breaks = np.sort(np.concatenate(
        [2 * (_line_breaks(text) + first_char[i])
         for i, (_, text) in enumerate(texts)] + [2 * first_char[1:-1] - 1]))
    starts = np.concatenate([tokens.starts for tokens, _ in texts]).astype(np.int64) + np.repeat(first_char[:-1], lengths)
    line = np.searchsorted(breaks, 2 * starts)
    cover = np.zeros(total + 1, dtype=np.int32)  # +1 at a passage's start, -1 after its end
    np.add.at(cover, found, 1)
    np.add.at(cover, found + SHINGLE_TOKENS, -1)  # (a shingle ends inside its own text)
    # Two shingles close together are one passage; in one line, twice as far apart too: a
    # paragraph of the site's whose middle varies from page to page (the page's title or date
    # in it) breaks every shingle across its slot.
    gap = np.diff(found)
    close = np.flatnonzero(((gap <= PASSAGE_GAP) | ((gap <= SLOT_GAP) & (line[found[1:]] == line[found[:-1]])))
                           & (stream_of[found[1:]] == stream_of[found[:-1]]))
    np.add.at(cover, found[close], 1)
    np.add.at(cover, found[close + 1], -1)
    mask = np.cumsum(cover[:total]) > 0
    # Whole lines: one this much boilerplate already (its first and last words fall between the
    # kept shingles), or half or more of whose own kept shingles are boilerplate (a slot near one
    # end of a site's paragraph leaves no boilerplate shingle on that side to cover it from);
    # unless more than LINE_REST of its tokens are left, a story's sentences beside the paragraph
    # in a text without line breaks.
    lines = breaks.shape[0] + 1
    size = np.bincount(line, minlength=lines)
    covered = np.bincount(line, weights=mask, minlength=lines)
    in_one_line = line[sampled] == line[sampled + SHINGLE_TOKENS - 1]
    kept = np.bincount(line[sampled[in_one_line]], minlength=lines)
    held = np.bincount(line[sampled[in_one_line & is_found]], minlength=lines)
    whole = ((covered >= LINE_SHARE * size) | ((held >= 2) & (held >= LINE_SHINGLE_SHARE * kept))) \
        & (size - covered <= LINE_REST)
    mask |= whole[line]
    mask = _to_line_edges(mask, line, size)
    for i, (firsts, ends) in lines_found.items():
        words = ~_figures(texts[i][0])  # (a line's figures are its page's own)
        for lo, hi in zip(firsts.tolist(), ends.tolist()):
            mask[first_token[i] + lo:first_token[i] + hi] |= words[lo:hi]
    for i in sorted(set(np.unique(stream_of[found]).tolist()) | lines_found.keys()):
        out[i] = mask[first_token[i]:first_token[i + 1]]
    return out


def _held_in(found: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which of ``keys`` the sorted, non-empty ``found`` holds."""
    at = np.minimum(np.searchsorted(found, keys), found.shape[0] - 1)
    return found[at] == keys


def _to_line_edges(mask: np.ndarray, line: np.ndarray, size: np.ndarray) -> np.ndarray:
    """``mask`` with each masked run in a line longer than LINE_REST grown to the line's start
    (end) when it begins (stops) no more than EDGE_GAP tokens from it: a site's paragraph at the
    top or bottom of a page without line breaks, whose first and last words the kept shingles
    seldom cover."""
    n = mask.shape[0]
    # Lines number the tokens in order, so a line's tokens follow those of the lines before it.
    bounds = np.r_[0, np.cumsum(size)]
    start_of, end_of = bounds[line], bounds[line + 1]  # each token's line: its first, one past its last
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    a, b = edges[::2], edges[1::2]  # each run [a, b)
    long = size[line[a]] > LINE_REST
    head = long & (a - start_of[a] <= EDGE_GAP)
    tail = long & (end_of[b - 1] - b <= EDGE_GAP)
    cover = np.zeros(n + 1, dtype=np.int32)  # +1 where a span to take starts, -1 after it
    np.add.at(cover, start_of[a[head]], 1)
    np.add.at(cover, a[head], -1)
    np.add.at(cover, b[tail], 1)
    np.add.at(cover, end_of[b[tail] - 1], -1)
    return mask | (np.cumsum(cover[:n]) > 0)


def _line_breaks(text: str) -> np.ndarray:
    """The character offsets of the text's line breaks."""
    return np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 10)


def spans_of(tokens: Tokens, mask: np.ndarray, text: str) -> list[tuple[int, int]]:
    """The (start, end) character spans of the runs of masked tokens, each with the punctuation
    around it up to its line's ends (a paragraph's closing full stop is the paragraph's), and
    with the figures of a line masked but for them (a site's line with a count: the count is
    analysed as the page's own, but the line is the site's, no detail of the story's layout)."""
    if mask.any():
        breaks = _line_breaks(text)
        line = np.searchsorted(breaks, tokens.starts)
        figures = _figures(tokens)
        lines = breaks.shape[0] + 1
        masked = np.bincount(line, weights=mask, minlength=lines)
        site_line = (masked > 0) & (masked + np.bincount(line, weights=figures & ~mask, minlength=lines)
                                    == np.bincount(line, minlength=lines))
        mask = mask | (figures & site_line[line])
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    spans = []
    for a, b in zip(edges[::2].tolist(), edges[1::2].tolist()):
        start, end = int(tokens.starts[a]), int(tokens.ends[b - 1])
        while start > 0 and text[start - 1] != "\n" and not text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end] != "\n" and not text[end].isalnum():
            end += 1
        spans.append((start, end))
    return spans
