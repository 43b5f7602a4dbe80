"""Every write of a request audited: who changed which record, from what to what, taken from the app's flushes.

Registered on the app's sessions by ``init_app`` (called in ``create_app``), as the summaries are. After each flush
made in a request, each record of an audited kind (``KINDS``) that was added, changed or deleted gets an entry: the
signed-in user, the record (kind, id and name), its branch, and its fields before → after. One entry per record and
transaction: a later flush of the same record merges into it. A service that records its own entry for a record
(``service.record``: a correction, a void, a reopen) speaks for it, and the generic entry of that record in the same
transaction is dropped. A bulk statement on an audited table goes around the flush: the request that runs it must
record its own entries (``service.record``, ``service.record_many``), or its commit fails loudly.

Writes outside a request (the CLI's loads, seeds and benchmarks) are not audited: no user made them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, cast

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import Connection, Table, delete, event, insert, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.util import identity_key

from campaign_app.models import (
    AuditAction,
    AuditEntry,
    Branch,
    Campaign,
    OfficerLeave,
    RateTable,
    Regency,
    SignUp,
    SubsidyProgramme,
    User,
    Village,
    Visit,
    VisitOfficer,
)
from campaign_app.models.people import branch_regencies

_GENERIC = "jangkau.audit.generic"  # (subject_type, subject_id or name) -> (entry id, action, details)
_EXPLICIT = "jangkau.audit.explicit"  # subjects a service recorded an entry for, in this transaction
_BULK = "jangkau.audit.bulk"  # audited tables a bulk statement changed, in this transaction

# Never in an entry: bookkeeping, secrets, and what the NIK gives away (a sign-up is named, its NIK never shown).
HIDDEN = frozenset({"id", "created_at", "updated_at", "created_by_id", "assigned_by_id", "form_key", "session_token",
                    "password_hash", "nik_ciphertext", "nik_index", "nik_last4", "district_code", "name_key",
                    "birth_date", "sex", "consent_at", "rate_table_id"})
# Ids that name another record: the entry keeps that record's name, read as it is now.
NAMED_BY = {
    "branch_id": (Branch.id, Branch.name), "campaign_id": (Campaign.id, Campaign.name),
    "village_code": (Village.code, Village.name), "officer_id": (User.id, User.full_name),
    "checked_in_by_id": (User.id, User.full_name), "home_regency_code": (Regency.code, Regency.name),
    "subsidy_programme_id": (SubsidyProgramme.id, SubsidyProgramme.name),
}
# Where the name of a field naming another record goes in the entry: "branch_id" is shown as "branch".
NAMED_FIELD = {"branch_id": "branch", "campaign_id": "campaign", "village_code": "village", "officer_id": "officer",
               "checked_in_by_id": "checked_in_by", "home_regency_code": "home_regency",
               "subsidy_programme_id": "subsidy_programme"}


@dataclass(frozen=True)
class Kind:
    """How a model's records are audited: their subject type, name and branch, and fields left out."""

    subject_type: str
    name: Callable[[Any, Connection], str | None]
    branch: Callable[[Any, Connection], int | None]
    hidden: frozenset[str] = frozenset()


def _scalar(connection: Connection, statement):
    return connection.execute(statement).scalar()


def _village_branch(village: Village, connection: Connection) -> int | None:
    regency = village.district_code[:5]
    return _scalar(connection, select(branch_regencies.c.branch_id).where(branch_regencies.c.regency_code == regency))


def _visit_name(visit: Visit, connection: Connection) -> str | None:
    return _scalar(connection, select(Village.name).where(Village.code == visit.village_code))


def _officer_name(leave: OfficerLeave, connection: Connection) -> str | None:
    return _scalar(connection, select(User.full_name).where(User.id == leave.officer_id))


def _officer_branch(leave: OfficerLeave, connection: Connection) -> int | None:
    return _scalar(connection, select(User.branch_id).where(User.id == leave.officer_id))


KINDS: dict[type, Kind] = {
    Campaign: Kind("campaign", lambda c, _: c.name, lambda c, _: c.branch_id),
    Visit: Kind("visit", _visit_name, lambda v, _: v.branch_id, frozenset({"branch_id"})),
    SignUp: Kind("signup", lambda s, _: s.full_name, lambda s, _: s.branch_id,
                 frozenset({"branch_id", "visit_id", "village_code", "officer_id", "full_name", "phone",
                            "jkk_contribution", "jkm_contribution", "jht_contribution", "merged_into_id"})),
    User: Kind("user", lambda u, _: f"{u.full_name} ({u.username})", lambda u, _: u.branch_id),
    Branch: Kind("branch", lambda b, _: b.name, lambda b, _: b.id),
    Village: Kind("village", lambda v, _: f"{v.name} ({v.code})", _village_branch),
    RateTable: Kind("rate_table", lambda t, _: t.effective_from.isoformat(), lambda t, _: None),
    SubsidyProgramme: Kind("subsidy_programme", lambda p, _: p.name, lambda p, _: None),
    OfficerLeave: Kind("officer_leave", _officer_name, _officer_branch),
}
# The tables of the audited kinds (and the officers of a visit): a bulk statement on them is watched.
AUDITED_TABLES = frozenset({*(inspect(model).local_table.name for model in KINDS), "visit_officers"})
# The entries' table, written with Core statements from inside a flush (where the ORM may not add records).
ENTRIES = cast(Table, AuditEntry.__table__)


