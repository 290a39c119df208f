"""Terminal rendering that a person sees: the ingest progress bar, document names, what `show` says of provenance."""

from __future__ import annotations

import io

from archive.ingest.pipeline import IngestSummary
from archive.render import NAME_CHARS, ProgressLine, document_name, family_dot


def summary(files: int, added: int) -> IngestSummary:
    result = IngestSummary(run_id=1, added=added)
    result.origins = {f"file{i}" for i in range(files)}
    return result


def test_progress_bar_counts_finished_files_and_records() -> None:
    stream = io.StringIO()
    progress = ProgressLine(stream, enabled=True, total_files=4)
    progress(summary(files=3, added=120))
    line = stream.getvalue()
    assert "[############............] 2/4 files" in line
    assert "120 records (+120" in line


def test_progress_is_silent_when_nobody_watches() -> None:
    stream = io.StringIO()  # not a terminal
    progress = ProgressLine(stream)
    progress(summary(files=1, added=5))
    progress.done()
    assert stream.getvalue() == ""


def test_evidence_names_the_text_each_direction_signal_reads_as_the_source() -> None:
    from types import SimpleNamespace

    from archive.provenance import Link
    from archive.render import evidence_lines

    docs = {1: SimpleNamespace(id=1, text="the original report"), 2: SimpleNamespace(id=2, text="the copy of it")}
    link = Link(2, 1, "rewrite", 0.5, 0.6, {"direction": [
        {"signal": "artefacts", "source": 2, "weight": 2.0, "reason": "spinner artefacts only in the copy"},
        {"signal": "style", "source": 1, "weight": 2.5, "reason": "LLM-style phrases: 0.4 vs 2.1"},
    ]})
    lines = evidence_lines(link, docs)
    assert "direction: [2] as the source (weight 2.00, outweighed): spinner artefacts only in the copy" in lines
    assert "direction: [1] as the source (weight 2.50): LLM-style phrases: 0.4 vs 2.1" in lines


def _evidence_link(evidence: dict[str, object]) -> tuple[object, dict[int, object]]:
    from types import SimpleNamespace

    from archive.provenance import Link

    source = "The minister said the tax would rise by 5% this year. The tax was cut in 2019."
    copy = "The minister stated the levy would climb by 7% this 12 months. The tax was cut in 2019."
    docs = {1: SimpleNamespace(id=1, text=source), 2: SimpleNamespace(id=2, text=copy)}
    return Link(2, 1, "spun", 0.9, 0.9, evidence), docs


def test_evidence_marks_each_substitution_where_it_stands_not_every_same_word() -> None:
    from archive.render import evidence_lines

    def at(text: str, word: str, nth: int = 0) -> list[int]:
        start = -1
        for _ in range(nth + 1):
            start = text.index(word, start + 1)
        return [start, start + len(word)]

    link, docs = _evidence_link({})
    source, copy = docs[1].text, docs[2].text  # type: ignore[attr-defined]
    link.evidence.update({
        "passages": [{"source": [0, len(source)], "derived": [0, len(copy)], "matched_tokens": 14}],
        "substitutions": [["said", "stated"], ["tax", "levy"], ["rise", "climb"], ["this year", "this 12 months"]],
        "substitution_spans": [{"source": at(source, "said"), "derived": at(copy, "stated")},
                               {"source": at(source, "tax"), "derived": at(copy, "levy")},
                               {"source": at(source, "rise"), "derived": at(copy, "climb")},
                               {"source": at(source, "this year"), "derived": at(copy, "this 12 months")}],
        "number_conflicts": [["5", "7"]],
        "number_conflict_spans": [{"source": at(source, "5"), "derived": at(copy, "7")}],
    })
    shown = " ".join(evidence_lines(link, docs, width=400))
    # The first "tax" was replaced, the second was not: only the first is marked.
    assert "The minister [[said]] the [[tax]] would [[rise]] by {{5}}% [[this year]]. The tax was cut in 2019." in shown
    assert "The minister [[stated]] the [[levy]] would [[climb]] by {{7}}% [[this 12 months]]. The tax was" in shown
    assert "figures that differ: 5 -> 7" in shown


def test_evidence_stored_without_places_lists_the_pairs_but_marks_nothing() -> None:
    from archive.render import evidence_lines

    link, docs = _evidence_link({"passages": [{"source": [0, 20], "derived": [0, 22], "matched_tokens": 3}],
                                 "substitutions": [["said", "stated"]]})
    lines = evidence_lines(link, docs)
    assert "substitutions: said -> stated" in lines
    assert not any("[[" in line for line in lines)


