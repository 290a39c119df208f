"""Units of the provenance library: tokens, alignment, attribution, artefacts, candidates."""

from __future__ import annotations

import dataclasses
import random
import re

import numpy as np
import pytest
import scipy.sparse as sp

from archive.provenance.align import Prepared, align, longest_increasing, opcodes
from archive.provenance.attribution import find_attributions
from archive.provenance.candidates import CandidateIndex, TermTable
from archive.provenance.features import CAP, NUM, STOP, WORD, tokenize
from archive.provenance import style
from archive.provenance.style import ai_style, cruft_lines, reads_cut_off, spinner_artefacts


def test_token_kinds_and_offsets() -> None:
    text = "Shares of Norvale rose 6.2 percent. The U.S. economy grew 1,500 jobs."
    t = tokenize(text)
    got = {text[s:e]: int(k) for s, e, k in zip(t.starts, t.ends, t.kinds)}
    assert got["Norvale"] == CAP and got["6.2"] == NUM and got["of"] == STOP
    assert got["Shares"] == WORD  # capital only because it starts the sentence
    assert got["1,500"] == NUM and got["rose"] == WORD
    assert tokenize("1,500").hashes[0] == tokenize("1500").hashes[0]
    assert tokenize("Bank’s").hashes[0] == tokenize("bank's").hashes[0]


def test_number_forms_that_rewriters_switch_between_share_a_hash() -> None:
    def h(form: str) -> int:
        return int(tokenize(form).hashes[0])

    assert h("14th") == h("14") and h("21st") == h("21") and h("2nd") == h("2")
    assert h("36-year-old") == h("36")
    # A word hyphened to a figure is a word a spinner rewords; the figure stays the fact.
    assert h("32-year-old") == h("32-yr-old") == h("32") and h("3,000-pound") == h("3000-lb") == h("3000")
    assert h("1.5-inch") == h("1.5") and h("24-nation") == h("24-country")
    assert h("30's") == h("30s") and h("30’s") == h("30s")
    # Other numbers keep their own form: a decade is not the number, a date is not its day.
    assert h("1990s") != h("1990") and h("5.17.19") != h("17") and h("14-million") != h("14")


def test_a_text_cut_off_inside_a_sentence_reads_cut_off() -> None:
    assert reads_cut_off("The council met on Monday. It said the lock would close on 3 March and that the")
    assert not reads_cut_off("The council met on Monday. It said the lock would close on 3 March.")
    assert not reads_cut_off('He said: "We had no choice,"')
    # A closing signature or a table's last row is not an unfinished sentence.
    assert not reads_cut_off("Profits rose 6.2 pct in the quarter, the company said. REUTER")
    assert not reads_cut_off("Shr 1.20 dlrs vs 1.10 dlrs\n    Net 14.5 mln vs 13.2 mln\n Reuter")
    assert not reads_cut_off("")


def test_alignment_finds_substitutions_and_passages() -> None:
    a = Prepared.of(tokenize("the company said on monday that profits rose sharply in the third quarter of the year"))
    b = Prepared.of(tokenize("the firm stated on monday that profits climbed sharply in the third quarter of the year"))
    al = align(a, b)
    assert al.passages and al.coverage_a > 0.9 and al.coverage_b > 0.9
    # "company said" -> "firm stated" is one two-word replacement; "rose" -> "climbed" another.
    assert [(s.a1 - s.a0, s.b1 - s.b0) for s in al.substitutions] == [(2, 2), (1, 1)]


MOVE_HEAD = ("The harbour authority will close the Corvay lock on the Merrin canal for nine weeks from 3 March, "
             "after engineers found corroded gates during a routine January inspection of the chamber. ")
MOVE_MIDDLE = ("About 140 barges a week use the lock, most of them carrying grain and timber from the Ostrel valley "
               "down to the coast, and their operators say a spring closure will cost them dearly this season. ")
MOVE_TAIL = ("The authority has set aside 4.2 million euros for two new gates, a rebuilt sill and a pump house "
             "that nobody has touched since the lock first opened to traffic in 1887, the harbour master said.")


def test_alignment_finds_a_stretch_the_copy_moved() -> None:
    source = Prepared.of(tokenize(MOVE_HEAD + MOVE_MIDDLE + MOVE_TAIL))
    moved = Prepared.of(tokenize(MOVE_TAIL + " " + MOVE_HEAD + MOVE_MIDDLE.replace("dearly", "a lot")))
    al = align(source, moved)
    # The stretch put first is aligned too, not left as an insertion and a deletion.
    assert al.coverage_a > 0.95 and al.coverage_b > 0.95
    assert len(al.passages) >= 2 and al.internal_edits >= 1, "a moved stretch is an edit: no duplicate"
    assert sorted((p.a0, p.a1) for p in al.passages) == [(p.a0, p.a1) for p in al.passages]
    assert [(s.a1 - s.a0, s.b1 - s.b0) for s in al.substitutions] == [(1, 2)]  # dearly -> a lot
    # Without the move only the in-order part was aligned.
    from archive.provenance.align import _align_in_order, anchors

    assert _align_in_order(source, moved, *anchors(source, moved)).coverage_b < 0.7
    # Texts that share nothing in order share nothing moved either.
    other = Prepared.of(tokenize("Council report: the library budget rose by 3 percent, officials said on Tuesday. " * 3))
    assert not align(source, other).passages


def test_a_spinner_rewording_the_unit_of_a_figure_changes_no_number() -> None:
    # Ages, weights and counts written with a hyphened noun: the spinner swaps the noun, the
    # figures stay, so the copy is one story (no differing numbers), not a template's other one.
    src = ("The 32-year-old attorney from Dallas chose Bryan, the 37-year-old surgeon, over the "
           "31-year-old business owner after a 13-season run, and a 3,000-pound shark was caught.")
    copy = ("The 32-yr-old attorney from Dallas chose Bryan, the 37-yr-old surgeon, over the "
            "31-yr-old business proprietor after a 13-period run, and a 3,000-lb shark was caught.")
    al = align(Prepared.of(tokenize(src)), Prepared.of(tokenize(copy)))
    assert al.number_conflicts == ()
    assert len(al.substitutions) == 1 and al.coverage_a > 0.95  # "owner" -> "proprietor"


def test_a_word_with_digits_in_it_is_no_figure_but_a_short_code_is() -> None:
    t = tokenize("Kevin James (@kevinjames4good) wrote about G-7 talks, a Baa-2 rating and end-1986 plans.")
    kinds = {text: int(k) for text, k in zip(["Kevin", "James", "kevinjames4good", "wrote", "about", "G-7", "talks",
                                              "a", "Baa-2", "rating", "and", "end-1986", "plans"], t.kinds)}
    assert kinds["kevinjames4good"] == WORD
    assert kinds["G-7"] == kinds["Baa-2"] == kinds["end-1986"] == NUM
    # A spinner that swaps the "good" of an account name changes no figure.
    src = "Respect, and I appreciate your humour, said Kevin James (@kevinjames4good) on Monday night in Dallas."
    copy = "Respect, and I appreciate your humour, said Kevin James (@kevinjames4parental) on Monday night in Dallas."
    assert align(Prepared.of(tokenize(src)), Prepared.of(tokenize(copy))).number_conflicts == ()


