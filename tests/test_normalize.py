from __future__ import annotations

import hashlib
import html
import random
import re
import unicodedata
from pathlib import Path

import ftfy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.ingest.normalize import _LATIN_LOOKALIKES, classify_line, content_hash, normalize_record, normalize_text
from archive.ingest.records import RawRecord

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PARAGRAPH = (
    "The regional council approved the new transport budget on Tuesday after a debate that lasted "
    "most of the afternoon, with members arguing over bus routes and the cost of repairing bridges."
)
SECOND = (
    "Opposition members said the plan did too little for villages in the north, where some services "
    "run only twice a day, but the measure passed by a comfortable margin in the final vote."
)


def record(text: str, *, fmt: str = "txt", title: str | None = None, **extra: object) -> RawRecord:
    return RawRecord(origin="x", external_id="x", text=text, fmt=fmt, title=title, extra=dict(extra))


def seed(prefix: str) -> RawRecord:
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    return record(path.read_text(encoding="utf-8"))


# --- normalize_text ------------------------------------------------------------------------------


def test_normalize_text_cleans_whitespace_and_controls() -> None:
    raw = "  Cafe\u0301\tprices\u00a0 rise \r\nline\x07 two\u200b \r\r\n\n\n\nnext\u2028para  \n"
    assert normalize_text(raw) == "Café prices  rise\nline two\n\nnext\npara"


def test_windows_1252_punctuation_read_as_c1_controls_is_restored() -> None:
    # Scraped text decoded as Latin-1 where it was cp1252: the apostrophe and quotes come back.
    assert normalize_text("It didn\x92t say \x93when\x94\x85 or\x81 why") == "It didn’t say “when”\nor why"


def test_mojibake_is_repaired_and_text_that_only_looks_like_it_is_left_alone() -> None:
    # UTF-8 read as Windows-1252, and as Latin-1 (its C1 controls); both layers of a double misreading
    assert normalize_text("It didnâ€™t say â€œwhenâ€\x9d") == "It didn’t say “when”"
    assert normalize_text("It didn\u00e2\x80\x99t") == "It didn’t"
    assert normalize_text("cafÃ© for Â£3") == "café for £3"
    assert normalize_text("cafÃƒÂ©") == "café"
    for fine in ("Beyoncé’s birth", "SÃO PAULO", "naïve “quotes” — ok", "déjà vu", "Ærø"):
        assert normalize_text(fine) == fine
    assert content_hash("didnâ€™t") == content_hash("didn’t")


def test_html_character_references_are_decoded_and_text_that_only_looks_like_one_is_left_alone() -> None:
    # A page's text taken without its markup keeps its references; left as written, each made a
    # copy's word differ from its source's ("Jolie’s" -> "Jolie&#8217;s").
    assert normalize_text("Don&#8217;t &amp; R&amp;B &lt;b&gt; caf&eacute;&nbsp;bar") == "Don’t & R&B <b> café bar"
    assert normalize_text("Jolie&amp;#8217;s &#x201C;split&#x201D;") == "Jolie’s “split”"  # escaped twice, hex
    assert normalize_text("x&#150;y") == "x–y"  # a Windows-1252 code point, as browsers read it
    for fine in ("AT&T", "S&P 500", "&copy2019", "a&b=2;", "&unknownname;"):
        assert normalize_text(fine) == fine
    assert content_hash("Jolie&#8217;s") == content_hash("Jolie’s")


def test_joiners_hidden_inside_latin_words_are_removed_and_left_where_they_join_something() -> None:
    # Inserted to hide a copied text from search and plagiarism checks: "rep\u200cort" is "report".
    assert normalize_text("rep\u200cort on the c\u200d\u200dabinet\u2063 vote") == "report on the cabinet vote"
    for fine in ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: the joiner belongs there
                 "\U0001F468\u200d\U0001F469\u200d\U0001F467",  # one emoji, a family
                 "word\u200c \u200cword"):
        assert normalize_text(fine) == fine


def test_latin_words_disguised_with_cyrillic_or_greek_lookalikes_are_spelt_in_latin() -> None:
    # "Thе Stаgе" with a Cyrillic "е" and "а": hidden from a search for "stage", and every such word
    # of a copy looked like a swapped one.
    assert normalize_text("Thе Stаgе is аbout ΒIG news") == "The Stage is about BIG news"
    assert normalize_text("Timоthéе Chalamet, Españоl") == "Timothée Chalamet, Español"  # accents are Latin
    for fine in ("Москва", "Москвa", "Яndex", "μm", "α-synuclein", "КОНТАКТ and KОНТАКТ",
                 "The mayor of Москва said so"):
        assert normalize_text(fine) == fine  # Cyrillic or Greek words, even with a Latin letter
    # A word all of look-alikes ("оnе", "реасе") in a text otherwise Latin is Latin too.
    assert normalize_text("It was оnе step towards реасе in the region, the minister said") == (
        "It was one step towards peace in the region, the minister said")
    # Also where the text writes a unit or a name in Greek or Cyrillic letters of its own...
    # (Three such letters among some 680: a text of a few paragraphs, as an article is.)
    dose = ("It was оnе step towards реасе, the minister said of the trial, where each patient took "
            "a dose of 5 μg a day under the care of Dr Аня Petrova and her team at the clinic. " +
            "The trial ran for two years in four cities and enrolled several hundred volunteers. " * 8)
    assert normalize_text(dose) == dose.replace("оnе", "one").replace("реасе", "peace").strip()
    # ...but not where it quotes a Russian sentence, whose "а" is a Russian word.
    quoted = 'He said "я не знаю, а он знает" and left the room before the vote on Monday.'
    assert normalize_text(quoted) == quoted


def test_runs_of_spaces_inside_a_line_stay_but_not_in_the_content_hash() -> None:
    # Two spaces after a full stop are a writer's habit that provenance reads (style.irregularity).
    assert normalize_text("It rained.  Then it stopped.\t ") == "It rained.  Then it stopped."
    assert content_hash("It rained.  Then it stopped.") == content_hash("It rained. Then\tit stopped.")
    # The hash is the one archives stored before runs were kept: sha256 of the single-spaced text.
    assert content_hash(" a  b \n\n\n c ") == hashlib.sha256("a b\n\nc".encode()).hexdigest()


@given(st.text())
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


# How UTF-8's lead bytes of multi-byte sequences (0xC2-0xF4) and continuation bytes (0x80-0xBF)
# read in Windows-1252, or in Latin-1 where Windows-1252 leaves a byte undefined.
_LEAD_BYTES = re.escape(bytes(range(0xC2, 0xF5)).decode("latin-1"))
_CONTINUATION_BYTES = re.escape("".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in range(0x80, 0xC0))
                                + bytes(range(0x80, 0xA0)).decode("latin-1"))


def _reference_normalize_text(text: str) -> str:
    """The definition with regular expressions: mojibake repaired by ftfy (on the raw text, then
    while the cleaned text still shows a lead byte before a continuation byte), C1 controls read
    as Windows-1252, each whitespace character inside a line becomes a space (runs stay), line
    ends trimmed, at most one blank line."""
    looks_garbled = re.compile(f"[{_LEAD_BYTES}][{_CONTINUATION_BYTES}]")
    text = _reference_cleaned(ftfy.fix_encoding(text) if looks_garbled.search(text) else text)
    for _ in range(4):
        repaired = _reference_cleaned(ftfy.fix_encoding(text)) if looks_garbled.search(text) else text
        if repaired == text:
            break
        text = repaired
    while (again := _reference_cleaned(text)) != text:  # cleaning may complete a reference
        text = again
    return text


def _reference_unescaped(text: str) -> str:
    """HTML character references closed by ";" decoded by html.unescape, until none is left."""
    while (decoded := re.sub(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
                             lambda m: html.unescape(m.group()), text)) != text:
        text = decoded
    return text


_LATIN = r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]"  # Latin letters, accented too


def _reference_undisguised(text: str) -> str:
    """Each word of Latin letters and Cyrillic / Greek look-alikes (no other letter) with the
    look-alikes read as Latin, where its Latin letters are at least as many, or wherever at
    most 1 in 200 of the text's letters is Cyrillic or Greek and no look-alike, and most of its
    letters are Latin."""
    letters = re.findall(r"[^\W\d_]", text)
    latin_letters = re.findall(_LATIN, text)
    foreign = [c for c in letters if c not in _LATIN_LOOKALIKES and re.fullmatch(r"[\u0370-\u03ff\u0400-\u052f]", c)]
    latin_text = len(foreign) <= 0.005 * len(letters) and len(latin_letters) >= 0.5 * len(letters)

    def word(m: re.Match[str]) -> str:
        w = m.group()
        fake = [c for c in w if c in _LATIN_LOOKALIKES]
        latin = re.findall(_LATIN, w)
        other = [c for c in w if c.isalpha() and not re.fullmatch(_LATIN, c) and c not in _LATIN_LOOKALIKES]
        if fake and not other and (latin_text or len(latin) >= len(fake)):
            return "".join(_LATIN_LOOKALIKES.get(c, c) for c in w)
        return w
    return re.sub(r"\w+", word, text)