def test_a_long_passage_is_cut_between_words_never_inside_a_marked_one() -> None:
    from archive.render import _excerpt

    words = [f"w{k:02d}" for k in range(60)]
    text = " ".join(words[:30]) + " alpha beta gamma " + " ".join(words[30:])
    start = text.index("alpha beta gamma")
    mark = (start, start + len("alpha beta gamma"), ("[[", "]]"))
    for edge in range(start - 12, start + 30):
        for window in ((edge, len(text)), (0, edge), None):
            shown = _excerpt(text, [0, len(text)], [mark], window)
            assert shown.count("[[") == shown.count("]]") <= 1
            if "[[" in shown:
                assert "[[alpha beta gamma]]" in shown
            # whole words only: every piece between the marks of omission is made of them
            for token in shown.replace("[[", " ").replace("]]", " ").split():
                assert token in words or token in ("alpha", "beta", "gamma", "…")


def test_a_long_passage_is_shown_around_its_replacements_on_both_sides() -> None:
    from archive.render import _telling_blocks

    def mark(at: int) -> tuple[int, int, tuple[str, str]]:
        return (at, at + 5, ("[[", "]]"))

    passages = [{"source": [k * 100, k * 100 + 50], "derived": [k * 100, k * 100 + 50], "matched_tokens": 10 + k}
                for k in range(8)]
    # one short passage holding a replacement, one long passage holding two far apart
    passages[3] = {"source": [300, 350], "derived": [300, 350], "matched_tokens": 5}
    passages.append({"source": [1000, 3000], "derived": [5000, 7000], "matched_tokens": 300})
    replacements = [(mark(310), mark(310)), (mark(1100), mark(5100)), (mark(2500), mark(6500))]
    blocks = _telling_blocks(passages, replacements, shown=4)
    shown = [(p["source"][0], sw, cw) for p, sw, cw in blocks]
    # the marked passages (the long one in a piece around each replacement), then the longest
    # unmarked one (700), shown in the texts' order
    assert shown == [(300, None, None), (700, None, None),
                     (1000, (1060, 1145), (5060, 5145)), (1000, (2460, 2545), (6460, 6545))]


def test_a_document_without_a_title_is_named_by_its_opening_words_cut_between_words() -> None:
    assert document_name("Budget passes", "The council approved") == "Budget passes"
    assert document_name(None, "  The council\napproved it.  ") == "“The council approved it.”"
    long = "The regional council approved the new transport budget on Tuesday after a long debate"
    name = document_name(None, long)
    assert name.startswith("“The regional council") and name.endswith("…”")
    assert len(name) <= NAME_CHARS + 3 and long.startswith(name[1:-2])
    assert document_name(None, "") == document_name(None, None) == "(untitled)"


def test_the_graph_names_an_untitled_document_whole_and_cuts_a_long_title() -> None:
    from types import SimpleNamespace

    opening = "word " * 11 + "wordy stretching past the cut"  # a space exactly at NAME_CHARS
    docs = {1: SimpleNamespace(id=1, title=None, text=opening, source=None, published_at=None),
            2: SimpleNamespace(id=2, title="T" * 100, text="x", source=None, published_at=None),
            3: SimpleNamespace(id=3, title="Airport tram gets green light after six-year fight over costs linking "
                                            "Eastport to the airport", text="x", source=None, published_at=None)}
    dot = family_dot(SimpleNamespace(story_id=1, focus=1, documents=docs, links=[]))
    assert f"1: {document_name(None, opening)}\\n" in dot and document_name(None, opening).endswith("…”")
    assert f"2: {'T' * NAME_CHARS}…\\n" in dot
    # A title is cut between words, as an opening is.
    assert "3: Airport tram gets green light after six-year fight over…\\n" in dot


def test_show_says_what_provenance_found_in_a_line_each() -> None:
    from archive.render import _provenance_lines

    lines = _provenance_lines(7, {"sources": [{"id": 3, "relation": "spun", "score": 0.95, "direction_confidence": 1.0}],
                                  "derived": 2, "related": 1, "flags": ["spun"], "credits": ["CNBC"]})
    assert lines == [" derived from: [3] spun 0.95 (direction 1.00)", "    reused by: 2 document(s)",
                     "   same story: 1 related text(s), not copies of one another", "      flagged: spun",
                     "      credits: CNBC", "               (archive provenance 7 --evidence)"]
    assert _provenance_lines(7, {"sources": [], "derived": 0, "related": 0, "flags": [], "credits": []}) == []