def test_alignment_flags_differing_numbers() -> None:
    a = Prepared.of(tokenize("Shr 1.20 dlrs vs 1.10 dlrs Net 14.5 mln vs 13.2 mln Revs 210.4 mln vs 190.7 mln"))
    b = Prepared.of(tokenize("Shr 87 cts vs 64 cts Net 6.3 mln vs 4.8 mln Revs 98.1 mln vs 85.6 mln"))
    assert len(align(a, b).number_conflicts) >= 3


def test_a_moved_stretch_that_repeats_a_paragraph_is_aligned_again() -> None:
    # A scraped page holds its first paragraph twice; its spun copy leads with the last paragraph.
    # Inside the repeat no bigram occurs once, so only anchors paired in order align it.
    first = ("When the council proposed in 2015 that the harbour close for a season, traders in the "
             "old quarter warned of lost trade and the fishermen of empty nets for months. ")
    middle = ("A Merrin county legislator has since filed a bill that would keep the lock open on "
              "Sundays, with a toll for pleasure boats. ")
    last = ("A second vote is due in the spring, and the mayor said she would not stand in its way "
            "whatever the traders decide about the harbour and its future.")
    source = first + first + middle + last
    spun = first.replace("proposed", "suggested").replace("warned", "cautioned").replace("empty", "vacant")
    copy = last + " " + spun + spun + middle
    al = align(Prepared.of(tokenize(source)), Prepared.of(tokenize(copy)))
    assert al.coverage_a > 0.95 and al.coverage_b > 0.95 and al.number_conflicts == ()



_REPEATED_PAGE = (
    "Harbour traders gathered on Tuesday evening outside the municipal offices, carrying placards and "
    "petitions signed by hundreds of residents who depend on summer visitors. "
    "The council proposed that the harbour close for a whole season, and traders in the old quarter "
    "warned of lost trade while fishermen spoke of empty nets. A county legislator filed a bill to "
    "keep the lock open on Sundays. The council proposed that the harbour close for a whole season, "
    "and traders in the old quarter warned of lost trade while fishermen spoke of empty nets. A "
    "second vote is due in the spring, and the mayor said she would not stand in its way, whatever "
    "the chamber of commerce decides about dredging, moorings and the future of the ferry service.")


def _swap_every_third_content_word(text: str) -> str:
    """A heavy spin in place: every third word of five letters or more becomes another word."""
    out, seen = [], 0
    for word in text.split(" "):
        if len(word.strip(".,")) >= 5:
            seen += 1
            if seen % 3 == 0:
                word = "zq" + word[::-1]
        out.append(word)
    return " ".join(out)


def test_a_spun_copy_that_keeps_its_sources_repeated_paragraph_is_aligned_through_it() -> None:
    from archive.provenance.align import _align_in_order, anchors, patience_anchors

    # Inside the repeat no bigram occurs once, and the swaps leave no verbatim run that spans it,
    # so the unique anchors leave the repeat one unaligned gap; anchored again inside that gap,
    # its occurrence is aligned with the copy's.
    pa, pb = Prepared.of(tokenize(_REPEATED_PAGE)), Prepared.of(tokenize(_swap_every_third_content_word(_REPEATED_PAGE)))
    ai, bj = anchors(pa, pb)
    assert _align_in_order(pa, pb, ai, bj).coverage_a < 0.8
    more_a, more_b = patience_anchors(pa, pb, ai, bj)
    assert more_a.shape[0] > ai.shape[0] and (np.diff(more_a) > 0).all() and (np.diff(more_b) > 0).all()
    al = align(pa, pb)
    assert al.coverage_a > 0.95 and al.coverage_b > 0.95 and len(al.substitutions) >= 10


def test_a_spun_copy_of_a_page_that_holds_its_article_twice_is_aligned() -> None:
    # Nearly every bigram of such a page is in a repeat: the unique anchors are a handful and
    # align next to nothing, yet the copy is a spin word for word.
    page = _REPEATED_PAGE + " " + _REPEATED_PAGE
    al = align(Prepared.of(tokenize(page)), Prepared.of(tokenize(_swap_every_third_content_word(page))))
    assert al.coverage_a > 0.95 and al.coverage_b > 0.95 and len(al.substitutions) >= 20


def test_a_revision_is_not_anchored_again_inside_its_sources_repeat() -> None:
    from archive.provenance.align import _align_in_order, anchors, patience_anchors, substitutes_in_place

    # A rewrite that keeps a few phrases, in another order: the repeat's phrases anchor it again,
    # but that alignment is no spinner's, so the in-order one stands.
    rewrite = ("Harbour traders gathered on Tuesday evening with placards. Last year the council proposed that "
               "the harbour close, a plan residents say would ruin them. Now a bill would keep the lock open "
               "on Sundays, and fishermen spoke of empty nets all winter. Residents expect the mayor will not "
               "stand in its way when the second vote comes.")
    pa, pb = Prepared.of(tokenize(_REPEATED_PAGE)), Prepared.of(tokenize(rewrite))
    ai, bj = anchors(pa, pb)
    more_a, more_b = patience_anchors(pa, pb, ai, bj)
    assert more_a.shape[0] > ai.shape[0]
    assert not substitutes_in_place(_align_in_order(pa, pb, more_a, more_b))
    assert align(pa, pb) == _align_in_order(pa, pb, ai, bj)


def test_a_heavy_spin_that_moves_its_last_paragraphs_first_is_aligned_whole() -> None:
    # Every second word of four letters or more swapped: no verbatim run of MIN_MOVED_RUN is
    # left, yet the in-order alignment is a spinner's, so the moved stretch is aligned too.
    sentences = [
        "Harbour traders gathered on Tuesday evening outside the municipal offices, carrying placards and "
        "petitions signed by hundreds of residents",
        "The council proposed that the harbour close for a whole season, and traders in the old quarter "
        "warned of lost trade",
        "Fishermen spoke of empty nets and of boats tied up at the quay for months on end",
        "A county legislator filed a bill to keep the lock open on Sundays, with a toll for pleasure boats",
        "A second vote is due in the spring, and the mayor said she would not stand in its way",
        "The chamber of commerce has asked for a study of dredging, moorings and the future of the ferry service",
        "Engineers expect the study to take most of the summer and to cost several thousand pounds"]
    source = ". ".join(sentences) + "."
    words, seen = [], 0
    for word in source.split(" "):
        if len(word.strip(".,")) >= 4:
            seen += 1
            word = "zq" + word[::-1] if seen % 2 == 0 else word
        words.append(word)
    spun = " ".join(words).split(". ")
    copy = ". ".join(spun[-2:]) + ". " + ". ".join(spun[:-2])
    al = align(Prepared.of(tokenize(source)), Prepared.of(tokenize(copy)))
    assert al.longest_run < 10 and al.coverage_a > 0.95 and al.coverage_b > 0.95

def test_opcodes_agree_with_a_plain_diff_on_moves() -> None:
    a = np.arange(30, dtype=np.int64)
    b = np.concatenate([a[:10], [99, 98], a[12:25]])
    ops = opcodes(a, b, *_anchor_arrays(a, b))
    assert ops[0] == ("equal", 0, 10, 0, 10) and ops[1] == ("replace", 10, 12, 10, 12)
    assert ops[2] == ("equal", 12, 25, 12, 25) and ops[3][0] == "delete"
    assert longest_increasing([3, 1, 2, 5, 4, 6]) == [1, 2, 4, 5]


