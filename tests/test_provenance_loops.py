"""A model's repetition loop: found in a text that goes round in circles, never in prose or in
tables whose rows repeat their words around other figures; such a text reads as a model's."""

from __future__ import annotations

from archive.provenance import DocInput, ProvenanceIndex
from archive.provenance.features import tokenize
from archive.provenance.loops import LOOP_GRAM, LOOP_MIN_LETTERS, LOOP_MIN_SHARE, loop_span, repeated_share
from archive.provenance.telltales import read_telltales

PROSE = (
    "The harbour authority will close the Corvay lock on 3 March for nine weeks of repairs. Engineers found "
    "corroded gates in January, and the harbour master said she had no choice. About 140 barges a week use "
    "the lock, most of them carrying grain and timber from the Ostrel valley to the coast. Freight firm "
    "Dunmore Haulage said it would move cargo by road; others will wait. The authority has set aside 4.2 "
    "million euros for the work, which includes two new gates and a rebuilt pump house."
)

LOOPING = (
    "However, he added that he was not in a rush to introduce her to his kids. \"I'm going to take my time,\" "
    "he said.\n\n"
    + "Gwen and Blake's Love Story: Inside Their Relationship Over The Years\n\n" * 6
    + "Gwen and Blake's Sweetest Moments: From Concert Duets to Family Trips\n\n" * 3
)

# A commodity table: each row repeats its words, but around other figures.
TABLE = "\n".join(
    f"Week ending April {day} shipments of wheat rose to {day * 37} thousand tonnes from {day * 31} tonnes"
    for day in range(1, 12)
) + "\nNote - figures are provisional and may not add up due to rounding of the weekly totals."


def test_a_text_that_goes_round_in_circles_loops() -> None:
    share, first = repeated_share(tokenize(LOOPING))
    assert share >= LOOP_MIN_SHARE and first is not None
    start, end = loop_span(LOOPING, tokenize(LOOPING))
    assert LOOPING[start:end].startswith("Gwen and Blake's Love Story")
    assert len(LOOPING[start:end].split()) == LOOP_GRAM


def test_prose_and_tables_that_repeat_their_words_around_other_figures_do_not_loop() -> None:
    assert repeated_share(tokenize(PROSE)) == (0.0, None)
    share, _ = repeated_share(tokenize(TABLE))
    assert share < LOOP_MIN_SHARE and loop_span(TABLE, tokenize(TABLE)) is None
    # A passage said three times in a longer article is a quote or a formula, not a loop.
    quoted = PROSE + (" \"We had no choice at all,\" said the harbour master of the port of Saltmere." * 3) + PROSE
    share, first = repeated_share(tokenize(quoted))
    assert first is not None and share < LOOP_MIN_SHARE


# Page furniture an extraction kept: a server's warning printed before each gallery image, and a
# booking calendar's month after month of weekday rows. Both repeat more than half the page.
WARNINGS = "".join(
    f"Warning: Non-static method Gallery::get_option() should not be called statically in "
    f"/www/htdocs/w00a2ebd/wp-content/plugins/gallery/lib/image.php on line {line}\n"
    for line in (310, 310, 310, 427, 427, 427)
) + "Colours of the soul: photographs of the coast at dawn, taken over one winter."

CALENDAR = "\n".join(
    f"{month} 2020 | Mo | Tu | We | Th | Fr | Sa | Su | " + " | ".join(str(day) for day in range(1, 29))
    for month in ("January", "February", "March", "April")
) + "\nThe cabin sleeps four and has a wood stove, a sauna and a jetty on the lake."


def test_repeated_page_furniture_is_no_model_loop() -> None:
    for page in (WARNINGS, CALENDAR):
        share, first = repeated_share(tokenize(page))
        assert first is not None and share >= LOOP_MIN_SHARE  # it repeats as much as a loop...
        assert loop_span(page, tokenize(page)) is None        # ...but not in prose
        assert not any(m.kind == "model_loop" for m in read_telltales(page).ai)


def test_a_loop_in_prose_reaches_the_letters_bound() -> None:
    from archive.provenance.loops import _repeated, letters_share

    covered, _ = _repeated(tokenize(LOOPING))
    assert covered is not None and letters_share(LOOPING, tokenize(LOOPING), covered) >= LOOP_MIN_LETTERS


def test_a_short_text_says_too_little() -> None:
    assert repeated_share(tokenize("Lock her up. " * 12)) == (0.0, None)


def test_the_loop_is_a_telltale_of_a_model_and_its_text_never_sources_a_rewrite() -> None:
    told = read_telltales(LOOPING)
    assert [m.kind for m in told.ai if m.kind == "model_loop"] == ["model_loop"]
    assert read_telltales(LOOPING, tokenize(LOOPING)) == told
    assert not any(m.kind == "model_loop" for m in read_telltales(PROSE + "\n\n" + TABLE).ai)
    index = ProvenanceIndex()
    index.update([DocInput(1, LOOPING), DocInput(2, PROSE)])
    index.result()
    assert index._llm_styled(1) and not index._llm_styled(2)
    assert index.traits[1].framing == 1


def _reference_share(hashes: list[int]) -> float:
    """repeated_share as its definition reads, passage by passage."""
    from collections import Counter

    grams = [tuple(hashes[i:i + LOOP_GRAM]) for i in range(len(hashes) - LOOP_GRAM + 1)]
    counts = Counter(grams)
    covered = [False] * len(hashes)
    for i, gram in enumerate(grams):
        if counts[gram] >= 3:
            covered[i:i + LOOP_GRAM] = [True] * LOOP_GRAM
    return sum(covered) / len(hashes)


def test_the_share_matches_its_definition_on_random_token_streams() -> None:
    import random

    import numpy as np

    from archive.provenance.features import Tokens

    rng = random.Random(11)
    for _ in range(300):
        # Few distinct tokens and pasted repeats, so passages recur often.
        stream = [rng.randrange(4) for _ in range(rng.randrange(50, 160))]
        for _ in range(rng.randrange(4)):
            at, size = rng.randrange(len(stream)), rng.randrange(8, 30)
            stream[at:at] = stream[:size] * rng.randrange(1, 4)
        n = len(stream)
        tokens = Tokens(np.array(stream, dtype=np.int64), np.zeros(n, np.uint8), np.zeros(n, np.int32),
                        np.zeros(n, np.int32))
        share, _ = repeated_share(tokens)
        assert abs(share - _reference_share(stream)) < 1e-12
