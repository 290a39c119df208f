"""Per-document signatures computed once at ingest and stored as compact bytes."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

from .boilerplate import line_keys
from .features import Tokens, tokenize
from .telltales import Telltales, read_telltales

_MAGIC = b"PVF4"
# Stored fingerprints are keyed by this, not by the linking method's version: a change of how
# links are decided does not make the stored token streams stale; a change of tokenisation does
# (pvf2: ordinals, ages and decades hash as their number, see features.normalise_form), and so
# does a change of what telltales.read_telltales finds (pvf3: telltales stored with the tokens;
# pvf4: the burstiness trait adds people's marks, style.irregularity; pvf5: a model's framing of
# its reply, style.model_framing; pvf6: markup closing tags end a sentence in style.burstiness;
# pvf7: a word hyphened to a figure hashes as the figure, features.normalise_form; pvf8: a word
# with digits in it is no figure, features._base_kind; pvf9: a model's repetition loop, loops.py;
# pvf10: only a loop in prose, loops.letters_share; pvf11: more of a model's echoes of its request
# and labels of its reply, style._MODEL_FRAMING; pvf12: each Chinese or Japanese character is a
# token, features._TOKEN_WITH_CJK_RE, and a word keeps its combining marks, features._token_with_marks;
# pvf13: more shapes of a template's furniture lines (reading times, labels, date lines, bar-separated
# fields), style._CRUFT_LINE); pvf14: the keys of the text's standalone lines, that a site's short
# lines are told by their recurring on pages of different stories (boilerplate.line_keys); pvf15:
# no line with a figure written as a word is keyed; pvf16: a line with one count is keyed with a
# slot for it (boilerplate.LINE_MAX_COUNTS); pvf17: a feed's footer is furniture after a line that
# ends without a full stop too (style.cruft_lines); pvf18: a credit line names its source whatever the
# name, and a republisher's credit ("This article originally appeared on X") is one (attribution.py);
# pvf19: a credit line is furniture too (style._CREDIT_LABEL, _REPUBLISHED_LINE); pvf20: a text in
# German, French, Spanish, Italian, Portuguese or Dutch has its language's function words, and a
# German one no names by its capitals (languages.py); pvf21: an acronym in brackets before a dash
# with no dateline before it, and an organisation named before its staff ("SEC investigators"), are
# no outlets, and an outlet's name keeps its particles ("Radio del Plata") (attribution.py).
# pvf22: an outlet's name ends with its sentence ("according to Reuters. More than ...").
FINGERPRINT_VERSION = "pvf22"


@dataclass(frozen=True)
class Fingerprint:
    """What provenance needs from a document besides its text: its token stream, the keys of
    its standalone lines and its telltales.

    Hashes rather than strings keep it compact (about 17 bytes a token) and language-neutral;
    the text itself is only re-read to quote evidence. Telltales are None when they were not
    asked for (see from_bytes).
    """

    tokens: Tokens
    text_len: int
    # The telltales, or their stored form (from_bytes), decoded on first use: linking decodes
    # them in the worker that analyses the document, not all in this process before it forks.
    told: Telltales | bytes | None = field(default=None, compare=False)
    # The keys of its standalone lines (boilerplate.line_keys): the candidate index counts them
    # with its shingles, without the text.
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), compare=False)

    @property
    def telltales(self) -> Telltales | None:
        if isinstance(self.told, bytes):
            object.__setattr__(self, "told", Telltales.from_json(self.told))  # (frozen: set once, as decoded)
        assert not isinstance(self.told, bytes)
        return self.told

    def to_bytes(self) -> bytes:
        t = self.tokens
        head = struct.pack("<4sIII", _MAGIC, len(t), self.text_len, self.lines.shape[0])
        return b"".join(
            [
                head,
                t.hashes.astype("<i8").tobytes(),
                t.starts.astype("<i4").tobytes(),
                t.ends.astype("<i4").tobytes(),
                t.kinds.astype("u1").tobytes(),
                self.lines.astype("<i8").tobytes(),
                b"" if self.telltales is None else self.telltales.to_json(),
            ]
        )

    @classmethod
    def from_bytes(cls, data: bytes, telltales: bool = True) -> "Fingerprint":
        """``telltales=False`` leaves them out (a candidate index needs the tokens only); else
        they are decoded when first read (see told). The token arrays are read-only views of
        ``data`` (on a little-endian machine): copying them was a third of reading an archive's
        fingerprints, in the serial part of linking."""
        magic, n, text_len, n_lines = struct.unpack_from("<4sIII", data, 0)
        if magic != _MAGIC:
            raise ValueError("not a provenance fingerprint (or written by another method version)")
        off = struct.calcsize("<4sIII")
        hashes = np.frombuffer(data, "<i8", n, off).astype(np.int64, copy=False)
        off += 8 * n
        starts = np.frombuffer(data, "<i4", n, off).astype(np.int32, copy=False)
        off += 4 * n
        ends = np.frombuffer(data, "<i4", n, off).astype(np.int32, copy=False)
        off += 4 * n
        kinds = np.frombuffer(data, "u1", n, off).astype(np.uint8, copy=False)
        off += n
        lines = np.frombuffer(data, "<i8", n_lines, off).astype(np.int64, copy=False)
        off += 8 * n_lines
        return cls(Tokens(hashes, kinds, starts, ends), text_len, bytes(data[off:]) if telltales and len(data) > off else None,
                   lines)


def fingerprint_text(text: str) -> Fingerprint:
    tokens = tokenize(text)
    return Fingerprint(tokens, len(text), read_telltales(text, tokens), line_keys(tokens, text))