def _anchor_arrays(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from archive.provenance.align import _unique_bigrams

    va, pa = _unique_bigrams(a)
    vb, pb = _unique_bigrams(b)
    _, ia, ib = np.intersect1d(va, vb, assume_unique=True, return_indices=True)
    return pa[ia], pb[ib]


def test_attribution_phrases() -> None:
    text = ("WASHINGTON (AP) — The plan stalled, according to Reuters on Monday. An aide told the "
            "Associated Press it was over, according to Hospital Corp.\nSource: BBC News\n"
            "Later, The Wall Street Journal reported the deal. She told reporters nothing.")
    found = {(a.outlet, a.phrase) for a in find_attributions(1, text)}
    assert ("AP", "(AP) —") in found
    assert ("Reuters", "according to Reuters") in found
    assert ("Associated Press", "told the Associated Press") in found
    assert ("BBC News", "Source: BBC News") in found
    assert ("Wall Street Journal", "The Wall Street Journal reported") in found
    assert not any("Hospital" in o or "reporters" in o for o, _ in found)


def test_an_outlets_name_ends_with_its_sentence() -> None:
    # The next sentence's first words are no part of the name; initials and "Co." are.
    found = {(a.outlet, a.phrase) for a in find_attributions(1, (
        "Prices rose, according to Reuters. More than 300 firefighters were sent. It fell, according to "
        "the Associated Press. Officials said so. The firm did not respond when contacted by CNBC. Shares "
        "fell, according to U.S. News & World Report on Monday."))}
    assert found == {("Reuters", "according to Reuters"), ("Associated Press", "according to the Associated Press"),
                     ("CNBC", "when contacted by CNBC"),
                     ("U.S. News & World Report", "according to U.S. News & World Report")}


def test_an_organisations_acronym_or_staff_is_no_outlet_and_a_name_keeps_its_particles() -> None:
    # An acronym in brackets before a dash abbreviates the words before it unless a dateline
    # stands there; an agency whose staff made contact is not a newsroom.
    for text in ("The Group of Five (G-5) - comprising the U.S. and Japan - met on Sunday.",
                 "He resigned when contacted by SEC investigators last week."):
        assert find_attributions(1, text) == [], text
    found = {(a.outlet, a.phrase) for a in find_attributions(1, (
        "Title of the story\nNEW YORK, March 3 (XYZ) - Shares fell. He said nothing when contacted by CNBC "
        "reporters, but he told the Radio del Plata station that talks went on."))}
    assert found == {("XYZ", "(XYZ) -"), ("CNBC", "when contacted by CNBC"),
                     ("Radio del Plata", "told the Radio del Plata")}


def test_a_credit_line_names_its_source_whatever_the_name() -> None:
    # The label says what the name is: no media word or acronym needed, unlike "according to X".
    credits = {
        "Source: Deutsche Welle": "Deutsche Welle",
        "This article is republished from The Conversation under a Creative Commons license.": "Conversation",
        "This article originally appeared on Daily Beast.": "Daily Beast",
        "First published in Le Monde.": "Le Monde",
        "Republished with permission from Quartz.": "Quartz",
    }
    for line, outlet in credits.items():
        assert [a.outlet for a in find_attributions(1, f"The harbour reopened on Monday.\n{line}")] == [outlet], line
    # Not prose that starts alike, nor a feed's footer (it names the page's own site), nor a
    # weak phrase naming a company.
    for text in ("Published in 2019, the study found little.", "First, the minister said it was over.",
                 "The post Harbour reopens appeared first on Buzz Farm.", "The plan stalled, according to Hospital Corp."):
        assert find_attributions(1, text) == [], text


def test_blog_template_furniture_is_cruft_and_sentences_are_not() -> None:
    furniture = ["Last updated: March 3, 2023", "Updated on 12/04/2021 10:31", "Published: 4 June 2019",
                 "Home » News » Politics", "Home > World", "Copyright 2020 InfoStream Now. All rights reserved.",
                 "© 2021 The Daily Site", "Politics | June 3, 2020 | 14 Comments", "Leave a reply", "Facebook",
                 "WhatsApp", "You may also like", "Filed under: World, Health", "Like this article? Share it!",
                 "The post " + "Senate passes the long-awaited infrastructure bill after a night of talks " * 2
                 + "appeared first on Daily Buzz Hub."]
    assert [m.phrase for m in cruft_lines("\n\n".join(furniture))] == furniture
    sentences = ["Home prices rose 4 percent in March.", "The copyright claim was filed in 2020 by the band.",
                 "Facebook said it would appeal.", "He updated the figures on Monday, 3 March.",
                 "The post office reopened on Tuesday after the storm.", "She said the comments were unfair."]
    assert cruft_lines("\n\n".join(sentences)) == []
    # Hard-wrapped wire copy: a line that carries on the sentence before it is no share prompt.
    wire = "The company said it would pay 10 cts a\nshare on its common stock, payable May 1.\nNo comment was made."
    assert cruft_lines(wire) == []
    bar = cruft_lines("Body text ends here.\n\nShare this:\nFacebook\nTwitter\nEmail")
    assert [m.phrase for m in bar] == ["Share this:", "Facebook", "Twitter", "Email"]


def test_news_template_headers_are_cruft_and_sentences_like_them_are_not() -> None:
    furniture = ["TRENDING | Markets | 5 min read", "Markets • 3 min read", "Reading Time: 2 minutes",
                 "admin | Oct 10, 2021 | Business", "By Staff Reporter | Oct 10, 2021", "Markets • 2 hours ago",
                 "Breaking News", "Trending Now", "Sponsored", "Read next: Ten cities to watch", "2.3k shares",
                 "Author: John Smith", "October 10, 2021", "10 Oct 2021", "Oct 10, 2021 - 10:42 AM",
                 "Monday, 10 October 2021, 10:42 am", "2021-10-10"]
    assert [m.phrase for m in cruft_lines("\n\n".join(furniture))] == furniture
    sentences = ["Author John Smith said the review was unfair.", "Sales rose | fell in 2021, the firm said.",
                 "Shares of the company rose 5 pct on March 3, 1987.", "Breaking news is hard to verify.",
                 "Trending stocks rose on Tuesday.", "The 5 min read in the survey was longest.",
                 "It sold 1,500 shares of its stock."]
    assert cruft_lines("\n\n".join(sentences)) == []


def test_spinner_artefacts_cruft_and_ai_style() -> None:
    text = "Earlier this 12 months the corporate's profit fell. It is certainly one of the best years."
    usual = {m.usual for m in spinner_artefacts(text)}
    assert usual == {"this year", "the company's", "one of"}
    assert spinner_artefacts("Results for the last 12 months were strong. One of the best.") == []
    cruft = cruft_lines("Written by admin 1:31 pm World Views: 12\n\nBody text here.\n(Visited 5 times, 1 visits today)")
    assert len(cruft) == 2
    body = "x " * 20
    ai = ai_style(f"Title\n\n{body}\n\nA New Direction For Growth\n\n{body}\n\nIn conclusion, it worked.")
    assert {m.phrase for m in ai} >= {"A New Direction For Growth", "In conclusion"}
    wire = "The company said it would buy\nHospital Corp of America Shares\nfor 10 dlrs a share, the company said in a statement."
    assert not [m for m in ai_style(wire) if m.phrase.startswith("Hospital")]


def test_candidate_index_ranks_shared_rare_terms_first() -> None:
    index = CandidateIndex()
    texts = {
        1: "Norvale Mining raised copper output at Kestrel Ridge to 212,000 tonnes",
        2: "Copper output at Kestrel Ridge rose to 212,000 tonnes, Norvale said",
        3: "Wheat prices fell in Chicago as rain eased drought fears",
        4: "Gold prices rose in London on a weaker dollar",
    }
    for doc_id, text in texts.items():
        index.add(doc_id, tokenize(text))
    top = index.neighbours([1])[1]
    assert top[0][0] == 2 and top[0][1] > 0.3
    assert all(other != 1 for other, _ in top)


def test_adding_documents_in_batches_builds_the_index_that_the_definition_gives() -> None:
    import random

    rng = random.Random(5)
    words = [f"word{i}" for i in range(300)] + ["the", "of", "and"]
    texts = [" ".join(rng.choices(words, k=rng.randint(0, 60))) for _ in range(40)] + ["the of and"]
    docs = [(1000 - 7 * k, tokenize(t)) for k, t in enumerate(texts)]  # ids not in row order
    # The definition: each document's distinct content terms, columns numbered in order of first
    # appearance (documents in order, terms by hash within one), weights 1 + log(count).
    vocab: dict[int, int] = {}
    rows = []
    for _, t in docs:
        terms, counts = np.unique(t.hashes[t.kinds != STOP], return_counts=True)
        cols = np.array([vocab.setdefault(h, len(vocab)) for h in terms.tolist()], dtype=np.int64)
        order = np.argsort(cols)
        rows.append((cols[order], (1.0 + np.log(counts[order])).astype(np.float32)))
    for batches in ([docs], [docs[:1], docs[1:17], docs[17:]], [[d] for d in docs]):
        index = CandidateIndex()
        for batch in batches:
            index.add_many(batch)
        m = index.matrix()
        assert index.ids == [doc_id for doc_id, _ in docs] and index.vocab == vocab
        assert list(index.vocab) == list(vocab)  # column order
        for row, (cols, tf) in enumerate(rows):
            assert np.array_equal(m.indices[m.indptr[row]:m.indptr[row + 1]], cols)
            assert np.array_equal(m.data[m.indptr[row]:m.indptr[row + 1]], tf)
        assert np.array_equal(index.df_of(np.array(list(vocab))), np.bincount(np.concatenate([c for c, _ in rows])))
    index = CandidateIndex()
    index.add_many(docs[:2])
    with pytest.raises(ValueError, match="already indexed"):
        index.add_many([docs[1]])
    with pytest.raises(ValueError, match="already indexed"):
        index.add_many([docs[5], docs[5]])
    assert len(index) == 2


@pytest.mark.parametrize("n", [0, 1, 40, 3000])
def test_term_table_finds_every_key_and_nothing_else(n: int) -> None:
    # Keys crowded into a few low-bit slots, so most are placed and found past a collision; hash 0
    # among the queries (an empty slot's key is 0 too).
    rng = np.random.default_rng(n)
    keys = np.unique(np.concatenate([rng.integers(0, 2**63 - 1, n, dtype=np.int64) & 63,
                                     rng.integers(0, 2**63 - 1, n, dtype=np.int64)]))
    rng.shuffle(keys)
    values = rng.integers(0, 9, keys.shape[0])
    table = TermTable.of(keys, values)
    queries = np.concatenate([keys, np.arange(200, dtype=np.int64), rng.integers(0, 2**63 - 1, 500, dtype=np.int64)])
    want = dict(zip(keys.tolist(), values.tolist()))
    assert table.get(queries).tolist() == [want.get(q, 0) for q in queries.tolist()]


def test_containment_is_asymmetric_and_the_source_is_the_family_root() -> None:
    from archive.provenance.engine import ProvenanceIndex
    from archive.provenance.model import DocInput

    source = ("Officials in Lisbon said the Tagus bridge will close for repairs in March while engineers "
              "replace corroded cables, and ferry operators plan extra crossings for commuters from Almada "
              "and Barreiro during the eight week closure.")
    first = ("The Tagus bridge in Lisbon will close in March so engineers can replace corroded cables, "
             "officials said, a closure lasting eight weeks.")
    second = ("Ferry operators plan extra crossings for commuters from Almada and Barreiro while the Tagus "
              "bridge is shut for repairs, officials in Lisbon said.")
    fillers = [f"Unrelated filler story number {k} about weather {k} and markets {k} in region {k}." for k in range(20)]
    index = ProvenanceIndex()
    index.update([DocInput(1, source), DocInput(2, first), DocInput(3, second)]
                 + [DocInput(10 + k, t) for k, t in enumerate(fillers)])
    index.result()
    assert index._containment(2, 1) > index._containment(1, 2)
    assert index._containment(3, 1) > index._containment(3, 2)  # the source holds more of a rewrite than its sibling
    assert index._family_root([2, 1, 3]) == 1
    assert index._family_root([3, 2, 1]) == 1


def test_cosines_kept_from_the_search_are_those_computed_until_documents_are_added() -> None:
    """result() takes a pair's cosine from its features when the last update's own search gave
    it (_cosines); pairs aligned before documents were added since have stale ones, computed again."""
    from archive.provenance.engine import ProvenanceIndex
    from archive.provenance.model import DocInput

    rng = random.Random(9)
    vocabulary = [f"word{i}" for i in range(200)] + [f"Name{i}" for i in range(30)] + [str(n) for n in range(20)]

    def story_and_copies(first_id: int) -> list[DocInput]:
        words = rng.choices(vocabulary, k=80)
        copies = [[w if rng.random() > 0.15 else rng.choice(vocabulary) for w in words] for _ in range(3)]
        return [DocInput(first_id + k, " ".join(text)) for k, text in enumerate([words] + copies)]

    index = ProvenanceIndex()
    index.update([doc for n in range(4) for doc in story_and_copies(10 * n + 1)])
    first = sorted(index.features)
    assert first and set(first) <= index._current_cosines
    computed = index.candidates.pair_cosines([a for a, _ in first], [b for _, b in first]).tolist()
    assert index._cosines(first) == computed == [index.features[key].cosine for key in first]
    index.update([doc for n in range(4, 8) for doc in story_and_copies(10 * n + 1)])
    keys = sorted(index.features)
    assert not set(first) & index._current_cosines
    computed = index.candidates.pair_cosines([a for a, _ in keys], [b for _, b in keys]).tolist()
    assert index._cosines(keys) == computed
    assert any(index.features[key].cosine != cosine for key, cosine in zip(keys, computed) if key in first)


def _synthetic_index(n_docs: int) -> tuple[CandidateIndex, list[int]]:
    """Documents drawn from a small vocabulary: common words (above the df cap), topic words and
    rare names, so pools are cut at POOL_K and scores tie."""
    import random

    rng = random.Random(11)
    common = [f"common{i}" for i in range(8)]
    topics = [f"topic{i}" for i in range(60)]
    names = [f"Name{i}" for i in range(400)]
    index = CandidateIndex()
    ids = []
    for doc_id in range(3, 3 + 2 * n_docs, 2):  # ids that are not row numbers
        words = rng.sample(common, 5) + rng.choices(topics, k=rng.randint(3, 25)) + rng.sample(names, rng.randint(0, 4))
        index.add(doc_id, tokenize(" ".join(words)))
        ids.append(doc_id)
    return index, ids


def _unit_rows(index: CandidateIndex, capped: bool) -> sp.csr_matrix:
    """All rows weighted and scaled to unit length, on the whole matrix at once."""
    weighted = (index.matrix() @ sp.diags(index.weights(capped=capped).astype(np.float32))).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sp.diags((1.0 / norms).astype(np.float32)) @ weighted).tocsr()


