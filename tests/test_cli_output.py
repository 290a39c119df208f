"""What the CLI prints, on an archive with undated and publisher-less documents and several copy
families: closed pipes, facet counts, refused option combinations, listings that say when they
are cut, and labels that cannot be confused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner, Result

from archive.cli import cli
from conftest import REPO, SEEDS

TOPICS = {
    "coffee": "Brazilian coffee growers said on Tuesday that heavy rainfall in Parana and Minas Gerais states had "
              "eased fears of a second year of drought, and exporters expected shipments of about 15 million bags "
              "in the season starting July. The Brazilian Coffee Institute said it would set a new export quota "
              "next week after talks with the growers' federation in Sao Paulo, and traders in New York marked "
              "futures down three cents.",
    "oil": "Saudi Arabia and Kuwait told OPEC ministers meeting in Vienna that the group should hold output at "
           "15.8 million barrels a day through the third quarter, keeping the benchmark price near 18 dollars a "
           "barrel. Iran called for deeper cuts, but delegates said a compromise on quotas was likely before the "
           "conference closes on Friday, with Nigeria and Venezuela backing the Saudi position.",
    "steel": "The European Community's steel producers agreed in Brussels to cut capacity by a further 15 million "
             "tonnes over three years, with West Germany and Italy taking the largest share of closures. Union "
             "leaders warned that 30,000 jobs were at risk in the Ruhr and in southern Italy, and called a day of "
             "protest for next month while the Commission promised aid for regions hit by the closures.",
}


def _records() -> list[dict[str, str]]:
    """Each topic from a dated wire and reposted undated by a farm (a family of two each); the
    seeds (undated, no publisher) again from a dated daily and an undated blog."""
    rows = []
    for name, text in TOPICS.items():
        rows.append({"id": f"{name}-wire", "title": f"{name.upper()} REPORT", "text": text, "source": "Wire",
                     "published": "1987-03-02"})
        rows.append({"id": f"{name}-repost", "title": f"{name.upper()} REPORT", "text": text, "source": "Farm"})
    seeds = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.iterdir())]
    rows.append({"id": "ms-daily", "title": "Microsoft daily", "text": seeds[0], "source": "Daily",
                 "published": "2024-05-01"})
    rows.append({"id": "ms-blog", "title": "Microsoft blog", "text": seeds[1], "source": "Blog"})
    return rows


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One archive for the module's tests, which only read it: 10 documents, 4 families."""
    folder = tmp_path_factory.mktemp("output")
    export = folder / "export.jsonl"
    export.write_text("".join(json.dumps(row) + "\n" for row in _records()), encoding="utf-8")
    done = CliRunner().invoke(cli, ["--home", str(folder / "home"), "ingest", "-q", str(SEEDS), str(export)])
    assert done.exit_code == 0, done.output
    return folder / "home"


@pytest.fixture
def run(home: Path):  # type: ignore[no-untyped-def]
    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, ["--home", str(home), *args], input=input, catch_exceptions=False)

    return invoke


# -- a closed pipe -----------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("search", "report"), ("search", "report", "--json"), ("search", "report", "--csv"),
    ("search", "report", "--jsonl"), ("remove", "--dry-run", "-"), ("provenance", "1"), ("stats",),
], ids=" ".join)
def test_a_reader_that_stops_reading_ends_the_command_quietly(home: Path, args: tuple[str, ...]) -> None:
    # The pipe's reading end is closed before the command writes anything: each write fails.
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, "ARCHIVE_WORKERS": "1"}
    env.pop("ARCHIVE_DEBUG", None)
    try:
        done = subprocess.run([sys.executable, "-m", "archive", "--home", str(home), *args], stdout=write_end,
                              stderr=subprocess.PIPE, input=b"1\n2\n3\n", env=env, cwd=REPO, timeout=120)
    finally:
        os.close(write_end)
    assert done.stderr.decode() == ""
    assert done.returncode == 141  # as a tool killed by SIGPIPE: 128 + 13


def test_only_a_pipe_whose_reader_has_gone_counts_as_the_end_of_the_output() -> None:
    from archive.cli import reader_gone

    read_end, write_end = os.pipe()
    stream = SimpleNamespace(fileno=lambda: write_end)
    try:
        assert not reader_gone(stream)  # a broken pipe elsewhere is reported as the bug it is
        os.close(read_end)
        assert reader_gone(stream)
    finally:
        os.close(write_end)


# -- facets --------------------------------------------------------------------------------------

def test_facets_count_undated_and_publisherless_matches_so_they_add_up(run) -> None:
    data = json.loads(run("search", "microsoft", "--facet", "source", "--facet", "year", "--json").output)
    # The seeds (no publisher, undated), the daily (dated) and the blog (undated).
    assert data["total"] == 4
    assert sorted(map(tuple, data["facets"]["source"])) == [("(none)", 2), ("Blog", 1), ("Daily", 1)]
    assert sorted(map(tuple, data["facets"]["year"])) == [("(undated)", 3), ("2024", 1)]
    for counts in data["facets"].values():
        assert sum(n for _, n in counts) == data["total"]
    text = run("search", "microsoft", "--facet", "source", "--facet", "year").output
    assert "\n(none)  2\n" in text and "\n(undated)  3\n" in text
    # A facet of matches that all have a value has no such bucket.
    wire = json.loads(run("search", "source:wire", "--facet", "year", "--json").output)
    assert wire["facets"]["year"] == [["1987", 3]]


