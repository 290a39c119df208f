"""The evaluation scripts read their corpora from $ARCHIVE_BENCH_DATA when it is set (held-out
data of the dev data's layout), and a missing corpus is a plain message, not a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"

_TOPICS = [
    "Inheritance in object oriented programming lets a class reuse the fields and methods of another "
    "class, so that a subclass extends its parent with new behaviour while keeping what it inherited.",
    "PageRank scores each web page by the pages that link to it, weighting every inbound link by the "
    "score of the page it comes from, so that a link from an important page counts for more.",
    "The vector space model represents documents and queries as vectors of term weights and ranks the "
    "documents by the cosine of the angle between each document vector and the query vector.",
    "Bayes theorem relates the probability of a hypothesis given the evidence to the probability of "
    "the evidence given the hypothesis, scaled by the prior probability of the hypothesis itself.",
    "Dynamic programming solves a problem by combining the solutions of overlapping subproblems, "
    "storing each result in a table so that no subproblem is ever solved more than once.",
]


def _run(script: str, *args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARCHIVE_BENCH_DATA": str(data)}
    return subprocess.run([sys.executable, str(BENCH / script), *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("command", [["provenance_eval.py", "spun"], ["provenance_eval.py", "llmfake"],
                                     ["provenance_eval.py", "reuters_outlets"], ["provenance_eval.py", "llmfake_ingest_outlets"],
                                     ["provenance_eval.py", "llmfake_sites"], ["provenance_eval.py", "pages_mixed"],
                                     ["spin_probe.py"], ["scraper_probe.py"], ["boilerplate_probe.py"], ["page_probe.py"]])
def test_a_missing_corpus_is_named_without_a_traceback(tmp_path: Path, command: list[str]) -> None:
    done = _run(*command, data=tmp_path / "nowhere")
    assert done.returncode == 2
    assert str(tmp_path / "nowhere") in done.stderr and "Traceback" not in done.stderr


def _evaluated(setting: str, data: Path) -> dict[str, Any]:
    """provenance_eval.py's report of ``setting`` on the corpora in ``data``."""
    out = data / "report.json"
    done = _run("provenance_eval.py", setting, "--json", str(out), data=data)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())[setting]


def _write_clough(data: Path) -> None:
    """A Clough & Stevenson corpus of five tasks, one cut answer (task b) and one independent one (c)."""
    folder = data / "clough_stevenson"
    folder.mkdir()
    rows = ["File,Task,Category"]
    for task, text in zip("abcde", _TOPICS):
        (folder / f"orig_task{task}.txt").write_text(
            f"{text} It was first described in task {task} of the course, with worked examples for the "
            f"students. Later chapters of the textbook return to it in exercises {task}1 to {task}9, each "
            f"harder than the one before, and the final examination always includes one of them.",
            encoding="utf-8")
    # A cut answer copies most of task b's text; an independent one shares only the topic of task c.
    (folder / "g0pA_taskb.txt").write_text(
        f"{_TOPICS[1]} It was first described in task b of the course, with worked examples for the "
        f"students. That is all I remember of it.", encoding="utf-8")
    (folder / "g0pA_taskc.txt").write_text(
        "Search engines compare a query with documents by turning both into lists of numbers and "
        "measuring how closely those lists point the same way.", encoding="utf-8")
    rows += ["g0pA_taskb.txt,b,cut", "g0pA_taskc.txt,c,non"]
    (folder / "file_information.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_the_clough_evaluation_reads_the_corpus_that_archive_bench_data_names(tmp_path: Path) -> None:
    _write_clough(tmp_path)
    report = _evaluated("clough", tmp_path)
    assert report["cut"] == 1.0 and report["non"] == 1.0 and report["accuracy"] == 1.0


_STORIES = [
    ("Harbour workers in the northern port of Kelvara walked out on Tuesday over a pay offer of 3.5 pct, "
     "halting grain shipments worth 40 mln dlrs a week, union leader Tomas Evrin told reporters at the "
     "docks. The port authority said it would meet the union again on Friday and hoped to settle the "
     "dispute before the harvest season reaches its peak next month."),
    ("Mintaro Mining Corp said its quarterly profit rose to 12.4 mln dlrs from 9.1 mln dlrs a year ago on "
     "higher copper prices and lower costs at its Ossen smelter. Chairman Rafe Dunmore said output from "
     "the new western shaft would double by the end of the year and the company would raise its dividend "
     "to 15 cts a share from 12 cts."),
]


# A spun copy of the first story.
_SPUN = (_STORIES[0].replace("walked out", "stepped out").replace("told reporters", "informed journalists")
         .replace("hoped to", "anticipated to").replace("reaches its peak", "reaches its height")
         .replace("halting", "stopping").replace("settle", "resolve"))


def _write_stories_and_copy(data: Path, ids: list[str], dates: list[str], copy_id: str, copy_date: str) -> None:
    """The stories as the spun setting's corpus (under ``ids``, dated ``dates``), and _SPUN as a
    farm's copy of the first."""
    _write_gz(data / "reuters21578" / "reuters21578.jsonl.gz", [
        {"id": ident, "text": text, "title": text.split(",")[0].upper(), "published": date, "source": "wire"}
        for ident, date, text in zip(ids, dates, _STORIES)])
    _write_gz(data / "spun_dev" / "spun.jsonl.gz", [
        {"id": copy_id, "source_id": ids[0], "rate": 0.2, "text": _SPUN, "title": "Harbour Employees Stroll Out",
         "published": copy_date, "source": "content-farm"}])


def _write_gz(path: Path, rows: list[dict[str, object]]) -> None:
    import gzip

    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(row) + "\n" for row in rows)