def _reference_neighbours(index: CandidateIndex, doc_ids: list[int], k: int) -> dict[int, list[tuple[int, float]]]:
    """The definition, on whole matrices: pool = best POOL_K by capped cosine (rounded, then
    column), ranked by the full cosine (rounded, then id)."""
    from archive.provenance.candidates import POOL_K

    capped, full = _unit_rows(index, capped=True), _unit_rows(index, capped=False)
    sims = (capped @ capped.T.tocsr()).tocsr()
    out = {}
    for doc_id in doc_ids:
        row = index.row_of[doc_id]
        cols = sims.indices[sims.indptr[row] : sims.indptr[row + 1]]
        vals = np.round(sims.data[sims.indptr[row] : sims.indptr[row + 1]], 6)
        pool = sorted((-v, c) for c, v in zip(cols.tolist(), vals.tolist()) if c != row)[:POOL_K]
        scored = []
        for _, col in pool:
            cos = float(np.round(np.float64(full[[row]].multiply(full[[col]]).sum(axis=1)[0, 0]), 6))
            scored.append((-cos, index.ids[col]))
        out[doc_id] = [(other, -neg) for neg, other in sorted(scored)[:k]]
    return out


def test_candidate_neighbours_match_the_whole_matrix_definition() -> None:
    from archive.provenance import candidates

    index, ids = _synthetic_index(700)
    assert (index.weights(capped=True) == 0).any()  # some terms are over the cap
    expected = _reference_neighbours(index, ids, 12)
    # Small chunks and row blocks: scores must not depend on how rows are grouped.
    chunk, block = candidates._CHUNK, candidates._ROW_BLOCK
    try:
        candidates._CHUNK, candidates._ROW_BLOCK = 37, 101
        assert index.neighbours(ids) == expected
    finally:
        candidates._CHUNK, candidates._ROW_BLOCK = chunk, block
    assert index.neighbours(ids) == expected
    assert any(len(ranked) == 12 for ranked in expected.values())


