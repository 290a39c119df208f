"""`archive search` imports only what a search needs: Whoosh's English word variations (dozens of
large regular expressions compiled at import) wait until something asks for them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

SEARCH_THEN_REPORT = """
import sys
from click.testing import CliRunner
from archive.cli import cli
home = sys.argv[1]
assert CliRunner().invoke(cli, ["--home", home, "ingest", "-q", sys.argv[2]]).exit_code == 0
result = CliRunner().invoke(cli, ["--home", home, "search", "intelligence"])
assert result.exit_code == 0 and "2 matches" in result.output, result.output
module = sys.modules["whoosh.lang.morph_en"]
print("stand-in" if not hasattr(module, "_partitions") else "real")
from whoosh.query import Variations
print(sorted(module.variations("rendering"))[:3])
print("real" if hasattr(sys.modules["whoosh.lang.morph_en"], "_partitions") else "stand-in")
"""


def test_a_search_does_not_load_word_variations_until_asked(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SEARCH_THEN_REPORT, str(tmp_path / "home"), str(SEEDS)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["stand-in", "['render', 'rendering', 'renderinged']", "real"]


def test_the_stand_in_gives_whoosh_own_variations() -> None:
    from archive.search import lazy_morph

    real = lazy_morph._real_module()
    for word in ("rendering", "cities", "running", "tokenize", "happily", "x"):
        assert lazy_morph.variations(word) == real.variations(word)


NUMPY_AFTER_SEARCHES = """
import sys
from click.testing import CliRunner
from archive.cli import cli
for argv in sys.argv[2:]:
    result = CliRunner().invoke(cli, ["--home", sys.argv[1], "search", *argv.split("|")])
    assert result.exit_code == 0 and result.output, (argv, result.output)
