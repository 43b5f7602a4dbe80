"""The audit log: who did what to which record, and when. Written in the same transaction as the change."""

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign_app.extensions import Model
from campaign_app.models.people import User, utcnow


class AuditAction(enum.StrEnum):
    SIGNUP_CORRECTED = "signup_corrected"
    SIGNUP_VOIDED = "signup_voided"
    NIK_REVEALED = "nik_revealed"
    NIK_LOOKED_UP = "nik_looked_up"
    NEAR_DUPLICATE_KEPT = "near_duplicate_kept"
    NEAR_DUPLICATE_MERGED = "near_duplicate_merged"
    ACTIVATION_UPLOADED = "activation_uploaded"
    PAYMENT_STATUS_UPLOADED = "payment_status_uploaded"
    LAPSE_RULE_CREATED = "lapse_rule_created"
    VISIT_REOPENED = "visit_reopened"
    RATE_TABLE_CREATED = "rate_table_created"
    SUBSIDY_PROGRAMME_CREATED = "subsidy_programme_created"
    SUBSIDY_PROGRAMME_CHANGED = "subsidy_programme_changed"
    EXPORT_DOWNLOADED = "export_downloaded"
    # Every session of a user ended on purpose: by the user ("sign out everywhere") or by an administrator.
    SESSIONS_ENDED = "sessions_ended"
    # A data-subject request (UU PDP): a person looked up by NIK, their data exported, or erased.
    DATA_SUBJECT_LOOKED_UP = "data_subject_looked_up"
    DATA_SUBJECT_EXPORTED = "data_subject_exported"
    DATA_SUBJECT_ERASED = "data_subject_erased"
    VOIDED_SIGNUPS_PURGED = "voided_signups_purged"
    # Phones that capture offline: a credential issued or revoked; a synced record a coordinator accepted or
    # discarded; a file of records exported from a phone, imported by an administrator.
    DEVICE_ISSUED = "device_issued"
    DEVICE_REVOKED = "device_revoked"
    SYNC_RECORD_ACCEPTED = "sync_record_accepted"
    SYNC_RECORD_DISCARDED = "sync_record_discarded"
    SYNC_FILE_IMPORTED = "sync_file_imported"
    # Any other write, recorded from the flush (``campaign_app.audit.tracking``): the record says what was written.
    CREATED = "created"
    CHANGED = "changed"
    DELETED = "deleted"


class AuditEntry(Model):
    """One audited action. ``details`` holds what changed (before/after); never a NIK in clear."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    # The record acted on, by table name and id ("signup", 42); none for actions on no one record.
    subject_type: Mapped[str | None] = mapped_column(String(30))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    # The record's name when the entry was written (a campaign's name, a visit's village and day): the log reads
    # as names, and still does once the record is renamed or removed.
    subject_name: Mapped[str | None] = mapped_column(String(200))
    # The branch whose data it was: managers and admins filter the log by it.
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
