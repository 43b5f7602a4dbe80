"""Voided sign-ups kept no longer than the retention period (UU PDP 27/2022: no personal data kept without purpose).

A voided sign-up (a mistyped NIK, a merged near-duplicate) counts nowhere: the summaries tally live sign-ups only. Once
it was voided longer ago than ``VOIDED_RETENTION_DAYS``, it is deleted, and the audit entries that name it keep what
was done and when, but none of the worker's data: no name, phone, income or free-text reason.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from campaign_app.audit.service import record
from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, SignUp, SignUpStatus
from campaign_app.summaries import bulk_execute
from campaign_app.summaries.counting import chunks

SUBJECT = "signup"
# What an audit entry of a purged sign-up may keep: what happened to the record, never who the worker was.
KEPT_DETAILS = frozenset({"status", "review", "kept", "dropped", "merged_into_id", "kept_review", "registered",
                          "other_branch", "consent_version"})
PURGED_MARK = "personal_data_purged"


@dataclass(frozen=True)
class Purge:
    """What a purge did: the sign-ups deleted, voided before ``voided_before``, and the audit entries cleared."""

    signups: int
    audit_entries: int
    voided_before: datetime


def purge_voided_signups(retention_days: int, now: datetime) -> Purge:
    """Delete the sign-ups voided more than ``retention_days`` before ``now``, in the session's transaction.

    A void sets the sign-up's ``updated_at`` and a void sign-up changes no more, so that is when it was voided. The
    deletes go through ``summaries.bulk_execute``: the voided counted nowhere, and the summaries stay equal to a fresh
    count. Sign-ups merged into a purged one lose that pointer (the reason for voiding still names its number). The
    audit entries of each purged sign-up lose its name and every detail but ``KEPT_DETAILS``. One audit entry, with
    no actor (the command runs as no user), records the purge. Flushed, not committed.
    """
    if retention_days < 0:
        raise ValueError("the retention period is a number of days, 0 or more")
    voided_before = now - timedelta(days=retention_days)
    voided_at = func.coalesce(SignUp.updated_at, SignUp.created_at)
    ids = db.session.scalars(select(SignUp.id).where(SignUp.status == SignUpStatus.VOID,
                                                     voided_at < voided_before)).all()
    cleared = 0
    for batch in chunks(ids):
        # merged_into_id is no summarised column: a plain UPDATE, which the guard lets pass.
        db.session.execute(update(SignUp).where(SignUp.merged_into_id.in_(batch)).values(merged_into_id=None))
        cleared += _forget_personal_data_in_audit(batch)
        bulk_execute(db.session, delete(SignUp).where(SignUp.id.in_(batch)))
    record(AuditAction.VOIDED_SIGNUPS_PURGED, actor=None, now=now,
           details={"purged": len(ids), "retention_days": retention_days, "voided_before": voided_before.isoformat(),
                    "audit_entries_cleared": cleared})
    return Purge(signups=len(ids), audit_entries=cleared, voided_before=voided_before)


def _forget_personal_data_in_audit(signup_ids: list[int]) -> int:
    """Strip the worker's data from the audit entries of these sign-ups; returns how many entries there were."""
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.subject_type == SUBJECT,
                                                          AuditEntry.subject_id.in_(signup_ids))).all()
    for entry in entries:
        details = entry.details if isinstance(entry.details, dict) else {}
        entry.details = {**{key: value for key, value in details.items() if key in KEPT_DETAILS}, PURGED_MARK: True}
        entry.subject_name = None
    db.session.flush()
    return len(entries)
