"""Writing the audit log. Callers record in the same transaction as the change, so neither exists alone."""

from datetime import datetime

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, User


def record(action: AuditAction, *, actor: User | None, subject_type: str | None = None,
           subject_id: int | None = None, branch_id: int | None = None, details: dict | None = None,
           now: datetime | None = None) -> AuditEntry:
    """Add an audit entry: ``actor`` did ``action`` to the record ``subject_type``/``subject_id`` of ``branch_id``.

    ``details`` says what changed (for a correction, ``{"field": [before, after], ...}``); it must be
    JSON-serialisable and must never hold a NIK in clear. The entry is flushed, not committed.
    """
    entry = AuditEntry(action=action, actor_id=actor.id if actor is not None else None, subject_type=subject_type,
                       subject_id=subject_id, branch_id=branch_id, details=details or {})
    if now is not None:
        entry.at = now
    db.session.add(entry)
    db.session.flush()
    return entry
