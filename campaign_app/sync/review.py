"""Records from phones that need review: a coordinator of the branch accepts or discards each.

They wait beside the near-duplicates, on the same page (``/signups/reviews``). Accepting applies the record again
through the online service (a sign-up becomes a real one, with every check of ``record_signup``; a start,
attendance or close is recorded as the officer would have), taking as seen what only asked for a look (see
``apply.apply_record``); a service that still refuses leaves it waiting, with its message. Discarding needs a reason.
Both are audited; repeating a decision already made changes nothing.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from campaign_app.audit.service import record as audit
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import AuditAction, Resolution, SyncRecord, SyncStatus, User, Village, Visit
from campaign_app.signups.personal_data import decrypt_payload, encrypt_payload, mask_nik
from campaign_app.sync.apply import apply_record
from campaign_app.validation import Refused

BranchIds = set[int] | None


@dataclass
class WaitingRecord:
    """A record as the queue shows it: who captured it where, and for a sign-up whom it names (NIK masked)."""

    record: SyncRecord
    officer: str
    village: str
    visit_date: object
    worker: str | None = None
    masked_nik: str | None = None


@dataclass
class WaitingRecords:
    """The oldest records waiting for review (``items``) and how many wait in all."""

    items: list[WaitingRecord]
    total: int


def _waiting():
    return (SyncRecord.status == SyncStatus.NEEDS_REVIEW, SyncRecord.resolution.is_(None))


def waiting_records(branch_ids: BranchIds, limit: int = 20) -> WaitingRecords:
    """The ``limit`` records of ``branch_ids`` (None: every branch) captured first among those waiting for review,
    and their number. Two statements, whatever the number."""
    where = [*_waiting()]
    if branch_ids is not None:
        where.append(SyncRecord.branch_id.in_(branch_ids))
    total = db.session.scalar(select(func.count()).select_from(SyncRecord).where(*where)) or 0
    rows = db.session.execute(
        select(SyncRecord, User.full_name, Village.name, Visit.visit_date)
        .join(User, User.id == SyncRecord.officer_id).join(Visit, Visit.id == SyncRecord.visit_id)
        .join(Village, Village.code == Visit.village_code)
        .where(*where).order_by(SyncRecord.captured_at, SyncRecord.id).limit(limit)
    ).all() if total else []
    items = []
    for record, officer, village, visit_date in rows:
        item = WaitingRecord(record, officer, village, visit_date)
        if record.kind == "signup":
            data = payload(record)
            name, nik = data.get("full_name"), data.get("nik")
            item.worker = " ".join(name.split())[:120] if isinstance(name, str) else None
            digits = "".join(ch for ch in nik if ch.isdigit()) if isinstance(nik, str) else ""
            item.masked_nik = mask_nik(digits) if len(digits) >= 4 else None
        items.append(item)
    return WaitingRecords(items, total)


def payload(record: SyncRecord) -> dict:
    """The record's data as the phone sent it (decrypted)."""
    data = json.loads(decrypt_payload(record.payload_ciphertext))
    return data if isinstance(data, dict) else {}


def forget_data(record: SyncRecord) -> None:
    """Drop what ``record`` held (a worker's NIK, name, phone): once it is resolved, nothing needs it."""
    record.payload_ciphertext = encrypt_payload("{}")
    record.nik_index = None


def _hold(record: SyncRecord) -> None:
    """Hold the record's row until the commit and read it again: two coordinators deciding at once queue here."""
    db.session.execute(update(SyncRecord).where(SyncRecord.id == record.id).values(resolution=SyncRecord.resolution)
                       .execution_options(synchronize_session=False))
    db.session.refresh(record)


def _check_waiting(record: SyncRecord, resolution: Resolution) -> bool:
    """False when ``record`` was resolved so already; ``Refused`` when it does not wait for review."""
    if record.resolution == resolution:
        return False
    if record.status != SyncStatus.NEEDS_REVIEW or record.resolution is not None:
        raise Refused.on(None, _("This record from a phone is not waiting for review."))
    return True


def accept(record: SyncRecord, actor: User, now: datetime) -> bool:
    """Accept ``record``: apply it again through the online service as its officer. True when this call accepted
    it, False when it was accepted already (nothing written); ``Refused`` with the service's message when it still
    cannot be applied (nothing written)."""
    _hold(record)
    if not _check_waiting(record, Resolution.ACCEPTED):
        return False
    officer, visit = db.session.get(User, record.officer_id), db.session.get(Visit, record.visit_id)
    assert officer is not None and visit is not None  # foreign keys
    applied = apply_record(record, visit, officer, payload(record), now, accepting=True)
    if applied.status != SyncStatus.RECEIVED:
        raise Refused.on(None, applied.reason or _("This record from a phone is not waiting for review."))
    record.resolution, record.resolved_at, record.resolved_by_id = Resolution.ACCEPTED, now, actor.id
    record.signup_id = applied.signup_id or record.signup_id
    # Applied now: what it held lives in the sign-up (or the visit), and is not kept twice (records.store).
    forget_data(record)
    db.session.flush()
    audit(AuditAction.SYNC_RECORD_ACCEPTED, actor=actor, subject_type="sync_record", subject_id=record.id,
          branch_id=record.branch_id, now=now,
          details={"kind": record.kind, "reason_code": record.reason_code, "signup_id": applied.signup_id,
                   "captured_at": record.captured_at.isoformat()})
    return True


def discard(record: SyncRecord, actor: User, reason: str, now: datetime) -> bool:
    """Discard ``record`` for ``reason`` (the officer and the audit log read it). True when this call discarded
    it, False when it was discarded already; ``Refused`` when it does not wait for review."""
    _hold(record)
    if not _check_waiting(record, Resolution.DISCARDED):
        return False
    record.resolution, record.resolved_at, record.resolved_by_id = Resolution.DISCARDED, now, actor.id
    record.resolution_note = reason
    # Discarded: it will never be a sign-up, and the worker's data has no purpose left here (UU PDP 27/2022).
    forget_data(record)
    db.session.flush()
    audit(AuditAction.SYNC_RECORD_DISCARDED, actor=actor, subject_type="sync_record", subject_id=record.id,
          branch_id=record.branch_id, now=now,
          details={"kind": record.kind, "reason_code": record.reason_code, "reason": reason,
                   "captured_at": record.captured_at.isoformat()})
    return True
