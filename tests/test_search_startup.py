"""`archive search` imports only what a search needs: Whoosh's English word variations (dozens of
large regular expressions compiled at import) wait until something asks for them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


DATACLASSES_AFTER_A_SEARCH = """
import sys
from click.testing import CliRunner
from archive.cli import cli
result = CliRunner().invoke(cli, ["--home", sys.argv[1], "search", "intelligence OR company"])
assert result.exit_code == 0 and "matches" in result.output, result.output
print(sorted(f"{name}.{cls}" for name, module in list(sys.modules.items()) if name.startswith("archive")
             for cls, value in vars(module).items()
             if isinstance(value, type) and value.__module__ == name and "__dataclass_fields__" in vars(value)))
"""


def test_a_search_makes_no_dataclass_but_the_index_document(tmp_path: Path) -> None:
    """Each dataclass costs ~1 ms at import (its methods are compiled from generated source); the
    search path's value classes are ``archive.records.record`` classes instead. ``IndexDoc``, made
    once per document at ingest, stays a dataclass for its faster construction."""
    from click.testing import CliRunner

    from archive.cli import cli

    home = str(tmp_path / "home")
    assert CliRunner().invoke(cli, ["--home", home, "ingest", "-q", str(SEEDS)]).exit_code == 0
    done = subprocess.run([sys.executable, "-c", DATACLASSES_AFTER_A_SEARCH, home],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['archive.search.schema.IndexDoc']"
