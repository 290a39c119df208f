"""Token-level alignment of two documents: the evidence behind every copy relation.

Alignment is anchored like patience diff: token bigrams that occur once in each text are
anchors, the longest chain of anchors in the same order is the backbone, and equal tokens are
extended around each anchor. Whatever lies between two anchors is an edit: short on both sides,
a substitution; long, an inserted or dropped stretch. This is linear-ish with numpy and a few
Python steps per anchor, several times faster than difflib, which matters because every
candidate pair is aligned; the walk itself (chain, blocks, gap diffs, passages) runs compiled
where the install built _calign.c, else in Python (_align_walk_py, the reference).

Copies keep the order of the text, so aligned runs separated by short replacements are passages
reused with word substitutions (the spinner's fingerprint), while unmatched material at the ends
is cruft, a cut ending or added paragraphs. A copy that moves a stretch (a content farm leading
with the last paragraphs) is aligned in order first; the stretches both texts then leave
unaligned are aligned with each other, and kept when one is reused whole. A spinner's copy of a
page that repeats a paragraph is anchored again inside the gaps the repeat leaves (patience
diff's recursion, patience_anchors).
"""

from __future__ import annotations

import difflib
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from .features import NUM, STOP, Tokens
from .sets import intersect_sorted

from .compiled import calign as _calign

# A replacement this short (tokens on each side) is a word or phrase substitution inside a
# passage; anything longer breaks the passage. Spinners swap single words or short phrases.
MAX_SUB_TOKENS = 4
# Passages shorter than this many matched tokens are chance agreement (", said the company").
MIN_PASSAGE_MATCHED = 6
# Gaps between anchors up to this many token pairs (e.g. 12 x 12, or a whole short text) get
# an exact diff; larger ones are insertions or rewritten stretches and stay one edit.
_REFINE_CELLS = 400
MIN_ANCHORS = 3
# A copy may also move a stretch of its source (a content farm puts the last paragraphs first).
# What both texts leave unaligned in stretches of at least this many tokens is aligned again, a
# stretch against the stretch of the other text it shares most anchors with.
MIN_MOVED_TOKENS = 30
# ... and kept only as a whole: passages covering most of the shorter stretch, no numbers that
# differ. Templated reports (bond issues, money-market notices) share formulaic phrases in
# other places; a moved paragraph is reused whole.
MIN_MOVED_COVERAGE = 0.8
# Only a pair that already shares a verbatim run this long in order is looked at for moves.
MIN_MOVED_RUN = 10
# Scraped pages repeat stretches (a paragraph twice, a pull quote; 63 of LLMFake's 535 articles
# repeat a run of 12 words), and a bigram inside a repeat is no unique anchor, so a stretch of
# a copy that moved it and holds the repeat was not aligned again (a gap too large for the exact
# diff left it under MIN_MOVED_COVERAGE). Between two moved stretches that both repeat a run of REPEAT_RUN
# tokens (a copy keeps its source's repeat), a bigram inside such runs found up to MAX_REPEATS
# times in each also anchors, its occurrences paired in order (the first with the first). Only
# there: over whole texts, pairs by rank crossed a move and, between two model rewrites that
# each repeat a phrase, aligned siblings better than their source.
REPEAT_RUN = 8
MAX_REPEATS = 4
# An alignment reads as a spinner's (see substitutes_in_place) with this many substitutions
# and this share of its edits (LLMFake and Clough revisions: at most 62% of 10+ edits, 50% at
# the 95th percentile; heavy spins 96% and more), leaving a spinner a fifth of its edits as bare
# insertions or deletions (a filler on its own).
SPINNER_MIN_SUBS = 3
SPINNER_SUB_SHARE = 0.8


@dataclass(frozen=True)
class Passage:
    """A stretch of text reused in order: token ranges [a0, a1) and [b0, b1)."""

    a0: int
    a1: int
    b0: int
    b1: int
    matched: int


@dataclass(frozen=True)
class Substitution:
    a0: int
    a1: int
    b0: int
    b1: int