print("numpy" in sys.modules)
"""


def test_a_search_of_a_small_archive_does_not_import_numpy(tmp_path: Path) -> None:
    """numpy (~80 ms to import) is for long posting lists; a small archive's searches, of every
    kind, read and score their postings in Python."""
    from click.testing import CliRunner

    from archive.cli import cli

    home = str(tmp_path / "home")
    assert CliRunner().invoke(cli, ["--home", home, "ingest", "-q", str(SEEDS)]).exit_code == 0
    searches = ["intelligence", '"artificial intelligence" AND title:chinese', '"the company"~3', "the -intelligence",
                "intel*", "the|--sort|-date", "the|--sort|date|--facet|source|--facet|year", "inteligence~",
                "published:>2020-01 the", "intelligence OR company OR the|--json", "the|--count"]
    done = subprocess.run([sys.executable, "-c", NUMPY_AFTER_SEARCHES, home, *searches],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


MODULES_OF_A_COMMAND = """
import json, sys
from archive.cli import cli
cli(["--home", sys.argv[1], *sys.argv[2:]], prog_name="archive", standalone_mode=False)
print("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


@pytest.fixture(scope="module")
def seeds_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    from click.testing import CliRunner

    from archive.cli import cli

    home = str(tmp_path_factory.mktemp("startup") / "home")
    assert CliRunner().invoke(cli, ["--home", home, "ingest", "-q", str(SEEDS)]).exit_code == 0
    return home


def modules_of(home: str, *argv: str) -> set[str]:
    """The modules imported by a process that runs one command (and nothing else)."""
    done = subprocess.run([sys.executable, "-c", MODULES_OF_A_COMMAND, home, *argv],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    output, _, modules = done.stdout.rpartition("\nMODULES ")
    assert output.strip(), done.stdout
    return set(json.loads(modules))


def test_a_search_imports_nothing_the_writer_needs(seeds_home: str) -> None:
    """Whoosh's writing modules, the posting pool, the writer and ``IndexDoc`` are an ingest's:
    importing them cost an `archive search` a few ms. ``dataclasses`` (~1 ms, and it imports
    ``inspect``) is not imported either: the search path's value classes are
    ``archive.records.record`` classes, and ``IndexDoc``, the one dataclass, is in a module of
    its own (a dataclass costs ~1 ms at import: its methods are compiled from generated source)."""
    modules = modules_of(seeds_home, "search", "intelligence OR company")
    assert "archive.search.searcher" in modules
    unwanted = {"whoosh.writing", "whoosh.externalsort", "tempfile", "archive.search.writer",
                "archive.search.pool", "archive.search.document", "dataclasses"}
    assert modules & unwanted == set()


WHOOSH_SEARCHING = {"whoosh.searching", "whoosh.collectors", "whoosh.sorting", "whoosh.highlight", "whoosh.classify"}


@pytest.mark.parametrize("argv", [["coffee OR intelligence"], ['"artificial intelligence"'], ["title:chinese the"],
                                  ["the -intelligence"], ["intel*"], ["published:>2020-01 the"], ["inteligence"]])
def test_a_plain_search_does_not_import_whoosh_searching(seeds_home: str, argv: list[str]) -> None:
    """Words, phrases, fields, negations, wildcards, date filters and a suggestion are read and
    scored by our own code (``postings``): Whoosh's searcher, collectors and sorting facets (with
    its highlighting and classifying modules) are imported only when a search needs them."""
    assert modules_of(seeds_home, "search", *argv) & WHOOSH_SEARCHING == set()


def test_a_date_sorted_search_imports_only_whoosh_sorting(tmp_path: Path) -> None:
    """A date sort or facets read their keys through Whoosh's sorting facets; its searcher is
    still not imported (the seeds have no dates or sources, so no columns to sort or count by)."""
    from click.testing import CliRunner

    from archive.cli import cli

    home = str(tmp_path / "home")
    articles = tmp_path / "dated.jsonl"
    articles.write_text("".join(
        json.dumps({"id": f"d-{k}", "title": f"Report {k}", "source": f"wire {k % 3}",
                    "published": f"20{10 + k % 9}-0{1 + k % 9}-1{k % 9}", "text": f"The market moved {k} points."}) + "\n"
        for k in range(40)), encoding="utf-8")
    assert CliRunner().invoke(cli, ["--home", home, "ingest", "-q", str(articles)]).exit_code == 0
    modules = modules_of(home, "search", "--sort", "-date", "--facet", "source", "--facet", "year", "market")
    assert modules & WHOOSH_SEARCHING == {"whoosh.sorting"}


def test_main_freezes_the_collectors_objects_when_the_command_is_done(monkeypatch) -> None:
    import gc

    import archive.cli as cli_module

    ran: list[int] = []
    monkeypatch.setattr(cli_module, "cli", lambda **_: ran.append(gc.get_freeze_count()))
    gc.unfreeze()
    try:
        cli_module.main()
        assert ran == [0] and gc.get_freeze_count() > 0  # frozen after the command, not before
    finally:
        gc.unfreeze()


FIRST_SEARCH_THEN_SECOND = """
import sys
from click.testing import CliRunner
from archive.cli import cli
from archive.search import postings
# Every posting list of this small archive counts as long (ARRAYS_FROM), yet within what a first
# search reads in Python.
postings.ARRAYS_FROM, postings.FIRST_SEARCH_ARRAYS_FROM = 1, 10**6
for _ in range(2):
    result = CliRunner().invoke(cli, ["--home", sys.argv[1], "search", "the company"])
    assert result.exit_code == 0 and "match" in result.output, result.output
    print("numpy" in sys.modules)
"""


def test_a_process_first_search_reads_long_posting_lists_without_numpy(tmp_path: Path) -> None:
    """Importing numpy costs more than one search's reading in Python: an `archive search`
    process (one search) never pays it; a process's second search reads long lists as arrays."""
    from click.testing import CliRunner

    from archive.cli import cli

    home = str(tmp_path / "home")
    # More postings than one block holds (a single block is always read in Python).
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(
        json.dumps({"id": f"note-{k}", "title": f"Notice {k}",
                    "text": f"The company said its unit {k} in district {k % 17} shipped {k * 7} crates of item {k}."}) + "\n"
        for k in range(300)), encoding="utf-8")
    assert CliRunner().invoke(cli, ["--home", home, "ingest", "-q", str(articles)]).exit_code == 0
    done = subprocess.run([sys.executable, "-c", FIRST_SEARCH_THEN_SECOND, home],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
