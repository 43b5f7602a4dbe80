"""Writing the audit log. Callers record in the same transaction as the change, so neither exists alone.

Most writes need no call here: ``tracking`` records every write of a request from the flush. A service records an
entry itself when its action says more than the fields it changed (a correction, a void, a NIK revealed, an export),
or when it writes around the flush (a bulk statement: ``record_many``).
"""

from datetime import datetime

from sqlalchemy import insert

from campaign_app.audit.tracking import ENTRIES, speak_for, subject_key
from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, User
from campaign_app.models.people import utcnow


def record(action: AuditAction, *, actor: User | None, subject_type: str | None = None,
           subject_id: int | None = None, branch_id: int | None = None, details: dict | None = None,
           now: datetime | None = None, subject_name: str | None = None) -> AuditEntry:
    """Add an audit entry: ``actor`` did ``action`` to the record ``subject_type``/``subject_id`` of ``branch_id``.

    ``details`` says what changed (for a correction, ``{"field": [before, after], ...}``); it must be
    JSON-serialisable and must never hold a NIK in clear. ``subject_name`` names the record as it is now. The entry
    speaks for the record in this transaction: the generic entry of its flushed changes is dropped. Flushed, not
    committed.
    """
    if subject_type is not None:
        speak_for(db.session(), subject_key(subject_type, subject_id, subject_name))
    else:
        speak_for(db.session(), subject_key(None, None, action.value))
    entry = AuditEntry(action=action, actor_id=actor.id if actor is not None else None, subject_type=subject_type,
                       subject_id=subject_id, subject_name=subject_name, branch_id=branch_id, details=details or {})
    if now is not None:
        entry.at = now
    db.session.add(entry)
    db.session.flush()
    return entry


def record_many(action: AuditAction, *, actor: User | None, subject_type: str, entries: list[dict],
                now: datetime | None = None) -> None:
    """Add one entry per record written around the flush (a bulk statement), in one statement.

    Each of ``entries`` gives ``subject_id`` or ``subject_name``, ``branch_id`` and ``details`` (before → after).
    """
    if not entries:
        return
    for entry in entries:
        speak_for(db.session(), subject_key(subject_type, entry.get("subject_id"), entry.get("subject_name")))
    at = now or utcnow()
    # Core, not the ORM's bulk insert: a third less per entry, and an upload records thousands.
    db.session.execute(insert(ENTRIES), [
        {"action": action, "actor_id": actor.id if actor is not None else None, "subject_type": subject_type,
         "subject_id": entry.get("subject_id"), "subject_name": entry.get("subject_name"),
         "branch_id": entry.get("branch_id"), "details": entry.get("details") or {}, "at": at}
        for entry in entries])
