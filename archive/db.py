"""Engine, SQLite pragmas, and migrating the store when it is opened."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DatabaseError

from archive import sqlite_extras, storefile
from archive.errors import BusyError, StoreError, locked_by_another
from archive.models import Base
from archive.storefile import SCHEMA_REVISION, check_sqlite_file, damaged_message, read_revision

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Alembic is imported only to migrate, check, or judge a revision that is not SCHEMA_REVISION:
# opening an up-to-date store (every writing command) needs none of it (~90 ms of imports).


def alembic_config() -> Config:
    from alembic.config import Config

    if not (MIGRATIONS_DIR / "env.py").exists():
        raise StoreError(f"migrations not found at {MIGRATIONS_DIR}; reinstall archive from its source tree")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _set_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # WAL lets searches read a consistent snapshot while an ingest writes.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute(f"PRAGMA busy_timeout = {storefile.BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"timeout": storefile.BUSY_TIMEOUT_MS / 1000}
    )
    event.listen(engine, "connect", _set_pragmas)
    return engine


def open_readonly(path: Path) -> Engine:
    """A read-only engine on an archive at the current schema revision, refused otherwise as a
    ReadStore is (no migration, no write lock): for reads written as the library's SQLAlchemy
    queries."""
    from sqlalchemy.pool import NullPool

    from archive.storefile import connect_readonly

    def connect() -> sqlite3.Connection:
        conn = connect_readonly(path)
        conn.row_factory = None  # (ReadStore's rows by name; SQLAlchemy's own rows here)
        return conn

    return create_engine("sqlite://", creator=connect, poolclass=NullPool)


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision (Alembic's version table), None for a new database."""
    with engine.connect() as conn:
        return read_revision(conn.connection.driver_connection)  # type: ignore[arg-type]


def backup_file(path: Path, revision: str) -> Path:
    """Copy the database with SQLite's online backup (safe while others read it)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.bak-{revision}-{stamp}")
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        dest.close()
    finally:
        source.close()
    return target


def upgrade(engine: Engine, path: Path) -> Path | None:
    """Bring the store to the newest revision; back up an existing older database first."""
    revision = current_revision(engine)
    if revision == SCHEMA_REVISION or revision == head_revision():
        return None
    _refuse_unless_ours(path, revision, set(inspect(engine).get_table_names()))
    backup = backup_file(path, revision) if revision is not None else None
    from alembic import command

    migrate(engine, lambda config: command.upgrade(config, "head"))
    return backup


def migrate(engine: Engine, run: Callable[[Config], None]) -> None:
    """Run Alembic (``run``: an upgrade or downgrade) in one transaction, foreign keys off.

    Off, as SQLite's procedure for rebuilding a table asks: with them on, dropping the old
    ``documents`` would delete its rows first and cascade to every link and fingerprint. SQLite
    ignores the pragma inside a transaction, so it is set before one begins; the foreign keys are
    checked before the transaction commits, and the connection is discarded after (the pool's
    others have them on)."""
    config = alembic_config()
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        conn.commit()  # (ends SQLAlchemy's autobegun transaction; SQLite had none open)
        try:
            with conn.begin():
                config.attributes["connection"] = conn
                run(config)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(f"the migration would leave {len(broken)} row(s) referring to no row "
                                     f"(first: {tuple(broken[0])}); nothing was changed")
        finally:
            conn.invalidate()


def _refuse_unless_ours(path: Path, revision: str | None, tables: set[str]) -> None:
    """Raise unless the database is an archive at a revision this code knows (or empty)."""
    if revision is None and tables - {"alembic_version"}:
        raise StoreError(f"{path} is an SQLite database but not an archive; use another --home")
    if revision == SCHEMA_REVISION:
        return
    from alembic.script import ScriptDirectory

    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if revision is not None and revision not in known:
        raise StoreError(
            f"{path} was written by a newer archive (schema revision {revision}); upgrade archive to open it"
        )


def _refuse_foreign_or_newer(path: Path) -> None:
    """Refuse what ``upgrade`` would refuse, before the engine's pragmas touch the file: switching
    to WAL rewrites the header of a file that is not ours. Reads it with plain sqlite3."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=storefile.BUSY_TIMEOUT_MS / 1000)
        try:
            revision = read_revision(conn)
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(damaged_message(path, exc)) from None
    _refuse_unless_ours(path, revision, tables)


def open_store(path: Path) -> Engine:
    """Open (creating or migrating as needed) the archive database at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        check_sqlite_file(path)
        _refuse_foreign_or_newer(path)
    engine = make_engine(path)
    try:
        upgrade(engine, path)
    except DatabaseError as exc:
        engine.dispose()
        locked = locked_by_another(exc)  # (a migration waits for another program's transaction as any write does)
        raise (BusyError(locked) if locked else StoreError(damaged_message(path, exc.orig))) from None
    return engine


@dataclass
class StoreReport:
    revision: str | None
    head: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_store(engine: Engine) -> StoreReport:
    """Compare the database with the models and look for missing FTS objects or damage."""
    report = StoreReport(revision=current_revision(engine), head=head_revision())
    if report.revision != report.head:
        report.problems.append(f"schema at revision {report.revision}, expected {report.head}")
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _ignore_fts}
        )
        for diff in compare_metadata(context, Base.metadata):
            report.problems.append(f"schema differs from the models: {diff}")
        names = {row[0] for row in conn.execute(text("SELECT name FROM sqlite_master"))}
        for missing in sorted(sqlite_extras.FTS_OBJECTS - names):
            report.problems.append(f"full-text object {missing} is missing")
        for missing in sorted(sqlite_extras.EDIT_TRIGGERS - names):
            report.problems.append(f"trigger {missing} is missing")
        for table, counting in sqlite_extras.ORPHAN_COUNTS.items():
            orphans = conn.execute(text(counting)).scalar()
            if orphans:
                report.problems.append(f"{orphans} row(s) of {table} belong to deleted documents "
                                       "(`archive provenance --refresh` removes them)")
        integrity = conn.execute(text("PRAGMA quick_check")).scalar()
        if integrity != "ok":
            report.problems.append(f"SQLite integrity check: {integrity}")
    return report


def _ignore_fts(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "table" and name is not None and name.startswith("documents_fts"))
