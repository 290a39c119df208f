"""Function words of the European languages news archives hold most besides English, and which of
them a text is written in.

Provenance weighs a text's content words by their rarity and reads its capitalised words as names.
With English function words alone, a German or French text's "und", "meine", "dans" and "avec"
counted as rare content words (in an archive of mostly English texts they are rare), and every
German noun, capitalised, as a name: two German blog posts on giving up blogging shared enough
such "rare words" and "names" to be taken for a rewrite of one another. A text whose function
words are clearly another language's gets that language's (tokenize), and a German text names
nothing by its capitals.

Hand-written, closed-class words only (articles, pronouns, prepositions, conjunctions, auxiliary
and modal verbs, "said"): no package keeps such lists small and free of content words (stop-word
lists for search drop words such as "Jahr" or "Regierung" too, which tell stories apart).
"""

from __future__ import annotations

from collections.abc import Sequence

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "de": frozenset("""
        der die das den dem des ein eine einer eines einem einen und oder aber doch sondern denn
        weil dass daß ob wenn als wie auch noch schon nur nicht kein keine keiner keinen keinem
        keines nichts ich du er sie es wir ihr mich mir dich dir ihn ihm uns euch ihnen sich mein
        meine meiner meinem meinen meines dein deine deinen deinem sein seine seiner seinem seinen
        seines ihre ihrer ihrem ihren ihres unser unsere unserer unseren unserem euer eure dieser
        diese dieses diesem diesen jener jene jenes welcher welche welches welchen welchem wer was
        wo wann warum wieso in mit von zu zum zur bei beim nach aus an am auf für über unter vor
        hinter neben zwischen durch gegen ohne um bis seit während im ins vom ist sind war waren
        bin bist gewesen wird werden wurde wurden worden werde wirst hat haben hatte hatten habe
        hast kann können konnte konnten muss müssen musste mussten soll sollen sollte sollten will
        wollen wollte wollten darf dürfen mag möchte sehr so dann da dort hier jetzt man einige
        viele alle allem allen aller alles jeder jede jedes jeden jedem etwa bereits sowie zudem
        also ja nein dabei damit dazu davon darauf daran darüber darum deshalb daher jedoch trotz
        sagte sagt sagten
    """.split()),
    "fr": frozenset("""
        le la les un une des du de à au aux et ou mais donc car ni que qui quoi dont où ce cet cette
        ces ceci cela ça il ils elle elles on nous vous je tu me te se lui leur leurs eux mon ma mes
        ton ta tes son sa ses notre nos votre vos ne pas plus non oui en y dans sur sous avec sans
        pour par entre vers chez avant après depuis pendant contre selon est sont était étaient été
        être ont avait avaient avoir eu sera seront serait seraient fait faire peut peuvent
        pourrait doit très aussi comme si tout tous toute toutes autre autres même encore déjà
        alors ainsi lors quand dit déclaré
    """.split()),
    "es": frozenset("""
        el la los las lo un una unos unas y o u e pero sino que qué quien quién quienes cual cuál
        cuales cuyo de del al a en por para con sin sobre entre hasta desde hacia contra según
        durante mediante ante bajo tras es son era eran fue fueron ser sido siendo está están
        estaba estaban estar ha han había habían haber he hemos se le les me te nos mi mis tu tus
        su sus nuestro nuestra nuestros nuestras este esta estos estas ese esa esos esas aquel
        aquella esto eso yo tú él ella ellos ellas usted ustedes nosotros no sí ni muy más menos
        también ya todo todos toda todas otro otra otros otras como cuando donde dónde si porque
        pues así aunque sólo solo tan tanto puede pueden dijo hay
    """.split()),
    "it": frozenset("""
        il lo la i gli le un uno una e ed o ma però che chi cui di del dello della dei degli delle
        a al allo alla ai agli alle da dal dallo dalla dai dagli dalle in nel nello nella nei negli
        nelle su sul sullo sulla sui sugli sulle con per tra fra è sono era erano fu furono essere
        stato stata stati state ha hanno aveva avevano avere si ci ne mi ti vi me te lui lei loro
        noi voi io tu egli esso essa suo sua suoi sue nostro nostra vostro mio mia questo questa
        questi queste quello quella quelli quelle non più molto anche come quando dove se perché
        già ancora tutto tutti tutta tutte altro altra altri altre detto
    """.split()),
    "pt": frozenset("""
        o a os as um uma uns umas e ou mas que quem qual quais de do da dos das em no na nos nas
        por pelo pela pelos pelas para com sem sobre entre até desde contra durante ao aos à às é
        são era eram foi foram ser sido estar está estão estava tem têm tinha ter há se lhe lhes me
        te meu minha seu sua seus suas nosso nossa este esta estes estas esse essa isso isto aquele
        aquela eu tu ele ela eles elas você vocês não sim muito mais menos também já todo todos
        toda todas outro outra outros outras como quando onde porque assim disse segundo
    """.split()),
    "nl": frozenset("""
        de het een en of maar want dat die dit deze wie wat waar wanneer hoe van in op aan met voor
        door bij naar uit over tot om onder tegen tussen zonder na sinds is zijn was waren ben bent
        wordt worden werd werden geworden heeft hebben had hadden heb kan kunnen kon konden moet
        moeten moest zal zullen zou zouden wil willen ik jij je u hij zij ze wij we jullie hen hun
        haar hem mij me ons mijn jouw uw niet geen wel ook nog al als dan er hier daar nu zo zeer
        heel meer veel alle alles iets niets men zei volgens
    """.split()),
}

# Languages that capitalise every noun: there a capital says nothing about a name.
NOUNS_CAPITALISED = frozenset({"de"})

# How many of a text's first tokens are read to tell its language (a few sentences).
LANGUAGE_SAMPLE_TOKENS = 200
# A language's function words make up a fifth or more of any running text in it (English news:
# 35-50% by the English list; German, French or Spanish news 5-15% by it).
MIN_FUNCTION_WORD_SHARE = 0.2
# ... and it must cover clearly more of the text than English's do: the lists share words ("in",
# "a", "was") and English writes others as content words ("die", "war"), so an English text
# scores some by each of them.
MIN_LEAD_OVER_ENGLISH = 2.0
# Fewer tokens than this (a headline, a caption) tell no language.
MIN_SAMPLE_TOKENS = 20


def function_word_language(forms: Sequence[str], english: frozenset[str]) -> str | None:
    """The language (a key of FUNCTION_WORDS) whose function words clearly make up the start of
    ``forms`` (lower-cased tokens), or None: English, or too little to tell (then English's
    function words are the text's, as for every text before)."""
    sample = forms[:LANGUAGE_SAMPLE_TOKENS]
    if len(sample) < MIN_SAMPLE_TOKENS:
        return None
    english_hits = sum(map(english.__contains__, sample))
    if english_hits >= MIN_FUNCTION_WORD_SHARE * len(sample):
        return None  # most texts: English, told by one pass
    best, hits = None, 0
    for language, words in FUNCTION_WORDS.items():
        n = sum(map(words.__contains__, sample))
        if n > hits:
            best, hits = language, n
    if hits >= MIN_FUNCTION_WORD_SHARE * len(sample) and hits >= MIN_LEAD_OVER_ENGLISH * english_hits:
        return best
    return None