def test_the_family_tree_says_why_a_related_pair_is_no_copy() -> None:
    """A related link's line gives the reason the choice of sources added (up to its colon), and
    speaks of the text, not of a copy; a copy's line is as before."""
    from types import SimpleNamespace

    from archive.render import family_tree

    docs = {k: SimpleNamespace(id=k, title=f"Report {k}", text="x", source=f"site-{k}", published_at=None)
            for k in (1, 2, 3)}
    newsroom_note = ("reworded, but both from newsrooms that write alike: two reports of the story, "
                     "as likely as a rewrite, so neither is taken for the other's source")
    links = [
        SimpleNamespace(derived_id=2, source_id=1, relation="near_copy", score=0.9, direction_confidence=0.8,
                        evidence={"coverage": {"derived": 0.9}, "reasons": ["verbatim reuse"]}),
        SimpleNamespace(derived_id=3, source_id=1, relation="related", score=0.4, direction_confidence=0.5,
                        evidence={"coverage": {"derived": 0.12}, "shared": {"names": ["Kelvara"]},
                                  "reasons": ["reworded passages in the same order", newsroom_note]}),
    ]
    family = SimpleNamespace(story_id=1, focus=1, documents=docs, links=links, flags={}, attributions={})
    tree = family_tree(family).splitlines()
    assert "        90% of the copy aligned" in tree
    assert tree[-1] == ("  [3] ~ [1] 0.40  12% of the text aligned; shares Kelvara; "
                        "reworded, but both from newsrooms that write alike")
    # A related pair with its own reason only: nothing added.
    links[1].evidence["reasons"] = ["reworded passages in the same order"]
    assert family_tree(family).splitlines()[-1] == "  [3] ~ [1] 0.40  12% of the text aligned; shares Kelvara"


def test_one_line_evidence_keeps_to_one_line_whatever_the_texts_held() -> None:
    """Substitutions and names are cut from the texts, line breaks and all ("650 mln -> one
    billion" of a hard-wrapped copy): each summary line of the tree collapses them to spaces."""
    from types import SimpleNamespace

    from archive.render import evidence_lines, family_tree

    docs = {k: SimpleNamespace(id=k, title=f"Report {k}", text="x", source=f"site-{k}", published_at=None)
            for k in (1, 2, 3)}
    links = [
        SimpleNamespace(derived_id=2, source_id=1, relation="spun", score=0.9, direction_confidence=0.8,
                        evidence={"substitutions": [["rose\n  sharply", "climbed"]], "reasons": ["synonyms"]}),
        SimpleNamespace(derived_id=3, source_id=1, relation="related", score=0.4, direction_confidence=0.5,
                        evidence={"substitutions": [["650 mln", "one\nbillion"]],
                                  "reasons": ["figures differ", "same outlet (Reuters\nWire): a follow-up"]}),
    ]
    flags = {2: {"spun": {"spinner_artefact": [{"phrase": "rose\nsteeply", "usual": "rose\tsharply"}]}}}
    family = SimpleNamespace(story_id=1, focus=1, documents=docs, links=links, flags=flags, attributions={})
    tree = family_tree(family).splitlines()
    assert "        substitutions: rose sharply -> climbed" in tree
    assert '        spinner artefacts: "rose steeply" (usually "rose sharply")' in tree
    assert tree[-1] == "  [3] ~ [1] 0.40  substitutions: 650 mln -> one billion; same outlet (Reuters Wire)"
    links[1].evidence["number_conflicts"] = [["650\nmln", "one billion"]]
    assert evidence_lines(links[1], docs) == ["substitutions: 650 mln -> one billion",
                                              "figures that differ: 650 mln -> one billion"]


def test_a_spun_flag_without_artefacts_adds_no_line_to_its_links() -> None:
    # The flag then comes from the document's spun link, whose own line says "spun".
    from types import SimpleNamespace

    from archive.render import family_tree

    docs = {k: SimpleNamespace(id=k, title=f"Report {k}", text="x", source=f"site-{k}", published_at=None)
            for k in (1, 2)}
    link = SimpleNamespace(derived_id=2, source_id=1, relation="spun", score=0.9, direction_confidence=0.8,
                           evidence={"substitutions": [["rose", "climbed"]], "reasons": ["synonyms"]})
    family = SimpleNamespace(story_id=1, focus=1, documents=docs, links=[link], flags={2: {"spun": {}}},
                             attributions={})
    tree = family_tree(family).splitlines()
    assert [line.strip() for line in tree[3:]] == ["substitutions: rose -> climbed"]
