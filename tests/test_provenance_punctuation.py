"""People's punctuation: typographic quotes, ellipses, exclamation and question marks and web
furniture that human-written news carries and language models rarely write. It is added to the
sentence-length variation that linking compares between related texts (style.irregularity).

Hand-written fixtures only (no shared data).
"""

from __future__ import annotations

import pytest

from archive.provenance import DocInput, ProvenanceIndex
from archive.provenance.style import (
    PUNCTUATION_CAP,
    PUNCTUATION_WEIGHT,
    burstiness,
    irregularity,
    peoples_punctuation,
)
from archive.provenance.telltales import read_telltales

from test_provenance_family import FILLERS, SIBLING_A, SIBLING_B, SOURCE

# The family fixture's source as a newsroom's publishing system sets it: typographic quotes, an
# ellipsis and a question in the quote. Same words, same sentences.
TYPESET_SOURCE = (SOURCE.replace('"We had no choice,"', "“We had no choice,”")
                  .replace('"If a gate fails', "“If a gate fails")
                  .replace('cottage with it."', "cottage with it… What then?”"))


def test_peoples_punctuation_counts_what_models_rarely_write() -> None:
    assert peoples_punctuation("plain words, a comma. (brackets) and - dashes; 'quotes' \"too\"") == 0.0
    # Per 100 words, with at least 50 words counted (as llm_word_rate): 5 characters here.
    assert peoples_punctuation("“Really?” she asked | Site @handle") == pytest.approx(100.0 * 5 / 50)
    assert peoples_punctuation(TYPESET_SOURCE) > peoples_punctuation(SOURCE) == 0.0


def test_irregularity_adds_capped_punctuation_to_burstiness() -> None:
    assert irregularity(SOURCE) == burstiness(SOURCE)  # plain ASCII: rhythm only
    expected = burstiness(TYPESET_SOURCE) + PUNCTUATION_WEIGHT * min(peoples_punctuation(TYPESET_SOURCE), PUNCTUATION_CAP)
    assert irregularity(TYPESET_SOURCE) == pytest.approx(expected)
    assert irregularity(TYPESET_SOURCE) > burstiness(TYPESET_SOURCE)
    # Capped: a page of pipes and at-signs is not judged by them alone.
    noisy = "One line | two @ three! Four | five? " * 3 + "Six words are in this one. Seven more words are in this one too."
    assert irregularity(noisy) <= burstiness(noisy) + PUNCTUATION_WEIGHT * PUNCTUATION_CAP + 1e-9
    # Too few sentences to say anything stays "unknown", whatever the punctuation.
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


def test_a_typeset_source_reads_more_as_the_source_of_its_rewrites() -> None:
    plain, typeset = _index(SOURCE), _index(TYPESET_SOURCE)
    for rewrite in (2, 3):
        gain = typeset._style_preference(1, rewrite) - plain._style_preference(1, rewrite)
        assert gain == pytest.approx(
            PUNCTUATION_WEIGHT * min(peoples_punctuation(TYPESET_SOURCE), PUNCTUATION_CAP), abs=2e-3)
        assert typeset._source_preference(1, rewrite) > plain._source_preference(1, rewrite)
    assert typeset._family_root([2, 1, 3]) == 1
