"""Database wiring: SQLite pragmas and savepoints, PostgreSQL session settings, and one commit per request."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from campaign_app.extensions import db
from campaign_app.private_files import private_sqlite_file

# The dashboards' aggregates over hundreds of thousands of tallies: JIT compilation costs them 100-600 ms and never
# pays back at this size, and 4 MB (the default work_mem) sends their hash aggregates to disk.
POSTGRESQL_SETTINGS = {"jit": "off", "work_mem": "32MB"}


@event.listens_for(Engine, "connect")
def _session_settings(dbapi_connection, connection_record):
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        # WAL lets readers work while a writer commits; SQLite leaves foreign keys off unless asked.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
    elif module.startswith("psycopg"):
        autocommit, dbapi_connection.autocommit = dbapi_connection.autocommit, True
        cursor = dbapi_connection.cursor()
        for name, value in POSTGRESQL_SETTINGS.items():
            cursor.execute(f"SET {name} = '{value}'")
        cursor.close()
        dbapi_connection.autocommit = autocommit


@event.listens_for(Engine, "savepoint")
def _savepoint_inside_a_transaction(connection, name) -> None:
    # pysqlite opens a transaction only before a write: a SAVEPOINT outside one would open it itself, and its
    # RELEASE would commit at once, before the request's commit, where a later refusal could no longer undo it.
    dbapi_connection = connection.connection.dbapi_connection
    if type(dbapi_connection).__module__.startswith("sqlite3") and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


def init_app(app: Flask) -> None:
    # Before the first connection, which would create an SQLite file readable by every account.
    private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)

    @app.teardown_request
    def rollback_uncommitted(exc):
        # Services flush and routes commit once; whatever was not committed is undone.
        if exc is not None:
            db.session.rollback()


def hold_write_lock() -> None:
    """Take the database's write lock now, so that what is read next cannot change before the commit.

    On SQLite, which has no row locks, a transaction not yet begun is begun IMMEDIATE: a concurrent writer (a
    visit's close) waits for this one's commit, and this one waits for a writer that holds the lock. A transaction
    already begun has written (pysqlite begins one only before a write) and so holds the lock already. On
    PostgreSQL nothing is done: the callers lock the rows they read (FOR UPDATE, FOR SHARE).
    """
    dbapi_connection = db.session.connection().connection.dbapi_connection
    if type(dbapi_connection).__module__.startswith("sqlite3") and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def added_first(record) -> bool:
    """Add and flush ``record`` in a savepoint; False when a unique constraint refuses it.

    A concurrent request (a double submit, two users racing for a name) stored its twin first: the
    savepoint undoes only this insert, so the caller can look the winner up and answer with it.
    """
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        return False
    return True