# -- option combinations -------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (("search", "microsoft", "--json", "--csv"), "--json and --csv cannot be used together"),
    (("search", "microsoft", "--csv", "--jsonl"), "--jsonl and --csv cannot be used together"),
    (("search", "microsoft", "--json", "--jsonl", "--csv"), "--json, --jsonl and --csv cannot be used together"),
    (("search", "microsoft", "--facet", "year", "--csv"), "--facet"),
    (("search", "microsoft", "--facet", "source", "--jsonl"), "--facet"),
    (("search", "microsoft", "--count", "--csv"), "--count"),
    (("search", "microsoft", "--count", "--facet", "year"), "--count"),
    (("search", "microsoft", "--count", "--collapse"), "--count"),
    (("provenance", "1", "--json", "--format", "dot"), "--json and --format dot cannot be used together"),
    (("provenance", "1", "--json", "--format", "tree"), "--json and --format tree cannot be used together"),
    (("provenance", "1", "--limit", "3"), "--limit"),
    (("provenance", "1", "--nearest", "2", "--limit", "3"), "--limit"),
    (("provenance", "1", "--format", "dot", "--evidence"), "--evidence"),
    (("provenance", "--families", "--evidence"), "--evidence"),
    (("provenance", "--refresh", "--nearest", "2"), "give a document id"),
], ids=lambda value: " ".join(value[1:]) if isinstance(value, tuple) else "")
def test_options_that_cannot_be_honoured_together_are_refused(run, args: tuple[str, ...], message: str) -> None:
    refused = run(*args)
    assert refused.exit_code == 2, refused.output
    assert message in refused.output and "Traceback" not in refused.output


def test_count_as_json_is_an_object_with_the_total_search_json_gives(run) -> None:
    counted = run("search", "microsoft", "--count", "--json")
    assert counted.exit_code == 0 and json.loads(counted.output) == {"total": 4, "warnings": []}
    assert json.loads(run("search", "microsoft", "--json").output)["total"] == 4
    assert run("search", "microsoft", "--count").output == "4\n"


def test_combinations_that_mean_one_thing_are_accepted(run) -> None:
    for args in (("provenance", "1", "--json", "--format", "json"), ("provenance", "1", "--evidence", "--json"),
                 ("provenance", "--families", "--limit", "2", "--json"), ("search", "microsoft", "--facet", "year",
                                                                        "--json")):
        assert run(*args).exit_code == 0, args


# -- the families listing ------------------------------------------------------------------------

def test_the_families_listing_says_how_many_there_are_and_when_it_is_cut(run) -> None:
    cut = run("provenance", "--families", "--limit", "2").output.splitlines()
    assert len(cut) == 2 + 2 + 2 and cut[-2] == ""  # header and rule, two families, a blank line and:
    assert cut[-1] == "2 of 4 families, the largest; --limit N for more, --limit 0 for all"
    listed = json.loads(run("provenance", "--families", "--limit", "2", "--json").output)
    assert listed["total"] == 4 and len(listed["families"]) == 2
    assert listed["families"][0]["documents"] == 4  # the seeds' family, largest first
    every = json.loads(run("provenance", "--families", "--limit", "0", "--json").output)
    assert every["total"] == 4 and len(every["families"]) == 4
    assert run("provenance", "--families").output.splitlines()[-1] == "4 families"
    assert "how many, 0 for all" in " ".join(run("provenance", "--help").output.split())


# -- stats ---------------------------------------------------------------------------------------

def test_stats_names_copy_links_and_related_links_apart(run, home: Path) -> None:
    import sqlite3

    with sqlite3.connect(home / "archive.db") as conn:
        related, = conn.execute("SELECT count(*) FROM provenance WHERE relation = 'related'").fetchone()
        every, = conn.execute("SELECT count(*) FROM provenance").fetchone()
    counts = json.loads(run("stats", "--json").output)
    assert (counts["provenance_links"], counts["related_links"]) == (every - related, related)
    assert f"provenance: {every - related} copy links (+{related} related)" in run("stats").output


# -- failures ------------------------------------------------------------------------------------

def test_failures_of_a_run_that_does_not_exist_is_an_error_naming_the_latest(run) -> None:
    for args in (("failures", "--run", "999"), ("failures", "--run", "999", "--json")):
        missing = run(*args)
        assert missing.exit_code == 1, missing.output
        assert missing.output == "archive: error: no ingest run 999: the only run is 1\n"
    assert run("failures", "--run", "1").output == "no recorded failures in run 1\n"
    assert json.loads(run("failures", "--run", "1", "--json").output) == []


# -- documentation -------------------------------------------------------------------------------

def test_the_readme_names_every_field_of_provenance_json(run) -> None:
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### `archive provenance 42 --json`\n", 1)[1].split("\n#", 1)[0]
    named = {token.split(".")[-1] for token in re.findall(r"`([\w.\[\]]+)`", section)}
    family = json.loads(run("provenance", "1", "--json").output)
    assert isinstance(family["focus"], int) and family["focus"] in {d["id"] for d in family["documents"]}
    printed = set(family) | set(family["documents"][0]) | set(family["links"][0])
    near = json.loads(run("provenance", "1", "--nearest", "2", "--json").output)
    assert isinstance(near["focus"], dict) and near["focus"]["id"] == 1  # as the README says: an object here
    printed |= set(near) | set(near["nearest"][0])
    assert printed - named == set()
