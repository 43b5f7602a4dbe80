"""Test databases: one migrated, seeded template per run, and a fresh copy of it for every test.

SQLite copies the template file; PostgreSQL (``TEST_DATABASE_URL``) clones it with
``CREATE DATABASE … TEMPLATE …``. Either way each test starts from the same data and may commit.
"""

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from campaign_app.config import normalise_database_url


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(url) if url else None


class SQLiteDatabases:
    dialect = "sqlite"

    def __init__(self, folder: Path):
        self.folder = folder

    def template_url(self) -> str:
        return f"sqlite:///{self.folder / 'template.sqlite3'}"

    def fresh_url(self) -> str:
        target = self.folder / f"test-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(self.folder / "template.sqlite3", target)
        return f"sqlite:///{target}"

    def empty_url(self) -> str:
        return f"sqlite:///{self.folder / f'empty-{uuid.uuid4().hex[:8]}.sqlite3'}"

    def drop(self, url: str) -> None:
        path = Path(make_url(url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresDatabases:
    dialect = "postgresql"

    def __init__(self, server_url: str):
        self.server = make_url(server_url)
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        self.prefix = f"jangkau_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._execute(f'CREATE DATABASE "{self.template}"')

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def template_url(self) -> str:
        return self._url(self.template)

    def fresh_url(self) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:8]}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url(name)

    def empty_url(self) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:8]}"
        self._execute(f'CREATE DATABASE "{name}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()
