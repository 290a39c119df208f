"""Generalisation probe: spun copies made by a spinner of our own over another corpus.

    .venv/bin/python bench/spin_probe.py [--seed 7] [--with-reuters] [--moved] [--padded] [--figures]
        [--open-dictionary] [--reuters-sources 500] [--head-cut | --excerpt]
        [--boilerplate [end|top|both|titled]] [--flattened] [--site-lines [plain|counted]] [--site-titles]
        [--json out.json]

The spun dev set (spun_dev) was made by one spinner from Reuters stories; the final evaluation
uses other spinners, dictionaries, cruft and sources. This probe makes such a set: the human
news articles of LLMFake (Politifact, GossipCop, CoAID: a different corpus, era and style), each
spun by an independent word/phrase synonym dictionary written for this probe (none of it taken
from spun_dev), at rates 0.15 / 0.3 / 0.5, with site cruft of other shapes than spun_dev's
(share bars, "The post ... appeared first on ...", tag lists, newsletter prompts) on half, the
ending cut from a third, the headline spun too. It measures what eval_spun measures: precision
and recall of copy -> source links (also counting a link to a text identical to the source),
copies in a wrong story. ``--with-reuters`` adds all 19,043
Reuters stories as unrelated background (slower); ``--moved`` makes every copy also lead with
the last third of its sentences (the same copies otherwise), ``--padded`` a content farm's padding
sentence ("Here is what we know so far.") after about every other paragraph, ``--figures`` its
figures written another way ("five percent" for "5%"). ``--open-dictionary`` spins with a
dictionary nobody wrote down instead, at rates 0.3 / 0.5 / 0.7: any content word of four letters
or more (the parts of "32-year-old" too) may become a rarer word of the corpus, the same one
wherever it is swapped, sometimes with a filler word before it ("certainly"), so that far more of
a text changes (up to a third of its words) than with the written dictionary.
``--reuters-sources N`` spins N random Reuters stories (none of spun_dev's) instead, among all
of Reuters, as spun_dev does with another spinner: its re-issues and same-topic reports are the
copies' distractors; half the copies are dated 1-72 hours after their source, at a clock time
of their own (``--copy-dates same``: stamped with their source's time, as a scraper that keeps
the page's date; ``day``: dated by a day and no time, their source's or one of the next two;
``none``: undated). ``--head-cut``: the copies that are cut lose their first sentences instead of
their end (a farm that starts further into the story); ``--excerpt``: they keep only their first
sentences, 15-30% of the words (an aggregator posting a story's lead). ``--boilerplate``: every
copy ends with its farm's own paragraph of 60-80 words (a disclaimer, an about-us note), which
all of that farm's copies of other stories share; ``--boilerplate top`` / ``both`` put it before
the story / on both sides, ``--boilerplate titled`` names the page's title in it (a slot that
varies page to page).
``--site-lines``: every copy carries its farm's own short lines above and below the story ("Got a
news tip? Email the Daily Buzz Hub desk."), the same on all its pages, in shapes the engine's
furniture patterns do not know (another template's); ``--site-lines counted``: and a line whose
count varies page to page ("1,234 people read this story"). ``--site-titles``: every copy's headline
ends with its farm's name ("... - Daily Buzz Hub"), as a page's title does. ``--flattened``: every
copy's text joined into one line, its cruft lines and boilerplate too (a scraper's export with
its whitespace collapsed).
Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import print_report, require_data  # noqa: E402
from provenance_eval import DATA, _count, _load, _pr, _run, reuters_docs  # noqa: E402

from archive.provenance import DERIVATIONS, DocInput  # noqa: E402

# Synonyms a thesaurus-driven spinner would use; each word maps to one or more replacements.
WORDS: dict[str, tuple[str, ...]] = {
    "said": ("stated", "mentioned", "remarked"), "says": ("states", "claims"), "told": ("informed",),
    "people": ("individuals", "folks", "persons"), "year": ("yr", "twelvemonth"), "years": ("yrs", "decades"),
    "new": ("novel", "recent", "contemporary"), "big": ("massive", "huge"), "large": ("sizable", "substantial"),
    "small": ("little", "tiny", "minor"), "important": ("essential", "vital", "crucial"),
    "show": ("display", "present", "exhibit"), "shows": ("displays", "reveals"), "showed": ("revealed", "displayed"),
    "help": ("assist", "aid"), "helped": ("aided", "assisted"), "get": ("obtain", "acquire"), "got": ("obtained", "received"),
    "make": ("create", "produce"), "made": ("created", "produced"), "use": ("utilize", "employ"),
    "used": ("utilized", "employed"), "start": ("commence", "begin"), "started": ("commenced", "began"),
    "end": ("conclusion", "finish"), "ended": ("concluded", "finished"), "think": ("believe", "reckon"),
    "want": ("desire", "wish"), "wanted": ("desired", "wished"), "need": ("require",), "needs": ("requires",),
    "buy": ("purchase", "acquire"), "bought": ("purchased", "acquired"), "sell": ("vend", "market"),
    "house": ("residence", "home"), "home": ("residence", "dwelling"), "car": ("automobile", "vehicle"),
    "job": ("occupation", "position"), "jobs": ("occupations", "positions"), "work": ("labor", "employment"),
    "money": ("cash", "funds"), "country": ("nation", "land"), "state": ("province",), "city": ("metropolis", "town"),
    "children": ("kids", "youngsters"), "child": ("kid", "youngster"), "woman": ("lady", "female"),
    "women": ("ladies", "females"), "man": ("gentleman", "male"), "men": ("gentlemen", "males"),
    "friend": ("pal", "buddy"), "friends": ("pals", "buddies"), "family": ("household", "clan"),
    "doctor": ("physician", "medic"), "doctors": ("physicians", "medics"), "disease": ("illness", "ailment"),
    "health": ("wellness", "well-being"), "law": ("legislation", "statute"), "bill": ("invoice", "measure"),
    "vote": ("ballot",), "voters": ("electorate", "constituents"), "election": ("poll", "vote"),
    "government": ("administration", "authorities"), "official": ("officer", "authority"),
    "officials": ("officers", "authorities"), "report": ("account", "document"), "reported": ("documented", "noted"),
    "claim": ("assertion", "allegation"), "claims": ("assertions", "allegations"), "false": ("untrue", "incorrect"),
    "true": ("correct", "accurate"), "fact": ("truth", "reality"), "news": ("information", "reports"),
    "story": ("tale", "account"), "picture": ("image", "photograph"), "photo": ("image", "snapshot"),
    "video": ("clip", "footage"), "show's": ("program's",), "film": ("movie", "picture"), "movie": ("film", "flick"),
    "star": ("celebrity", "luminary"), "famous": ("well-known", "renowned"), "couple": ("pair", "duo"),
    "wedding": ("marriage ceremony", "nuptials"), "married": ("wed",), "baby": ("infant", "newborn"),
    "love": ("adore", "affection"), "happy": ("glad", "joyful", "cheerful"), "sad": ("unhappy", "sorrowful"),
    "good": ("great", "fine", "decent"), "bad": ("poor", "terrible"), "best": ("finest", "greatest"),
    "worst": ("poorest",), "very": ("extremely", "really", "highly"), "really": ("truly", "actually"),
    "also": ("additionally", "moreover"), "however": ("nevertheless", "nonetheless"), "but": ("yet",),
    "often": ("frequently", "regularly"), "quickly": ("rapidly", "swiftly"), "soon": ("shortly",),
    "recently": ("lately", "not too long ago"), "about": ("regarding", "concerning", "approximately"),
    "many": ("numerous", "various"), "much": ("a lot", "significantly"), "most": ("the majority of",),
    "several": ("a number of", "various"), "each": ("every",), "enough": ("sufficient",),
    "problem": ("issue", "difficulty"), "problems": ("issues", "difficulties"), "issue": ("matter", "concern"),
    "change": ("alteration", "modification"), "changes": ("alterations", "modifications"),
    "increase": ("rise", "boost"), "decrease": ("decline", "drop"), "rate": ("price", "charge"),
    "plan": ("scheme", "strategy"), "plans": ("schemes", "strategies"), "idea": ("notion", "concept"),
    "way": ("method", "manner"), "place": ("location", "spot"), "time": ("period", "occasion"),
    "week": ("seven days",), "month": ("thirty days",), "day": ("date",), "today": ("nowadays", "these days"),
    "world": ("globe", "planet"), "company": ("firm", "business", "corporation"), "business": ("enterprise", "trade"),
    "market": ("marketplace", "industry"), "group": ("team", "collective"), "member": ("participant",),
    "members": ("participants",), "leader": ("chief", "head"), "leaders": ("chiefs", "heads"),
    "president": ("head of state",), "attack": ("assault", "strike"), "fight": ("battle", "struggle"),
    "war": ("conflict", "warfare"), "death": ("demise", "passing"), "died": ("passed away", "perished"),
    "killed": ("slain", "murdered"), "hospital": ("clinic", "medical center"), "school": ("academy", "institution"),
    "student": ("pupil", "learner"), "students": ("pupils", "learners"), "study": ("research", "examination"),
    "expert": ("specialist", "authority"), "experts": ("specialists", "professionals"),
    "question": ("query", "inquiry"), "answer": ("response", "reply"), "reason": ("cause", "motive"),
    "result": ("outcome", "consequence"), "results": ("outcomes", "findings"), "chance": ("opportunity", "likelihood"),
    "hard": ("difficult", "tough"), "easy": ("simple", "effortless"), "clear": ("obvious", "evident"),
    "possible": ("feasible", "potential"), "likely": ("probable",), "different": ("distinct", "various"),
    "same": ("identical", "similar"), "whole": ("entire", "complete"), "main": ("primary", "principal"),
    "major": ("significant", "key"), "public": ("community", "populace"), "private": ("personal", "confidential"),
    "free": ("complimentary", "gratis"), "early": ("premature",), "late": ("belated", "overdue"),
    "old": ("aged", "elderly"), "young": ("youthful", "juvenile"), "strong": ("powerful", "robust"),
    "fast": ("rapid", "speedy"), "high": ("elevated", "excessive"), "low": ("minimal", "reduced"),
    "began": ("commenced", "started"), "keep": ("maintain", "retain"), "kept": ("maintained", "retained"),
    "find": ("discover", "locate"), "found": ("discovered", "located"), "ask": ("inquire", "request"),
    "asked": ("inquired", "requested"), "try": ("attempt", "endeavor"), "tried": ("attempted",),
    "look": ("appear", "seem"), "looked": ("appeared", "seemed"), "seen": ("witnessed", "observed"),
    "saw": ("witnessed", "noticed"), "become": ("turn into", "grow to be"), "became": ("turned into", "grew to be"),
    "leave": ("depart", "exit"), "left": ("departed",), "move": ("relocate", "shift"), "moved": ("relocated", "shifted"),
    "live": ("reside", "dwell"), "lived": ("resided", "dwelt"), "believe": ("think", "trust"),
    "allow": ("permit", "enable"), "allowed": ("permitted", "enabled"), "include": ("contain", "comprise"),
    "includes": ("contains", "comprises"), "including": ("together with", "comprising"),
    "continue": ("proceed", "carry on"), "continued": ("proceeded", "carried on"), "provide": ("supply", "furnish"),
    "provided": ("supplied", "furnished"), "spend": ("expend",), "spent": ("expended", "invested"),
    "cost": ("expense", "price"), "costs": ("expenses", "prices"), "pay": ("compensate", "remunerate"),
    "paid": ("compensated", "remunerated"), "receive": ("obtain", "get"), "received": ("obtained", "got"),
    "announced": ("declared", "proclaimed"), "revealed": ("disclosed", "divulged"), "confirmed": ("verified", "affirmed"),
    "denied": ("refuted", "rejected"), "suggested": ("proposed", "hinted"), "explained": ("clarified", "described"),
    "according": ("in keeping",), "currently": ("presently", "at present"), "former": ("previous", "ex-"),
}
# Phrases replaced as a whole (a spinner's multi-word entries).
PHRASES: dict[str, tuple[str, ...]] = {
    "in order to": ("so as to", "with a view to"), "as well as": ("along with", "together with"),
    "a lot of": ("plenty of", "loads of"), "because of": ("on account of", "owing to"),
    "at least": ("at the very least", "no less than"), "more than": ("greater than", "upwards of"),
    "for example": ("for instance", "as an example"), "in addition": ("additionally", "furthermore"),
    "such as": ("like", "including"), "right now": ("at this moment", "presently"),
    "last year": ("final year", "previous yr"), "this year": ("this yr", "the current year"),
    "social media": ("social networking", "online media"), "white house": ("white home", "white residence"),
    "health care": ("well being care", "wellness care"), "climate change": ("local weather change", "weather alteration"),
    "united states": ("united states of america",), "for the first time": ("for the primary time", "for the very first time"),
    "one of the": ("certainly one of the", "among the"), "a number of": ("numerous", "quite a few"),
}
CRUFT_TOP = (
    "Posted on {date} by {author}", "Home » News » {section}", "{section} | {date} | {n} Comments",
    "Last updated: {date}", "By {author} - {date}",
)
CRUFT_BOTTOM = (
    "Share this:\nFacebook\nTwitter\nWhatsApp\nEmail", "Tags: {tags}", "The post {title} appeared first on {site}.",
    "Subscribe to our newsletter for the latest updates!", "Related Posts:\n{related}",
    "Like this article? Share it with your friends!", "Copyright {year} {site}. All rights reserved.",
)
SITES = ("Daily Buzz Hub", "NewsWave Today", "TrendFeed247", "InfoStream Now", "ViralPulse Media")
# Each farm's own short lines above and below every page it posts (--site-lines), in shapes the
# engine's furniture patterns (style._CRUFT_LINE) do not know: what another site's template adds.
SITE_LINES = {
    "Daily Buzz Hub": ("Daily Buzz Hub Exclusive",
                       "Got a news tip? Email the Daily Buzz Hub desk.\nNever miss a story: turn on notifications."),
    "NewsWave Today": ("NewsWave Today — World Desk",
                       "Enjoyed this? There is more where it came from.\nJoin 48,000 readers on our morning briefing."),
    "TrendFeed247": ("TrendFeed247 | Your daily dose of headlines",
                     "What do you think? Let us know below.\nSupport independent journalism with a small donation."),
    "InfoStream Now": ("Fresh from the InfoStream Now newsroom",
                       "This story was curated by our editors.\nStay tuned for more updates."),
    "ViralPulse Media": ("ViralPulse Media presents",
                         "Thanks for reading ViralPulse Media!\nBookmark us for the latest stories."),
}
SITE_TITLE_SEPARATOR = {"Daily Buzz Hub": "-", "NewsWave Today": "|", "TrendFeed247": "–", "InfoStream Now": "|",
                        "ViralPulse Media": "::"}
# Each farm's own boilerplate paragraph, on every page it posts (--boilerplate): a long passage
# that all of one farm's copies share whatever story they carry.
BOILERPLATE = {
    "Daily Buzz Hub": "Disclaimer: The information provided by Daily Buzz Hub is for general informational purposes "
                      "only. All information on the site is provided in good faith, however we make no representation "
                      "or warranty of any kind, express or implied, regarding the accuracy, adequacy, validity, "
                      "reliability, availability or completeness of any information on the site. Under no "
                      "circumstance shall we have any liability to you for any loss or damage of any kind incurred "
                      "as a result of the use of the site or reliance on any information provided on the site.",
    "NewsWave Today": "About NewsWave Today: we bring you the stories that matter from around the world, every hour "
                      "of every day. Our team of independent writers and editors works around the clock to cover "
                      "politics, business, health, science and entertainment. Have a tip or a correction? Write to "
                      "our newsroom and we will get back to you within one business day. Follow us on Facebook, "
                      "Twitter and Instagram for breaking news alerts and exclusive videos.",
    "TrendFeed247": "TrendFeed247 may earn a commission from purchases made through links on this page. Opinions "
                    "expressed by contributors are their own. This article was compiled from wire reports and "
                    "public statements and has not been independently verified by our editorial staff. Readers "
                    "should consult official sources before making any financial, medical or legal decision based "
                    "on what they read here. Comments are moderated and may take up to a day to appear.",
    "InfoStream Now": "Thank you for reading InfoStream Now. Independent journalism costs money and we rely on "
                      "readers like you to keep our reporting free for everyone. If you value what we do, please "
                      "consider making a small monthly contribution or sharing this story with a friend. Sign up "
                      "for our daily briefing to get the top headlines delivered straight to your inbox every "
                      "morning, and download our app for the latest updates on the go.",
    "ViralPulse Media": "ViralPulse Media is a digital publisher covering the news and trends people are talking "
                        "about. The views and opinions expressed in this article are those of the original authors "
                        "and do not necessarily reflect the official policy or position of ViralPulse Media or its "
                        "partners. Images used in this article are for illustrative purposes only and may not "
                        "depict the actual people or events described in the story above.",
}
AUTHORS = ("admin", "editor", "staff writer", "newsdesk", "webmaster")
SECTIONS = ("Politics", "Entertainment", "Health", "World", "Trending")
RATES = (0.15, 0.3, 0.5)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_LETTERS = re.compile(r"[A-Za-z][A-Za-z']*")  # the open dictionary's words: hyphened parts one by one
OPEN_RATES = (0.3, 0.5, 0.7)


def _match_case(original: str, replacement: str) -> str:
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[0].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement


def spin(text: str, rate: float, rng: random.Random) -> tuple[str, int]:
    """``text`` with about ``rate`` of the dictionary's words and phrases replaced; the count."""
    swaps = 0

    def phrase(m: re.Match[str]) -> str:
        nonlocal swaps
        if rng.random() >= rate:
            return m.group(0)
        swaps += 1
        return _match_case(m.group(0), rng.choice(PHRASES[m.group(0).lower()]))

    pattern = re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)
    text = pattern.sub(phrase, text)

    def word(m: re.Match[str]) -> str:
        nonlocal swaps
        w = m.group(0)
        options = WORDS.get(w.lower())
        # Proper names (capitalised mid-sentence) are left alone, as spinners skip capitalised words.
        if not options or rng.random() >= rate or (w[0].isupper() and m.start() > 0 and text[m.start() - 2] not in ".!?\n"):
            return w
        swaps += 1
        return _match_case(w, rng.choice(options))

    return _WORD.sub(word, text), swaps