def _write_llmfake(data: Path) -> None:
    """An LLMFake corpus of one article and one model's paraphrase of it."""
    article = ("The singer Lorna Vey surprised fans at her Brighton concert on Saturday by announcing a "
               "farewell tour of forty cities, starting in Glasgow next spring. Vey, who released her first "
               "album in 1998, said she wanted to spend more time writing songs for other artists and thanked "
               "her band for two decades on the road together.")
    rewrite = (article.replace("surprised fans", "stunned the audience").replace("by announcing", "when she announced")
               .replace("thanked", "expressed gratitude to"))
    _write_gz(data / "llmfake" / "sources.jsonl.gz", [{"id": "gossipcop-1", "dataset": "gossipcop", "text": article}])
    _write_gz(data / "llmfake" / "rewrites.jsonl.gz", [
        {"id": "rw-1", "source_id": "gossipcop-1", "task": "paraphrase", "generator": "model-a", "text": rewrite}])


def test_the_mixed_setting_scores_each_corpus_in_one_archive_and_counts_links_across_them(tmp_path: Path) -> None:
    """All corpora in one archive: each is scored on its own documents (ids kept apart, so the
    spun copy and the Clough answer still find their sources) and links across corpora counted."""
    _write_clough(tmp_path)
    _write_stories_and_copy(tmp_path, ["reuters-1", "reuters-2"], ["1987-03-01T10:00:00Z", "1987-03-02T10:00:00Z"],
                            "spun-00000", "1987-03-05T10:00:00Z")
    _write_llmfake(tmp_path)
    report = _evaluated("mixed", tmp_path)
    assert report["spun"]["all"]["recall"] == 1.0 and report["spun"]["all"]["precision"] == 1.0
    assert report["llmfake"]["all"]["copies"] == 1 and report["llmfake"]["all"]["recall"] == 1.0
    assert report["clough"]["cut"] == 1.0 and report["clough"]["non"] == 1.0
    assert [(l["derived"], l["source"]) for l in report["seeds"]["links"]] == [(1, 0)]
    assert report["links_across_settings"] == {}


def test_the_spun_evaluation_reads_another_corpus_with_its_own_ids_and_date_forms(tmp_path: Path) -> None:
    """Held-out data of the same layout may come from another corpus: ids that are not Reuters'
    ("wire-a"), dates with no zone or no time of day. The copy, dated by the source's day only,
    is still linked to its source (not the reverse) and no date is misread."""
    _write_stories_and_copy(tmp_path, ["wire-a", "wire-b"], ["1987-03-01 15:00:00", "1987-03-02 15:10:00"],
                            "copy-x", "1987-03-01")
    report = _evaluated("spun", tmp_path)
    assert report["all"]["copies"] == 1 and report["all"]["recall"] == 1.0 and report["all"]["precision"] == 1.0
    # A copy naming a source the corpus lacks cannot be scored: a plain message, no traceback.
    _write_gz(tmp_path / "spun_dev" / "spun.jsonl.gz", [
        {"id": "copy-x", "source_id": "wire-z", "rate": 0.2, "text": _SPUN, "published": None}])
    done = _run("provenance_eval.py", "spun", data=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "1 copies in spun_dev/spun.jsonl.gz name a source_id that reuters21578/reuters21578.jsonl.gz does not hold (copy-x -> wire-z)" in done.stderr


def test_the_reuters_outlets_setting_counts_copies_between_the_corpus_stories(tmp_path: Path) -> None:
    """reuters_outlets spreads the corpus over many sites and counts its spun and rewrite links
    (a wire alone gets none): here one story is a spun copy of another, and the count finds it."""
    _write_gz(tmp_path / "reuters21578" / "reuters21578.jsonl.gz", [
        {"id": f"wire-{k}", "text": text, "title": text.split(",")[0].upper(), "published": f"1987-03-0{k + 1}T10:00:00Z",
         "source": "wire"} for k, text in enumerate([*_STORIES, _SPUN])])
    report = _evaluated("reuters_outlets", tmp_path)
    assert report["relations"] == {"spun": 1} and report["rewrite_or_spun_links"] == 1
    assert report["examples"][0]["titles"] == [_SPUN.split(",")[0].upper(), _STORIES[0].split(",")[0].upper()]


def test_the_llmfake_ingest_with_outlets_scores_what_the_ingest_of_such_an_export_links(tmp_path: Path) -> None:
    """llmfake_ingest_outlets writes each record with its outlet in a "source" field (dataset,
    model) and scores the provenance table of a real ``archive ingest`` of that export."""
    _write_llmfake(tmp_path)
    report = _evaluated("llmfake_ingest_outlets", tmp_path)
    assert report["not_ingested"] == [] and report["timing"]["failed"] == 0
    assert report["all"]["copies"] == 1 and report["all"]["recall"] == 1.0 and report["all"]["precision"] == 1.0


def test_llmfake_sites_scores_the_rewrites_on_sites_of_their_own_and_on_farms(tmp_path: Path) -> None:
    """llmfake_sites puts the rewrites on one-page sites of their own, and on farms, and scores both."""
    _write_llmfake(tmp_path)
    report = _evaluated("llmfake_sites", tmp_path)
    for variant in ("scattered", "farms"):
        assert report[variant]["all"]["copies"] == 1 and report[variant]["all"]["recall"] == 1.0
        assert len(report[variant]["links_hash"]) == 16


def test_pages_mixed_counts_the_derivation_links_between_corpora(tmp_path: Path) -> None:
    """pages_mixed ingests the wire, the web pages and LLMFake one after the other and counts the
    derivation links joining two corpora: here a page reposts LLMFake's article word for word."""
    _write_llmfake(tmp_path)
    _write_stories_and_copy(tmp_path, ["wire-1", "wire-2"], ["1987-03-02T10:00:00Z"] * 2, "copy-1",
                            "1987-03-03T10:00:00Z")
    import gzip

    with gzip.open(tmp_path / "llmfake" / "sources.jsonl.gz", "rt", encoding="utf-8") as fh:
        article = json.loads(fh.readline())["text"]
    pages = tmp_path / "html_pages" / "pages"
    pages.mkdir(parents=True)
    (pages / "repost.html").write_text(
        "<html><head><title>Vey announces farewell tour</title></head><body><article><h1>Vey announces farewell "
        f"tour</h1><p>{article}</p></article></body></html>", encoding="utf-8")
    report = _evaluated("pages_mixed", tmp_path)
    for variant in ("with_outlets", "without_outlets"):
        assert report[variant]["documents"] == {"reuters": 2, "pages": 1, "llmfake": 2}
        # The page and the article are one text; the paraphrase goes to one of them.
        examples = report[variant]["examples"]
        assert report[variant]["derivation_links_across_corpora"] == len(examples) >= 1
        assert all({e["derived"].split()[0], e["source"].split()[0]} == {"pages", "llmfake"} for e in examples)


def test_a_rewrite_naming_a_source_the_corpus_lacks_is_named_without_a_traceback(tmp_path: Path) -> None:
    _write_gz(tmp_path / "llmfake" / "sources.jsonl.gz", [{"id": "gossipcop-1", "dataset": "gossipcop", "text": _STORIES[0]}])
    _write_gz(tmp_path / "llmfake" / "rewrites.jsonl.gz", [
        {"id": "rw-1", "source_id": "gossipcop-9", "task": "paraphrase", "generator": "model-a", "text": _STORIES[1]}])
    done = _run("provenance_eval.py", "llmfake", data=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "(rw-1 -> gossipcop-9)" in done.stderr


def test_the_scraper_probe_links_each_retyped_copy_to_its_article(tmp_path: Path) -> None:
    articles = [
        ("It was the season of love\u2014Valentine\u2019s Day\u2014and the busiest week of the year for every "
         "florist in town. Rose prices climbed 40 pct on a poor Kenyan harvest, and Marla Quint, who runs the "
         "Stem and Petal shop on Fenner Street, said she had ordered 3,000 stems in January and would still "
         "run out by Thursday."),
        ("The singer Lorna Vey surprised fans at her Brighton concert on Saturday by announcing a farewell tour "
         "of forty cities, starting in Glasgow next spring. Vey's first album came out in 1998; she said she "
         "wanted to spend more time writing songs for other artists and thanked her band for two decades."),
    ]
    _write_gz(tmp_path / "llmfake" / "sources.jsonl.gz",
              [{"id": f"gossipcop-{k}", "dataset": "gossipcop", "text": text} for k, text in enumerate(articles)])
    out = tmp_path / "report.json"
    done = _run("scraper_probe.py", "--only", "ascii_punctuation", "character_references", "--json", str(out),
                data=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    # Only the first article has curly punctuation to fold. Escaped, its curly apostrophe comes
    # back as it was (the ingest decodes references); the second's straight one comes back curly.
    assert report["ascii_punctuation"]["copies"] == 1 and report["ascii_punctuation"]["identical"] == 1
    assert report["character_references"]["copies"] == 1 and report["character_references"]["identical"] == 1
    for name in ("ascii_punctuation", "character_references"):
        assert report[name]["recall"] == 1.0 and report[name]["precision"] == 1.0
        assert set(report[name]["relations"]) <= {"duplicate", "near_copy"}


def test_the_scraper_probe_puts_links_to_other_posts_at_sentence_ends() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from scraper_probe import with_related_links
    finally:
        sys.path.remove(str(BENCH))
    sentences = [f"Sentence {k} of the report says something new about the harbour." for k in range(40)]
    text = " ".join(sentences)
    headlines = ["Mayor opens the new bridge", "Storm closes three schools", "Court fines the port operator"]
    out = with_related_links(text, headlines, every=100)
    lines = [line for line in out.split("\n") if line.strip()]
    inserted = [line for line in lines if line.startswith(("Also read: ", "Related: "))]
    # 400 words: a link after every 100, each after a whole sentence, alternating in wording.
    assert len(inserted) == 4
    assert [line.split(": ")[0] for line in inserted] == ["Also read", "Related", "Also read", "Related"]
    assert all(line.split(": ", 1)[1] in headlines for line in inserted)
    assert " ".join(line.strip() for line in lines if line not in inserted).split() == text.split()
    assert with_related_links(text, headlines, every=100) == out
