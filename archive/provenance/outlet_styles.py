"""What kind of writer each outlet is, read over all of its texts (see outlet_rule._outlet_originals).

One loose rewrite's style says little about who wrote it; an outlet's texts, read together, do:
a model's outlet holds texts that read as LLM output on their own (a model's framing of its
reply, LLM-favoured words, stock phrases), a newsroom's or a wire's hardly any. The statistics
are the archive's, like its word frequencies: an update that links part of the archive is given
them (archive.provenance_store), so that it decides as a build of the whole archive would.
"""

from __future__ import annotations

import math
import statistics
from array import array
from collections.abc import Mapping
from dataclasses import dataclass

from .params import (AI_REWRITE_DENSITY, LLM_STYLED_WORDS, OUTLET_MIN_TEXTS, OUTLET_MODEL_SHARE, ROOT_AI_WEIGHT,
                     ROOT_BURST_WEIGHT, ROOT_LLM_WORD_WEIGHT)


_Z95 = 1.96  # the normal quantile of a two-sided 95% interval


@dataclass(frozen=True)
class OutletStyle:
    style: float  # the style measures' medians over its texts, weighted as the style preference weighs them
    model_share: float  # share of its texts that read as LLM output on their own (is_llm_styled)
    texts: int = OUTLET_MIN_TEXTS  # how many texts it was read over

    def surely_no_models(self) -> bool:
        """Its share of texts that read as LLM output is surely under OUTLET_MODEL_SHARE: so is the
        upper end of the share's 95% Wilson interval over the texts read (a wire's 19,043 stories,
        0.9% of them so styled: 1.1%; 100 texts, none styled: 3.7%). A few dozen texts, none
        styled, may still be a model's outlet whose texts rarely betray it."""
        n, p = self.texts, self.model_share
        spread = _Z95 * math.sqrt(p * (1 - p) / n + _Z95 ** 2 / (4 * n * n))
        upper = (p + _Z95 ** 2 / (2 * n) + spread) / (1 + _Z95 ** 2 / n)
        return upper < OUTLET_MODEL_SHARE


def outlets_to_read(counts: Mapping[str, int]) -> set[str]:
    """The outlets (``counts``: each one's texts) whose styles are worth reading: those holding
    OUTLET_MIN_TEXTS texts or more. One may read as a model's only beside another
    (outlet_rule._model_outlets: none when all do), but one read alone may still be surely a
    newsroom (OutletStyle.surely_no_models: a wire's dump beside texts that name no outlet)."""
    return {outlet for outlet, n in counts.items() if n >= OUTLET_MIN_TEXTS}


def ai_density(ai_markers: int, words: int) -> float:
    """LLM-style markers per 100 words (texts under 50 words counted as 50: a short text's one
    stock phrase is no rate)."""
    return 100.0 * ai_markers / max(words, 50)


def is_llm_styled(framing: int, llm_words: float, density: float) -> bool:
    """A text reads as LLM output on its own: a model's framing of its reply or repetition loop
    (which no published article holds), or LLM-favoured words or style markers at a high rate."""
    return framing > 0 or llm_words >= LLM_STYLED_WORDS or density >= AI_REWRITE_DENSITY


class StyleTally:
    """Each outlet's texts' style measures, added one text at a time (compact arrays: an archive
    of a million texts holds a few numbers for each)."""

    def __init__(self) -> None:
        self._bursts: dict[str, array] = {}
        self._llm_words: dict[str, array] = {}
        self._densities: dict[str, array] = {}
        self._styled: dict[str, int] = {}

    def add(self, outlet: str, words: int, llm_words: float, burstiness: float, ai_markers: int, framing: int) -> None:
        if outlet not in self._llm_words:
            self._bursts[outlet], self._llm_words[outlet], self._densities[outlet] = array("d"), array("d"), array("d")
            self._styled[outlet] = 0
        density = ai_density(ai_markers, words)
        if burstiness:  # (0.0: too few sentences to say)
            self._bursts[outlet].append(burstiness)
        self._llm_words[outlet].append(llm_words)
        self._densities[outlet].append(density)
        self._styled[outlet] += is_llm_styled(framing, llm_words, density)

    def styles(self) -> dict[str, OutletStyle]:
        """The outlets holding OUTLET_MIN_TEXTS texts or more, each with its style."""
        out = {}
        for outlet, llm_words in sorted(self._llm_words.items()):
            if len(llm_words) < OUTLET_MIN_TEXTS:
                continue
            bursts = self._bursts[outlet]
            style = (ROOT_BURST_WEIGHT * (statistics.median(bursts) if bursts else 0.0)
                     - ROOT_LLM_WORD_WEIGHT * statistics.median(llm_words)
                     - ROOT_AI_WEIGHT * statistics.median(self._densities[outlet]))
            out[outlet] = OutletStyle(style, self._styled[outlet] / len(llm_words), len(llm_words))
        return out
