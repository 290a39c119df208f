"""HTML in JSON exports' fields becomes plain text (archive.ingest.markup)."""

from __future__ import annotations

import json
from pathlib import Path

from archive.ingest.markup import as_text, holds_markup
from archive.ingest.readers import iter_records


def test_a_fragment_keeps_its_paragraphs_and_line_breaks_and_loses_scripts_and_comments() -> None:
    fragment = ("<p>The mayor said it&#8217;s fine.</p>\n<p>Residents &amp; visitors<br>were told to stay"
                " calm&nbsp;today.</p><script>track('x');</script><!-- ad slot --><h2>Next</h2><ul><li>one</li>"
                "<li>two</li></ul>tail")
    assert as_text(fragment) == ("The mayor said it’s fine.\n\nResidents & visitors\nwere told to stay calm today."
                                 "\n\nNext\n\none\n\ntwo\n\ntail")


def test_text_without_tags_only_has_its_references_resolved() -> None:
    assert as_text("Don&#8217;t panic &amp; carry&#x2014;on") == "Don’t panic & carry—on"
    assert as_text("R&D&amp;notable &notable results") == "R&D&notable &notable results"
    assert as_text("  two  spaces stay\nand lines  ") == "  two  spaces stay\nand lines  "


def test_what_only_looks_like_markup_is_text() -> None:
    # Wire copy's tickers and company names in angle brackets (Reuters) are text.
    for text in ("x < y and y > z", "I <3 it", "AT&T and R&D", "<unknown> tag", "&notareference",
                 "DU PONT <DD> WINS SUIT AGAINST PHILLIPS <P>", "USAIR <U> HAS NO COMMENT", "<Mark Resources Inc> said",
                 "<A.C. Goode and Co Ltd>", "<I> and <B> shares"):
        assert not holds_markup(text), text
    for text in ("<p>a</p>", "a<br>b", "a<BR/>b", '<a href="x">link', '<img src="x.jpg">', "a &amp; b", "it&#8217;s"):
        assert holds_markup(text), text


def test_broken_markup_still_gives_its_text() -> None:
    assert as_text("<p>unclosed <b>bold</p><p>next") == "unclosed bold\n\nnext"
    assert as_text("</p></div>only closing tags") == "only closing tags"


def test_a_wordpress_api_export_becomes_a_clean_record(tmp_path: Path) -> None:
    post = {"id": 77, "date": "2024-05-01T10:00:00", "link": "https://farm.example/x",
            "title": {"rendered": "Don&#8217;t panic &amp; carry on"},
            "content": {"rendered": "<p>The mayor said it&#8217;s fine.</p>\n<p>Residents were told to stay calm.</p>",
                        "protected": False}}
    path = tmp_path / "posts.json"
    path.write_text(json.dumps([post]), encoding="utf-8")
    [record] = list(iter_records([str(path)]))
    assert record.title == "Don’t panic & carry on"
    assert record.text == "The mayor said it’s fine.\n\nResidents were told to stay calm."
    assert record.external_id == "77" and record.url == "https://farm.example/x"


PROSE_NAMING_TAGS = ("Wrap a word in <b> and </b> to make it bold. The <script> tag runs code, so readers should"
                     " block third-party scripts and keep browsers updated to stay safe online.")


def test_prose_that_names_tags_is_text() -> None:
    assert not holds_markup(PROSE_NAMING_TAGS)
    assert as_text(PROSE_NAMING_TAGS) == PROSE_NAMING_TAGS


def test_a_script_tag_never_closed_does_not_swallow_the_rest() -> None:
    fragment = ("<p>The <script> tag runs code, so readers should block scripts.</p><p>Keep browsers updated.</p>"
                "<script>track('x');</script>tail")
    assert as_text(fragment) == "The <script> tag runs code, so readers should block scripts.\n\nKeep browsers updated.\n\ntail"


def test_a_name_that_is_no_whole_reference_is_text() -> None:
    assert as_text("&notanentity; &notin; &not; &copy2024") == "&notanentity; ∉ ¬ &copy2024"


def test_json_and_csv_text_naming_tags_is_stored_whole(tmp_path: Path) -> None:
    (tmp_path / "tag.jsonl").write_text(json.dumps({"id": "t1", "title": "HTML for beginners",
                                                    "text": PROSE_NAMING_TAGS}) + "\n", encoding="utf-8")
    (tmp_path / "tag.csv").write_text(f'title,text\nHTML for beginners,"{PROSE_NAMING_TAGS}"\n', encoding="utf-8")
    records = list(iter_records([str(tmp_path / "tag.jsonl"), str(tmp_path / "tag.csv")]))
    assert [record.text for record in records] == [PROSE_NAMING_TAGS, PROSE_NAMING_TAGS]  # type: ignore[union-attr]