def test_candidate_pair_cosines_are_the_full_cosines() -> None:
    index, ids = _synthetic_index(200)
    a, b = ids[:150], ids[50:]
    full = _unit_rows(index, capped=False)
    rows_a = [index.row_of[d] for d in a]
    rows_b = [index.row_of[d] for d in b]
    products = np.asarray(full[rows_a].multiply(full[rows_b]).sum(axis=1)).ravel()
    expected = np.round(products.astype(np.float64), 6)
    assert np.array_equal(index.pair_cosines(a, b), expected)
    assert (expected > 0).all() and (expected < 1).any()


def test_candidates_among_the_first_documents_are_the_best_of_those() -> None:
    index, ids = _synthetic_index(400)
    everyone = index.neighbours(ids[:300], k=400)
    with index.searching():
        among = index.neighbours(ids[:300], k=400, among=250)
        # A block inside another shares its search (and leaves it to the outer one).
        with index.searching():
            inner = index.neighbours(ids[:300], k=400, among=250)
        assert index._search is not None
    assert index._search is None and inner == among
    assert sum(map(len, among.values())) > 300
    for doc_id in ids[:300]:
        assert all(index.row_of[other] < 250 for other, _ in among[doc_id])
        # Scored as over all documents.
        cosines = dict(everyone[doc_id])
        assert all(cosines.get(other, cosine) == cosine for other, cosine in among[doc_id])


def test_a_rewrite_of_a_text_with_hardly_any_names_is_judged_by_its_wording() -> None:
    from dataclasses import replace

    from archive.provenance.classify import Anchors, classify, pair_features

    def features(text_a: str, text_b: str):
        pa, pb = Prepared.of(tokenize(text_a)), Prepared.of(tokenize(text_b))
        return pair_features(1, 2, pa, pb, Anchors.of(tokenize(text_a)), Anchors.of(tokenize(text_b)), 0.5)

    f = features("the canal lock will close in spring for repairs to corroded gates", "engineers found corroded gates")
    # A source with a single name: a paraphrase cannot share three names and numbers with it.
    wordy = replace(f, cosine=0.45, shared_content=24, ordered_content=16, shared_names=1, shared_numbers=0,
                    details_a=12, details_b=1)
    assert classify(wordy).relation == "rewrite"
    # Every detail it has must be shared, and the wording must carry the rest.
    assert classify(replace(wordy, shared_names=0)).relation != "rewrite"
    assert classify(replace(wordy, shared_content=15, ordered_content=10)).relation != "rewrite"
    assert classify(replace(wordy, ordered_content=9)).relation != "rewrite"
    # With details to spare the usual anchor rule applies: one shared name of twelve is too few.
    assert classify(replace(wordy, details_b=12)).relation != "rewrite"


def test_linking_pauses_the_cyclic_collector_and_resumes_it() -> None:
    import gc

    from archive.provenance.engine import gc_paused

    seen: list[bool] = []
    paused = gc_paused(lambda: seen.append(gc.isenabled()))
    was = gc.isenabled()
    try:
        gc.enable()
        paused()
        assert seen == [False] and gc.isenabled()
        gc.disable()
        paused()  # nested in another pause: stays off after
        assert seen == [False, False] and not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


# One spun phrase for each artefact, in the case a copy may print it.
ARTEFACT_EXAMPLES = (
    "sales rose earlier This 12 Months.", "Profit fell. this 12 months it rose", "over the Final 12 months",
    "it is Certainly One Of the best", "The Corporate’s shares", "stilted intelligence tools",
    "counterfeit consciousness", "Man-Made Consciousness", "profound neural nets", "Huge Information sets",
    "bosom malignant growth", "irregular woodland models", "flag to clamor ratio",
    "haphazard access memory", "cell phone organisation",
)


def test_each_spinner_artefact_is_found_past_its_literal_check() -> None:
    """The literals that gate each artefact regex must be in whatever the regex can match."""
    for pattern, usual, needles in style.SPINNER_ARTEFACTS:
        assert all(needle == needle.lower() for needle in needles)
        examples = [e for e in ARTEFACT_EXAMPLES if re.search(pattern, e, re.IGNORECASE)]
        assert examples, pattern
        for example in examples:
            assert usual in {m.usual for m in spinner_artefacts(example)}, example