class UnauditedBulkChange(RuntimeError):
    """A request changed audited records with a bulk statement and recorded no audit entry for them."""


def init_app() -> None:
    """Listen to the app's sessions once per process (``db.session`` is shared by every app made from ``db``)."""
    from campaign_app.summaries import SESSION_CLASS

    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _note_bulk),
                           ("before_commit", _refuse_unaudited_bulk), ("after_commit", _forget_committed),
                           ("after_soft_rollback", _forget_rolled_back)):
        if not event.contains(SESSION_CLASS, name, listener):
            event.listen(SESSION_CLASS, name, listener)


def subject_key(subject_type: str | None, subject_id, subject_name: str | None = None) -> tuple:
    return (subject_type, subject_id if subject_id is not None else subject_name)


def speak_for(session: Session, key: tuple) -> None:
    """A service records its own entry for this record: drop the generic one of this transaction, make no more."""
    session.info.setdefault(_EXPLICIT, set()).add(key)
    generic = session.info.get(_GENERIC, {}).pop(key, None)
    if generic is not None:
        session.connection().execute(delete(ENTRIES).where(ENTRIES.c.id == generic[0]))


def _actor_id() -> int | None:
    user = current_user
    return user.id if user and user.is_authenticated else None


def _value(value):
    """A column value as the JSON of an entry keeps it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, Decimal) or not isinstance(value, str | int | float | bool | None):
        return str(value)
    return value


def _name_of(connection: Connection, field: str, value, session: Session | None = None):
    if value is None:
        return None
    key, name = NAMED_BY[field]
    if session is not None:
        # The record loaded in this transaction (a sign-up's programme, checked before its insert): its name as loaded,
        # without a statement of its own.
        loaded = session.identity_map.get(identity_key(key.class_, value))
        if loaded is not None:
            state = inspect(loaded)
            if not state.expired and name.key in state.dict and not state.attrs[name.key].history.has_changes():
                return state.dict[name.key] or value
    return _scalar(connection, select(name).where(key == value)) or value


def _collection_names(items) -> list[str]:
    return sorted(str(getattr(item, "name", None) or getattr(item, "full_name", None) or item) for item in items)


def _changes(instance, kind: Kind, created: bool, connection: Connection) -> dict:
    """The fields of ``instance`` that this flush wrote, as {field: [before, after]}, ids of records as names."""
    state = inspect(instance)
    details: dict = {}
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name in HIDDEN or name in kind.hidden:
            continue
        # From the state, never loaded: a flush must not issue queries of its own for a value it did not write. A
        # record added has no before, and its value is the state's (its history would say the same, at a cost).
        if created:
            after, before = state.dict.get(name), None
        else:
            history = state.attrs[name].history
            if not history.has_changes():
                continue
            after = history.added[0] if history.added else state.dict.get(name)
            before = history.deleted[0] if history.deleted else None
        if created and after is None:
            continue
        if name in NAMED_BY:
            before = _name_of(connection, name, before, state.session)
            after = _name_of(connection, name, after, state.session)
            name = NAMED_FIELD[name]
        if _value(before) != _value(after):
            details[name] = [_value(before), _value(after)]
    if "password_hash" in {a.key for a in state.mapper.column_attrs} and not created \
            and state.attrs["password_hash"].history.has_changes():
        details["password_changed"] = True
    for relation in state.mapper.relationships:
        if relation.key == "assignments" and not created:
            # An officer taken off a visit is deleted as an orphan: it never shows in the session's deleted records.
            removed = state.attrs["assignments"].history.deleted
            if removed:
                details["officers_unassigned"] = ", ".join(
                    sorted(str(_name_of(connection, "officer_id", a.officer_id)) for a in removed))
        if relation.secondary is None:
            continue
        history = state.attrs[relation.key].history
        if history.added or history.deleted:
            unchanged = list(history.unchanged)
            details[relation.key] = [None if created else _collection_names([*unchanged, *history.deleted]),
                                     _collection_names([*unchanged, *history.added])]
    return details


def _merge(first: dict, later: dict) -> dict:
    """One transaction's changes of one record: the first before, the last after; assignments accumulate."""
    merged = dict(first)
    for name, value in later.items():
        if isinstance(value, list) and len(value) == 2 and isinstance(merged.get(name), list):
            merged[name] = [merged[name][0], value[1]]
            if merged[name][0] == merged[name][1]:
                del merged[name]
        elif name in ("officers_assigned", "officers_unassigned") and name in merged:
            merged[name] = ", ".join(sorted({*merged[name].split(", "), *value.split(", ")}))
        else:
            merged[name] = value
    return merged


