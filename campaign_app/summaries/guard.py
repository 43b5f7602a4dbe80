"""Bulk statements that would change what the summaries count, around them, are refused.

The summaries follow the app's flushes (``keeping``). An INSERT, UPDATE or DELETE run as a statement on the
sign-ups, visits or visit officers goes around the flush, so it must go through ``bulk.bulk_execute`` (which
keeps the summaries true) or, for a load around the ORM, inside ``bulk.rebuild_after`` (which rebuilds them).
Anything else fails loudly with ``BulkChangeRefused``, in two places:

- ``refuse_orm_statements`` (``do_orm_execute`` on the app's sessions): ``session.execute`` of such a statement,
  ORM-enabled (``update(SignUp)``, bulk INSERT or UPDATE by primary key) or Core, before the ORM starts on it;
- ``refuse_core_statements`` (``before_execute`` on the app's engines): the same sent on a connection directly,
  or by a session the summaries do not keep (a plain ``Session(engine)``, the ORM's legacy ``bulk_*`` methods).
  The statements of a flush of the app's sessions pass: ``keeping`` follows them.

An UPDATE that sets none of the columns the summaries read (a sign-up's ``updated_at``) passes. SQL text is not
parsed, and connections of other engines are not watched.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session

from campaign_app.summaries.cells import ROLLED_UP_VISIT_COLUMNS
from campaign_app.summaries.tallies import TALLIED_ATTRIBUTES

# The tables the summaries count, and the columns they read (None: every column).
SUMMARISED: dict[str, frozenset[str] | None] = {
    "signups": frozenset(TALLIED_ATTRIBUTES),
    "visits": frozenset(ROLLED_UP_VISIT_COLUMNS),
    "visit_officers": None,
}
REFUSAL = ("A bulk {verb} of {table} would change what the dashboards' summaries count without them: run it "
           "through campaign_app.summaries.bulk_execute(session, statement, parameters), which keeps them true, "
           "or, for a load around the ORM, inside campaign_app.summaries.rebuild_after(connection).")

# Whether the bulk API is running a statement (or a load is under way) in this context: the guards let it pass.
_door_open: ContextVar[bool] = ContextVar("summaries_door_open", default=False)
# Whether one of the app's sessions is flushing in this context: ``keeping`` follows its statements.
_flushing: ContextVar[bool] = ContextVar("summaries_flushing", default=False)
# The connection a load (``bulk.rebuild_after``) rebuilds every summary on when it ends: flushes on it are not kept.
_loading_on: ContextVar[object | None] = ContextVar("summaries_loading_on", default=None)


class BulkChangeRefused(RuntimeError):
    """A bulk statement would change summarised rows around the summaries; the message names the bulk API."""


@contextmanager
def door_open() -> Iterator[None]:
    """Let bulk statements on the summarised tables pass while the block runs (the bulk API's own door)."""
    token = _door_open.set(True)
    try:
        yield
    finally:
        _door_open.reset(token)


@contextmanager
def loading_on(connection) -> Iterator[None]:
    """While the block runs, flushes on ``connection`` are left to the rebuild its caller runs at the end."""
    token = _loading_on.set(connection)
    try:
        yield
    finally:
        _loading_on.reset(token)


def rebuilt_later(session) -> bool:
    """Whether a load under way in this context rebuilds every summary, when it ends, on the connection ``session``
    flushes on. Outside a load, the session is not asked for its connection."""
    loading = _loading_on.get()
    return loading is not None and session.connection() is loading


def summarised_table(statement, parameters=None) -> str | None:
    """The name of the summarised table ``statement`` would change, or None: not an INSERT, UPDATE or DELETE, not
    on a summarised table, or an UPDATE of columns the summaries do not read."""
    if not getattr(statement, "is_dml", False):
        return None
    name = getattr(getattr(statement, "table", None), "name", None)
    if name not in SUMMARISED:
        return None
    columns = SUMMARISED[name]
    if statement.is_update and columns is not None:
        assigned = assigned_columns(statement, parameters)
        # An UPDATE whose columns cannot be told is refused: missing a change would be drift.
        if assigned and assigned.isdisjoint(columns):
            return None
    return name


def assigned_columns(statement, parameters=None) -> set[str]:
    """The names of the columns an UPDATE sets: those of its VALUES, and the keys of its parameter sets (which
    may name the WHERE clause's parameters too: a few more names only make the check stricter)."""
    # ``_values`` is where SQLAlchemy keeps ``.values()``: no public accessor exists. The tests check it still
    # holds them (an update of a summarised column refused, one of ``updated_at`` allowed).
    names = {getattr(key, "key", key) for key in (getattr(statement, "_values", None) or {})}
    for row in parameters if isinstance(parameters, list | tuple) else [parameters or {}]:
        names.update(row)
    return names


def _refuse(statement, parameters) -> None:
    name = summarised_table(statement, parameters)
    if name is not None and not _door_open.get():
        verb = "INSERT" if statement.is_insert else "UPDATE" if statement.is_update else "DELETE"
        raise BulkChangeRefused(REFUSAL.format(verb=verb, table=name))


def refuse_orm_statements(state: ORMExecuteState) -> None:
    """``do_orm_execute`` on the app's sessions: refuse a bulk statement on the summarised tables outside the
    bulk API."""
    if state.is_insert or state.is_update or state.is_delete:
        _refuse(state.statement, state.parameters)


def refuse_core_statements(_connection, statement, multiparams, params, _execution_options) -> None:
    """``before_execute`` on the app's engines: refuse a statement on the summarised tables that is neither part of
    a flush of the app's sessions nor run by the bulk API."""
    if getattr(statement, "is_dml", False) and not _flushing.get():
        _refuse(statement, list(multiparams) or params)


def flush_started(_session: Session, _flush_context, _instances) -> None:
    """``before_flush`` on the app's sessions: the flush's statements are followed by ``keeping``."""
    _flushing.set(True)


def flush_ended(_session: Session, _flush_context) -> None:
    """``after_flush`` on the app's sessions: its statements are done."""
    _flushing.set(False)


def flush_failed(_session: Session, _previous_transaction) -> None:
    """``after_soft_rollback`` on the app's sessions: a flush that failed ends here, not in ``after_flush``."""
    _flushing.set(False)


# The listeners ``summaries.init_app`` registers on the app's session class, and on each of its engines.
SESSION_LISTENERS = (("do_orm_execute", refuse_orm_statements), ("before_flush", flush_started),
                     ("after_flush", flush_ended), ("after_soft_rollback", flush_failed))


def watch(engine: Engine) -> None:
    """Refuse, on ``engine``'s connections, bulk statements that go around the summaries (once per engine)."""
    if not event.contains(engine, "before_execute", refuse_core_statements):
        event.listen(engine, "before_execute", refuse_core_statements)