@dataclass(frozen=True)
class Alignment:
    len_a: int
    len_b: int
    matched: int                 # tokens in equal blocks (same count on both sides)
    matched_content: int         # of which are not function words
    passages: tuple[Passage, ...]
    substitutions: tuple[Substitution, ...]   # short replacements inside passages
    number_conflicts: tuple[Substitution, ...]  # replacements where both sides hold numbers
    numbers_shared: int          # number tokens inside equal blocks
    longest_run: int
    internal_edits: int          # non-equal opcodes between the first and last match

    @property
    def passage_tokens_a(self) -> int:
        return sum(p.a1 - p.a0 for p in self.passages)

    @property
    def passage_tokens_b(self) -> int:
        return sum(p.b1 - p.b0 for p in self.passages)

    @property
    def coverage_a(self) -> float:
        return self.passage_tokens_a / self.len_a if self.len_a else 0.0

    @property
    def coverage_b(self) -> float:
        return self.passage_tokens_b / self.len_b if self.len_b else 0.0

    @property
    def substitution_rate(self) -> float:
        """Substitutions per reusable word: near 0 for verbatim copies, 0.1-0.5 for spun ones."""
        denom = self.matched_content + len(self.substitutions)
        return len(self.substitutions) / denom if denom else 0.0


def longest_increasing(values: list[int]) -> list[int]:
    """Indices of a longest strictly increasing subsequence of ``values`` (first one found)."""
    tails: list[int] = []       # values at the ends of the best chains by length
    tail_idx: list[int] = []
    prev = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[k] = v
            tail_idx[k] = i
        prev[i] = tail_idx[k - 1] if k else -1
    out: list[int] = []
    i = tail_idx[-1] if tail_idx else -1
    while i >= 0:
        out.append(i)
        i = prev[i]
    return out[::-1]


def increasing_length(values: list[int]) -> int:
    """``len(longest_increasing(values))``, without keeping the chain (half the work)."""
    tails: list[int] = []
    for v in values:
        k = bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
        else:
            tails[k] = v
    return len(tails)


def _bigram_hashes(h: np.ndarray) -> np.ndarray:
    return h[:-1] * np.int64(1000003) + h[1:]


def _run_hashes(h: np.ndarray) -> np.ndarray:
    """A hash of each run of REPEAT_RUN tokens, by its first token (empty for a shorter text)."""
    if h.shape[0] < REPEAT_RUN + 1:
        return np.zeros(0, np.int64)
    bg = _bigram_hashes(h)
    run = bg[: bg.shape[0] - REPEAT_RUN + 2].copy()
    for k in range(2, REPEAT_RUN - 1, 2):  # (overflow wraps: only equality matters)
        run = run * np.int64(1000003) + bg[k: k + run.shape[0]]
    return run


def _may_repeat_a_run(unique_pos: np.ndarray, length: int) -> bool:
    """Whether a text of ``length`` tokens whose unique bigrams start at ``unique_pos`` may
    hold a run of REPEAT_RUN tokens twice: such a run makes REPEAT_RUN - 1 bigrams in a row
    that are not unique. Most texts have no such row, and this is far cheaper than hashing
    their runs (_in_repeated_runs)."""
    window = REPEAT_RUN - 1
    if length - 1 < window:
        return False
    shared = np.ones(length - 1, dtype=np.int32)
    shared[unique_pos] = 0
    in_row = np.zeros(length, dtype=np.int32)
    np.cumsum(shared, out=in_row[1:])
    return bool((in_row[window:] - in_row[:-window] == window).any())


def _in_repeated_runs(h: np.ndarray) -> np.ndarray:
    """For each bigram of ``h``, whether it lies inside a run of REPEAT_RUN tokens that the
    text holds more than once."""
    run = _run_hashes(h)
    inside = np.zeros(max(h.shape[0] - 1, 0), dtype=bool)
    if run.shape[0] == 0:
        return inside
    _, inverse, counts = np.unique(run, return_inverse=True, return_counts=True)
    starts = np.flatnonzero(counts[inverse] > 1)
    cover = np.zeros(inside.shape[0] + 1, dtype=np.int32)  # +1 at a run's first bigram, -1 past its last
    np.add.at(cover, starts, 1)
    np.add.at(cover, starts + REPEAT_RUN - 1, -1)
    return np.cumsum(cover[:-1]) > 0


