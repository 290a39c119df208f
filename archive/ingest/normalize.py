"""Pure normalisation of records: clean whitespace, strip site cruft, find the title and language.

Cruft (share buttons, view counters, bylines, photo credits, tag lists...) is recognised by the
shape of a line, not by exact strings, because every site words it differently: a short line with
no sentence in it, made of interface words, counters, times and separators. Lines at the start or
end of the body are judged more loosely than lines in the middle, where a short line is more
likely to be a sub-heading.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from itertools import islice
from typing import Any

from archive.ingest.markup import CHARACTER_REFERENCE, resolve_references
from archive.ingest.records import RawRecord
from archive.invisible import without_hidden_joiners, without_invisible

# Half of a UTF-16 pair without its other half (JSON's "\\ud800", a feed's "&#xD800;"): no
# character, and no encoding can write it, so the store and the hash would refuse the record.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_OTHER_LINE_BREAKS = ("\u2028", "\u2029", "\x85", "\x0b", "\x0c")
# C1 control characters in scraped text are nearly always Windows-1252 punctuation decoded as
# Latin-1 ("don\x92t"): each becomes its cp1252 character (as ftfy's fix_c1_controls does) instead
# of being dropped with the other controls; the five cp1252 leaves undefined are still dropped.
_C1_AS_CP1252 = {code: bytes([code]).decode("cp1252") for code in range(0x80, 0xA0)
                 if code != 0x85 and code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_C1 = re.compile(r"[\x80-\x84\x86-\x9f]")
# Mojibake: UTF-8 read as Windows-1252 or Latin-1 ("donâ€™t", "cafÃ©"), a lead byte (Â-ô) followed
# by a continuation byte (0x80-0xBF) as those encodings show them. Only a text with such a pair
# goes to ftfy, which decides whether it really is mojibake (it leaves "Beyoncé’s" alone).
_CONTINUATION_BYTES = ("\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                       "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122")
_MOJIBAKE_HINT = re.compile(f"[\u00c2-\u00f4][{_CONTINUATION_BYTES}]")
# Cyrillic and Greek letters that look like Latin ones: Unicode's confusables for the Latin
# alphabet in the two scripts that copies disguised from plagiarism checks use (see _undisguised).
_LATIN_LOOKALIKES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M",
    "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q",
    "Ԝ": "W", "ο": "o", "ν": "v", "ρ": "p", "ι": "i", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H",
    "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}
_LATIN_FOR_LOOKALIKE = str.maketrans(_LATIN_LOOKALIKES)
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
_CYRILLIC_OR_GREEK = re.compile("[\u0370-\u03ff\u0400-\u052f]")
# Share of a text's letters that may be Cyrillic or Greek and no look-alike (a unit's "μ", a
# name, a mojibake remnant) while its words of look-alikes alone are still read as Latin; a
# quoted Russian sentence has more.
LOOKALIKE_TEXT_MAX_FOREIGN = 0.005
_LETTER_RUN = re.compile(r"\w+")
_MOJIBAKE_ROUNDS = 4  # (real text needs one; contrived strings can reveal new pairs a few times)
_SENTENCE_ENDS = (".", "!", "?", ":", '"', "”", "’", ")")
_BLANK_RUNS = re.compile(r"\n{3,}")
# A news API's mark where it cut the text it serves ("... [+2345 chars]", NewsAPI's): not the
# article's words, and a copy of the full article must not differ from it by these.
_TRUNCATION_MARK = re.compile(r"\[\+\d[\d,]* chars\]\s*$")
# Whitespace inside a line other than the plain space (tabs, no-break and other Unicode spaces).
_OTHER_SPACE = re.compile(r"[^\S\n ]")

_WORD = re.compile(r"[^\W_]+(?:['’.:,][^\W_]+)*")
_SEPARATORS = re.compile(r"[|•·»«/]")

# Words that make up site furniture rather than prose. A line made (almost) only of these,
# function words, numbers and times is interface text.
_UI_WORDS = frozenset("""
share shares shared sharing tweet retweet facebook twitter whatsapp telegram linkedin pinterest reddit
tumblr messenger instagram youtube tiktok flipboard email e-mail mail print copy link links url click tap
opens open new window tab like likes liked loading comment comments reply replies leave subscribe
subscribed subscription newsletter newsletters sign signup login log register follow followers
advertisement advertisements advert ad ads sponsored promoted related recommended popular trending
read reads more continue reading next previous prev older newer post posts article articles story
stories page home menu search skip content top back views view visits visited visit hits times today
tags tag tagged filed under posted category categories topics source photo photos image images
credit credits via copyright rights reserved written author admin editor published updated min mins
minute minutes hour hours ago also see watch video listen audio download app cookie cookies accept
privacy policy terms disclaimer feed rss permalink bookmark embed save saved google news
breaking latest follow-up continues below above scroll
""".split())
_FUNCTION_WORDS = frozenset("""
a an the to on in of for and or with this that is it at from be by your you me us our we my all here
now out up off as are was has have its
""".split())
_MONTHS = frozenset("""
jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august
september october november december mon tue wed thu fri sat sun monday tuesday wednesday thursday
friday saturday sunday am pm a.m p.m gmt utc est edt cet bst pst pdt ist
""".split())
_DIGIT = re.compile(r"\d")
_DATE_PART = re.compile(r"[0-3]?\d(?:st|nd|rd|th)?|(?:19|20)\d\d|\d{1,2}[:.]\d\d|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b")
_NUMBERISH = re.compile(r"\d+(?:[.,:/-]\d+)*[kmb]?", re.IGNORECASE)

_COUNTER = re.compile(
    r"\b\d[\d,.]*\s*[kmKM]?\s+(?:views?|visits?|reads?|hits|times|shares|comments?)\b"
    r"|\b(?:views?|visits?|reads?|hits|shares|comments?)\s*:?\s*\d",
    re.IGNORECASE,
)
_COUNT_NUMBER = re.compile(r"(?:views?|visited|reads?|hits)\D{0,3}(\d[\d,]*)|(\d[\d,]*)\s*(?:views?|times)", re.I)
_LABEL = re.compile(
    r"^\W*(?P<label>photo(?:graph)?s?|images?|pictures?|pic|credits?|foto|"
    r"(?:photo|image|picture|header image|featured image)\s+(?:credits?|source|by)|"
    r"tags?|tagged(?:\s+with)?|filed\s+under|posted\s+in|categor(?:y|ies)|topics?|keywords?|"
    r"source|via|copyright|"
    r"(?:also\s+)?read(?:\s+(?:more|also|next))?|related(?:\s+(?:articles?|stories|posts?|news|coverage))?|"
    r"see\s+also|more\s+on\s+this(?:\s+story)?|recommended|don['’]t\s+miss|must\s+read)"
    r"\b\s*[:\-–—|]\s*(?P<value>.+)$"
    # The BBC's captions: "Image source, Getty Images", "Image caption, The minister...".
    r"|^\W*(?P<caption>image\s+(?:source|caption)|media\s+caption),\s*(?P<caption_value>.+)$",
    re.IGNORECASE,
)
# "Filed under World", "Posted in Uncategorized": label phrases that need no colon.
_LABEL_PHRASE = re.compile(
    r"^\W*(?P<label>filed\s+under|posted\s+in|tagged\s+with|tagged|"
    r"(?:photo|image|picture|featured image|header image|cover image)\s+(?:by|courtesy(?:\s+of)?))\s+(?P<value>.+)$",
    re.IGNORECASE,
)
# A line that introduces what follows ("Here is the news article:", "Here's a rewritten version
# of the passage:"): a writer's words, not site furniture, and when a language model wrote them
# (its reply's framing) provenance's evidence that the text is a model's.
_INTRODUCTION = re.compile(r"^\W*(?:[a-z]+[,!]\s+)?here(?:'s|’s|\s+is|\s+are)\s+(?:a|an|the|your|my)\b.{0,100}:$",
                           re.IGNORECASE)
# An embedded social post as an extractor renders it: its words, then "— Name (@handle) May 29,
# 2018". Quoted in the story, so the story's words, whatever shape the rest of its line has.
_EMBEDDED_POST = re.compile(r"\(@\w{1,30}\)\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4}")
_BYLINE_START = re.compile(r"^\W*(?:written|posted|published|updated|last\s+updated|author)\b|^\W*by\s", re.I)
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|^\W*copyright\b|\ball rights reserved\b", re.IGNORECASE)
_AGENCY = re.compile(
    r"\b(?:getty|images?|photos?|reuters|ap|afp|epa|shutterstock|bloomberg|xinhua|press|wire|pool|stock|"
    r"agency|alamy|efe|dpa|anadolu|sipa|corbis|istock)\b",
    re.IGNORECASE,
)
_SHARE_WORDS = frozenset(
    "share tweet retweet facebook twitter whatsapp telegram linkedin pinterest reddit email print".split()
)

_MAX_UI_WORDS = 12      # interface lines are short; longer lines are prose
_MAX_LABEL_WORDS = 25   # "Tags: a, b, c" lines may list many tags
_MAX_TITLE_WORDS = 30
_MIN_WRAPPED_CHARS = 40  # hard-wrapped lines run to near the wrap width; short unfinished lines are headings
_MIN_WRAPPED_SHARE = 0.6  # of the longest line, that a wrapped line reaches (the next word did not fit)
_MAX_LEADING_HEADLINE_WORDS = 15  # a title line above a byline does not end the leading run
_MIN_LANGUAGE_LETTERS = 40  # py3langid guesses wildly on a few words
_LANGUAGE_SAMPLE_CHARS = 600  # 500-800 chars agreed with 2,000 on >= 2,248 of 2,250 news and web texts, ~1.7x faster
_LETTER = re.compile(r"[^\W\d_]")
_SPLIT_WORD_END = re.compile(r"[^\W\d_]-$")  # a word a print hyphen splits at the line's end


def without_lone_surrogates(raw: RawRecord) -> RawRecord:
    """``raw`` with U+FFFD for each lone surrogate in its fields and metadata, and how many were
    replaced in ``extra["lone_surrogates_replaced"]``: the rest of the text is kept, as a
    decoder's ``errors="replace"`` keeps it."""
    replaced = [0]

    def mend(value: Any) -> Any:
        if isinstance(value, str):
            mended, count = _LONE_SURROGATE.subn("\ufffd", value)
            replaced[0] += count
            return mended
        if isinstance(value, dict):
            return {mend(key): mend(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [mend(item) for item in value]
        return value

    fields = ("external_id", "text", "title", "author", "source", "url", "language", "record_ref")
    changes = {name: mend(getattr(raw, name)) for name in fields}
    extra, unknown = mend(raw.extra), mend(raw.unknown_fields)
    if not replaced[0]:
        return raw
    extra["lone_surrogates_replaced"] = replaced[0]
    return dataclasses.replace(raw, **changes, extra=extra, unknown_fields=unknown)


def normalize_text(text: str) -> str:
    """Mojibake repaired, HTML character references decoded, NFC, ``\\n`` newlines, no control
    characters, Latin words disguised with Cyrillic or Greek look-alikes spelt in Latin again,
    spaces for other whitespace, trimmed lines, at most one blank line.

    Runs of spaces inside a line stay: two spaces after a full stop are a person's habit, which
    provenance reads as one of the marks that tell a writer from a language model
    (archive.provenance.style.irregularity); search and display do not mind them.
    """
    # Mojibake is repaired before the controls it may hold are read as punctuation or dropped
    # ("â€\x9d" is "”"), and again while the cleaned text still shows some (contrived strings
    # only), so that normalising a normalised text changes nothing.
    if _MOJIBAKE_HINT.search(text):
        text = _without_mojibake(text)
    text = _cleaned(text)
    for _ in range(_MOJIBAKE_ROUNDS):
        if not _MOJIBAKE_HINT.search(text):
            break
        repaired = _cleaned(_without_mojibake(text))
        if repaired == text:
            break
        text = repaired
    # Cleaning can complete a reference ("&am\u200bp;"): decode until none is left.
    while CHARACTER_REFERENCE.search(text):
        decoded = _cleaned(text)
        if decoded == text:
            break  # an unknown name ("&foo;") stays as written
        text = decoded
    return text


def _cleaned(text: str) -> str:
    if "&" in text:
        text = _without_character_references(text)
    text = _unify_line_breaks(unicodedata.normalize("NFC", text))
    if _C1.search(text):
        text = text.translate(_C1_AS_CP1252)
    text = without_invisible(text)
    # Each of the two can make work for the other ("а\u200dbout"), so both until neither does.
    while True:
        before = text
        text = without_hidden_joiners(text)
        if _CYRILLIC_OR_GREEK.search(text):
            text = _undisguised(text)
        if text == before:
            break
    text = "\n".join(_line_spaces(line) for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


def _undisguised(text: str) -> str:
    """Latin words with Cyrillic or Greek look-alikes put in place of some of their letters
    ("аbout" with a Cyrillic "а"), as copies hidden from search and plagiarism checks are,
    spelt in Latin letters again: a word of Latin letters (accented too) and look-alikes whose
    Latin letters are at least as many, or any such word of a text whose Cyrillic and Greek
    letters are nearly all look-alikes (LOOKALIKE_TEXT_MAX_FOREIGN) while most of its letters are
    Latin ("оnе" in an English text that also writes "5 μg" or names "Аня"). So "Москвa", a
    Russian word with one Latin letter, "Яndex" and "Москва" quoted in an English text (its "в"
    is no look-alike) stay as written, and so does a Russian "а" in a quoted Russian sentence."""
    letters = [c for c in text if c.isalpha()]
    foreign = sum(1 for c in letters if c not in _LATIN_LOOKALIKES and _CYRILLIC_OR_GREEK.match(c))
    latin_text = (foreign <= LOOKALIKE_TEXT_MAX_FOREIGN * len(letters)
                  and sum(1 for c in letters if _LATIN_LETTER.match(c)) >= 0.5 * len(letters))

    def word(match: re.Match[str]) -> str:
        w = match.group()
        disguised = sum(1 for c in w if c in _LATIN_LOOKALIKES)
        if not disguised or any(c.isalpha() and not _LATIN_LETTER.match(c) and c not in _LATIN_LOOKALIKES for c in w):
            return w
        latin = sum(1 for c in w if _LATIN_LETTER.match(c))
        return w.translate(_LATIN_FOR_LOOKALIKE) if latin_text or latin >= disguised else w

    return _LETTER_RUN.sub(word, text)


def _without_character_references(text: str) -> str:
    """Text with its HTML character references ("&#8217;", "&amp;", "&nbsp;") decoded, escaped
    twice over too ("&amp;#8217;"). Exports and dumps carry them where a page's text was taken
    without its markup, and left as written each makes a copy's word differ from its source's
    ("Jolie’s" -> "Jolie&#8217;s"): a verbatim copy read as a spun one. Only references ending
    in ";": a bare "&copy" or "AT&T" is text."""
    while True:
        decoded = resolve_references(text)
        if decoded == text:
            return text
        text = decoded


def _without_mojibake(text: str) -> str:
    """Text that was UTF-8 read as another encoding, decoded as it was written. Scraped pages and
    dumps carry it, and unrepaired it is worse than ugly: every curly quote of a copy differs
    from its source's, so provenance would see a word swapped at each ("Baldwin’s" ->
    "Baldwinâ€™s") and call a verbatim copy spun."""
    import ftfy  # (only for the rare text that needs it)

    return str(ftfy.fix_encoding(text))


def _line_spaces(line: str) -> str:
    # Most lines hold no whitespace but plain spaces (str.isprintable() is False for tabs and
    # no-break spaces): the regex runs only where there is something to replace.
    line = line.strip()
    return line if line.isprintable() else _OTHER_SPACE.sub(" ", line)


def _single_spaced(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def _unify_line_breaks(text: str) -> str:
    # str.replace after a cheap `in` check, where most texts have none: a regex scans every character.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for line_break in _OTHER_LINE_BREAKS:
        if line_break in text:
            text = text.replace(line_break, "\n")
    return text


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text with single spaces: equal for texts that differ only in
    whitespace and the like, and the same as archives stored before runs of spaces were kept
    (their re-ingest finds the same texts unchanged; only a text with Windows-1252 punctuation
    decoded as C1 controls, which were dropped then, is updated)."""
    return hashlib.sha256(_single_spaced(normalize_text(text)).encode("utf-8")).hexdigest()


def normalize_record(raw: RawRecord, *, detect_language: bool = True) -> RawRecord:
    """A new record with normalised text and title, cruft moved to ``extra["removed_cruft"]``, title and language found.

    With ``detect_language=False`` the language is only the one the input gave (or None): the
    caller detects the rest in bulk with :func:`detect_languages`, which gives the same codes.
    """
    text = normalize_text(raw.text)
    title = _one_line(raw.title) if raw.title else None
    lines = text.split("\n")
    kinds = _cruft_kinds(lines)
    kept = [line for line, kind in zip(lines, kinds) if kind is None]
    if not any(kept):  # all of it looks like furniture: better keep it than lose the record's text
        kept, kinds = lines, [None] * len(lines)
    if raw.fmt == "txt" and not title:
        title = _headline(kept)
    kept = _without_title(kept, title)
    body = normalize_text("\n".join(kept)) or text
    extra = dict(raw.extra)
    cruft = [{"kind": kind, "text": line} for line, kind in zip(lines, kinds) if kind is not None]
    marked = _TRUNCATION_MARK.search(body)
    if marked and body[:marked.start()].strip():
        cruft.append({"kind": "truncation_mark", "text": marked.group().strip()})
        body = body[:marked.start()].rstrip()
    if cruft:
        extra["removed_cruft"] = cruft
        extra.update((key, value) for key, value in _cruft_metadata(cruft).items() if key not in extra)
    return dataclasses.replace(
        raw, text=body, title=title, extra=extra,
        language=_language(raw.language, body) if detect_language else _given_language(raw.language),
        unknown_fields=list(raw.unknown_fields),
    )


_CREDIT = "credit"  # classify_line's word for a credit line, which is kept


def classify_line(line: str, *, at_edge: bool) -> str | None:
    """The kind of cruft ``line`` is (``views``, ``photo_credit``, ``byline``, ...), None for prose,
    or ``credit`` for a line naming the story's source ("Source: Reuters"), which is kept.

    ``at_edge`` lines (before the first or after the last paragraph of prose) are judged loosely;
    in the middle only unmistakable shapes count.
    """
    # Every test below asks only whether there are at most _MAX_LABEL_WORDS words (or fewer), so
    # the scan stops one word after that: a paragraph of prose is not split into all its words.
    words = [match.group() for match in islice(_WORD.finditer(line), _MAX_LABEL_WORDS + 1)]
    if not words:
        return "separator" if line and at_edge else None
    if _INTRODUCTION.match(line) or ("(@" in line and _EMBEDDED_POST.search(line)):
        return None
    sentence = _is_sentence(line, words)
    # (A sentence or a long line is no label: most lines of prose skip the label patterns.)
    label = None if sentence or len(words) > _MAX_LABEL_WORDS else _LABEL.match(line) or _LABEL_PHRASE.match(line)
    if label:
        groups = label.groupdict()
        kind = _label_kind(groups.get("label") or groups.get("caption") or "")
        if kind == "source":
            # A credit ("Source: Deutsche Welle", "Via: Reuters") names where the story came from:
            # the text's own attribution, which provenance records, not the site's furniture. It
            # stays in the text; a run of furniture goes on past it (_cruft_kinds).
            return _CREDIT
        # A caption or a link to another article stands between paragraphs too: not the story's words.
        if at_edge or kind in ("photo_credit", "caption", "related"):
            return kind
    if at_edge and not sentence and len(words) <= _MAX_UI_WORDS and _BYLINE_START.match(line):
        if _looks_like_byline(line, words):
            return "byline"
    if not sentence and len(words) <= 15 and _COUNTER.search(line) and _mostly_furniture(words, allowed_content=0.25):
        return "views"
    if len(words) <= _MAX_UI_WORDS and _is_credit_line(line):
        return "photo_credit"
    if not at_edge:  # numbers in a short middle line are table cells, not counters
        furniture = len(words) <= 8 and not _DIGIT.search(line) and _mostly_furniture(words, allowed_content=0.0)
        return _ui_kind(words) if furniture else None
    if len(words) <= _MAX_LABEL_WORDS and _COPYRIGHT.search(line):
        return "copyright"
    if len(words) <= 6 and _looks_like_date(line, words):
        return "dateline"
    if len(words) <= _MAX_UI_WORDS and _is_menu_line(line):
        return "navigation"
    tail = line[0].islower() and line.endswith(".")  # the end of a sentence wrapped onto its own line
    if not tail and len(words) <= _MAX_UI_WORDS and _mostly_furniture(words, allowed_content=0.25):
        return _ui_kind(words)
    return None


def _cruft_kinds(lines: list[str]) -> list[str | None]:
    """Classify each line, loosely in the leading and trailing runs of cruft, strictly in between."""
    units = _units(lines)
    texts = [" ".join(lines[index] for index in unit) for unit in units]
    unit_kinds: list[str | None] = [None] * len(units)
    for order, headlines_allowed in ((range(len(units)), 1), (range(len(units) - 1, -1, -1), 0)):
        for number in order:
            kind = classify_line(texts[number], at_edge=True)
            if kind == _CREDIT:
                continue  # kept, and the run goes on past it
            if kind is None and headlines_allowed and _is_short_headline(texts[number]):
                headlines_allowed -= 1  # "Title / By Jane Doe / Share": the byline is still leading cruft
                continue
            if kind is None:
                break
            unit_kinds[number] = kind
    kinds: list[str | None] = [None] * len(lines)
    for number, unit in enumerate(units):
        kind = unit_kinds[number] or classify_line(texts[number], at_edge=False)
        kind = None if kind == _CREDIT else kind
        for index in unit:
            kinds[index] = kind
    return kinds


def _units(lines: list[str]) -> list[list[int]]:
    """Indices of the lines to judge together: each line, or whole paragraphs when the text is hard-wrapped.

    In hard-wrapped text ("...rose to 5.93\nmln bags in 1986.") a short line is the tail of a
    sentence, not a line of its own, so it must not be judged alone.
    """
    paragraphs: list[list[int]] = []
    for index, line in enumerate(lines):
        if not line:
            continue
        if paragraphs and paragraphs[-1][-1] == index - 1:
            paragraphs[-1].append(index)
        else:
            paragraphs.append([index])
    joins = [lines[index] for paragraph in paragraphs for index in paragraph[:-1]]
    # Wrapped lines run to near the wrap width, which no line passes: one paragraph a line, with
    # menu, share and related-story lines between (a page copied from a browser, an extractor's
    # output), has unfinished lines too, but far shorter than its paragraphs. (Dev corpora, 43,760
    # texts: two pages read anew, each losing a photo credit or a footer it had kept.)
    wrap_width = max(map(len, lines), default=0)
    shortest_wrapped = max(_MIN_WRAPPED_CHARS, _MIN_WRAPPED_SHARE * wrap_width)
    unfinished = sum(len(line) >= shortest_wrapped and not line.endswith(_SENTENCE_ENDS) for line in joins)
    if len(joins) >= 3 and unfinished >= len(joins) / 2:
        return paragraphs
    units: list[list[int]] = []
    for paragraph in paragraphs:
        for index in paragraph:
            if units and units[-1][-1] == index - 1 and _continues(lines[index - 1], lines[index]):
                units[-1].append(index)
            else:
                units.append([index])
    return units


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` is the wrapped tail of ``previous`` ("...rose 5 pct in the two days" / "ago.")."""
    return len(previous) >= _MIN_WRAPPED_CHARS and not previous.endswith(_SENTENCE_ENDS) and line[0].islower()


def _mostly_furniture(words: list[str], *, allowed_content: float) -> bool:
    """True when interface words lead (over numbers too) and at most ``allowed_content`` are content words."""
    interface = 0
    numbers = 0
    content = 0
    for word in words:
        lowered = word.lower().rstrip(".")
        if lowered in _UI_WORDS:
            interface += 1
        elif _is_number_or_date(lowered):
            numbers += 1
        elif lowered not in _FUNCTION_WORDS:
            content += 1
    return interface > 0 and interface >= numbers and content <= allowed_content * len(words)


def _looks_like_date(line: str, words: list[str]) -> bool:
    """"14 March 2024", "31.10.2023 16:22": only date parts, and a month name or a numeric date among them."""
    lowered = [word.lower().rstrip(".") for word in words]
    if not all(word in _MONTHS or _DATE_PART.fullmatch(word) for word in lowered):
        return False
    return bool(_NUMERIC_DATE.search(line)) or any(word in _MONTHS for word in lowered)


def _is_number_or_date(word: str) -> bool:
    return bool(_NUMBERISH.fullmatch(word)) or word.lower().rstrip(".") in _MONTHS


def _is_sentence(line: str, words: list[str]) -> bool:
    return len(words) >= 5 and line.rstrip("\"'”’)").endswith((".", "!", "?"))


def _is_short_headline(line: str) -> bool:
    return len(line.split()) <= _MAX_LEADING_HEADLINE_WORDS and not line.endswith((".", ",", ";", ":"))


def _is_credit_line(line: str) -> bool:
    """A photo credit: a few capitalised names separated by pipes or slashes, one of them an agency."""
    parts = _parts(line.strip("()[] "), r"[|/]")
    if len(parts) < 2 or not any(_AGENCY.search(part) for part in parts):
        return False
    return all(len(part.split()) <= 4 and all(_is_capitalised(word) for word in part.split()) for part in parts)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() or not word[:1].isalpha()


def _is_menu_line(line: str) -> bool:
    """"Home | World | Europe", "News » Local": three or more short items between separators."""
    parts = _parts(line, r"[|•·»«>/]")
    return len(parts) >= 3 and all(len(part.split()) <= 3 and not _DIGIT.search(part) for part in parts)


def _parts(line: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(separators, line) if part.strip()]


def _looks_like_byline(line: str, words: list[str]) -> bool:
    """"By Jane Doe", "Posted on 3 May 2021 by admin": a time, date or separator in it, or very short."""
    has_meta = any(_is_number_or_date(word) for word in words)
    return has_meta or bool(_SEPARATORS.search(line)) or (len(words) <= 5 and not line.endswith("."))


def _label_kind(label: str) -> str:
    lowered = " ".join(label.lower().split())
    if lowered in ("image caption", "media caption"):
        return "caption"
    if lowered.startswith(("photo", "image", "picture", "pic", "credit", "foto", "header", "featured", "cover")):
        return "photo_credit"
    if lowered.startswith(("read", "also", "related", "see", "more", "recommended", "don", "must")):
        return "related"
    if lowered.startswith(("tag", "filed", "posted", "categor", "topic", "keyword")):
        return "tags"
    if lowered == "copyright":
        return "copyright"
    return "source"


def _ui_kind(words: list[str]) -> str:
    lowered = {word.lower() for word in words}
    if lowered & _SHARE_WORDS:
        return "share"
    if lowered & {"advertisement", "advertisements", "advert", "ad", "ads", "sponsored", "promoted"}:
        return "advertisement"
    if lowered & {"subscribe", "newsletter", "newsletters", "follow", "sign", "signup", "register"}:
        return "subscribe"
    if lowered & {"comment", "comments", "reply", "replies"}:
        return "comments"
    return "navigation"


def _cruft_metadata(cruft: list[dict[str, str]]) -> dict[str, Any]:
    """Facts that cruft lines carry (view count, byline, photo credit, tags), keyed for ``extra``."""
    found: dict[str, Any] = {}
    for item in cruft:
        kind, line = item["kind"], item["text"]
        count = _COUNT_NUMBER.search(line) if kind in ("views", "byline") else None
        if count and "views" not in found:
            found["views"] = int((count.group(1) or count.group(2)).replace(",", ""))
        label = _LABEL.match(line) or _LABEL_PHRASE.match(line)
        groups = label.groupdict() if label else {}
        value = (groups.get("value") or groups.get("caption_value") or "").strip() if label else line
        if kind == "byline":
            found.setdefault("byline", line)
        elif kind == "photo_credit":
            found.setdefault("photo_credit", value)
        elif kind == "tags" and label:
            found.setdefault("tags", [tag.strip() for tag in re.split(r"[,;|•·]", value) if tag.strip()])
        elif kind == "copyright":
            found.setdefault("copyright", line)
    return found


def _headline(lines: list[str]) -> str | None:
    """The first non-empty line, when it is shaped like a headline rather than a paragraph: not
    too long, not ending as a clause does, and not running on into the line below it (the first
    line of a hard-wrapped paragraph, or of a word a print hyphen splits: "... the Chinese Mini-" /
    "stry of Commerce"), which would cut the paragraph's opening off the body."""
    start = next((index for index, line in enumerate(lines) if line), None)
    if start is None:
        return None
    first = lines[start]
    if len(first.split()) > _MAX_TITLE_WORDS or first.endswith((".", ",", ";", ":")):
        return None
    below = lines[start + 1] if start + 1 < len(lines) else ""
    if below and (_continues(first, below) or _SPLIT_WORD_END.search(first)):
        return None
    return " ".join(first.split())


def _without_title(lines: list[str], title: str | None) -> list[str]:
    """Drop the first line when it repeats the title, so the title is not counted twice."""
    first = next((index for index, line in enumerate(lines) if line), None)
    if title and first is not None and " ".join(lines[first].split()).casefold() == title.casefold():
        return lines[first + 1:]
    return lines


def _one_line(text: str) -> str | None:
    return " ".join(normalize_text(text).split()) or None


def _language(given: str | None, text: str) -> str | None:
    """ISO 639-1 code: the one the input gave (``en-US`` -> ``en``), else detected from the text."""
    code = _given_language(given)
    if code:
        return code
    sample = _language_sample(text)
    if sample is None:
        return None
    from archive.ingest.langid import classify_many

    return classify_many([sample])[0]


def _given_language(given: str | None) -> str | None:
    if given:
        code = re.split(r"[-_]", given.strip().lower())[0]
        if len(code) == 2 and code.isalpha():
            return code
    return None


def _language_sample(text: str) -> str | None:
    """The start of ``text`` that the language is detected from; None when too few letters."""
    sample = text[:_LANGUAGE_SAMPLE_CHARS]
    return sample if len(_LETTER.findall(sample)) >= _MIN_LANGUAGE_LETTERS else None


def detect_languages(records: list[RawRecord]) -> list[RawRecord]:
    """Records normalised with ``detect_language=False``, their language detected all at once.

    Gives what ``normalize_record`` would have: a record with no language gets one detected from
    its text (``langid.classify_many``, py3langid's answers at a fraction of the cost).
    """
    wanted = [(i, _language_sample(r.text)) for i, r in enumerate(records) if r.language is None]
    wanted = [(i, sample) for i, sample in wanted if sample is not None]
    out = list(records)
    if not wanted:
        return out  # (nor the model loaded: ~0.5 s)
    from archive.ingest.langid import classify_many

    for (i, _), code in zip(wanted, classify_many([sample for _, sample in wanted])):
        out[i] = dataclasses.replace(out[i], language=code)
    return out