# Words the open dictionary leaves alone, as spinners do: function words and the commonest verbs.
_KEEP = frozenset("""a an the and or but if of in on at to for from by with as is are was were be been being it its
this that these those he she they we you his her their our your them him us my me not no nor so than then there here
what which who whom whose when where why how all any both each few more most other some such only own same too very
can will just should would could may might must shall do does did has have had having about above after again against
before below between into through during out over under up down off once further while said says say also""".split())
_FILLERS = ("certainly", "truly", "indeed", "actually", "basically")


def open_dictionary(sources: list[dict[str, Any]]) -> Callable[[str], str]:
    """A spinner's dictionary nobody wrote down: each word goes to a rarer word of the corpus
    (one seen 2-20 times), the same wherever it is swapped; one in seven with a filler before it."""
    counts = Counter(w.lower() for s in sources for w in _WORD.findall(s["text"]))
    rare = sorted(w for w, c in counts.items() if 2 <= c <= 20 and len(w) >= 5 and w not in _KEEP and "'" not in w)

    def replacement(word: str) -> str:
        h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        chosen = rare[h % len(rare)]
        return f"{_FILLERS[(h >> 8) % len(_FILLERS)]} {chosen}" if h % 7 == 0 else chosen

    return replacement


def spin_open(text: str, rate: float, rng: random.Random, replacement: Callable[[str], str]) -> tuple[str, int]:
    """``text`` with about ``rate`` of its content words of four letters or more replaced."""
    swaps = 0

    def word(m: re.Match[str]) -> str:
        nonlocal swaps
        w = m.group(0)
        if len(w) < 4 or w.lower() in _KEEP or rng.random() >= rate:
            return w
        if w[0].isupper() and m.start() > 0 and text[m.start() - 2] not in ".!?\n":
            return w
        swaps += 1
        return _match_case(w, replacement(w.lower()))

    return _LETTERS.sub(word, text), swaps


