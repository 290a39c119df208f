"""What a text shows of how it was made, read off the text alone, once, at ingest.

Spinner artefacts, content-farm cruft, LLM-style markers, attributions to outlets, the rate of
LLM-favoured words, how irregular the text reads (sentence-length burstiness and people's
marks) and whether the text stops mid-sentence: none of
them depends on the rest of the archive, and together they cost about as much as tokenising
(regular expressions over the whole text). Stored with the fingerprint, so linking a whole
archive again reads them instead of scanning every text again.

Any change to what the readers in ``style`` or ``attribution`` find makes stored telltales stale:
bump ``fingerprint.FINGERPRINT_VERSION`` with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .attribution import Attribution, find_attributions
from .features import Tokens, tokenize
from .loops import loop_span
from .style import Marker, ai_style, cruft_lines, irregularity, llm_word_rate, model_framing, reads_cut_off, spinner_artefacts


@dataclass(frozen=True)
class Telltales:
    artefacts: tuple[Marker, ...]
    cruft: tuple[Marker, ...]
    # LLM style (kind 'ai_style'), a model's framing of its reply ('model_framing') and its
    # repetition loop ('model_loop', see loops.py)
    ai: tuple[Marker, ...]
    # (outlet, phrase, start, end) of each attribution; the document id is added when it is known.
    cited: tuple[tuple[str, str, int, int], ...]
    llm_words: float  # LLM-favoured words per 100 words (style.llm_word_rate), rounded
    # style.irregularity, rounded: sentence-length variation (style.burstiness) plus people's
    # marks (punctuation and slips models rarely write); kept under the name the linking traits
    # have always used.
    burstiness: float
    cut_off: bool  # style.reads_cut_off

    @property
    def style_markers(self) -> int:
        """How many LLM-style headings and stock phrases the text holds."""
        return sum(1 for m in self.ai if m.kind == "ai_style")

    @property
    def framings(self) -> int:
        """How many times a model framed its reply or looped: a model wrote the text."""
        return sum(1 for m in self.ai if m.kind in ("model_framing", "model_loop"))

    def attributions(self, doc_id: int) -> list[Attribution]:
        return [Attribution(doc_id, outlet, phrase, start, end) for outlet, phrase, start, end in self.cited]

    def to_json(self) -> bytes:
        def markers(found: tuple[Marker, ...]) -> list[list[Any]]:
            return [[m.kind, m.phrase, m.start, m.end, m.usual] for m in found]

        return json.dumps({
            "artefacts": markers(self.artefacts), "cruft": markers(self.cruft), "ai": markers(self.ai),
            "cited": [list(c) for c in self.cited], "llm_words": self.llm_words,
            "burstiness": self.burstiness, "cut_off": self.cut_off,
        }, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> "Telltales":
        raw = json.loads(data)

        def markers(rows: list[list[Any]]) -> tuple[Marker, ...]:
            return tuple(Marker(kind, phrase, start, end, usual) for kind, phrase, start, end, usual in rows)

        return cls(markers(raw["artefacts"]), markers(raw["cruft"]), markers(raw["ai"]),
                   tuple((outlet, phrase, start, end) for outlet, phrase, start, end in raw["cited"]),
                   raw["llm_words"], raw["burstiness"], raw["cut_off"])


def read_telltales(text: str, tokens: Tokens | None = None) -> Telltales:
    """``tokens``: the text's tokens, when the caller has them (else tokenised here)."""
    return Telltales(
        artefacts=tuple(spinner_artefacts(text)),
        cruft=tuple(cruft_lines(text)),
        ai=tuple(sorted(ai_style(text) + model_framing(text) + _loop(text, tokenize(text) if tokens is None else tokens),
                        key=lambda m: (m.start, m.end))),
        cited=tuple((a.outlet, a.phrase, a.start, a.end) for a in find_attributions(0, text)),
        llm_words=round(llm_word_rate(text), 3),
        burstiness=round(irregularity(text), 3),
        cut_off=reads_cut_off(text),
    )


def _loop(text: str, tokens: Tokens) -> list[Marker]:
    """The first repeated passage of a text that loops (loops.loop_span), as a marker."""
    span = loop_span(text, tokens)
    return [] if span is None else [Marker("model_loop", text[span[0]:span[1]], span[0], span[1])]
