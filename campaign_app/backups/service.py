"""Back up the app's database into one file, and restore it from one: SQLite or PostgreSQL, told by the engine.

A backup is written to a temporary file beside its path and renamed when complete: a file at the path is always
a whole backup. A restore first checks that the file is a backup of this kind of database and of this app (it
holds Alembic's revision table), then overwrites every table of the database; the engine's connections are
closed first. Neither commits through the app's session: they work on the database beneath it.
"""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

SQLITE_HEADER = b"SQLite format 3\x00"
# pg_dump's custom format (-Fc) starts with these bytes.
PG_DUMP_HEADER = b"PGDMP"
REVISION_TABLE = "alembic_version"


class BackupRefused(Exception):
    """The backup or restore cannot be done: ``message`` says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Backup:
    """A backup file written: where, of which kind of database, its size, and the schema revision it holds."""

    path: Path
    dialect: str
    size: int
    revision: str | None


def backup_database(engine: Engine, path: Path) -> Backup:
    """Write a backup of ``engine``'s database to ``path``, which must not exist yet. Raises ``BackupRefused``."""
    path = Path(path)
    if path.exists():
        raise BackupRefused(f"{path} exists already; give a new file name (a backup never overwrites a file).")
    if not path.parent.is_dir():
        raise BackupRefused(f"The folder {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.partial")
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_backup(_sqlite_path(engine), partial)
        elif engine.dialect.name == "postgresql":
            _run([_tool("pg_dump"), "--format=custom", "--file", str(partial)], engine)
        else:
            raise BackupRefused(f"Backups of {engine.dialect.name} databases are not supported.")
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(path, engine.dialect.name, path.stat().st_size, _revision(engine))


def backup_kind(path: Path) -> str | None:
    """``sqlite`` or ``postgresql`` when ``path`` starts like a backup of that database; None otherwise."""
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if head.startswith(PG_DUMP_HEADER):
        return "postgresql"
    return None


def check_backup(engine: Engine, path: Path) -> None:
    """Refuse (``BackupRefused``) a file that is not a backup of this app for ``engine``'s kind of database."""
    path = Path(path)
    if not path.is_file():
        raise BackupRefused(f"{path} is not a file.")
    kind = backup_kind(path)
    if kind is None:
        raise BackupRefused(f"{path} is not a backup made by flask backup: neither a SQLite database nor a "
                            "PostgreSQL custom-format dump.")
    if kind != engine.dialect.name:
        raise BackupRefused(f"{path} is a backup of a {_NAMES[kind]} database, and this database is "
                            f"{_NAMES.get(engine.dialect.name, engine.dialect.name)}. Restore it into a "
                            f"{_NAMES[kind]} database (DATABASE_URL).")
    if kind == "sqlite":
        _sqlite_revision(path)
    else:
        listing = _run([_tool("pg_restore"), "--list", str(path)], None)
        if f"TABLE public {REVISION_TABLE} " not in listing:
            raise BackupRefused(f"{path} is a PostgreSQL dump, but not of this app: it has no {REVISION_TABLE} "
                                "table.")


def restore_database(engine: Engine, path: Path) -> str | None:
    """Overwrite every table of ``engine``'s database with the backup at ``path``; returns the schema revision now
    stored. Refuses (``BackupRefused``) a file that is not a backup of this kind, before changing anything."""
    path = Path(path)
    check_backup(engine, path)
    # Pooled connections would hold the old pages (SQLite) or locks that --clean waits for (PostgreSQL).
    engine.dispose()
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(engine))
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    else:
        # One transaction: a restore that fails half-way leaves the database as it was.
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", str(path)], engine)
    engine.dispose()
    return _revision(engine)


_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupRefused("This SQLite database lives in memory: there is no file to back up or restore.")
    return database


def _sqlite_backup(database: str, target_path: Path) -> None:
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        # The online backup API copies a consistent snapshot while the app goes on writing.
        source.backup(target)
        # One self-contained file: no write-ahead log beside it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        source.close()
        target.close()


def _sqlite_revision(path: Path) -> str | None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(f"SELECT version_num FROM {REVISION_TABLE}").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError):
        raise BackupRefused(f"{path} is a SQLite database, but not a backup of this app: it has no "
                            f"{REVISION_TABLE} table.") from None
    finally:
        connection.close()


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        try:
            return connection.scalar(text(f"SELECT version_num FROM {REVISION_TABLE}"))
        except Exception:  # a database never migrated has no revision table; the backup is still a backup
            return None


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupRefused(f"{name} is not installed. Install the PostgreSQL client tools of the server's major "
                            "version (Debian: apt install postgresql-client).")
    return found


def _run(command: list[str], engine: Engine | None) -> str:
    """Run a PostgreSQL client tool on ``engine``'s database; the password goes in the environment, never on the
    command line (where any user could read it)."""
    environment = dict(os.environ)
    if engine is not None:
        url = make_url(engine.url)
        if url.password:
            environment["PGPASSWORD"] = str(url.password)
        conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
        command = [command[0], "--dbname", conninfo, *command[1:]]
    result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if result.returncode != 0:
        raise BackupRefused(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout
