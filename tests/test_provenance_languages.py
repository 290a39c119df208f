"""A text's own language's function words (archive/provenance/languages.py): German, French,
Spanish, Italian, Portuguese or Dutch words such as "und", "meine" or "dans" are no rare content
words, and a German noun's capital makes no name. Hand-written fixtures only."""

from __future__ import annotations

from archive.provenance.features import CAP, STOP, STOPWORDS, WORD, tokenize
from archive.provenance.languages import function_word_language

GERMAN = (
    "Liebe Leserinnen und Leser, vor mittlerweile fast neun Jahren habe ich diesen Blog gestartet und "
    "seitdem viele Artikel und einige Videos über Reisen, Bücher und das Leben in der Stadt "
    "veröffentlicht. Es war eine schöne Zeit, und ich habe dabei viele nette Menschen kennengelernt. "
    "Doch in den letzten Jahren fehlte mir die Zeit und auch die Motivation, sagte sie der EU in Brüssel."
)
FRENCH = (
    "Le conseil municipal a décidé mardi de rénover le pont sur la rivière avant l'automne. Selon la "
    "mairie de Lyon, les travaux dureront six mois et coûteront environ deux millions d'euros, a déclaré "
    "le maire dans un communiqué publié avec le budget de la ville pour les années à venir."
)
ENGLISH = (
    "The war over the harbour ended when the man who ran the port said he would rather die than sell. "
    "Officials in the town said on Tuesday that the deal was off, and that the council would meet again "
    "in March to discuss what the closure of the docks means for the hundreds of workers there."
)


def _kinds(text: str) -> dict[str, int]:
    tokens = tokenize(text)
    return {text[s:e]: k for s, e, k in zip(tokens.starts.tolist(), tokens.ends.tolist(), tokens.kinds.tolist())}


def _forms(text: str) -> list[str]:
    tokens = tokenize(text)
    return [text[s:e].lower() for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist())]


def test_a_texts_language_is_told_by_its_function_words() -> None:
    assert function_word_language(_forms(GERMAN), STOPWORDS) == "de"
    assert function_word_language(_forms(FRENCH), STOPWORDS) == "fr"
    assert function_word_language(_forms(ENGLISH), STOPWORDS) is None  # English: the English list
    assert function_word_language(_forms("Und die Zeit."), STOPWORDS) is None  # too little to tell


def test_a_german_texts_function_words_are_stop_words_and_its_nouns_no_names() -> None:
    kinds = _kinds(GERMAN)
    assert all(kinds[w] == STOP for w in ("und", "mir", "der", "die", "in", "habe", "sagte"))
    # Every German noun has a capital: only an all-caps word (an acronym) is read as a name.
    assert kinds["Artikel"] == kinds["Zeit"] == kinds["Motivation"] == kinds["Brüssel"] == WORD
    assert kinds["EU"] == CAP


def test_a_french_texts_function_words_are_stop_words_and_its_names_still_names() -> None:
    kinds = _kinds(FRENCH)
    assert all(kinds[w] == STOP for w in ("dans", "avec", "les", "pour", "sur", "à"))
    assert kinds["Lyon"] == CAP and kinds["pont"] == WORD


def test_an_english_text_keeps_the_english_words_other_languages_hold_as_function_words() -> None:
    kinds = _kinds(ENGLISH)
    assert kinds["war"] == kinds["die"] == kinds["man"] == WORD  # German function words, English content words
    assert kinds["the"] == kinds["would"] == STOP and kinds["March"] == CAP


def test_a_spun_german_copy_is_found_with_its_swaps_counted_over_content_words() -> None:
    from archive.provenance import DocInput
    from archive.provenance.engine import build

    source = (
        "Der Stadtrat hat am Dienstag beschlossen, die marode Drehbrücke über den Kanal bis zum Herbst für rund "
        "2,4 Millionen Euro zu sanieren. Nach Angaben der Verwaltung war das Bauwerk im Winter wegen Rissen im "
        "Mauerwerk gesperrt worden.\nDer Bürgermeister sagte, die Arbeiten sollten im Mai beginnen und bis Oktober "
        "dauern. Während der Sanierung werde eine Fähre eingesetzt, damit Pendler und Touristen weiterhin die "
        "Altstadt erreichen könnten.\nDie Opposition kritisierte die Kosten und forderte einen Bericht über alle "
        "Brücken der Stadt, vor deren Zustand sie seit Jahren gewarnt habe."
    )
    swaps = {"beschlossen": "entschieden", "marode": "baufällige", "sanieren": "renovieren", "Bauwerk": "Gebäude",
             "Rissen": "Spalten", "beginnen": "starten", "kritisierte": "bemängelte", "Kosten": "Ausgaben"}
    copy = source
    for old, new in swaps.items():
        copy = copy.replace(old, new)
    other = ("Die Polizei sucht nach einem Unfall auf der Autobahn Zeugen. Ein Lastwagen war am frühen Morgen von "
             "der Fahrbahn abgekommen und in einen Graben gerutscht; der Fahrer wurde leicht verletzt.")
    [link] = build([DocInput(1, source), DocInput(2, copy), DocInput(3, other)]).links
    assert (link.derived_id, link.source_id, link.relation) == (2, 1, "spun")
    assert {tuple(pair) for pair in link.evidence["substitutions"]} >= {("marode", "baufällige"), ("Kosten", "Ausgaben")}
    # Eight swaps among the copy's content words, not among all its words ("der", "und", "die").
    assert link.evidence["substitution_rate"] > 0.15


def test_a_lead_read_alone_is_read_in_its_whole_texts_language() -> None:
    from archive.provenance import DocInput, ProvenanceIndex
    from archive.provenance.features import text_language, token_hash

    # A short German lead (too few tokens to tell its language alone) after a farm's date line,
    # so the engine reads the lead from where the story starts, and once more with the words a
    # hyphen joins taken apart ("Neu-Stadt").
    story = ("Der Bürgermeister von Neu-Stadt, Klaus Berg, tritt zurück.\n\n"
             + GERMAN.replace("Liebe Leserinnen und Leser, ", ""))
    text = "Posted by admin on 3 March 2021 | 12 Comments\n\n" + story
    assert text_language(text) == "de" and text_language(story[:60]) is None
    index = ProvenanceIndex()
    index.update([DocInput(1, text)])
    start = index._body_start(1)
    assert text[start:].startswith("Der Bürgermeister")
    for lead, _ in (index._lead(1), index._unjoined_lead(1)):
        names = set(lead.names.tolist())
        # "Der" is German's article, no name; the lead's own names still are.
        assert token_hash("der") not in names and token_hash("von") not in names
        assert {token_hash("klaus"), token_hash("berg")} <= names
    # The text's own tokens after the cut are those of the cut text, in the whole text's language.
    tokens = tokenize(text)
    after = tokens.after(start)
    again = tokenize(text[start:], "de")
    assert after.hashes.tolist() == again.hashes.tolist() and after.starts.tolist() == again.starts.tolist()
    assert after.kinds.tolist() == again.kinds.tolist()
