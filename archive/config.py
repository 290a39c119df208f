"""Where an archive lives: the home folder holding ``archive.db`` and the ``index/`` folder."""

from __future__ import annotations

import os
from pathlib import Path

from archive.records import record

HOME_ENV = "ARCHIVE_HOME"
DEFAULT_HOME = Path("~/.local/share/archive")
DB_FILENAME = "archive.db"
INDEX_DIRNAME = "index"


@record
class Home:
    """The folder of one archive and the paths inside it."""

    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / DB_FILENAME

    @property
    def index_path(self) -> Path:
        return self.root / INDEX_DIRNAME

    @property
    def lock_path(self) -> Path:
        return self.root / "write.lock"


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Home:
    """``--home`` wins, then ``$ARCHIVE_HOME``, then ``~/.local/share/archive``."""
    chosen = explicit or os.environ.get(HOME_ENV) or DEFAULT_HOME
    return Home(Path(chosen).expanduser().resolve())