def _unique_bigrams(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(bigram hashes occurring once, their positions), sorted by hash."""
    if h.shape[0] < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    bg = _bigram_hashes(h)
    # np.unique with counts, at half its cost: a value occurring once differs from both its
    # neighbours in sorted order (and has one position, whatever order the sort leaves ties in).
    order = np.argsort(bg)
    ordered = bg[order]
    differs = ordered[1:] != ordered[:-1]
    once = np.ones(ordered.shape[0], dtype=bool)
    once[1:] = differs
    once[:-1] &= differs
    return ordered[once], order[once]


@dataclass(frozen=True)
class Prepared:
    """A document's tokens plus the per-document parts of alignment, computed once."""

    tokens: Tokens
    bigrams: np.ndarray          # bigram hashes occurring once, sorted
    bigram_pos: np.ndarray       # their positions
    terms: np.ndarray            # distinct content-term hashes, sorted
    term_first: np.ndarray       # position of each term's first occurrence among content tokens
    content_upto: np.ndarray     # content tokens before position i (prefix counts, n + 1)
    numbers_upto: np.ndarray     # number tokens before position i
    # For each bigram, whether it lies inside a run of REPEAT_RUN tokens the text holds more
    # than once; None when the text repeats no run (most texts).
    repeated: np.ndarray | None

    @classmethod
    def of(cls, tokens: Tokens) -> "Prepared":
        bigrams, pos = _unique_bigrams(tokens.hashes)
        content = tokens.kinds != STOP
        terms, first = np.unique(tokens.hashes[content], return_index=True)
        repeated = _in_repeated_runs(tokens.hashes) if _may_repeat_a_run(pos, tokens.hashes.shape[0]) else None
        return cls(tokens, bigrams, pos, terms, first, _prefix_counts(content), _prefix_counts(tokens.kinds == NUM),
                   repeated if repeated is not None and repeated.any() else None)


def _prefix_counts(mask: np.ndarray) -> np.ndarray:
    """How many of ``mask`` are set before each position (n + 1 counts, int32), summed in place."""
    counts = np.zeros(mask.shape[0] + 1, dtype=np.int32)
    np.cumsum(mask, out=counts[1:])
    return counts


def _gap_opcodes(a: list[int], b: list[int], ci: int, cj: int, ops: list[tuple[str, int, int, int, int]]) -> None:
    """Append the exact diff of a small gap between anchors (difflib's opcodes), shifted by (ci, cj)."""
    common = set(a).intersection(b)
    if not common:
        # Nothing in common (a quarter of the gaps): one edit, without building a matcher.
        _edit(ci, ci + len(a), cj, cj + len(b), ops)
        return
    matches = _unique_matches(a, b, common)
    if matches is None:
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        ops.extend((tag, ci + x1, ci + x2, cj + y1, cj + y2) for tag, x1, x2, y1, y2 in matcher.get_opcodes())
        return
    # Every common token once on each side, in the same order (more than half of the gaps, a
    # function word or a name between substituted words): difflib matches each of them, so
    # its blocks are the runs of consecutive matches.
    i = j = 0
    k = 0
    while k < len(matches):
        mi, mj = matches[k]
        size = 1
        while k + size < len(matches) and matches[k + size] == (mi + size, mj + size):
            size += 1
        _edit(ci + i, ci + mi, cj + j, cj + mj, ops)
        ops.append(("equal", ci + mi, ci + mi + size, cj + mj, cj + mj + size))
        i, j = mi + size, mj + size
        k += size
    _edit(ci + i, ci + len(a), cj + j, cj + len(b), ops)


def _unique_matches(a: list[int], b: list[int], common: set[int]) -> list[tuple[int, int]] | None:
    """Positions (in a, in b) of the common tokens when each occurs once on each side and they
    come in the same order on both; else None."""
    in_a = [i for i, x in enumerate(a) if x in common]
    in_b = [j for j, x in enumerate(b) if x in common]
    if len(in_a) != len(common) or len(in_b) != len(common):
        return None  # some common token repeats
    if any(a[i] != b[j] for i, j in zip(in_a, in_b)):
        return None  # they cross
    return list(zip(in_a, in_b))


def _edit(i1: int, i2: int, j1: int, j2: int, ops: list[tuple[str, int, int, int, int]]) -> None:
    """The opcode for replacing a[i1:i2] by b[j1:j2], if either is not empty."""
    if i1 < i2 and j1 < j2:
        ops.append(("replace", i1, i2, j1, j2))
    elif i1 < i2:
        ops.append(("delete", i1, i2, j1, j2))
    elif j1 < j2:
        ops.append(("insert", i1, i2, j1, j2))


def anchors(a: Prepared, b: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """Positions (in a, in b) of the bigrams that occur once in each text."""
    ia, ib = intersect_sorted(a.bigrams, b.bigrams)
    return a.bigram_pos[ia], b.bigram_pos[ib]


def _unique_within(h: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """The bigrams found once in ``h[lo:hi]`` (sorted) and their positions in ``h``."""
    bigrams, pos = _unique_bigrams(h[lo:hi])
    return bigrams, pos + lo


def patience_anchors(a: Prepared, b: Prepared, ai: np.ndarray, bj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bigrams found once in each text (``ai``, ``bj``: anchors()); and, when a text repeats
    a run of REPEAT_RUN tokens (scraped pages repeat a paragraph), the bigrams inside such runs
    that are found once in both stretches of a gap their longest in-order chain leaves (before
    its first anchor and after its last too), recursively, as patience diff does. A bigram
    inside a repeat is no unique anchor, so a copy that kept the repeat left it one gap, too
    large for the walk's exact diff; between the anchors around one occurrence, that
    occurrence's bigrams are unique again. Only bigrams inside repeats: any other bigram found
    twice is a common phrase ("of the"), which would anchor chance agreement between two
    rewrites."""
    ha, hb = a.tokens.hashes, b.tokens.hashes
    if ai.shape[0] == 0 or (a.repeated is None and b.repeated is None):
        return ai, bj
    repeated_a = a.repeated if a.repeated is not None else np.zeros(max(ha.shape[0] - 1, 0), dtype=bool)
    repeated_b = b.repeated if b.repeated is not None else np.zeros(max(hb.shape[0] - 1, 0), dtype=bool)
    order = np.argsort(ai, kind="stable")
    chain = longest_increasing(bj[order].tolist())
    found_a, found_b = ai[order][chain].tolist(), bj[order][chain].tolist()
    # Gaps as token ranges [lo_a, hi_a) x [lo_b, hi_b) outside the chain's bigrams.
    todo = list(zip([0] + [i + 2 for i in found_a], found_a + [ha.shape[0]],
                    [0] + [j + 2 for j in found_b], found_b + [hb.shape[0]]))
    added_a: list[int] = []
    added_b: list[int] = []
    while todo:
        lo_a, hi_a, lo_b, hi_b = todo.pop()
        if min(hi_a - lo_a, hi_b - lo_b) < 2 or (hi_a - lo_a) * (hi_b - lo_b) <= _REFINE_CELLS:
            continue  # the walk diffs a small gap exactly
        ga, pos_a = _unique_within(ha, lo_a, hi_a)
        gb, pos_b = _unique_within(hb, lo_b, hi_b)
        ia, ib = intersect_sorted(ga, gb)
        sa, sb = pos_a[ia], pos_b[ib]
        keep = repeated_a[sa] | repeated_b[sb]
        if not keep.any():
            continue
        sa, sb = sa[keep], sb[keep]
        order = np.argsort(sa, kind="stable")
        sa, sb = sa[order], sb[order]
        sub = longest_increasing(sb.tolist())
        new_a, new_b = sa[sub].tolist(), sb[sub].tolist()
        added_a.extend(new_a)
        added_b.extend(new_b)
        todo.extend(zip([lo_a] + [i + 2 for i in new_a], new_a + [hi_a],
                        [lo_b] + [j + 2 for j in new_b], new_b + [hi_b]))
    if not added_a:
        return ai, bj
    out_a = np.array(found_a + added_a, dtype=np.int64)
    out_b = np.array(found_b + added_b, dtype=np.int64)
    order = np.argsort(out_a, kind="stable")
    return out_a[order], out_b[order]


def _occurrences(p: Prepared) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The bigrams of a text that repeats runs, inside those runs (``p.repeated``), sorted by hash
    (ties in text order): their hashes, positions, rank among the occurrences of their hash in
    the whole text (0 for the first) and that hash's number of occurrences."""
    assert p.repeated is not None
    bg = _bigram_hashes(p.tokens.hashes)
    order = np.argsort(bg, kind="stable")
    ordered = bg[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, ordered.shape[0]])
    rank = np.arange(ordered.shape[0]) - np.repeat(starts, sizes)
    count = np.repeat(sizes, sizes)
    keep = p.repeated[order]
    return ordered[keep], order[keep], rank[keep], count[keep]


def _ranked_anchors(a: Prepared, b: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """The bigrams found once in each text, and those inside the runs both texts repeat, found
    up to MAX_REPEATS times in each: the k-th occurrence in a with the k-th in b."""
    ai, bj = anchors(a, b)
    pairs = set(zip(ai.tolist(), bj.tolist()))
    bga, posa, ranka, counta = _occurrences(a)
    bgb, posb, rankb, countb = _occurrences(b)
    total_a = dict(zip(bga.tolist(), counta.tolist()))
    total_b = dict(zip(bgb.tolist(), countb.tolist()))
    at = {(x, r): p for x, r, p in zip(bga.tolist(), ranka.tolist(), posa.tolist())
          if total_a[x] <= MAX_REPEATS and total_b.get(x, MAX_REPEATS + 1) <= MAX_REPEATS}
    pairs.update((at[(x, r)], p) for x, r, p in zip(bgb.tolist(), rankb.tolist(), posb.tolist()) if (x, r) in at)
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    out = np.array(sorted(pairs), dtype=np.int64)
    return np.ascontiguousarray(out[:, 0]), np.ascontiguousarray(out[:, 1])


def opcodes(ha: np.ndarray, hb: np.ndarray, ai_arr: np.ndarray, bj_arr: np.ndarray) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes ('equal', 'replace', 'delete', 'insert') from anchored alignment."""
    ai, bj = ai_arr, bj_arr
    order = np.argsort(ai, kind="stable")
    ai_s, bj_s = ai[order], bj[order]
    ai, bj = ai_s.tolist(), bj_s.tolist()
    if bj_s.shape[0] < 2 or bool((bj_s[1:] > bj_s[:-1]).all()):
        chain = list(range(len(bj)))  # already increasing: the whole list is the chain
    else:
        chain = longest_increasing(bj)
    la, lb = ha.shape[0], hb.shape[0]
    a_list, b_list = ha.tolist(), hb.tolist()
    # Equal blocks: grow each anchor to the maximal run of equal tokens, never overlapping.
    blocks: list[tuple[int, int, int]] = []  # (i, j, size)
    lo_a = lo_b = 0
    for k in chain:
        i, j = ai[k], bj[k]
        if i < lo_a or j < lo_b:
            continue  # inside the previous block already
        s_i, s_j = i, j
        while s_i > lo_a and s_j > lo_b and a_list[s_i - 1] == b_list[s_j - 1]:
            s_i -= 1
            s_j -= 1
        e_i, e_j = i + 2, j + 2
        while e_i < la and e_j < lb and a_list[e_i] == b_list[e_j]:
            e_i += 1
            e_j += 1
        blocks.append((s_i, s_j, e_i - s_i))
        lo_a, lo_b = e_i, e_j
    ops: list[tuple[str, int, int, int, int]] = []
    ci = cj = 0
    for i, j, size in blocks + [(la, lb, 0)]:
        if i > ci and j > cj and min(i - ci, j - cj) >= 2 and (i - ci) * (j - cj) <= _REFINE_CELLS:
            # Between anchors single words can still match ("the", names between two swapped
            # words); a small exact diff of the gap finds them.
            _gap_opcodes(a_list[ci:i], b_list[cj:j], ci, cj, ops)
        elif i > ci and j > cj:
            ops.append(("replace", ci, i, cj, j))
        elif i > ci:
            ops.append(("delete", ci, i, cj, j))
        elif j > cj:
            ops.append(("insert", ci, i, cj, j))
        if size:
            ops.append(("equal", i, i + size, j, j + size))
        ci, cj = i + size, j + size
    return ops


def align(pa: Prepared, pb: Prepared) -> Alignment:
    """The in-order alignment of the two texts, plus passages that one of them moved."""
    ai, bj = anchors(pa, pb)
    main = _align_in_order(pa, pb, ai, bj)
    more_a, more_b = patience_anchors(pa, pb, ai, bj)
    if more_a.shape[0] > ai.shape[0]:
        through = _align_in_order(pa, pb, more_a, more_b)
        if substitutes_in_place(through) and through.matched > main.matched:
            main = through
    if main.longest_run < MIN_MOVED_RUN and not substitutes_in_place(main):
        # Nothing says a stretch was moved rather than new: no verbatim reuse in order, nor a
        # spinner's substitutions in place (a heavy spin leaves no run of MIN_MOVED_RUN).
        return main
    moved = [m for m in _moved(pa, pb, main, ai, bj) if m.passages]
    return _with_moved(main, moved) if moved else main


def substitutes_in_place(al: Alignment, min_subs: int = SPINNER_MIN_SUBS) -> bool:
    """The alignment reads as a spinner's: ``min_subs`` substitutions or more, and at least
    SPINNER_SUB_SHARE of its edits. A spinner keeps the text's order and swaps words where they
    stand, so an alignment through the repeats its copy kept (patience_anchors) reads as one; a
    revision by a person or a model inserts, drops and reorders, and a common phrase inside its
    source's repeat anchored chance agreement (LLMFake: rewrites of one article lost it as their
    source)."""
    subs = len(al.substitutions)
    return subs >= min_subs and subs >= SPINNER_SUB_SHARE * al.internal_edits


def _unaligned(passages: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Stretches [start, end) of at least MIN_MOVED_TOKENS outside the given ranges."""
    out: list[tuple[int, int]] = []
    pos = 0
    for start, end in sorted(passages) + [(length, length)]:
        if start - pos >= MIN_MOVED_TOKENS:
            out.append((pos, start))
        pos = max(pos, end)
    return out


def _slice(tokens: Tokens, start: int, end: int) -> Tokens:
    return Tokens(tokens.hashes[start:end], tokens.kinds[start:end], tokens.starts[start:end], tokens.ends[start:end])


@dataclass(frozen=True)
class _Moved:
    """The alignment of one unaligned stretch of a with one of b, and where the stretches start."""

    a0: int
    b0: int
    alignment: Alignment

    @property
    def passages(self) -> tuple[Passage, ...]:
        return self.alignment.passages


def _moved(pa: Prepared, pb: Prepared, main: Alignment, ai: np.ndarray, bj: np.ndarray) -> list[_Moved]:
    """Alignments of the stretches both texts leave unaligned in ``main``, each stretch of a
    with the stretch of b holding most of the anchors it holds (each stretch used once)."""
    gaps_a = _unaligned([(p.a0, p.a1) for p in main.passages], main.len_a)
    gaps_b = _unaligned([(p.b0, p.b1) for p in main.passages], main.len_b)
    if not gaps_a or not gaps_b:
        return []
    starts_b = np.array([start for start, _ in gaps_b])
    ends_b = np.array([end for _, end in gaps_b])
    # The b stretch of each anchor, where its bigram lies wholly inside one (else -1).
    gap_of = np.searchsorted(starts_b, bj, side="right") - 1
    gap_of[(gap_of < 0) | (bj + 1 >= ends_b[np.maximum(gap_of, 0)])] = -1
    used: set[int] = set()
    out: list[_Moved] = []
    for a0, a1 in gaps_a:
        k = gap_of[(ai >= a0) & (ai + 1 < a1) & (gap_of >= 0)]
        counts = np.bincount(k, minlength=len(gaps_b))
        for g in used:
            counts[g] = 0
        best = int(np.argmax(counts))
        if counts[best] < MIN_ANCHORS:
            continue
        used.add(best)
        b0, b1 = gaps_b[best]
        sa, sb = Prepared.of(_slice(pa.tokens, a0, a1)), Prepared.of(_slice(pb.tokens, b0, b1))
        repeats = sa.repeated is not None and sb.repeated is not None
        sub = _align_in_order(sa, sb, *(_ranked_anchors(sa, sb) if repeats else anchors(sa, sb)))
        if not sub.number_conflicts and max(sub.coverage_a, sub.coverage_b) >= MIN_MOVED_COVERAGE:
            out.append(_Moved(a0, b0, sub))
    return out


def _with_moved(main: Alignment, moved: list[_Moved]) -> Alignment:
    """``main`` with the moved passages added at their places in both texts; each move is one
    more internal edit (a text with a moved paragraph is not the same text)."""
    def passage(p: Passage, m: _Moved) -> Passage:
        return Passage(p.a0 + m.a0, p.a1 + m.a0, p.b0 + m.b0, p.b1 + m.b0, p.matched)

    def edit(s: Substitution, m: _Moved) -> Substitution:
        return Substitution(s.a0 + m.a0, s.a1 + m.a0, s.b0 + m.b0, s.b1 + m.b0)

    return Alignment(
        len_a=main.len_a,
        len_b=main.len_b,
        matched=main.matched + sum(m.alignment.matched for m in moved),
        matched_content=main.matched_content + sum(m.alignment.matched_content for m in moved),
        passages=tuple(sorted(main.passages + tuple(passage(p, m) for m in moved for p in m.passages),
                              key=lambda p: (p.a0, p.b0))),
        substitutions=tuple(sorted(main.substitutions + tuple(edit(s, m) for m in moved for s in m.alignment.substitutions),
                                   key=lambda s: (s.a0, s.b0))),
        number_conflicts=tuple(sorted(main.number_conflicts + tuple(edit(s, m) for m in moved for s in m.alignment.number_conflicts),
                                      key=lambda s: (s.a0, s.b0))),
        numbers_shared=main.numbers_shared + sum(m.alignment.numbers_shared for m in moved),
        longest_run=max([main.longest_run] + [m.alignment.longest_run for m in moved]),
        internal_edits=main.internal_edits + len(moved),
    )


def _align_in_order(pa: Prepared, pb: Prepared, ai: np.ndarray, bj: np.ndarray) -> Alignment:
    """Alignment along the longest chain of the anchors (ai, bj) in the same order in both texts."""
    a, b = pa.tokens, pb.tokens
    if ai.shape[0] < MIN_ANCHORS and len(a) * len(b) > _REFINE_CELLS:
        # Fewer than two shared word pairs: no passage is possible, skip the walk.
        return Alignment(len(a), len(b), 0, 0, (), (), (), 0, 0, 0)
    walk = _calign.align_walk if _calign is not None else _align_walk_py
    (len_a, len_b, matched, matched_content, internal, numbers_shared, longest, passages, subs,
     conflicts) = walk(a.hashes, b.hashes, ai, bj, pa.content_upto, pa.numbers_upto, pb.numbers_upto,
                       MAX_SUB_TOKENS, MIN_PASSAGE_MATCHED, _REFINE_CELLS)
    return Alignment(
        len_a=len_a,
        len_b=len_b,
        matched=matched,
        matched_content=matched_content,
        passages=tuple(Passage(*p) for p in passages),
        substitutions=tuple(Substitution(*s) for s in subs),
        number_conflicts=tuple(Substitution(*s) for s in conflicts),
        numbers_shared=numbers_shared,
        longest_run=longest,
        internal_edits=internal,
    )


_Edit = tuple[int, int, int, int]
_Walk = tuple[int, int, int, int, int, int, int, tuple[tuple[int, int, int, int, int], ...], tuple[_Edit, ...], tuple[_Edit, ...]]


def _align_walk_py(ha: np.ndarray, hb: np.ndarray, ai: np.ndarray, bj: np.ndarray, content_upto_a: np.ndarray,
                   numbers_upto_a: np.ndarray, numbers_upto_b: np.ndarray, max_sub: int, min_passage: int,
                   refine_cells: int) -> _Walk:
    """The walk behind _align_in_order, in Python (_calign.c computes the same, compiled):
    (len_a, len_b, matched, matched_content, internal_edits, numbers_shared, longest_run,
    passages as (a0, a1, b0, b1, matched), substitutions and number conflicts as (a0, a1, b0, b1))."""
    if refine_cells != _REFINE_CELLS:
        raise ValueError("the Python walk refines gaps of _REFINE_CELLS only")
    ops = opcodes(ha, hb, ai, bj)
    cont_a = content_upto_a.tolist()
    num_a = numbers_upto_a.tolist()
    num_b = numbers_upto_b.tolist()
    passages: list[tuple[int, int, int, int, int]] = []
    subs: list[_Edit] = []
    conflicts: list[_Edit] = []
    matched = matched_content = numbers_shared = longest = 0
    cur: list[int] | None = None  # open passage: a0, b0, a1, b1, matched
    cur_subs: list[_Edit] = []
    cur_conflicts: list[_Edit] = []
    equal_ops = [k for k, op in enumerate(ops) if op[0] == "equal"]
    internal = 0
    if equal_ops:
        internal = sum(1 for op in ops[equal_ops[0] : equal_ops[-1] + 1] if op[0] != "equal")

    def close() -> None:
        nonlocal cur, cur_subs, cur_conflicts
        # Only edits inside a real passage count: differing view counters in cruft are not
        # differing facts.
        if cur is not None and cur[4] >= min_passage:
            passages.append((cur[0], cur[2], cur[1], cur[3], cur[4]))
            subs.extend(cur_subs)
            conflicts.extend(cur_conflicts)
        cur, cur_subs, cur_conflicts = None, [], []

    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            n = i2 - i1
            matched += n
            matched_content += cont_a[i2] - cont_a[i1]
            numbers_shared += num_a[i2] - num_a[i1]
            if n > longest:
                longest = n
            if cur is None:
                cur = [i1, j1, i2, j2, n]
            else:
                cur[2], cur[3], cur[4] = i2, j2, cur[4] + n
            continue
        short = (i2 - i1) <= max_sub and (j2 - j1) <= max_sub
        if short and cur is not None:
            if tag == "replace":
                if num_a[i2] > num_a[i1] and num_b[j2] > num_b[j1]:
                    cur_conflicts.append((i1, i2, j1, j2))
                else:
                    cur_subs.append((i1, i2, j1, j2))
            # A short insertion or deletion ("certainly one of") stays inside the passage too.
            cur[2], cur[3] = i2, j2
            continue
        close()
    close()
    return (ha.shape[0], hb.shape[0], matched, matched_content, internal, numbers_shared, longest,
            tuple(passages), tuple(subs), tuple(conflicts))


def shared_content_in_order(a: Prepared, b: Prepared) -> tuple[int, int]:
    """(shared content terms, of which appear in the same order in both texts).

    Paraphrases keep the facts' order while changing the words around them, so the ordered
    share of common names, numbers and rare words separates rewrites from same-topic reports.
    """
    if _calign is not None:
        shared, ordered = _calign.ordered_shared(a.terms, a.term_first, b.terms, b.term_first)
        return shared, ordered
    return _shared_content_in_order_py(a, b)


def _shared_content_in_order_py(a: Prepared, b: Prepared) -> tuple[int, int]:
    # First occurrence of each term in each text; shared terms ordered by their place in a,
    # then the longest run of them also increasing in b.
    fa, fb = a.term_first, b.term_first
    ia, ib = intersect_sorted(a.terms, b.terms)
    if ia.shape[0] == 0:
        return 0, 0
    pos_a, pos_b = fa[ia], fb[ib]
    in_b_order = pos_b[np.argsort(pos_a, kind="stable")].tolist()
    return int(ia.shape[0]), increasing_length(in_b_order)