def _cruft(template: str, rng: random.Random, title: str) -> str:
    return template.format(date=f"{rng.choice(('March', 'June', 'October'))} {rng.randint(1, 28)}, 20{rng.randint(15, 24)}",
                           author=rng.choice(AUTHORS), section=rng.choice(SECTIONS), n=rng.randint(0, 40),
                           tags=", ".join(rng.sample(SECTIONS, 3)), title=title, site=rng.choice(SITES),
                           related="\n".join(f"- {s} news roundup" for s in rng.sample(SECTIONS, 2)), year=2020)


def _cut(text: str, rng: random.Random) -> str:
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if len(paragraphs) >= 4:
        return "\n".join(paragraphs[: max(2, int(len(paragraphs) * rng.uniform(0.5, 0.8)))])
    words = text.split(" ")
    return " ".join(words[: max(60, int(len(words) * rng.uniform(0.55, 0.8)))])


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SENTENCE_START = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")


def _cut_head(text: str, rng: random.Random) -> str:
    """The text from a later sentence on (its first 20-40% of sentences dropped), layout kept:
    a farm that starts its copy further into the story."""
    starts = [m.end() for m in _SENTENCE_START.finditer(text)]
    if len(starts) < 3:
        return text
    k = max(1, int((len(starts) + 1) * rng.uniform(0.2, 0.4)))
    return text[starts[min(k, len(starts)) - 1]:]


