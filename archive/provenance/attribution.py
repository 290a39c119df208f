"""Attribution phrases: which outlet a text says it got its information from.

"when contacted by CNBC", "according to Reuters", "told the Associated Press", "(AP) -",
"Source: BBC". A copy that keeps the original's attribution names the original's newsroom, so
these are also evidence about direction and origin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Attribution:
    doc_id: int
    outlet: str
    phrase: str
    start: int
    end: int


KNOWN_OUTLETS: frozenset[str] = frozenset(
    """reuters|ap|associated press|afp|agence france-presse|bbc|bbc news|cnn|cnbc|bloomberg|
    bloomberg news|fox news|nbc|nbc news|abc|abc news|cbs|cbs news|npr|the new york times|
    new york times|the washington post|washington post|the guardian|guardian|
    the wall street journal|wall street journal|financial times|the financial times|axios|
    politico|al jazeera|xinhua|tass|kyodo|dow jones|upi|sky news|the times|usa today|
    los angeles times|the telegraph|the independent|daily mail|huffpost|business insider|
    insider|forbes|the verge|techcrunch|wired|variety|people|tmz|e! news|the hill|newsweek|
    time|the atlantic|vox|buzzfeed news|the economist|nikkei|yonhap|dpa|efe|ansa|anadolu""".replace(
        "\n", ""
    ).replace("    ", "").split("|")
)

_MEDIA_WORD = re.compile(
    r"\b(?:News|Times|Post|Press|Journal|Herald|Tribune|Daily|Gazette|Magazine|Radio|TV|"
    r"Television|Agency|Wire|Network|Broadcasting|Telegraph|Guardian|Chronicle|Observer|"
    r"Insider|Today|Reporter|Review)\b"
)

# A capitalised name of up to five words ("The Wall Street Journal", "CNBC", "E! News"), its
# words joined by "of", "and" or a particle of a Romance, Dutch or German name ("Radio del Plata",
# "Het Parool"'s "van").
_NAME = (r"((?:The |the )?[A-Z][\w!&.'’-]*(?: (?:of |and |& |(?:de|del|della|di|da|do|dos|das|du|des|van|von|der|"
         r"den|la|le|los|las|y) )?[A-Z][\w!&.'’-]*){0,4})")

# How a republisher's credit line starts, up to the name it credits: "This article originally
# appeared on X", "First published in X", "Republished with permission from X", "This story was
# reprinted from X" (in any case; the name is capitalised). style.py reads such a line as furniture.
REPUBLISHED = (r"(?i:(?:this (?:article|story|piece|post|report) (?:is |was |has been )?)?"
               r"(?:(?:originally|first) (?:appeared|published|ran)|(?:republished|reprinted)"
               r"(?: with (?:the )?permission)?)(?: first)? (?:on|in|at|by|from) )")

# How surely a pattern's name is an outlet: a credit line names the story's source by its label
# ("Source: Deutsche Welle", "This article is republished from The Conversation"), whatever the
# name; strong patterns name a newsroom by construction ("contacted by X"), so an acronym will
# do; weak ones ("according to X") also introduce people and companies, so their X must look
# like media.
WEAK, STRONG, CREDIT = 0, 1, 2
# A dateline's credit in brackets before a dash: "WASHINGTON (AP) -".
_BRACKETED = re.compile(r"\(" + _NAME + r"\)\s*[-–—]")
# (pattern, how surely its name is an outlet).
_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"\b(?:when |after being )?contacted by " + _NAME), STRONG),
    (re.compile(r"\b(?:told|said to|speaking to|in an interview with|in a statement to) " + _NAME), WEAK),
    (re.compile(r"\baccording to (?:a report (?:by|from|in) )?" + _NAME), WEAK),
    (re.compile(r"\b(?:first )?reported by " + _NAME), WEAK),
    (_BRACKETED, STRONG),
    (re.compile(r"(?m)^\s*(?:Source|Via|Originally published (?:by|at|in)):?\s+" + _NAME), CREDIT),
    # A republisher's credit line (REPUBLISHED).
    (re.compile(r"(?m)^\s*" + REPUBLISHED + _NAME), CREDIT),
)
# Lower-case words each pattern needs, in _PATTERNS order.
_NEEDLES: tuple[tuple[str, ...], ...] = (
    ("contacted by",),
    ("told ", "said to ", "speaking to ", "interview with ", "statement to "),
    ("according to ",),
    ("reported by ",),
    ("(",),
    ("source", "via", "originally published"),
    ("originally ", "first ", "republished", "reprinted"),
)

# What may stand before "(X) -" on its line when X is no known outlet and has no media word: a
# dateline ("WASHINGTON", "NEW YORK, March 3") or nothing. Elsewhere an acronym in brackets
# before a dash abbreviates the words before it ("the Group of Five (G-5) - comprising ...").
_DATELINE = re.compile(r"\s*(?:[A-Z][A-Z.'’-]+(?:[ ,]+[A-Z][A-Z.'’-]+)*(?:,? +[A-Z][a-z]{2,8}\.? +\d{1,2})?)?\s*")
# People of an organisation named by its acronym: "contacted by SEC investigators" names the
# agency whose staff called, not a newsroom.
_STAFF_AFTER = re.compile(
    r"\s+(?:investigators|officials|agents|staff|lawyers|attorneys|regulators|officers|inspectors|auditors|"
    r"employees|representatives|spokesm[ae]n|spokeswom[ae]n|spokespe(?:rson|ople)|executives|researchers|"
    r"analysts|authorities|police|detectives|prosecutors)\b")

# "<Outlet> reported": found from the verb backwards, since a pattern that starts at every
# capital letter of a text is slow.
_REPORTED = re.compile(r" (?:reported|first reported|has reported|reports)\b")
_NAME_BEFORE = re.compile(_NAME + r"$")


def _clean(name: str) -> str:
    return name.strip().rstrip(".,;:'’")


def is_outlet(name: str, strength: int) -> bool:
    """Whether ``name``, found by a pattern of ``strength`` (WEAK, STRONG, CREDIT), is an outlet."""
    if strength == CREDIT:
        return True
    low = name.lower()
    if low in KNOWN_OUTLETS or _MEDIA_WORD.search(name):
        return True
    # All-caps acronyms (CNBC, AFP) are outlets in strong patterns; "told IBM" is not enough.
    bare = name.removeprefix("the ").removeprefix("The ")
    return strength >= STRONG and bare.isupper() and 2 <= len(bare) <= 6


def find_attributions(doc_id: int, text: str) -> list[Attribution]:
    found: dict[tuple[int, int], Attribution] = {}
    low = text.lower()
    for (regex, strength), needles in zip(_PATTERNS, _NEEDLES):
        if not any(n in low for n in needles):
            continue  # most texts hold none of the pattern's words; skip the regex scan
        for m in regex.finditer(text):
            # (is_outlet with WEAK: a known outlet, or a name with a media word.)
            if strength != CREDIT and not is_outlet(_clean(m.group(1)), WEAK) and _not_a_newsroom(text, m):
                continue
            _record(found, doc_id, text, m.start(), m.start(1), m.end(1), m.end(), strength)
    for m in _REPORTED.finditer(text):
        # Cheap check first: the word before the verb must be capitalised ("Journal reported").
        prev_space = text.rfind(" ", 0, m.start())
        if not text[prev_space + 1 : prev_space + 2].isupper():
            continue
        head = max(0, m.start() - 80)
        n = _NAME_BEFORE.search(text, head, m.start())
        if n:
            name_start = n.start(1)
            # _record keeps the words of the name that make an outlet, from the left.
            _record(found, doc_id, text, name_start, name_start, n.end(1), m.end(), WEAK, verb_after=True)
    return sorted(found.values(), key=lambda a: (a.start, a.end))


def _not_a_newsroom(text: str, m: re.Match[str]) -> bool:
    """The name a pattern found, no known outlet and without a media word, is an organisation's:
    its staff follow it ("SEC investigators"), or, in brackets before a dash, it abbreviates the
    words before it rather than following a dateline."""
    if _STAFF_AFTER.match(text, m.end(1)):
        return True
    if m.re is _BRACKETED:
        line_start = text.rfind("\n", 0, m.start()) + 1
        return _DATELINE.fullmatch(text, line_start, m.start()) is None
    return False


# Words that end with a full stop inside a name: initials ("U.S.", "N.Y.") and the short forms
# of company names and titles ("Dow Jones & Co.").
_ABBREVIATION = re.compile(r"(?:[A-Z]\.)+|(?:Co|Corp|Inc|Ltd|Bros|Jr|Sr|St|Mr|Mrs|Ms|Dr)\.")


def _within_sentence(words: list[str], verb_after: bool) -> list[str]:
    """The words of a name that belong to the sentence of the attribution: a name runs on over a
    full stop into the next sentence's first words ("according to Reuters. More than ...")."""
    ends = [i for i, word in enumerate(words[:-1]) if word.endswith(".") and not _ABBREVIATION.fullmatch(word)]
    if not ends:
        return words
    return words[ends[-1] + 1:] if verb_after else words[:ends[0] + 1]


def _record(found: dict[tuple[int, int], Attribution], doc_id: int, text: str, start: int, name_start: int,
            name_end: int, match_end: int, strength: int, verb_after: bool = False) -> None:
    name = _clean(text[name_start:name_end])
    words = _within_sentence(name.split(" "), verb_after)
    if verb_after:
        # "Later, The Wall Street Journal reported": keep the outlet at the end.
        while words and not is_outlet(_clean(" ".join(words)), strength):
            words.pop(0)
    else:
        # "according to Reuters on Monday": keep the outlet at the start.
        while words and not is_outlet(_clean(" ".join(words)), strength):
            words.pop()
    if not words:
        return
    outlet = _clean(" ".join(words))
    if verb_after:
        start = name_start = text.index(outlet, name_start)
        end = match_end
    elif len(outlet) == len(name) and name_end < match_end:
        end = match_end  # the whole match is the phrase: "(AP) -"
    else:
        end = name_start + len(outlet)
    if any(a.start < end and start < a.end for a in found.values()):
        return  # an earlier pattern already covers this phrase
    bare = outlet.removeprefix("the ").removeprefix("The ")
    found[(start, end)] = Attribution(doc_id, bare, text[start:end], start, end)
