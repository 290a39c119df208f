"""People's marks: typographic quotes, ellipses, exclamation and question marks, web furniture,
double spaces and sentences begun in lower case, which human-written news carries and language
models rarely write. They are added to the sentence-length variation that linking compares
between related texts (style.irregularity).

Hand-written fixtures only (no shared data).
"""

from __future__ import annotations

import pytest

from archive.provenance import DocInput, ProvenanceIndex
from archive.provenance.style import MARK_CAP, MARK_WEIGHT, burstiness, irregularity, peoples_marks
from archive.provenance.telltales import read_telltales

from test_provenance_family import FILLERS, SIBLING_A, SIBLING_B, SOURCE

# The family fixture's source as a newsroom's publishing system sets it: typographic quotes, an
# ellipsis and a question in the quote. Same words, same sentences.
TYPESET_SOURCE = (SOURCE.replace('"We had no choice,"', "“We had no choice,”")
                  .replace('"If a gate fails', "“If a gate fails")
                  .replace('cottage with it."', "cottage with it… What then?”"))
# ... and as a scraper takes it from a page: blocks joined with double spaces, a sentence that the
# page's author began in lower case.
SCRAPED_SOURCE = SOURCE.replace("in January.\n\n", "in January.  ").replace("Others will wait.", "others will wait.")


def _weighted(text: str) -> float:
    return MARK_WEIGHT * sum(min(rate, MARK_CAP) for rate in peoples_marks(text))


def test_peoples_marks_count_what_models_rarely_write() -> None:
    plain = "plain words, a comma. (brackets) and - dashes; 'quotes' \"too\". Then a capital."
    assert peoples_marks(plain) == (0.0, 0.0, 0.0)
    # Per 100 words, with at least 50 words counted (as llm_word_rate): 5 characters here.
    assert peoples_marks("“Really?” she asked | Site @handle")[0] == pytest.approx(100.0 * 5 / 50)
    assert peoples_marks("One.  Two. and three.")[1:] == pytest.approx((100.0 / 50, 100.0 / 50))
    assert peoples_marks(SOURCE) == (0.0, 0.0, 0.0)
    assert peoples_marks(TYPESET_SOURCE)[0] > 0 and peoples_marks(SCRAPED_SOURCE)[1] > 0 and peoples_marks(SCRAPED_SOURCE)[2] > 0


def test_irregularity_adds_capped_marks_to_burstiness() -> None:
    assert irregularity(SOURCE) == burstiness(SOURCE)  # plain ASCII, tidy: rhythm only
    for text in (TYPESET_SOURCE, SCRAPED_SOURCE):
        assert irregularity(text) == pytest.approx(burstiness(text) + _weighted(text))
        assert irregularity(text) > burstiness(text)
    # Capped: a page of pipes and at-signs is not judged by them alone.
    noisy = "One line | two @ three! Four | five? " * 3 + "Six words are in this one. Seven more words are in this one too."
    assert irregularity(noisy) <= burstiness(noisy) + 3 * MARK_WEIGHT * MARK_CAP + 1e-9
    # Too few sentences to say anything stays "unknown", whatever the marks.
    assert irregularity("“Two sentences?” Only two… here!") == 0.0


def test_stored_trait_is_the_irregularity() -> None:
    told = read_telltales(TYPESET_SOURCE)
    assert told.burstiness == round(irregularity(TYPESET_SOURCE), 3)
    assert told.burstiness > round(burstiness(TYPESET_SOURCE), 3)


def _index(source: str) -> ProvenanceIndex:
    docs = [DocInput(1, source), DocInput(2, SIBLING_A, source="model-a"), DocInput(3, SIBLING_B, source="model-b")]
    index = ProvenanceIndex()
    index.update(docs + [DocInput(100 + k, text) for k, text in enumerate(FILLERS)])
    index.result()
    return index


@pytest.mark.parametrize("marked", [TYPESET_SOURCE, SCRAPED_SOURCE])
def test_a_source_with_peoples_marks_reads_more_as_the_source_of_its_rewrites(marked: str) -> None:
    plain, index = _index(SOURCE), _index(marked)
    rhythm = burstiness(marked) - burstiness(SOURCE)  # the scraped version joins two paragraphs
    for rewrite in (2, 3):
        gain = index._style_preference(1, rewrite) - plain._style_preference(1, rewrite)
        assert gain == pytest.approx(rhythm + _weighted(marked), abs=2e-3)
        assert gain > rhythm + 0.01
    assert index._family_root([2, 1, 3]) == 1
