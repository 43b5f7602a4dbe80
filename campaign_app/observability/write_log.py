"""One line per committed write made in a request: who made it, through which endpoint, and which tables changed.

Hooked on the app's database session, not on routes: every route commits through it, so no write goes unlogged
and no route carries a log call. The line names tables and row counts, never values: a sign-up's NIK, name and
phone stay in the database (and what changed, in detail, is in the audit log).
"""

import logging

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from campaign_app.extensions import db
from campaign_app.observability.log_setup import fields

log = logging.getLogger("campaign_app.write")

_CHANGES = "jangkau.changes"
_ACTOR = "jangkau.actor"
# Sessions and failed sign-ins: the auth log has a line for each sign-in, refusal and ending of sessions (sign_in_log),
# and a session's once-a-minute mark of use is no one's write.
NOT_LOGGED = frozenset({"user_sessions", "sign_in_failures"})
# How a change follows its table's name: signups+1 (rows added), visits~1 (changed), visit_officers-1 (deleted).
ADDED, CHANGED, DELETED = "+", "~", "-"


class Changes(dict):
    """Rows written per (table, kind of change) since the transaction began; None where a bulk statement's count
    is not known."""

    def add(self, table: str, kind: str, rows: int | None) -> None:
        if table in NOT_LOGGED:
            return
        key = (table, kind)
        before = self.get(key, 0)
        self[key] = None if rows is None or before is None else before + rows

    def __str__(self) -> str:
        return ",".join(f"{table}{kind}{'?' if rows is None else rows}" for (table, kind), rows in sorted(self.items()))


def init_app() -> None:
    """Listen to the app's session, once per process: ``db.session`` is shared by every app made from ``db``."""
    for name, listener in (("after_flush", _note_flush), ("do_orm_execute", _note_statement),
                           ("before_commit", _note_actor), ("after_commit", _log_commit),
                           ("after_soft_rollback", _forget)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _changes(session: Session) -> Changes:
    return session.info.setdefault(_CHANGES, Changes())


def _note_flush(session: Session, _flush_context) -> None:
    # After a flush its lists still hold what it wrote. The summaries' writes go around the ORM and are not
    # counted: they follow from these. Commands (a seed, an import of every village) are not logged: not counted.
    if not has_request_context():
        return
    changes = _changes(session)
    for instance in session.new:
        changes.add(_table(instance), ADDED, 1)
    for instance in session.dirty:
        if session.is_modified(instance, include_collections=False):
            changes.add(_table(instance), CHANGED, 1)
    for instance in session.deleted:
        changes.add(_table(instance), DELETED, 1)


def _note_statement(state: ORMExecuteState) -> None:
    # A bulk statement (an import's UPDATE of many rows) bypasses the flush. Its rows are known before it runs
    # only for an executemany, one per parameter set.
    if not (state.is_insert or state.is_update or state.is_delete) or not has_request_context():
        return
    kind = ADDED if state.is_insert else CHANGED if state.is_update else DELETED
    rows = len(state.parameters) if isinstance(state.parameters, list | tuple) else None
    _changes(state.session).add(state.statement.table.name, kind, rows)


def _note_actor(session: Session) -> None:
    # Read while the transaction is open: once committed, the user's row is expired and may not be read back.
    if has_request_context():
        user = current_user
        session.info[_ACTOR] = (user.id, user.username) if user.is_authenticated else (None, None)


def _log_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint released (SQLAlchemy calls it a commit too): its writes are the transaction's, logged with the
        # transaction's own commit, or never if it is rolled back.
        return
    changes = session.info.pop(_CHANGES, None)
    user_id, username = session.info.pop(_ACTOR, (None, None))
    if changes and has_request_context():
        log.info("%s", fields(user_id=user_id, username=username, endpoint=request.endpoint, changed=changes))


def _forget(session: Session, previous_transaction) -> None:
    # A transaction rolled back wrote nothing. (A savepoint rolled back inside one that commits is not subtracted:
    # the savepoints here guard a single insert whose flush failed, so it had noted nothing.)
    if previous_transaction.parent is None:
        session.info.pop(_CHANGES, None)
        session.info.pop(_ACTOR, None)


def _table(instance) -> str:
    return inspect(instance).mapper.local_table.name
