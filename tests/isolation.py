"""Each test's writes undone: the run's app works on one connection, inside savepoints that are rolled back.

``Isolation`` holds one connection of the run's app in one long transaction. A scope (a test, or a module's
shared data) is a savepoint on it, rolled back when the scope ends. Every session the app opens meanwhile
joins that connection in a savepoint of its own (SQLAlchemy's ``join_transaction_mode="create_savepoint"``),
so the app's own commits and rollbacks behave as they do in production, yet nothing outlives the scope.

A test that truly needs a database of its own (threads racing on several connections, migrations, two
processes' limits) says so with ``@pytest.mark.own_database`` and gets a fresh copy, as every test once did.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask, current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Connection, event
from sqlalchemy.engine import Engine

from campaign_app.extensions import db, limiter

_active: "Isolation | None" = None
T = TypeVar("T")


class JoinedSession(FlaskSession):
    """Mixed into the app's session class in tests: while isolation is on, a joined app's sessions use its
    connection. (Mixed in, not put in its place, so that listeners the app set on its session class still hear.)"""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and _active is not None:
            connection = _active.connection_for(current_app._get_current_object())
            if connection is not None:
                return connection
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _remember_join_savepoint(session, transaction, connection) -> None:
    # The savepoint a session opened to join the connection is the harness's, not the app's: statement counts
    # leave it out, as production (where the session begins a transaction of its own) sends nothing for it.
    if _active is not None and transaction.parent is None and connection is _active.connection:
        nested = connection.get_nested_transaction()
        if nested is not None:
            _active.own_savepoints.add(nested._savepoint)


def _begin_explicitly(engine: Engine) -> None:
    """SQLite through pysqlite begins a transaction only before a write, so a SAVEPOINT outside one starts a
    transaction and its RELEASE commits it. Begin explicitly, as SQLAlchemy's documentation advises."""

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


class Isolation:
    """One connection of ``app``'s engine in a transaction that is never committed; scopes are savepoints."""

    def __init__(self, app: Flask):
        global _active
        self.app = app
        self.joined: set[Flask] = {app}
        self.on = False
        self.own_savepoints: set[str] = set()
        with app.app_context():
            self.engine = db.engine
        if self.engine.dialect.name == "sqlite":
            _begin_explicitly(self.engine)
        factory = db.session.session_factory
        self._restore_factory = factory.class_, dict(factory.kw)
        factory.class_ = type("JoinedAppSession", (JoinedSession, factory.class_), {})
        event.listen(factory.class_, "after_begin", _remember_join_savepoint)
        factory.configure(join_transaction_mode="create_savepoint")
        self.connection = self.engine.connect()
        self.connection.begin()
        # Flask-Limiter keeps its storage on the one extension object: an app made later re-binds it.
        self._limiter_state = dict(limiter.__dict__)
        _active = self

    def connection_for(self, app: Flask) -> Connection | None:
        """The shared connection when ``app`` works inside the isolation now; else None (its own engine)."""
        return self.connection if self.on and app in self.joined else None

    def join(self, app: Flask) -> None:
        """Let another app (other settings, same data) work on the shared connection too."""
        self.joined.add(app)

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Everything written inside the block is undone at its end (scopes nest: a module's data, its tests)."""
        was_on, joined, self.on = self.on, set(self.joined), True
        limiter.__dict__.update(self._limiter_state)
        limiter.storage.reset()
        savepoint = self.connection.begin_nested()
        self.own_savepoints.add(savepoint._savepoint)
        try:
            yield
        finally:
            self._undo(savepoint)
            self.on, self.joined = was_on, joined
            if not was_on:
                # Savepoint names are never reused on this connection: those of a scope that ended are done with.
                self.own_savepoints.clear()

    @contextmanager
    def kept(self, build: Callable[[], T]) -> Iterator[T]:
        """Run ``build()`` in the app and commit: its data stays for the block (a module's tests), then is undone.

        What it returns should be plain values (ids), not ORM objects: each test reads them in its own session.
        """
        with self.scope():
            with self.app.app_context():
                built = build()
                db.session.commit()
            yield built

    def _undo(self, savepoint) -> None:
        if savepoint.is_active:
            savepoint.rollback()
            return
        # A test released or lost the harness's savepoint: start over on a new transaction, and say so.
        self.connection.rollback()
        self.connection.begin()
        raise AssertionError("a test ended the isolation's savepoint itself; its writes may have leaked")

    def close(self) -> None:
        global _active
        _active = None
        self.connection.rollback()
        self.connection.close()
        factory = db.session.session_factory
        factory.class_, factory.kw = self._restore_factory[0], self._restore_factory[1]


def is_harness_statement(statement: str) -> bool:
    """Whether ``statement`` opens, releases or rolls back one of the harness's own savepoints."""
    if _active is None:
        return False
    words = statement.split()
    return bool(words) and "SAVEPOINT" in (word.upper() for word in words[:3]) and words[-1] in _active.own_savepoints