def _reference_burstiness(text: str) -> float:
    """The definition, with a lookbehind split as first written (burstiness's regexes are tuned)."""
    flat = re.sub(r"(?<!\n)\n(?!\n)", " ", text)
    lengths = [len(s.split()) for s in re.split(r"(?<=[.!?])[\"”’')\]]*\s+|\n[ \t]*\n|\[/[A-Za-z]\w{0,5}\]|</[A-Za-z]\w{0,5}>", flat)]
    lengths = [n for n in lengths if n >= 3]
    if len(lengths) < style.MIN_SENTENCES:
        return 0.0
    mean = sum(lengths) / len(lengths)
    return (sum((n - mean) ** 2 for n in lengths) / len(lengths)) ** 0.5 / mean


def test_burstiness_splits_sentences_as_its_definition_does() -> None:
    pieces = ["word", "two words", ".", "!", "?", '"', "”", ")", "]", " ", "  ", "\n", "\n\n", "\n \n",
              "\n\n\n", "\t", "U.S.", "end.", 'said."', "Yes!)", "e.g. this", "...", "\u2019",
              "[/H3]", "[H3]", "</li>", "[Name]", "[/", "</"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randrange(1, 40)))
        assert style.burstiness(text) == _reference_burstiness(text), repr(text)


def test_an_excerpt_of_a_longer_text_reads_as_derived_more_surely_than_a_cut_ending() -> None:
    from archive.provenance.classify import Anchors, pair_features
    from archive.provenance.direction import CONTAINMENT_WEIGHT, EXCERPT_WEIGHT, DocTraits, direction

    rng = random.Random(5)
    words = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(400)]

    def sentences(n: int) -> list[str]:
        return [" ".join(rng.choice(words) for _ in range(12)).capitalize() + "." for _ in range(n)]

    kept = sentences(8)
    traits = DocTraits(None, None, 100, 0, 0, 0, frozenset(), 0)

    def containment_of(source: str, copy: str) -> tuple[float, str]:
        ta, tb = tokenize(source), tokenize(copy)
        f = pair_features(1, 2, Prepared.of(ta), Prepared.of(tb), Anchors.of(ta), Anchors.of(tb), 0.5)
        p, signals, _ = direction(f, ta, tb, source, copy, traits, traits, lambda h: np.ones(h.shape[0]), 0, False)
        (signal,) = [s for s in signals if s.name == "containment"]
        assert signal.favours == "a" and p > 0.5  # the longer text is the source either way
        return signal.weight, signal.reason

    # The copy lost its last sentences: a cut ending, weak evidence on its own.
    weight, _ = containment_of(" ".join(kept + sentences(6)), " ".join(kept))
    assert weight == CONTAINMENT_WEIGHT
    # The copy is a small part of the source: an excerpt, which outweighs a word-frequency vote.
    weight, reason = containment_of(" ".join(sentences(20) + kept + sentences(20)), " ".join(kept))
    assert weight == EXCERPT_WEIGHT > CONTAINMENT_WEIGHT and "excerpt" in reason


def substituted_pair(seed: int, insertions: int = 0):  # type: ignore[no-untyped-def]
    """Two texts of 240 invented words, the second with every 24th word (from the 9th) replaced
    by a new word: a copy with ten substitutions; ``insertions`` of them also with a clause of
    six new words inserted 12 words later (a reviser's edit, no spinner's). (texts, their tokens,
    the substitutes' hashes, the pair's features.)"""
    from archive.provenance.classify import Anchors, pair_features

    rng = random.Random(seed)
    syllables = "bcdfghklmnprstvz"
    words = ["".join(rng.choice(syllables) + rng.choice("aeiou") for _ in range(3)) for _ in range(300)]
    source_words = [rng.choice(words) for _ in range(240)]
    swaps = {i: "".join(rng.choice(syllables) + rng.choice("aeiou") for _ in range(4)) for i in range(8, 240, 24)}
    copy_words = [swaps.get(i, w) for i, w in enumerate(source_words)]
    for i in sorted(range(20, 240, 24), reverse=True)[-insertions:] if insertions else []:
        copy_words[i:i] = ["".join(rng.choice(syllables) + rng.choice("aeiou") for _ in range(5)) for _ in range(6)]
    source, copy = " ".join(source_words) + ".", " ".join(copy_words) + "."
    ta, tb = tokenize(source), tokenize(copy)
    substitutes = set(tokenize(" ".join(swaps.values())).hashes.tolist())
    f = pair_features(1, 2, Prepared.of(ta), Prepared.of(tb), Anchors.of(ta), Anchors.of(tb), 0.5)
    return source, copy, ta, tb, substitutes, f


def test_substituted_words_frequency_orients_copies_but_not_rewrites() -> None:
    from archive.provenance.direction import DocTraits, direction

    source, copy, ta, tb, rare, f = substituted_pair(11)
    # The copy's substitutes are rare in the archive, the words they replaced common: a spinner's mark.
    freq = lambda h: np.array([2 if x in rare else 500 for x in h.tolist()])  # noqa: E731
    traits = DocTraits(None, None, 240, 0, 0, 0, frozenset(), 0)

    p, signals, examples = direction(f, ta, tb, source, copy, traits, traits, freq, 5000, rewrite=False)
    assert [s.name for s in signals] == ["substitution_frequency"] and signals[0].favours == "a" and p > 0.9
    p, signals, examples_of_rewrite = direction(f, ta, tb, source, copy, traits, traits, freq, 5000, rewrite=True)
    assert "substitution_frequency" not in [s.name for s in signals] and p == 0.5
    assert examples_of_rewrite == examples and len(examples) >= 3, "the substitutions are still shown as evidence"


def test_a_large_copys_lopsided_frequency_vote_counts_when_chance_would_not_give_it() -> None:
    from archive.provenance import direction as d

    source, copy, ta, tb, rare, f = substituted_pair(11)
    traits = d.DocTraits(None, None, 240, 0, 0, 0, frozenset(), 0)
    subs = f.alignment.substitutions
    # A spinner with a large dictionary: its substitutes are rarer in most swaps, not in all.
    common_side = {i % 10 < 7 for i in range(len(subs))}
    votes_a = sum(1 for i in range(len(subs)) if i % 10 < 7)
    assert len(subs) == 10 and votes_a == 7 and common_side == {True, False}
    wins = {int(tb.hashes[s.b0]) for i, s in enumerate(subs) if i % 10 < 7}
    loses = {int(ta.hashes[s.a0]) for i, s in enumerate(subs) if i % 10 >= 7}
    freq = lambda h: np.array([2 if x in wins or x in loses else 500 for x in h.tolist()])  # noqa: E731
    # 7 to 3 of 10: a net 4 of 10 votes is neither the agreement asked nor beyond chance.
    logit, _ = d.substitution_votes(f, ta, tb, source, copy, freq)
    assert logit == 0.0
    # The same 7 to 3 over many swaps is a margin chance would hardly give (z >= 3).
    many = 12
    assert 4 * many >= d.MIN_VOTE_Z * (10 * many) ** 0.5 and 4 * many < d.MIN_VOTE_AGREEMENT * 10 * many
    big = dataclasses.replace(f, alignment=dataclasses.replace(f.alignment, substitutions=subs * many))
    logit, _ = d.substitution_votes(big, ta, tb, source, copy, freq)
    assert logit == d.SUBSTITUTION_CAP
    p, signals, _ = d.direction(big, ta, tb, source, copy, traits, traits, freq, 5000, rewrite=False)
    assert [s.name for s in signals] == ["substitution_frequency"] and p > 0.9


