"""A scratch database for a benchmark: a new PostgreSQL database on the server named, or a temporary SQLite file."""

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from campaign_app.config import normalise_database_url


@contextmanager
def scratch_database(server_url: str | None) -> Iterator[str]:
    """The URL of an empty database, dropped afterwards: on ``server_url`` (PostgreSQL) or SQLite when None."""
    if server_url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    server = make_url(normalise_database_url(server_url))
    name = f"jangkau_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