def _excerpt(text: str, rng: random.Random) -> str:
    """The text's first sentences only, 15-30% of its words (35 at least), layout kept: an
    aggregator that posts a story's lead and links to the rest."""
    words = len(text.split())
    wanted = max(35, int(words * rng.uniform(0.15, 0.3)))
    # Words counted sentence by sentence (each match starts at whitespace: no word is split).
    counted, end = 0, 0
    for m in _SENTENCE_END.finditer(text):
        counted += len(text[end:m.start()].split())
        end = m.start()
        if counted >= wanted:
            return text[:end]
    return text


def _move(text: str) -> str:
    """The last third of the sentences put first, as a content farm that leads with the end."""
    sentences = _SENTENCE_END.split(text)
    k = len(sentences) // 3
    return " ".join(sentences[-k:] + sentences[:-k]) if k else text


# Sentences a content farm pads a copy with (for length and search engines), in several shapes.
_PADDING = (
    "This is a developing story and it will be updated as more information becomes available.",
    "Readers have been following {topic} closely over the past {period}.",
    "For more on {topic}, see our coverage in the {section} section.",
    "Experts say the situation could change quickly in the coming {period}.",
    "What do you think? Let us know in the comments below.",
    "It remains to be seen how this will affect {who}.",
    "{site} has reached out for further comment and will update this article.",
    "Stay with {site} for the latest on {topic}.",
    "Many {who} are now asking what comes next.",
    "Here is what we know so far.",
)


_SENTENCE_CLOSERS = frozenset(".!?\"'”’)")


def _pad(text: str, rng: random.Random) -> str:
    """A sentence of padding after about every other paragraph (or group of three sentences).
    A hard-wrapped text (wire copy, whose lines mostly end mid-sentence) is padded where a line
    ends a sentence, not inside one."""
    lines = [line for line in text.split("\n") if line.strip()]
    ends_sentence = [line.rstrip()[-1] in _SENTENCE_CLOSERS for line in lines]
    if lines and sum(ends_sentence) < len(lines) / 2:
        paragraphs, run = [], []
        for line, ends in zip(lines, ends_sentence):
            run.append(line)
            if ends:
                paragraphs.append("\n".join(run))
                run = []
        if run:
            paragraphs.append("\n".join(run))
    else:
        paragraphs = lines
    if len(paragraphs) < 3:
        sentences = _SENTENCE_END.split(text)
        paragraphs = [" ".join(sentences[k:k + 3]) for k in range(0, len(sentences), 3)]
    out = []
    for k, paragraph in enumerate(paragraphs):
        out.append(paragraph)
        if k < len(paragraphs) - 1 and rng.random() < 0.5:
            out.append(rng.choice(_PADDING).format(
                topic=rng.choice(("this story", "the case", "these events", "the issue")),
                period=rng.choice(("weeks", "months", "days")), section=rng.choice(SECTIONS),
                who=rng.choice(("readers", "residents", "fans", "families", "voters")), site=rng.choice(SITES)))
    return "\n".join(out)