def test_a_models_framing_marks_the_copy_but_not_among_rewrites() -> None:
    from dataclasses import replace

    from archive.provenance.direction import DocTraits, direction

    source, copy, ta, tb, _, f = substituted_pair(11)
    plain = DocTraits(None, None, 240, 0, 0, 0, frozenset(), 0)
    framed = replace(plain, framing=1)
    freq = lambda h: np.full(h.shape[0], 500)  # noqa: E731  (no frequency evidence either way)
    # The framed text holds the other whole (a reply quoting its passage) yet is the copy.
    p, signals, _ = direction(f, tb, ta, copy, source, framed, plain, freq, 5000, rewrite=False)
    assert [s.name for s in signals] == ["model_framing"] and p < 0.1
    p, signals, _ = direction(f, tb, ta, copy, source, framed, plain, freq, 5000, rewrite=True)
    assert "model_framing" not in [s.name for s in signals]


def test_a_sites_lines_are_no_details_of_the_story() -> None:
    # The copy's site name, date and section would make it hold more names and numbers than its
    # source, which reads as the source to the details signal (a rewrite drops details).
    from archive.provenance import DocInput
    from archive.provenance.engine import _analyse
    from archive.provenance.fingerprint import fingerprint_text

    body = "Norvale Mining said on Monday that output at its Kestrel mine rose 12 percent in June."
    farm = f"Home » News » World\n\nLast updated: March 3, 2023\n\n{body}\n\nCopyright 2023 Daily Buzz Hub."

    def details(text: str) -> int:
        return _analyse(DocInput(1, text, None, None, None, None), fingerprint_text(text)).traits.details

    assert details(farm) == details(body) > 0


def test_a_request_echoed_before_the_reply_is_a_models_framing() -> None:
    echoed = ["transcript.  please paraphrase this.  the 'passage' is: The council met on Monday.",
              "Can you rewrite the following article? The council met on Monday.",
              "Paraphrase the passage below.\nThe council met on Monday.",
              "The council met on Monday.\n\nPlease summarize the given passage.",
              "Council Meets   Rephrase the passage as follows: The council met on Monday.",
              "The council met on Monday. Now rewrite it with a bit more flair:",
              "Write a calm and informative rewrite of the passage: The council met on Monday.",
              "Names and dates of the passage provided have been changed. The council met on Monday."]
    assert all(style.model_framing(t) for t in echoed)
    human = ["Editors asked him to rewrite the story twice before it ran.",
             "The passage of the bill is expected on Monday.", "She would not paraphrase the minister's remarks.",
             "The law, rewritten in March, lets the council rewrite it again. Read the passage aloud.",
             "Now rewrite its rules, the council said; a paraphrase of the charter followed.",
             "The committee will\n  rewrite this section of the law in March.",
             "Revised: March 3, 1987\nRevised estimates: the council met on Monday."]
    assert not any(style.model_framing(t) for t in human)


def test_a_label_a_model_put_before_its_reply_is_a_models_framing() -> None:
    labelled = {"Rewritten: The council met on Monday.": "Rewritten:",
                "Cuts Ahead\n\nParaphrased passage:\nThe council met on Monday.": "Paraphrased passage:",
                "The first paraphrase: The council met on Monday.": "The first paraphrase:",
                "### Passage Rewritten:\nThe council met on Monday.": "Passage Rewritten:",
                "**Revised version:** The council met on Monday.": "Revised version:"}
    for text, phrase in labelled.items():
        assert [m.phrase for m in style.model_framing(text)] == [phrase], text
    # A quoted request keeps no quote mark of the sentence before it.
    assert [m.phrase for m in style.model_framing('he said.”   Paraphrase the passage in other words: ...')] == [
        "Paraphrase the passage"]


def _unrelated_pair():  # type: ignore[no-untyped-def]
    """Two 300-word texts of invented words drawn from one list, and their pair features: a pair
    whose direction only the traits given to direction() can decide."""
    from archive.provenance.classify import Anchors, pair_features

    rng = random.Random(13)
    words = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(300)]
    text_a = " ".join(rng.choice(words) for _ in range(300)) + "."
    text_b = " ".join(rng.choice(words) for _ in range(300)) + "."
    ta, tb = tokenize(text_a), tokenize(text_b)
    return text_a, text_b, ta, tb, pair_features(1, 2, Prepared.of(ta), Prepared.of(tb), Anchors.of(ta), Anchors.of(tb), 0.5)


def test_one_llm_style_marker_is_not_a_rate_two_are() -> None:
    from dataclasses import replace

    from archive.provenance.direction import DocTraits, direction

    text_a, text_b, ta, tb, f = _unrelated_pair()
    plain = DocTraits(None, None, 300, 0, 0, 0, frozenset(), 0)

    def style_vote(markers_a: int) -> list[str]:
        # a: a 300-word text with some LLM-style headings or stock phrases; b: none.
        _, signals, _ = direction(f, ta, tb, text_a, text_b, replace(plain, ai_markers=markers_a), plain,
                                  lambda h: np.ones(h.shape[0]), 0, True)
        return [s.favours for s in signals if s.name == "ai_style"]

    # One heading in 300 words (0.33 per 100) is a fact about one line, not a style.
    assert style_vote(1) == []
    # Two or more: the text without them reads as the source.
    assert style_vote(2) == ["b"]


def test_the_llm_word_vote_counts_only_the_words_the_other_text_lacks() -> None:
    from collections import Counter
    from dataclasses import replace

    from archive.provenance.direction import DocTraits, direction

    counts = style.llm_word_counts("The potential deal is Vital. A potential buyer, additionally, waits.")
    assert counts == Counter({"potential": 2, "vital": 1, "additionally": 1})
    # a's "potential" (2 of its 3) is b's too; b's "additionally" (1 of 2) is its own.
    assert style.own_llm_word_rates(3.0, Counter(potential=2, vital=1), 1.0, Counter(potential=1, additionally=1)) == (
        pytest.approx(1.0), pytest.approx(0.5))
    assert style.own_llm_word_rates(1.0, Counter(), 0.0, Counter()) == (1.0, 0.0)

    text_a, text_b, ta, tb, f = _unrelated_pair()
    plain = DocTraits(None, None, 300, 0, 0, 0, frozenset(), 0)

    def style_vote(own: tuple[float, float] | None) -> list[str]:
        _, signals, _ = direction(f, ta, tb, text_a, text_b, replace(plain, llm_words=3.0),
                                  replace(plain, llm_words=0.5), lambda h: np.ones(h.shape[0]), 0, True,
                                  own_llm_words=own)
        return [s.favours for s in signals if s.name == "ai_style"]

    assert style_vote(None) == ["b"]  # the whole rates: b reads as the source
    assert style_vote((0.3, 0.5)) == []  # a's words were mostly b's too: no vote
    assert style_vote((0.3, 1.5)) == ["a"]


