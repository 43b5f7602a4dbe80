"""Database wiring: SQLite pragmas and savepoints, PostgreSQL session settings, and one commit per request."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache, partial

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


# A statement that can only read: it begins with SELECT or WITH and names no write (SQLAlchemy writes keywords in
# capitals; FOR UPDATE counts as a write, which is only cautious).
_READ = re.compile(r"\s*(?:SELECT|WITH)\b")
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE|COPY|LOCK|CALL|DO)\b")
_WROTE = "jangkau.wrote"


@lru_cache(maxsize=2048)
def reads_only(statement: str) -> bool:
    """Whether ``statement`` cannot change the database (anything else counts as a write)."""
    return _READ.match(statement) is not None and _WRITE_WORD.search(statement) is None


def _note_write(connection, _cursor, statement, _parameters, _context, _executemany) -> None:
    if not reads_only(statement):
        connection.info[_WROTE] = True


def wrote_around_sqlalchemy(connection) -> None:
    """Note that ``connection`` wrote through its driver directly (a COPY), where ``note_writes`` cannot see it: its
    transaction is rolled back, not committed, if it ends without a commit."""
    connection.info[_WROTE] = True


def _forget_writes(connection) -> None:
    connection.info.pop(_WROTE, None)


def _end_reads_with_commit(rollback, dbapi_connection) -> None:
    # psycopg forgets every prepared statement on a ROLLBACK (an object it names may have gone with it): a page that
    # only read would make its connection prepare everything again, so most statements would never be prepared. A
    # transaction that wrote nothing ends the same either way, so it commits; one that wrote, or failed, rolls back.
    from psycopg.pq import TransactionStatus  # here: an app on SQLite never loads psycopg

    try:
        wrote = dbapi_connection.info.pop(_WROTE, False)
    except NotImplementedError:  # the engine's first connection, before the pool holds it: no record to note in
        wrote = True
    if not wrote and dbapi_connection.pgconn.transaction_status == TransactionStatus.INTRANS:
        dbapi_connection.commit()
    else:
        rollback(dbapi_connection)


def note_writes(engine: Engine) -> None:
    """Note on each connection of ``engine`` whether its transaction has written (``reads_only``), for
    ``undone_alone``; and on PostgreSQL (psycopg) end the transactions that only read with COMMIT rather than
    ROLLBACK, which would discard the connection's prepared statements (see ``_end_reads_with_commit``)."""
    if event.contains(engine, "before_cursor_execute", _note_write):
        return
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "begin", _forget_writes)
    event.listen(engine, "commit", _forget_writes)
    if engine.dialect.driver == "psycopg":
        engine.dialect.do_rollback = partial(_end_reads_with_commit, engine.dialect.do_rollback)


def init_app(app: Flask) -> None:
    # Before the first connection, which would create an SQLite file readable by every account.
    private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
    with app.app_context():
        note_writes(db.engine)

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


def _written_in_transaction() -> bool:
    """Whether the app's session has written in its transaction (``note_writes``), or holds changes not yet
    flushed, which a rollback would drop."""
    session = db.session
    return bool(session.new or session.dirty or session.deleted or session.connection().info.get(_WROTE))


@contextmanager
def undone_alone() -> Iterator[None]:
    """A block whose writes are undone, and nothing else, if it raises: in a savepoint; or, when the transaction has
    written nothing yet, by rolling the transaction back, which loses only what it read and spares the SAVEPOINT and
    RELEASE statements (two round trips on PostgreSQL). Either way the session can be used again after the error."""
    if _written_in_transaction():
        with db.session.begin_nested():
            yield
        return
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise


def added_first(record) -> bool:
    """Add and flush ``record``, undone alone (``undone_alone``); False when a unique constraint refuses it.

    A concurrent request (a double submit, two users racing for a name) stored its twin first: only this insert is
    undone, so the caller can look the winner up and answer with it.
    """
    try:
        with undone_alone():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        return False
    return True
