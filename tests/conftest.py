from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
PROVENANCE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "provenance"


def provenance_folder(tmp_path: Path, name: str, stems: list[str]) -> Path:
    """A folder ``name`` under ``tmp_path`` holding the provenance fixtures ``stems`` (.txt)."""
    folder = tmp_path / name
    folder.mkdir()
    for stem in stems:
        shutil.copy(PROVENANCE_FIXTURES / f"{stem}.txt", folder / f"{stem}.txt")
    return folder


@pytest.fixture
def incremental(monkeypatch: pytest.MonkeyPatch) -> None:
    """Provenance updates take the incremental path even in a tiny archive (whose neighbourhood
    is always most of it, so each update would otherwise recompute it all)."""
    from archive import provenance_store

    monkeypatch.setattr(provenance_store, "FULL_REFRESH_SHARE", 10.0)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def run_cli(home: Path):  # type: ignore[no-untyped-def]
    """Run the CLI in-process against a fresh home; returns click's Result."""
    runner = CliRunner()

    def run(*args: str, input: str | bytes | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, ["--home", str(home), *args], input=input, catch_exceptions=False)

    return run
