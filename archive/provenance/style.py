"""Document-level traits that say "this is a copy" without seeing the original.

Three kinds, each returned as located evidence:
- site cruft (view counters, bylines of content farms) that originals from newsrooms lack;
- language-model rewrite style (section headings inside the body, stock transitions);
- known synonym-spinner artefacts.

The artefact list is deliberately small and documented as a list: "tortured phrases" reported
for spinning tools by Cabanac, Labbé & Magazinov (2021, arXiv:2107.06751) plus a few spinner
collocations common in content-farm copies of news ("this 12 months" for "this year"). It is a
fallback for a spun copy whose original is not in the archive; when the original is present the
substitution pairs found by alignment are the evidence, whatever the spinner's dictionary.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .attribution import REPUBLISHED


@dataclass(frozen=True)
class Marker:
    kind: str      # 'cruft' | 'ai_style' | 'model_framing' | 'spinner_artefact'
    phrase: str
    start: int
    end: int
    usual: str | None = None  # the ordinary phrase a spinner artefact stands for


# (artefact regex, the usual phrase, literals one of which each match holds, lower-cased).
# Word boundaries keep "this 12 months' results" (a period of twelve months) distinct from the
# spun "earlier this 12 months". The literals let one cheap pass of `in` skip a regex: most
# news holds none of them.
SPINNER_ARTEFACTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (r"\b(?:earlier|later|so far|since|until|of|in|by|during|for) this 12 months\b(?![-\w])", "this year",
     ("this 12 months",)),
    (r"(?:^|[.,;]\s+)this 12 months\b", "this year", ("this 12 months",)),
    (r"\bfinal 12 months\b", "last year", ("final 12 months",)),
    (r"\bcertainly one of (?:the|its|his|her|their|our|my)\b", "one of", ("certainly one of ",)),
    (r"\bthe corporate[’']s\b", "the company's", ("the corporate’s", "the corporate's")),
    (r"\bstilted intelligence\b", "artificial intelligence", ("stilted intelligence",)),
    (r"\bcounterfeit (?:consciousness|intelligence)\b", "artificial intelligence", ("counterfeit ",)),
    (r"\bman-made consciousness\b", "artificial intelligence", ("man-made consciousness",)),
    (r"\bprofound (?:learning|neural)\b", "deep learning", ("profound ",)),
    (r"\b(?:colossal|enormous|huge) information\b", "big data", (" information",)),
    (r"\bbosom (?:malignancy|disease|cancer|malignant growth)\b", "breast cancer", ("bosom ",)),
    (r"\birregular (?:timberland|woodland)\b", "random forest", ("irregular ",)),
    (r"\bflag to (?:commotion|clamor)\b", "signal to noise", ("flag to ",)),
    (r"\bhaphazard access memory\b", "random access memory", ("haphazard access memory",)),
    (r"\bcell phone (?:organization|organisation)\b", "mobile network", ("cell phone ",)),
)
_ARTEFACT_RES = tuple((re.compile(p, re.IGNORECASE), usual, needles) for p, usual, needles in SPINNER_ARTEFACTS)

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DATE = (rf"(?:{_MONTH} \d{{1,2}},? (?:19|20)\d\d|\d{{1,2}} {_MONTH},? (?:19|20)\d\d|"
         r"(?:19|20)\d\d-\d\d-\d\d|\d{1,2}/\d{1,2}/(?:19|20)\d\d)")

# Content-farm furniture: bylines with times and view counters, share prompts and share bars,
# the dates, breadcrumbs, comment counts and copyright lines of blog templates (WordPress and
# the like). Matched on short lines only, because the same words occur in real sentences.
_CRUFT_LINE = re.compile(
    r"(?i)^(?:written by\b.*|posted (?:by|on|in)\b.*|.*\bviews?:\s*\d+.*|\(visited \d+ times.*\)|"
    r"share (?:this|on|via)\b.*|click here\b.*|subscribe\b.*|read more\b.*|advertisement|"
    r"related(?: posts| articles| stories| news)?:?|follow us\b.*|sign up\b.*|tags?:.*|"
    r"(?:source|image|photo|credit)s?:.*|"
    r"(?:last )?updated(?: on)?:? .*\d.*|published(?: on)?: .*\d.*|"
    r"home ?[»›>/|] ?\w.*|"
    r"(?:copyright ?(?:©|\(c\))?|©|\(c\)) ?(?:19|20)\d\d\b.*|.*\ball rights reserved\.?|"
    r".*\b\d+ comments?|no comments(?: yet)?\.?|leave a (?:comment|reply)\b.*|"
    r"(?:facebook|twitter|whatsapp|e-?mail|pinterest|linkedin|reddit|telegram|print)|"
    r"(?:you (?:may|might) also like|don't miss|continue reading|filed under|categor(?:y|ies):).*|"
    r"like this (?:article|post|story)\?.*|"
    # Reading times, labels above a headline, share counts, author lines, and a line that is
    # only a date (and time): a news or blog template's, not a story's.
    r".*\b\d+\s*min(?:ute)?s?\.? read|reading time:? .*\d.*|"
    r"(?:breaking(?: news)?|trending(?: now)?|sponsored(?: content)?|featured(?: story)?|top stories|"
    r"latest news|editor'?s picks?|must read|read next:?.*)|"
    r"(?:\W+ )?[\d.,]+k? shares?|author: .{2,60}|"
    rf"(?:{_WEEKDAY},? )?{_DATE}(?:,? (?:at |- |– )?\d{{1,2}}[:.]\d\d(?: ?[ap]\.?m\.?)?(?: [a-z]{{2,4}})?)?|"
    # A line of a few short fields set apart by bars or bullets, one a date or time ("admin |
    # March 3, 2017 | Business", "Markets • 2 hours ago").
    r"(?!.*[.!?]$)(?=[^|•·]*\s[|•·]\s)(?=.*(?:\b(?:19|20)\d\d\b|\d:\d\d|\bago\b))(?:[^|•·]{1,40}\s[|•·]\s){1,4}[^|•·]{1,40}"
    r")$"
)
LINE_ENDS = frozenset(".!?:;\"')]”’»|")  # a line ending so finishes its sentence or heading
# A feed's footer names the post it closes, so it can be longer than other furniture.
_FEED_FOOTER = re.compile(r"(?i)^the post .{1,250} appeared first on .{1,80}$")
# A republisher's credit line ("Source: Deutsche Welle", "This article originally appeared on X"):
# the text's attribution (attribution.py reads it), not its story; two copies that carry one
# credit are not the more alike for it than each is like the original, which has none.
# A labelled credit is unmistakable after any line; a republisher's sentence only where a line
# can start one (not inside a wrapped sentence).
_CREDIT_LABEL = re.compile(r"^\W*(?:Source|SOURCE|Via|VIA)\s*[:\-–—|]\s*\S.{0,100}$")
_REPUBLISHED_LINE = re.compile("^" + REPUBLISHED + r"[A-Z].{0,150}$")

# Stock phrasing of LLM rewrites. Each is ordinary English; it is the density that counts.
_AI_PHRASES = re.compile(  # matched against the lower-cased text
    r"\b(?:in conclusion|overall,|furthermore,|moreover,|additionally,|it is (?:important|worth|crucial) "
    r"to note|it remains to be seen|in a (?:stunning|surprising|shocking) turn of events|"
    r"this (?:highlights|underscores|serves as)|underscor(?:es|ing)|showcas(?:es|ing)|"
    r"amidst|delve|a testament to|shed(?:s|ding)? light on|navigat(?:e|ing) the|"
    r"headline:|title:|\[current date\]|\[insert|in summary|as a result,|notably,|"
    r"the (?:news|article|report) (?:highlights|emphasizes|suggests))"
)


# A model's reply to its prompt, left in the text: an opening that presents what follows ("Here
# is the news article:", "Sure! Here's a rewrite of the piece:", a line of its own ending in a
# colon), a closing that addresses the person who asked ("I hope this helps", "Let me know if you
# want changes", "Feel free to adjust"), the model speaking of itself ("As an AI language model"),
# or the prompt echoed ("based on the sentence you provided"). Unlike the stock phrases above, a
# published article never holds these (dev: 95 of 1,522 LLMFake rewrites, none of its 535 sources,
# none of Reuters' 19,043 stories or of the spun copies), so one is enough to say a model wrote
# the text (see model_framing).
_MODEL_FRAMING = (
    # Each pattern with the literals one of which it needs (lower-cased): most texts hold none, and
    # a search that cannot start from a literal costs as much as tokenising the text.
    (re.compile(r"(?:^|\n)[ \t]*(?:(?:sure|certainly|of course|absolutely)[,!] )?here(?:'s| is| are) "
                r"(?:a|an|the|your|my)\b[^\n]{0,100}:[ \t]*(?=\n|$)", re.IGNORECASE),
     ("here",)),
    (re.compile(r"\b(?:i hope (?:this|that|it) (?:helps|meets|fits|works)|let me know if (?:you|there)|"
                r"feel free to (?:modify|adjust|edit|change|use)|as an ai\b|as a language model|"
                r"i(?:'m| am) sorry,? but (?:i|as)|"
                r"based on the (?:sentence|prompt|text|headline|information) (?:you|above|provided|given))", re.IGNORECASE),
     ("i hope", "let me know", "feel free", "as an ai", "language model", "sorry", "based on the")),
    # The request itself, echoed before the text it asked for ("Please paraphrase the given
    # passage", "Now rewrite it with more flair:", a bare "Paraphrase the passage in your own
    # words" opening a sentence, "a calm rewrite of the passage:", "the 'passage' is:"): asked of a
    # model, never written in an article.
    (re.compile(r"\b(?:please|can you|could you|kindly|now) (?:paraphrase|rewrite|rephrase|summari[sz]e) "
                r"(?:it|this|the following|the (?:(?:given|above|original|provided) )?['\"‘’]?"
                r"(?:passage|article|text|paragraph|news)['\"‘’]?)(?![\w'’])|"
                r"(?:^|\n|[.!?:\"”’] +|  +)(?:(?:paraphrase|rephrase) this|(?:paraphrase|rephrase|rewrite) "
                r"(?:the following|the (?:given )?passage))\b|"
                r"\b(?:rewrite|paraphrase) of the (?:given )?passage\b|"
                r"\bthe (?:given passage|passage (?:you )?provided)\b|"
                r"\bthe ['\"‘’]?passage['\"‘’]? is:", re.IGNORECASE),
     ("paraphrase", "rewrite", "rephrase", "summari", "passage")),
    # A label the model put before its reply, on a line of its own or opening one: "Rewritten:",
    # "Paraphrased passage:", "The first paraphrase:", "Passage rewritten:". A newsroom labels no
    # line so (a "Revised" alone could be a page's date line, so it needs its noun).
    (re.compile(r"(?:^|\n)[ \t#*>]*(?:(?:the|a|my) )?(?:(?:first|second|third|final|new) )?"
                r"(?:(?:paraphrased|rewritten|rephrased|reworded|revised) (?:passage|version|text|article|paragraph)|"
                r"(?:passage|text|article) (?:paraphrased|rewritten|rephrased|reworded)|"
                r"paraphrase[ds]?|rewritten|rephrased|reworded|rewrite)[ \t*]*:", re.IGNORECASE),
     ("paraphrase", "rewrit", "rephrase", "reworded", "revised")),
)

# The lookahead bounds the line length first, so the word-count part never backtracks far.
# A heading is a paragraph of its own (blank line before and after), which also keeps the
# short lines of hard-wrapped wire copy from counting.
_HEADING_LINE = re.compile(
    r"(?<=\n\n)(?=[^\n]{3,100}\n[ \t]*\n)[ \t]*(\S+(?:[ \t]+\S+){1,9})[ \t]*(?<![.!?:;,\"”'’)])(?=\n)"
)


# Words language models overuse in news rewrites (each is ordinary English; only the rate per
# 100 words is used, as one weak direction signal).
_LLM_WORDS = re.compile(
    r"\b(?:additionally|furthermore|moreover|highlight(?:s|ed|ing)?|emphasi[sz](?:e|es|ed|ing)|"
    r"significant(?:ly)?|crucial|potential(?:ly)?|individuals|ensur(?:e|es|ed|ing)|"
    r"underscor(?:e|es|ed|ing)|notably|amid(?:st)?|showcas(?:e|es|ed|ing)|overall|various|numerous|"
    r"ongoing|sparked|garnered|commitment|importance|initiative|landscape|navigat\w*|fostering|"
    r"unprecedented|regarding|strive|delve\w*|pivotal|vital)\b"
)


def llm_word_rate(text: str) -> float:
    """Occurrences of LLM-favoured words per 100 words."""
    return _per_100_words(len(_LLM_WORDS.findall(text.lower())), text)


def llm_word_counts(text: str) -> Counter[str]:
    """How often the text uses each LLM-favoured word (as written, lower-cased)."""
    return Counter(_LLM_WORDS.findall(text.lower()))


def own_llm_word_rates(rate_a: float, counts_a: Counter[str], rate_b: float, counts_b: Counter[str]
                       ) -> tuple[float, float]:
    """Two related texts' LLM-favoured word rates (``llm_word_rate``) counting only the words the
    other text lacks: a word both use says nothing of which of them a model wrote, since a
    rewrite keeps much of its source's wording (an article's "potential vaccines", repeated in a
    short text, read as a model's word rate against its own rewrite's)."""
    def own(rate: float, counts: Counter[str], other: Counter[str]) -> float:
        total = sum(counts.values())
        return rate * sum(n for word, n in counts.items() if word not in other) / total if total else rate
    return own(rate_a, counts_a, counts_b), own(rate_b, counts_b, counts_a)


# Sentence ends, paragraph breaks (a single newline is hard-wrapping, not a boundary) and the
# closing tags of markup ("[/H3]", "</li>"): a model that writes a list of headings as markup puts
# no full stop after its items, and read as one sentence of hundreds of words the list would
# make the text the burstiest of its family (dev: one LLMFake rewrite, irregularity 1.15 against
# its article's 0.66, 0.61 with the tags, was the root of the article's 8 rewrites by this alone;
# LLMFake 0.9585/0.8791 -> 0.9635/0.8837. Tags in other dev texts: a closing "[/QUOTE]" in one
# LLMFake source, "</iframe>" in one rewrite, none in Reuters, the spun copies or Clough, whose
# links stay the same). Each pattern opens with a character, not a lookbehind, so that the regex
# engine can skip ahead to where it may match: the sentence end is captured and put back on its
# sentence.
_SENTENCE_SPLIT = re.compile(r"([.!?])[\"”’')\]]*\s+|\n[ \t]*\n|\[/[A-Za-z]\w{0,5}\]|</[A-Za-z]\w{0,5}>")
_SOFT_WRAP = re.compile(r"\n(?<!\n\n)(?!\n)")
MIN_SENTENCES = 3


def burstiness(text: str) -> float:
    """Variation of sentence length (standard deviation / mean, sentences of 3+ words).

    People mix short and long sentences; language models write evenly sized ones (the
    "burstiness" used by LLM-text detectors). It needs no word list, so it carries over to
    other models. Dev (LLMFake): sources median 0.66, their rewrites 0.34; a source is more
    bursty than its rewrite in 91% of pairs. Used only relatively, between related texts.
    Returns 0.0 when there are too few sentences to say.
    """
    parts = _SENTENCE_SPLIT.split(_SOFT_WRAP.sub(" ", text))  # sentence, its end (or None), ...
    ends = parts[1::2]
    ends.append(None)
    lengths = [len((sentence + end if end else sentence).split()) for sentence, end in zip(parts[::2], ends)]
    lengths = [n for n in lengths if n >= 3]
    if len(lengths) < MIN_SENTENCES:
        return 0.0
    mean = sum(lengths) / len(lengths)
    return (sum((n - mean) ** 2 for n in lengths) / len(lengths)) ** 0.5 / mean


# What people and the web pages their text is taken from leave in news text, and language models
# rarely or never write: (1) characters: typographic quotes and the ellipsis character (a
# newsroom's publishing system or a typist's keyboard sets them; models write plain ASCII),
# exclamation and question marks (quoted speech, headlines, readers' comments) and web furniture
# (pipes of "Title | Site", at-signs of handles, ampersands, slashes of links and dates, tildes);
# brackets and dashes are left out: models write them too, and encyclopaedic text is full of
# parentheses (with them, Clough's independent answers read as rewrites of the Wikipedia source);
# (2) slips: a double space (typing, hard-wrapped indentation, or text joined from page blocks) and
# a sentence begun in lower case. Dev (LLMFake): about 3 such characters per 100 words in the
# sources, 0.1-0.5 in the rewrites of all three model families; double spaces in half the sources,
# 1% of ChatGPT's rewrites.
PEOPLES_PUNCTUATION = "“”‘…!?|@&/~"
_LOWER_CASE_START = re.compile(r"[.!?] +[a-z]")
# The weight of each of the three rates (per 100 words, each capped) in irregularity(), next to
# sentence-length variation (dev medians: sources 0.66, rewrites 0.34): at most 0.15 each, so a
# text full of such marks is still judged by its rhythm first. LLMFake recall, punctuation weight
# 0.03 / 0.05 / 0.08: 0.714 / 0.720 / 0.720 (cap 5: 0.717); double spaces 0.03 / 0.05 / 0.1 on top:
# 0.723 / 0.728 / 0.731; lower-case starts alone 0.721, with double spaces (both 0.05) 0.731.
MARK_WEIGHT = 0.05
MARK_CAP = 3.0


def _per_100_words(count: int, text: str) -> float:
    """``count`` per 100 words (words counted by their separators, at least 50)."""
    words = text.count(" ") + text.count("\n") + 1
    return 100.0 * count / max(words, 50)


def peoples_marks(text: str) -> tuple[float, float, float]:
    """(PEOPLES_PUNCTUATION characters, double spaces, sentences begun in lower case), each per
    100 words."""
    return (_per_100_words(sum(text.count(c) for c in PEOPLES_PUNCTUATION), text),
            _per_100_words(text.count("  "), text),
            _per_100_words(len(_LOWER_CASE_START.findall(text)), text))


def irregularity(text: str) -> float:
    """How irregular, hence human-written, a text reads: its burstiness (sentence-length
    variation) plus MARK_WEIGHT per mark of people's punctuation and slips per 100 words (each
    kind capped at MARK_CAP). 0.0 when there are too few sentences to say, as burstiness. Like
    burstiness it needs no word list and is only used relatively, between related texts: the
    "burstiness" trait that linking compares holds this measure."""
    rhythm = burstiness(text)
    if not rhythm:
        return 0.0
    return rhythm + MARK_WEIGHT * sum(min(rate, MARK_CAP) for rate in peoples_marks(text))


# A text stored cut off (an excerpt, a field-length limit) stops inside a sentence: after its last
# sentence end come several more words on its last line. A closing signature ("... REUTER") is
# one or two words, and so is a table's last row.
_LAST_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*(?=[^.!?…]*$)")
CUT_OFF_MIN_TAIL_WORDS = 5


def reads_cut_off(text: str) -> bool:
    """The text ends inside a sentence: its rewrites may hold facts from beyond its end."""
    body = text.rstrip()
    if not body or body[-1] in ".!?…\"”’')]:;":
        return False
    last_line = body[body.rfind("\n") + 1:]  # a table's last row or a signature line is not prose
    m = _LAST_SENTENCE_END.search(last_line)
    tail = last_line[m.end():] if m else last_line
    return len(tail.split()) >= CUT_OFF_MIN_TAIL_WORDS


def _body_start(text: str) -> int:
    """Offset just after the first line of more than 12 words, or -1."""
    pos = 0
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        if text.count(" ", pos, end) >= 12 and len(text[pos:end].split()) > 12:
            return end
        pos = end + 1
    return -1


def spinner_artefacts(text: str) -> list[Marker]:
    found: list[Marker] = []
    low = text.lower()
    for regex, usual, needles in _ARTEFACT_RES:
        if not any(needle in low for needle in needles):
            continue
        for m in regex.finditer(text):
            phrase = m.group().lstrip(".,; ")
            start = m.end() - len(phrase)
            found.append(Marker("spinner_artefact", phrase, start, m.end(), usual))
    found.sort(key=lambda mk: (mk.start, mk.end))
    return found


def cruft_lines(text: str) -> list[Marker]:
    """The furniture lines of ``text``. A line that continues the sentence of the line before it
    (hard-wrapped text, as wire copy is: "... said it would pay 10 cts a" / "share on its common
    stock") is part of that sentence, whatever its first words; but a feed's footer, a whole
    line "The post ... appeared first on ...", and a credit line ("Source: X") are furniture after
    any line (a scraped article often ends on a photo credit without a full stop)."""
    found: list[Marker] = []
    pos = 0
    continues = False  # the line before ends inside a sentence
    for line in text.split("\n"):
        stripped = line.strip()
        cruft = bool(stripped) and (
            _FEED_FOOTER.match(stripped) is not None or _CREDIT_LABEL.match(stripped) is not None
            or not continues and (len(stripped) <= 120 and _CRUFT_LINE.match(stripped) is not None
                                  or _REPUBLISHED_LINE.match(stripped) is not None))
        if cruft:
            start = pos + line.index(stripped)
            found.append(Marker("cruft", stripped, start, start + len(stripped)))
        continues = bool(stripped) and not cruft and stripped[-1] not in LINE_ENDS
        pos += len(line) + 1
    return found


def ai_style(text: str) -> list[Marker]:
    """Headings inside the body and stock LLM phrases."""
    low = text.lower()  # same length as text for the scripts news uses; offsets carry over
    found = [Marker("ai_style", text[m.start():m.end()], m.start(), m.end()) for m in _AI_PHRASES.finditer(low)]
    # A heading: a short capitalised line without end punctuation, after the body has begun
    # (the first lines are the title) and before the last line.
    body = _body_start(text)
    if body >= 0:
        for m in _HEADING_LINE.finditer(text, body):
            line = m.group(1)
            words = line.split()
            capitals = sum(w[0].isupper() for w in words if w[0].isalpha())
            if capitals >= 0.6 * len(words) and "|" not in line and m.end() < len(text.rstrip()):
                found.append(Marker("ai_style", line, m.start(1), m.end(1)))
    found.sort(key=lambda mk: (mk.start, mk.end))
    return found


def model_framing(text: str) -> list[Marker]:
    """A language model's framing of its reply (_MODEL_FRAMING): the text was written by a model,
    so it is never the human original of other texts."""
    low = text.lower()
    found = []
    for pattern, literals in _MODEL_FRAMING:
        if not any(w in low for w in literals):
            continue
        for m in pattern.finditer(text):
            # (Without what anchors a pattern at a sentence's start, or a line's Markdown marks.)
            phrase = m.group().lstrip(" \t\n.!?:\"”’#*>").rstrip()
            start = m.start() + m.group().index(phrase)
            found.append(Marker("model_framing", phrase, start, start + len(phrase)))
    found.sort(key=lambda mk: (mk.start, -mk.end))
    # One reading of the text, as a single pattern would give: none inside another's span.
    kept: list[Marker] = []
    for mk in found:
        if not kept or mk.start >= kept[-1].end:
            kept.append(mk)
    return kept
