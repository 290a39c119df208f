"""py3langid's ``classify`` for many texts at once, with the same answers.

py3langid walks a byte automaton over each text in a Python loop (~0.4 ms for a 600-character
sample, most of the cost of a call). Here the automaton steps all texts of a batch together with
numpy, one byte position at a time; each text's features are then scored exactly as py3langid
scores them (the same features in the same order, the same float32 arithmetic), so the result is
the one ``py3langid.classify`` gives (tests compare them).
"""

from __future__ import annotations

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


def classify_many(texts: Sequence[str], *, batch: int = 256) -> list[str]:
    """The language code ``py3langid.classify(text)`` gives for each text."""
    ident, nextmove, rowbase, output = _model()
    if not _supported(ident):
        return [str(py3langid.classify(text)[0]) for text in texts]
    codes: list[str] = []
    for start in range(0, len(texts), batch):
        codes += _classify_batch(ident, nextmove, rowbase, output, texts[start : start + batch])
    return codes


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
    codes = []
    for column, length in enumerate(lengths):
        found = features[:length, column]
        found = found[found >= 0]
        codes.append(_decide(ident, found))
    return codes


def _decide(ident: object, found: np.ndarray) -> str:
    """``LanguageIdentifier.classify`` from the features a text visited, in visiting order."""
    if found.size:
        # A Counter of the visits: features in order of first visit, with their counts.
        unique, first, counts = np.unique(found, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        idx = unique[order].astype(np.intp)
        scores = np.log1p(counts[order].astype(np.float32)) @ ident.nb_ptc[idx] + ident.nb_pc  # type: ignore[attr-defined]
    else:
        scores = np.full(len(ident.nb_classes), _langid.RAW_FLOOR, dtype=np.float32)  # type: ignore[attr-defined]
    for i, j in ident._alias_pairs:  # type: ignore[attr-defined]
        scores[i] = max(scores[i], scores[j])
        scores[j] = _langid.RAW_FLOOR
    return str(ident.nb_classes[int(scores.argmax())])  # type: ignore[attr-defined]