def test_tokens_are_the_same_after_the_form_memo_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo of token forms is bounded: past its size it is emptied, and hashes and kinds of
    every form come out as a fresh process computes them."""
    from archive.provenance import features

    text = "Fourteen Dutch barges carried 1,500 tonnes of wheat to Rotterdam's port on the 14th."
    expected = tokenize(text)
    monkeypatch.setattr(features, "_MAX_FORMS", 4)
    monkeypatch.setattr(features, "_form_hashes", {})
    monkeypatch.setattr(features, "_form_kinds", {})
    tokenize("wheat barges gamma")  # two forms the text has too: they must be learnt again
    again = tokenize(text)
    assert again.hashes.tolist() == expected.hashes.tolist()
    assert again.kinds.tolist() == expected.kinds.tolist()
    assert len(features._form_hashes) <= len(set(text.lower().split()))  # emptied, then only this text's


def heavily_edited_pair(seed: int, insert_every: int):  # type: ignore[no-untyped-def]
    """A source of 240 invented words and a copy with every third word (from the 3rd) edited, so
    no verbatim run is longer than two words: replaced by a new word, or, every
    ``insert_every``-th edit (0: never), kept with a new word inserted before it. The pair's
    features."""
    from archive.provenance.classify import Anchors, pair_features

    rng = random.Random(seed)
    syllables = "bcdfghklmnprstvz"
    new = lambda: "".join(rng.choice(syllables) + rng.choice("aeiou") for _ in range(4))  # noqa: E731
    words = ["".join(rng.choice(syllables) + rng.choice("aeiou") for _ in range(3)) for _ in range(300)]
    source_words = [rng.choice(words) for _ in range(240)]
    copy_words: list[str] = []
    for i, w in enumerate(source_words):
        k = i // 3
        if i % 3 != 2:
            copy_words.append(w)
        elif insert_every and k % insert_every == 0:
            copy_words += [new(), w]
        else:
            copy_words.append(new())
    ta, tb = tokenize(" ".join(source_words) + "."), tokenize(" ".join(copy_words) + ".")
    return pair_features(1, 2, Prepared.of(ta), Prepared.of(tb), Anchors.of(ta), Anchors.of(tb), 0.5)


def test_heavy_spin_without_a_long_verbatim_run_is_spun_when_word_for_word() -> None:
    from archive.provenance.classify import MIN_LONGEST_RUN, classify

    # A third of the words swapped where they stand: no run of MIN_LONGEST_RUN, yet every edit a
    # substitution in place and passages covering the whole copy: a spinner's work.
    f = heavily_edited_pair(5, 0)
    assert f.alignment.longest_run < MIN_LONGEST_RUN and f.copy_coverage > 0.9
    assert classify(f).relation == "spun"
    # Half of the edits words inserted instead (a reviser adding words, not swapping them):
    # not word for word, so not a spun copy.
    f = heavily_edited_pair(5, 2)
    assert f.alignment.longest_run < MIN_LONGEST_RUN and f.copy_coverage > 0.9
    assert len(f.alignment.substitutions) < 0.8 * f.alignment.internal_edits
    assert classify(f).relation != "spun"


def footnoted_pair(seed: int, length: int, marked: range) -> tuple[list[str], list[str]]:
    """Words of an invented text and of its copy, alike but at ``marked``, where the source has
    footnote-marked words "act.2", "act.3", ... and the copy the same marks on another word."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(300)]
    source_words = [rng.choice(words) for _ in range(length)]
    copy_words = list(source_words)
    for k, i in enumerate(marked):
        source_words[i], copy_words[i] = f"act.{k + 2}", f"law.{k + 2}"
    return source_words, copy_words


def test_conflicts_that_keep_their_figures_are_substitutions() -> None:
    """A spinner rewording the word a figure is glued to (a footnote mark "act.2" -> "law.2": a
    short word with digits is a figure's token, see features._base_kind) changes the token, not
    the figure: no differing numbers, no other story."""
    from archive.provenance.classify import Anchors, different_story, pair_features
    from archive.provenance.clusters import same_figures_as_substitutions

    source_words, copy_words = footnoted_pair(3, 120, range(10, 120, 25))
    copy_words[60] = "1987"  # and one figure that does differ
    source_words[60] = "1986"
    source, copy = " ".join(source_words) + ".", " ".join(copy_words) + "."
    ta, tb = tokenize(source), tokenize(copy)
    f = pair_features(1, 2, Prepared.of(ta), Prepared.of(tb), Anchors.of(ta), Anchors.of(tb), 0.5)
    assert len(f.alignment.number_conflicts) == 5 and different_story(f)
    al = same_figures_as_substitutions(f.alignment, source, ta, copy, tb)
    assert [(source[ta.starts[c.a0]:ta.ends[c.a1 - 1]], copy[tb.starts[c.b0]:tb.ends[c.b1 - 1]])
            for c in al.number_conflicts] == [("1986", "1987")]
    assert len(al.substitutions) == len(f.alignment.substitutions) + 4
    assert not different_story(dataclasses.replace(f, alignment=al))


def test_linking_reads_glued_figures_as_kept() -> None:
    """End to end: a copy that only rewords footnote-marked words ("act.2" -> "law.2") is
    linked to its source, not taken for another story (three or more such "differing numbers")."""
    from archive.provenance import DocInput, build

    source_words, copy_words = footnoted_pair(4, 150, range(12, 150, 30))
    result = build([DocInput(1, " ".join(source_words) + "."), DocInput(2, " ".join(copy_words) + ".")])
    assert {(l.derived_id, l.source_id) for l in result.links} & {(1, 2), (2, 1)}


def test_a_texts_headline_is_tokenised_once_for_all_the_pairs_that_ask_what_it_names(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.provenance import DocInput, ProvenanceIndex, events

    index = ProvenanceIndex()
    text = "Valdor Shipping said on Monday it would close the Ostend lock for repairs in March."
    index.update([DocInput(1, text, "Valdor shuts Ostend lock"), DocInput(2, text)])
    calls: list[str] = []
    real = events.tokenize
    monkeypatch.setattr(events, "tokenize", lambda s: calls.append(s) or real(s))
    named = index._named_in(1)
    assert np.array_equal(named, np.concatenate([index.tokens[1].hashes, real("Valdor shuts Ostend lock").hashes]))
    assert np.array_equal(index._named_in(1), named) and calls == ["Valdor shuts Ostend lock"]
    assert index._named_in(2) is index.tokens[2].hashes  # no headline: the text's own


def test_fingerprinting_a_whole_archive_leaves_no_table_of_word_forms(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from archive import provenance_store
    from archive.api import Archive
    from archive.provenance import features

    with Archive(tmp_path / "home") as archive:
        archive.ingest([str(Path(__file__).resolve().parents[1] / "seeds")], background=False, provenance=False)
        with archive.engine.begin() as conn:  # as after a new FINGERPRINT_VERSION: none current
            conn.execute(provenance_store.fingerprints.delete())
        features.tokenize("Some words to fill the table")
        assert features._form_hashes
        assert provenance_store._store_missing_fingerprints(archive.engine) == 2
        assert not features._form_hashes and not features._form_kinds