def _reference_joiners_and_lookalikes(text: str) -> str:
    """Hidden joiners removed and look-alikes read as Latin, until neither changes the text."""
    while True:
        again = _reference_undisguised(re.sub(
            r"(?<=[!-~\u00c0-\u024f\u2018\u2019])[\u200c\u200d]+(?=[!-~\u00c0-\u024f\u2018\u2019])", "", text))
        if again == text:
            return text
        text = again


def _reference_cleaned(text: str) -> str:
    text = _reference_unescaped(text)
    text = re.sub(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]", "\n", unicodedata.normalize("NFC", text))
    text = re.sub(r"[\x80-\x84\x86-\x9f]", lambda m: bytes([ord(m.group())]).decode("cp1252", "ignore"), text)
    text = re.sub(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060-\u2064\ufeff]", "", text)
    text = _reference_joiners_and_lookalikes(text)
    lines = (re.sub(r"[^\S\n]", " ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _reference_hashed_text(text: str) -> str:
    """The text content hashes are taken of, as first written (when normalize_text also made
    runs of spaces one; character references decoded since session 23, until none is left):
    archives stored then must find the same hashes."""
    def once(text: str) -> str:
        text = re.sub(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]", "\n", unicodedata.normalize("NFC", _reference_unescaped(text)))
        text = re.sub(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060-\u2064\ufeff]", "", text)
        text = _reference_joiners_and_lookalikes(text)
        lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in text.split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

    while (again := once(text)) != text:
        text = again
    return text


SOUP = (" ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\u200b",
        "\u3000", "\u2009", "\n\n\n", " \n ", "word", "x", "e\u0301", "&amp;", "&#8217;", "&", "amp;", "&#10;",
        "\u200c", "\u200d", "\u2063", "\u0628", "\u0430", "\u041c", "\u044f", "\u03bf", "ab")


def test_normalize_text_is_its_definition_on_whitespace_soups() -> None:
    rng = random.Random(11)
    for _ in range(5000):
        text = "".join(rng.choice(SOUP) for _ in range(rng.randrange(40)))
        assert normalize_text(text) == _reference_normalize_text(text), repr(text)
        assert content_hash(text) == hashlib.sha256(_reference_hashed_text(text).encode()).hexdigest(), repr(text)


@given(st.text())
def test_normalize_text_is_its_definition(text: str) -> None:
    assert normalize_text(text) == _reference_normalize_text(text)


def test_content_hash_ignores_whitespace_noise() -> None:
    assert content_hash("a  b\r\n\n\n\nc ") == content_hash("a b\n\nc")
    assert content_hash("a b") != content_hash("a c")
    assert len(content_hash("x")) == 64


# --- the seeds -----------------------------------------------------------------------------------


def test_seed_000_title_and_cruft() -> None:
    result = normalize_record(seed("000"))
    assert result.title == "Microsoft’s president meets with the Chinese government to debate AI co-operation"
    for line in ["Written by 1:31 pm", "Cezaro De Luca | Europa Press | Getty Images", "(Visited 1 times"]:
        assert line not in result.text
    assert not result.text.startswith("Microsoft’s president meets")  # the title is not repeated
    assert result.text.startswith("Microsoft CEO Brad Smith participates in a gathering")  # a caption sentence stays
    assert result.text.endswith("when contacted by CNBC.")
    assert [item["kind"] for item in result.extra["removed_cruft"]] == ["byline", "photo_credit", "views"]
    assert result.extra["photo_credit"] == "Cezaro De Luca | Europa Press | Getty Images"
    assert result.extra["views"] == 0
    assert result.language == "en"


def test_seed_001_keeps_its_sub_headings() -> None:
    result = normalize_record(seed("001"))
    assert result.title == "Microsoft’s President Brad Smith Meets with Chinese Minister to Discuss AI Cooperation"
    assert "\n\nPromoting Cooperation and Collaboration\n\n" in result.text
    assert "Response from Microsoft" in result.text
    assert "removed_cruft" not in result.extra


# --- cruft shapes (other sites' wording) ---------------------------------------------------------


@pytest.mark.parametrize(("line", "kind"), [
    ("Posted by editor | 9:05 am | Politics | 1,204 views", "byline"),
    ("By Jane Doe", "byline"),
    ("Published on March 3, 2021 by newsdesk", "byline"),
    ("Updated: 12:05 PM EST", "byline"),
    ("Views: 3,418", "views"),
    ("(Read 57 times, 3 reads today)", "views"),
    ("2.4K views", "views"),
    ("Anna Kowalska | Reuters", "photo_credit"),
    ("(AP Photo/Evan Vucci)", "photo_credit"),
    ("Photo: Tom Briggs/AFP", "photo_credit"),
    ("Image credit: NASA/JPL-Caltech", "photo_credit"),
    ("Featured image by Unsplash", "photo_credit"),
    ("Share this article", "share"),
    ("Share on LinkedIn", "share"),
    ("Click to email a link to a friend (Opens in new window)", "share"),
    ("Pinterest", "share"),
    ("Tweet this", "share"),
    ("Subscribe to our daily newsletter", "subscribe"),
    ("Follow us on Instagram", "subscribe"),
    ("ADVERTISEMENT", "advertisement"),
    ("Sponsored content", "advertisement"),
    ("Continue reading", "navigation"),
    ("You may also like", "navigation"),
    ("Next post", "navigation"),
    ("Older Posts", "navigation"),
    ("See more stories", "navigation"),
    ("Like Loading...", "navigation"),
    ("Leave a reply", "comments"),
    ("3 comments", "views"),
    ("Tags: budget, transport, council", "tags"),
    ("Filed Under: Local News", "tags"),
    ("Posted in Uncategorized", "tags"),
    ("Categories: Europe", "tags"),
    ("© 2024 Northern Gazette Ltd", "copyright"),
    ("Copyright 2019 Example Media. All rights reserved.", "copyright"),
    ("14 March 2024", "dateline"),
    ("* * *", "separator"),
])
def test_cruft_shapes_at_the_edges(line: str, kind: str) -> None:
    assert classify_line(line, at_edge=True) == kind


@pytest.mark.parametrize("line", [
    PARAGRAPH,
    "Promoting Cooperation and Collaboration",
    "What happens next",
    "Follow the money",
    "Share prices fell sharply on Monday.",
    "By the end of 2030, the town hopes to run entirely on tidal power.",
    "The video had more than 3 million views within a day of being posted online.",
    "It said it has received about 11,070,000 shares under its",
    "Reuter",
    "The court said the copyright claim was invalid.",
    "Posted in 2019, the video was watched by millions of people.",
    # A line introducing what follows: a model's framing of its reply is evidence, not furniture.
    "Here is the news article:",
    "Sure, here's a rewritten version of the passage:",
    # Prose that begins like a link to another article, and an attribution provenance reads.
    "Read more about the plan in our explainer.",
    "Related: the council said it would meet again in May.",
    "This article originally appeared on The Conversation.",
    "Read the full report here",
])
def test_prose_is_not_cruft(line: str) -> None:
    assert classify_line(line, at_edge=True) is None
    assert classify_line(line, at_edge=False) is None


@pytest.mark.parametrize(("line", "kind"), [
    ("Advertisement", "advertisement"),
    ("Share on WhatsApp", "share"),
    ("Read more", "navigation"),
    ("Marta Ruiz | EFE | Pool", "photo_credit"),
    ("Photo credit: Lars Berg", "photo_credit"),
    ("Story continues below advertisement", "advertisement"),
    ("Continue reading below", "navigation"),
    ("Scroll to continue with content", "navigation"),
    ("Read more: Oil prices climb as OPEC cuts output", "related"),
    ("READ MORE: Council approves budget", "related"),
    ("Also read: Farmers expect a record harvest", "related"),
    ("Related Articles: Budget 2024 explained", "related"),
    ("See also: The tidal plant's first year", "related"),
    ("Image source, Getty Images", "photo_credit"),  # the BBC's shape: a comma, not a colon
    ("Image caption, The minister spoke to reporters on Monday", "caption"),
])
def test_unmistakable_cruft_in_the_middle(line: str, kind: str) -> None:
    assert classify_line(line, at_edge=False) == kind


@pytest.mark.parametrize("line", [
    "By Jane Doe", "Tags: budget, transport", "14 March 2024", "© 2024 Northern Gazette Ltd",
])
def test_edge_only_shapes_stay_in_the_middle(line: str) -> None:
    assert classify_line(line, at_edge=False) is None


def test_a_label_line_counts_its_words_up_to_the_longest_label() -> None:
    """classify_line stops counting words past the longest label line; a longer one is not a label."""
    def tags(count: int) -> str:
        return "Tags: " + ", ".join(f"topic{i}" for i in range(count))
    assert classify_line(tags(24), at_edge=True) == "tags"
    assert classify_line(tags(30), at_edge=True) is None


def test_record_with_other_sites_cruft() -> None:
    text = "\n".join([
        "Home | News | Local",
        "Council passes transport budget",
        "By Jane Doe | 14 March 2024, 9:05 am",
        "Share on Facebook",
        PARAGRAPH,
        "Anna Kowalska | Reuters",
        "Travel plans",
        SECOND,
        "Tags: budget, transport",
        "Like this:",
        "Like Loading...",
        "Related",
        "© 2024 Northern Gazette Ltd",
    ])
    result = normalize_record(record(text))
    assert result.title == "Council passes transport budget"
    assert result.text == f"{PARAGRAPH}\nTravel plans\n{SECOND}"
    assert result.extra["byline"] == "By Jane Doe | 14 March 2024, 9:05 am"
    assert result.extra["photo_credit"] == "Anna Kowalska | Reuters"
    assert result.extra["tags"] == ["budget", "transport"]
    assert result.extra["copyright"] == "© 2024 Northern Gazette Ltd"
    assert len(result.extra["removed_cruft"]) == 9


def test_a_credit_line_stays_in_the_text_and_the_furniture_around_it_goes() -> None:
    # "Source: ..." names where the story came from (provenance records it as an attribution);
    # the site's tags and copyright line on either side of it are still removed.
    text = "\n".join([PARAGRAPH, SECOND, "Tags: budget, transport", "Source: Deutsche Welle", "© 2024 Northern Gazette Ltd"])
    result = normalize_record(record(text))
    assert result.text == f"{PARAGRAPH}\n{SECOND}\nSource: Deutsche Welle"
    assert [item["kind"] for item in result.extra["removed_cruft"]] == ["tags", "copyright"]
    assert classify_line("Source: Deutsche Welle", at_edge=True) == "credit"
    assert classify_line("Via: Reuters", at_edge=False) == "credit"


def test_hard_wrapped_text_keeps_sentence_tails() -> None:
    text = (
        "Showers continued throughout the week in the zone, alleviating\n"
        "the drought since early January and improving prospects for\n"
        "the coming harvest, although normal humidity levels have not\n"
        "been restored since\n"
        "1986.\n"
        "    Arrivals for the week were 155,221 bags of 60 kilos and\n"
        "traders said 26,661,770 shares of the exporter changed hands in the\n"
        "share.\n\n"
        "(Visited 12 times, 2 visits today)"
    )
    result = normalize_record(record(text, title="Cocoa review"))
    assert "1986." in result.text and "\nshare." in result.text
    assert "Visited" not in result.text


def test_one_paragraph_a_line_with_long_site_lines_is_not_taken_for_hard_wrapped_text() -> None:
    # A page copied from a browser: each paragraph one line, and share, related and copyright
    # lines between and after them as long as a wrapped line, unfinished like one. Read as
    # hard-wrapped, the whole page was one block judged as prose, and none of them was removed.
    text = "\n".join([
        "Advertisement",
        "The harbour authority said on Friday that the lock would close on 3 March for nine weeks of repairs.",
        "Ships bound for the inner docks will be diverted to the northern quay, a spokeswoman said.",
        "Share this article on Facebook and Twitter now",
        "Related: Ferry timetable changes for the spring season",
        "Read more: Port strike talks to resume in the capital",
        "Copyright 2024 Daily News Network All rights reserved",
    ])
    result = normalize_record(record(text, title="Lock to close"))
    assert result.text.startswith("The harbour authority") and result.text.endswith("a spokeswoman said.")
    assert [item["kind"] for item in result.extra["removed_cruft"]] == ["advertisement", "share", "related", "related", "copyright"]


def test_an_embedded_post_ending_the_story_is_the_storys_words() -> None:
    # A quoted tweet as an extractor renders it, its own "©" in its words: at the story's end
    # it was taken for the page's copyright line, and the article lost a line its copies kept.
    post = "Our new mural on Dock Street © Ana Ruiz pic.twitter.com/Hx3mVo — City Arts (@cityarts) May 29, 2018"
    result = normalize_record(record("\n".join([PARAGRAPH, SECOND, post])))
    assert result.text.endswith(post) and "removed_cruft" not in result.extra
    assert classify_line("© 2018 City Arts Ltd. All rights reserved.", at_edge=True) == "copyright"


# --- titles, language, immutability --------------------------------------------------------------


def test_title_from_plain_text_is_not_a_paragraph() -> None:
    result = normalize_record(record(PARAGRAPH + "\n\n" + SECOND))
    assert result.title is None
    assert result.text.startswith(PARAGRAPH)


@pytest.mark.parametrize("text", [
    # hard-wrapped for print, a word split at the end of the first line
    "President Xi said on Monday that the Chinese Mini-\nstry of Commerce would review the tariffs.\n",
    # hard-wrapped, the first line's sentence going on below it
    "The harbour authority said on Friday that the lock\nwould close on 3 March for nine weeks of repairs.\n",
])
def test_the_first_line_of_a_wrapped_paragraph_is_no_title_and_stays_in_the_body(text: str) -> None:
    result = normalize_record(record(text))
    assert result.title is None
    assert result.text == text.strip()


def test_a_headline_above_its_body_without_a_blank_line_is_still_the_title() -> None:
    result = normalize_record(record(f"Harbour lock to close for repairs\n{PARAGRAPH}"))
    assert (result.title, result.text) == ("Harbour lock to close for repairs", PARAGRAPH)


def test_separate_title_is_removed_from_the_body_only_when_repeated() -> None:
    repeated = normalize_record(record(f"Budget passes\n{PARAGRAPH}", fmt="json", title="  Budget   passes "))
    assert (repeated.title, repeated.text) == ("Budget passes", PARAGRAPH)
    different = normalize_record(record(f"Budget row\n{PARAGRAPH}", fmt="json", title="Budget passes"))
    assert different.text == f"Budget row\n{PARAGRAPH}"


def test_only_cruft_is_kept_rather_than_emptied() -> None:
    result = normalize_record(record("Share this:\nTweet"))
    assert result.text == "Share this:\nTweet"


@pytest.mark.parametrize(("given", "text", "expected"), [
    ("en-US", "x", "en"),
    ("DE", "x", "de"),
    (None, PARAGRAPH, "en"),
    (None, "Der Gemeinderat hat am Dienstag nach einer langen Debatte den neuen Haushalt für den Verkehr "
           "beschlossen, obwohl die Opposition mehr Busse für die Dörfer im Norden verlangte.", "de"),
    (None, "Short words only", None),
])
def test_language(given: str | None, text: str, expected: str | None) -> None:
    raw = RawRecord(origin="x", external_id="x", text=text, fmt="json", language=given)
    assert normalize_record(raw).language == expected


def test_normalize_record_does_not_change_its_input() -> None:
    raw = seed("000")
    before = (raw.text, dict(raw.extra))
    normalize_record(raw)
    assert (raw.text, raw.extra) == before


def test_a_news_apis_truncation_mark_is_cruft() -> None:
    raw = RawRecord(origin="a.json", external_id="a", fmt="json", title="Storm hits the coast",
                    text="A storm hit the coast on Monday, officials said, cutting power to thousands of homes… [+2,345 chars]")
    record = normalize_record(raw)
    assert record.text == "A storm hit the coast on Monday, officials said, cutting power to thousands of homes…"
    assert record.extra["removed_cruft"] == [{"kind": "truncation_mark", "text": "[+2,345 chars]"}]
    # Only at the very end, and never the whole text.
    for text in ("The filter says [+12 chars] in the middle of this sentence.", "[+12 chars]"):
        assert normalize_record(RawRecord(origin="b", external_id="b", fmt="json", text=text)).text == text


def test_links_to_other_articles_captions_and_ad_markers_between_paragraphs_are_cruft() -> None:
    from archive.ingest.records import RawRecord

    second = "The vote followed a long debate about schools, roads and the new tram line to the harbour."
    text = "\n\n".join([PARAGRAPH, "Story continues below advertisement", "READ MORE: Harbour tram opens",
                        "Image source, Getty Images", "Image caption, Council members voting on Tuesday",
                        second, "Read more about the plan in our explainer."])
    record = normalize_record(RawRecord(origin="t", external_id="t", text=text, fmt="json", title="Budget passes"))
    assert record.text == "\n\n".join([PARAGRAPH, second, "Read more about the plan in our explainer."])
    assert [c["kind"] for c in record.extra["removed_cruft"]] == ["advertisement", "related", "photo_credit", "caption"]
    assert record.extra["photo_credit"] == "Getty Images"