def _write(session: Session, connection: Connection, key: tuple, action: AuditAction, subject_id, name,
           branch_id, details: dict) -> None:
    """Add the record's entry of this transaction, or merge into the one already written."""
    generic = session.info.setdefault(_GENERIC, {})
    table = ENTRIES
    if key in generic:
        entry_id, first_action, first_details = generic[key]
        action = first_action if first_action == AuditAction.CREATED else action
        details = _merge(first_details, details)
        if connection.execute(update(table).where(table.c.id == entry_id).values(
                action=action, details=details)).rowcount:
            generic[key] = (entry_id, action, details)
            return
    if not details and action == AuditAction.CHANGED:
        return
    # Values as parameters, not .values(): one statement shape, built and compiled once.
    result = connection.execute(insert(table), {
        "action": action, "actor_id": _actor_id(), "subject_type": key[0], "subject_id": subject_id,
        "subject_name": name, "branch_id": branch_id, "details": details})
    inserted = result.inserted_primary_key
    assert inserted is not None  # a single-row INSERT
    generic[key] = (inserted[0], action, details)


def _after_flush(session: Session, _flush_context) -> None:
    if not has_request_context():
        return
    explicit = session.info.setdefault(_EXPLICIT, set())
    connection = session.connection()
    for kind_of_change, instances in ((AuditAction.CREATED, session.new), (AuditAction.CHANGED, session.dirty),
                                      (AuditAction.DELETED, session.deleted)):
        for instance in instances:
            if isinstance(instance, VisitOfficer):
                _officer_assignment(session, connection, instance, kind_of_change, explicit)
                continue
            kind = KINDS.get(type(instance))
            if kind is None:
                continue
            if kind_of_change == AuditAction.CHANGED and not session.is_modified(instance):
                continue
            subject_id = getattr(instance, "id", None)
            name = kind.name(instance, connection)
            key = subject_key(kind.subject_type, subject_id, name)
            if key in explicit:
                continue
            created = kind_of_change == AuditAction.CREATED
            details = {} if kind_of_change == AuditAction.DELETED else _changes(instance, kind, created, connection)
            _write(session, connection, key, kind_of_change, subject_id, name, kind.branch(instance, connection),
                   details)


def _officer_assignment(session: Session, connection: Connection, assignment: VisitOfficer, change: AuditAction,
                        explicit: set) -> None:
    """An officer assigned to a visit, or taken off it: a change of the visit."""
    if change == AuditAction.CHANGED:
        return
    visit_id = assignment.visit_id
    key = subject_key("visit", visit_id)
    if key in explicit:
        return
    row = connection.execute(select(Village.name, Visit.branch_id).join(Visit, Visit.village_code == Village.code)
                             .where(Visit.id == visit_id)).first()
    officer = _name_of(connection, "officer_id", assignment.officer_id)
    field = "officers_assigned" if change == AuditAction.CREATED else "officers_unassigned"
    _write(session, connection, key, AuditAction.CHANGED, visit_id, row[0] if row else None,
           row[1] if row else None, {field: str(officer)})


def _note_bulk(state: ORMExecuteState) -> None:
    # An INSERT, UPDATE or DELETE run as a statement goes around the flush. Touching only ``updated_at`` is no change.
    if not (state.is_insert or state.is_update or state.is_delete) or not has_request_context():
        return
    table = getattr(state.statement, "table", None)
    if table is None or table.name not in AUDITED_TABLES:
        return
    if state.is_update:
        from campaign_app.summaries.guard import assigned_columns

        if assigned_columns(state.statement, state.parameters) <= {"updated_at", "id", "code"}:
            return
    state.session.info.setdefault(_BULK, set()).add(table.name)


def _refuse_unaudited_bulk(session: Session) -> None:
    bulk = session.info.get(_BULK)
    if bulk and not session.info.get(_EXPLICIT):
        raise UnauditedBulkChange(
            f"A bulk statement changed {', '.join(sorted(bulk))} and no audit entry was recorded: record one with "
            "campaign_app.audit.service.record or record_many in the same transaction.")


def _forget(session: Session) -> None:
    for key in (_GENERIC, _EXPLICIT, _BULK):
        session.info.pop(key, None)


def _forget_committed(session: Session) -> None:
    # A savepoint released (``begin_nested``) fires after_commit too, but the transaction and its entries go on: a
    # service recording its own entry after one must still drop the generic entry written inside it.
    if not session.in_nested_transaction():
        _forget(session)


def _forget_rolled_back(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        _forget(session)