_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_SMALL_NUMBER = re.compile(r"(?<![\d.,$])\b([0-9]|10)\b(?![\d.,%])")
_PERCENT = re.compile(r"(\d)(?: percent|%)")
_DOLLARS = re.compile(r"\$(\d[\d.,]*)( million| billion)?")


def _refigure(text: str) -> str:
    """Figures written another way, as some spinners and style guides do: small numbers in words,
    "5%" and "5 percent" swapped, "$3 million" as "3 million dollars"."""
    text = _SMALL_NUMBER.sub(lambda m: _NUMBER_WORDS[int(m.group(1))], text)
    text = _PERCENT.sub(lambda m: m.group(1) + ("%" if m.group(0).endswith("percent") else " percent"), text)
    return _DOLLARS.sub(lambda m: f"{m.group(1)}{m.group(2) or ''} dollars", text)


def make_copies(sources: list[dict[str, Any]], seed: int, moved: bool = False,
                open_dict: bool = False, padded: bool = False, figures: bool = False,
                dictionary_corpus: list[dict[str, Any]] | None = None, head_cut: bool = False,
                boilerplate: str | None = None, flattened: bool = False,
                site_lines: str | None = None, site_titles: bool = False, excerpt: bool = False) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    replacement = open_dictionary(dictionary_corpus or sources) if open_dict else None

    def spun(text: str, rate: float) -> tuple[str, int]:
        return spin_open(text, rate, rng, replacement) if replacement else spin(text, rate, rng)

    out = []
    for k, src in enumerate(sources):
        for rate in rng.sample(OPEN_RATES if open_dict else RATES, 1 + (k % 2)):
            title = src.get("title") or src["text"].split("\n", 1)[0][:80]
            text, swaps = spun(src["text"], rate)
            spun_title, _ = spun(title, rate)
            cut = rng.random() < 1 / 3
            if cut:
                text = _cut_head(text, rng) if head_cut else _excerpt(text, rng) if excerpt else _cut(text, rng)
            if moved:
                text = _move(text)
            if figures:
                text = _refigure(text)
            if padded:  # (its own random numbers: the copies are otherwise those of a run without)
                text = _pad(text, random.Random(f"{seed}/{k}/{rate}"))
            crufted = rng.random() < 0.5
            if crufted:
                text = _cruft(rng.choice(CRUFT_TOP), rng, spun_title) + "\n\n" + text + "\n\n" + \
                    _cruft(rng.choice(CRUFT_BOTTOM), rng, spun_title)
            site = rng.choice(SITES)  # (drawn last, so that the copies are those of a run without boilerplate)
            if site_lines:
                top, bottom = SITE_LINES[site]
                if site_lines == "counted":  # (its own random numbers: the copies are otherwise the same)
                    bottom += f"\n{random.Random(f'{seed}/{k}/{rate}/count').randint(120, 9800):,} people read this story"
                text = top + "\n\n" + text + "\n\n" + bottom
            if boilerplate:
                text = _with_boilerplate(text, BOILERPLATE[site], spun_title, boilerplate)
            if flattened:
                text = " ".join(text.split())
            if site_titles:  # (the farm's name after the headline, as a page's <title> has it)
                spun_title = f"{spun_title} {SITE_TITLE_SEPARATOR[site]} {site}"
            out.append({"source": src["id"], "rate": rate, "swaps": swaps, "cut": cut, "cruft": crufted,
                        "title": spun_title, "text": text, "site": site})
    return out


