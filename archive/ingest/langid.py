"""py3langid's ``classify`` for many texts at once, with the same answers, and its confidence.

py3langid walks a byte automaton over each text in a Python loop (~0.4 ms for a 600-character
sample, most of the cost of a call). Here the automaton steps all texts of a batch together with
numpy, one byte position at a time; each text's features are then scored exactly as py3langid
scores them (the same features in the same order, the same float32 arithmetic), so the result is
the one ``py3langid.classify`` gives (tests compare them).

A language is only named when py3langid is fairly sure of it: its normalised confidence (what
its ``norm_probs`` identifier gives) at least MIN_CONFIDENCE. A table of figures and
abbreviations ("Shr 27 cts vs 29 cts / Net 13,555,000") has no language to find, and the guess
for it is arbitrary: 1,077 of Reuters' 19,043 stories came out as Nigerian Pidgin, Volapük or
Occitan at confidences of 0.07-0.4 (median 0.26), where its English stories stand at 0.78 or
more (5th percentile). Such a text's language is left unknown rather than stored wrong.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import py3langid
from py3langid import langid as _langid

_MODEL: tuple[object, np.ndarray, np.ndarray, np.ndarray] | None = None


def _model() -> tuple[object, np.ndarray, np.ndarray, np.ndarray]:
    global _MODEL
    if _MODEL is None:
        ident = _langid._get_identifier()
        _MODEL = (
            ident,
            np.asarray(ident.tk_nextmove, dtype=np.int64),
            np.asarray(ident._rowbase, dtype=np.int64),
            np.asarray(ident.tk_output, dtype=np.int64),
        )
    return _MODEL


def _supported(ident: object) -> bool:
    # What this module reproduces: py3langid 0.4's default identifier (no normalised probabilities,
    # no minimum confidence).
    return (
        getattr(ident, "_norm_probs", True) is False
        and getattr(ident, "min_confidence", 1) is None
        and hasattr(ident, "_rowbase")
    )


MIN_CONFIDENCE = 0.5
# py3langid's identifier with normalised confidences, for the path that cannot batch (loaded once).
_NORMALISED: object = None


def classify_many(texts: Sequence[str], *, batch: int = 256) -> list[str | None]:
    """The language code ``py3langid.classify(text)`` gives for each text, or None where its
    normalised confidence is below MIN_CONFIDENCE."""
    return [code if confidence >= MIN_CONFIDENCE else None for code, confidence in rank_many(texts, batch=batch)]


def rank_many(texts: Sequence[str], *, batch: int = 256) -> list[tuple[str, float]]:
    """For each text, ``py3langid.classify``'s code and the confidence py3langid's ``norm_probs``
    identifier gives that code (softmax of the scores, tempered by the square root of the
    text's length in bytes)."""
    ident, nextmove, rowbase, output = _model()
    if not _supported(ident):
        return [_ranked_slowly(text) for text in texts]
    ranked: list[tuple[str, float]] = []
    for start in range(0, len(texts), batch):
        ranked += _classify_batch(ident, nextmove, rowbase, output, texts[start : start + batch])
    return ranked


def _ranked_slowly(text: str) -> tuple[str, float]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    global _NORMALISED
    if _NORMALISED is None:
        _NORMALISED = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # (Scored twice: the normalised scores' best is not always classify's code, e.g. for "".)
    code = str(py3langid.classify(text)[0])
    scores = _NORMALISED._decide(text)  # type: ignore[attr-defined]
    return code, float(scores[list(_NORMALISED.nb_classes).index(code)])  # type: ignore[attr-defined]


def _classify_batch(ident: object, nextmove: np.ndarray, rowbase: np.ndarray, output: np.ndarray,
                    texts: Sequence[str]) -> list[str]:
    encoded = [ident._encode(text) for text in texts]  # type: ignore[attr-defined]
    lengths = np.array([len(data) for data in encoded], dtype=np.int64)
    width = int(lengths.max()) if len(encoded) else 0
    # Byte positions as rows, texts as columns; past a text's end its column is ignored.
    grid = np.zeros((width, len(encoded)), dtype=np.int64)
    for column, data in enumerate(encoded):
        grid[: len(data), column] = np.frombuffer(data, dtype=np.uint8)
    features = np.empty((width, len(encoded)), dtype=np.int64)
    state = np.zeros(len(encoded), dtype=np.int64)
    for position in range(width):
        state = nextmove[rowbase[state] + grid[position]]
        features[position] = output[state]
    ranked = []
    for column, length in enumerate(lengths):
        found = features[:length, column]
        found = found[found >= 0]
        ranked.append(_decide(ident, found, int(length)))
    return ranked


def _decide(ident: object, found: np.ndarray, length: int) -> tuple[str, float]:
    """``LanguageIdentifier.classify`` from the features a text of ``length`` bytes visited, in
    visiting order; and the confidence the ``norm_probs`` identifier gives that code."""
    raw: np.ndarray | None = None
    if found.size:
        # A Counter of the visits: features in order of first visit, with their counts.
        unique, first, counts = np.unique(found, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        idx = unique[order].astype(np.intp)
        raw = np.log1p(counts[order].astype(np.float32)) @ ident.nb_ptc[idx] + ident.nb_pc  # type: ignore[attr-defined]
        scores = raw.copy()
    else:
        scores = np.full(len(ident.nb_classes), _langid.RAW_FLOOR, dtype=np.float32)  # type: ignore[attr-defined]
    for i, j in ident._alias_pairs:  # type: ignore[attr-defined]
        scores[i] = max(scores[i], scores[j])
        scores[j] = _langid.RAW_FLOOR
    best = int(scores.argmax())
    return str(ident.nb_classes[best]), _confidence(ident, raw, length, best)  # type: ignore[attr-defined]


def _confidence(ident: object, raw: np.ndarray | None, length: int, best: int) -> float:
    """What py3langid's ``norm_probs`` identifier gives class ``best``: its share of the softmax
    of the raw scores over sqrt(length) (aliased classes summed; no features: uniform)."""
    n = len(ident.nb_classes)  # type: ignore[attr-defined]
    probs = np.zeros(n, dtype=np.float32) if raw is None else raw * np.float32(1.0 / math.sqrt(length or 1))
    np.exp(probs - probs.max(), out=probs)
    probs /= probs.sum()
    for i, j in ident._alias_pairs:  # type: ignore[attr-defined]
        probs[i] += probs[j]
        probs[j] = 0.0
    return float(probs[best])
