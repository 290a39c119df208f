"""Every command has help text and is mentioned in the README; every option has help text."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from archive.cli import cli
from conftest import REPO


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("path", commands(cli), ids=" ".join)
def test_command_has_help_and_is_documented(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert len(result.output.split("\n\n")[1].strip()) > 10, "no help text"
    assert f"archive {' '.join(path)}" in (REPO / "README.md").read_text()


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


@pytest.mark.parametrize("path", [(), *commands(cli)], ids=lambda path: " ".join(path) or "archive")
def test_every_option_says_what_it_does(path: tuple[str, ...]) -> None:
    silent = [option.opts[-1] for option in _command(path).params
              if isinstance(option, click.Option) and not (option.help or "").strip()]
    assert silent == [], f"options without help: {', '.join(silent)}"