def _with_boilerplate(text: str, paragraph: str, title: str, where: str) -> str:
    """The farm's paragraph after the text (``end``), before it (``top``), on both sides
    (``both``), or after it naming the page's title in its first sentence (``titled``: a slot
    that varies from page to page, so no shingle across it recurs)."""
    if where == "top":
        return paragraph + "\n\n" + text
    if where == "both":
        return paragraph + "\n\n" + text + "\n\n" + paragraph
    if where == "titled":
        return text + "\n\n" + paragraph.replace(".", f" ({title}).", 1)
    return text + "\n\n" + paragraph


def _reuters_sources(rows: list[dict[str, Any]], count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` Reuters stories of 100 words or more, chosen at random (not spun_dev's)."""
    spun_dev = {r["source_id"] for r in _load(DATA / "spun_dev" / "spun.jsonl.gz")}
    eligible = [r for r in rows if r["id"] not in spun_dev and len(r["text"].split()) >= 100]
    return random.Random(f"reuters/{seed}").sample(eligible, count)


def _copy_date(source: datetime | None, rng: random.Random, how: str = "later") -> datetime | None:
    """``later``: half the copies undated, the rest posted 1-72 hours after their source at a
    clock time of their own (a spinner that stamps its own time); ``same``: every copy stamped
    with its source's time (a scraper that keeps the page's date); ``day``: every copy stamped with
    a date and no time (stored at midnight), its source's day or one of the next two (a page that
    shows its day only: the same day reads as hours before the source); ``none``: no copy dated."""
    if how == "same":
        return source
    if how == "day":
        if source is None:
            return None
        return datetime.combine(source.date(), datetime.min.time(), source.tzinfo) + timedelta(days=rng.randint(0, 2))
    if source is None or how == "none" or rng.random() < 0.5:
        return None
    return source + timedelta(seconds=rng.randint(3_600, 72 * 3_600))


def evaluate(seed: int, with_reuters: bool, moved: bool = False, open_dict: bool = False,
             padded: bool = False, figures: bool = False, reuters_sources: int = 0,
             head_cut: bool = False, copy_dates: str = "later", boilerplate: str | None = None,
             flattened: bool = False, site_lines: str | None = None, site_titles: bool = False,
             excerpt: bool = False) -> dict[str, Any]:
    if reuters_sources:  # copies of Reuters stories, among all of Reuters, as in spun_dev
        rows = _load(DATA / "reuters21578" / "reuters21578.jsonl.gz")
        docs, sid = reuters_docs(0, rows)
        sources = _reuters_sources(rows, reuters_sources, seed)
        dictionary_corpus = rows
    else:
        sources = _load(DATA / "llmfake" / "sources.jsonl.gz")
        sid = {r["id"]: k + 1 for k, r in enumerate(sources)}
        docs = [DocInput(sid[r["id"]], r["text"], None, None, r.get("dataset"), None) for r in sources]
        if with_reuters:
            docs += reuters_docs(10_000)[0]
        dictionary_corpus = sources
    published = {d.id: d.published_at for d in docs}
    dates = random.Random(f"dates/{seed}")
    copies: dict[int, dict[str, Any]] = {}
    for k, c in enumerate(make_copies(sources, seed, moved, open_dict, padded, figures, dictionary_corpus, head_cut,
                                      boilerplate, flattened, site_lines, site_titles, excerpt)):
        doc_id = 200_000 + k
        copies[doc_id] = c
        docs.append(DocInput(doc_id, c["text"], c["title"], _copy_date(published[sid[c["source"]]], dates, copy_dates),
                             c["site"], None))
    result, _, timing = _run(docs)
    # Texts identical to a copy's source (LLMFake holds re-posted articles under other ids, and a
    # copy with no swaps and no cruft is its source again): a link to one of them is as good.
    same_text: dict[str, set[int]] = defaultdict(set)
    for d in docs:
        same_text[" ".join(d.text.split())].add(d.id)
    text_of = {d.id: " ".join(d.text.split()) for d in docs}
    by_copy: dict[int, list[Any]] = defaultdict(list)
    for link in result.links:
        if link.relation in DERIVATIONS and link.derived_id in copies:
            by_copy[link.derived_id].append(link)
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    relations: Counter[str] = Counter()
    wrong_story = 0
    misses = []
    for doc_id, c in copies.items():
        src = sid[c["source"]]
        links = by_copy.get(doc_id, [])
        twins = same_text[text_of[src]] - {doc_id}
        ok_text = any(l.source_id in twins for l in links)
        for key in (f"rate_{c['rate']}", "cut" if c["cut"] else "whole", "all"):
            _count(groups[key], [l.source_id for l in links], src, twins)
        relations.update(l.relation for l in links)
        wrong_story += result.story_of.get(doc_id) != result.story_of.get(src)
        if not ok_text and len(misses) < 25:
            misses.append({"copy": doc_id, "source": src, "rate": c["rate"], "cut": c["cut"], "cruft": c["cruft"],
                           "links": [(l.source_id, l.relation, l.score) for l in links]})
    out: dict[str, Any] = {"timing": timing, "relations": dict(relations), "copies_in_wrong_story": wrong_story}
    for key in sorted(groups):
        # "_story" here: the link reaches the true source or a text identical to it.
        out[key] = {k.replace("_story", "_same_text"): v for k, v in _pr(groups[key]).items()}
    out["misses"] = misses
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--with-reuters", action="store_true", help="add all Reuters stories as background")
    parser.add_argument("--moved", action="store_true", help="every copy also puts its last third of sentences first")
    parser.add_argument("--open-dictionary", action="store_true",
                        help="spin with an unwritten dictionary of rarer corpus words, at rates 0.3 / 0.5 / 0.7")
    parser.add_argument("--padded", action="store_true",
                        help="every copy also carries a content farm's padding sentences between paragraphs")
    parser.add_argument("--figures", action="store_true",
                        help="every copy also writes its figures another way (small numbers in words, 5%% / 5 percent, "
                             "$3 million as 3 million dollars)")
    parser.add_argument("--reuters-sources", type=int, default=0, metavar="N",
                        help="spin N random Reuters stories (not spun_dev's) instead of LLMFake's articles, "
                             "among all of Reuters, half of the copies dated hours after their source")
    cuts = parser.add_mutually_exclusive_group()
    cuts.add_argument("--head-cut", action="store_true",
                      help="the third of the copies that are cut lose their first sentences (20-40%%), not their end")
    cuts.add_argument("--excerpt", action="store_true",
                      help="the third of the copies that are cut keep only their first sentences (15-30%% of the words), "
                           "as an aggregator posting a story's lead")
    parser.add_argument("--copy-dates", choices=("later", "same", "day", "none"), default="later",
                        help="with --reuters-sources: copies dated hours after their source at a clock time of their "
                             "own, half of them (later), stamped with their source's time (same), with a day and no time, the "
                             "source's or one of the next two (day), or undated (none)")
    parser.add_argument("--boilerplate", nargs="?", const="end", choices=("end", "top", "both", "titled"),
                        help="every copy carries its farm's own boilerplate paragraph (a disclaimer, an about-us "
                             "note: 60-80 words that all of the farm's copies share): after the story (end, the "
                             "default), before it (top), on both sides (both), or after it naming the page's title "
                             "(titled)")
    parser.add_argument("--site-lines", nargs="?", const="plain", choices=("plain", "counted"),
                        help="every copy carries its farm's own short lines above and below the story, in shapes "
                             "the engine's furniture patterns do not know; counted: and a line with a count that "
                             "varies page to page")
    parser.add_argument("--site-titles", action="store_true",
                        help="every copy's headline ends with its farm's name (\"... - Daily Buzz Hub\")")
    parser.add_argument("--flattened", action="store_true",
                        help="every copy's text joined into one line, cruft and boilerplate too (a scraper's export "
                             "with its whitespace collapsed)")
    parser.add_argument("--json", type=Path, help="also write the metrics here")
    args = parser.parse_args()
    if args.reuters_sources:
        require_data(DATA / "reuters21578" / "reuters21578.jsonl.gz", DATA / "spun_dev" / "spun.jsonl.gz")
    else:
        require_data(DATA / "llmfake" / "sources.jsonl.gz",
                     *([DATA / "reuters21578" / "reuters21578.jsonl.gz"] if args.with_reuters else []))
    t = time.perf_counter()
    report = evaluate(args.seed, args.with_reuters, args.moved, args.open_dictionary, args.padded, args.figures,
                      args.reuters_sources, args.head_cut, args.copy_dates, args.boilerplate, args.flattened,
                      args.site_lines, args.site_titles, args.excerpt)
    report["wall_s"] = round(time.perf_counter() - t, 2)
    print_report(report, args.json)


if __name__ == "__main__":
    main()
