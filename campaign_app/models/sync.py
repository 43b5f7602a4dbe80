"""Phones that capture offline: their revocable credentials (``Device``) and the records they sync (``SyncRecord``).

A device's token is shown once, when it is issued; the table keeps only its SHA-256 (a random 32-byte secret needs
no slow hash). A synced record is kept under its one-time key with the answer it was first given, so that a replay
gets that answer again; what it holds (a worker's NIK, name, phone) is encrypted at rest.
"""

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign_app.extensions import Model
from campaign_app.models.people import User, utcnow
from campaign_app.models.visits import Visit


class SyncKind(enum.StrEnum):
    """What a phone recorded offline: the fieldwork forms and the sign-up form."""

    VISIT_STARTED = "visit_started"
    ATTENDANCE = "attendance"
    SIGNUP = "signup"
    VISIT_CLOSED = "visit_closed"


class SyncStatus(enum.StrEnum):
    """The answer a record got when it arrived: applied, or stored for a coordinator to review."""

    RECEIVED = "received"
    NEEDS_REVIEW = "needs_review"


class Resolution(enum.StrEnum):
    """How a coordinator resolved a record that needed review."""

    ACCEPTED = "accepted"
    DISCARDED = "discarded"


class Device(Model):
    """An officer's phone, allowed to sync records with its token until an administrator revokes it."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Hex SHA-256 of the token: looked up on every sync request.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # What the phone called itself, and "Chrome on Android" from its User-Agent: enough to recognise it.
    name: Mapped[str] = mapped_column(String(60), default="")
    user_agent: Mapped[str] = mapped_column(String(60), default="")
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The sign-in that issued it: revoking the device ends that session too, or a phone refused its token (401)
    # would only have to ask for a new one with the session it still holds.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("user_sessions.id", ondelete="SET NULL"))

    officer: Mapped[User] = relationship(foreign_keys=[officer_id])


class SyncRecord(Model):
    """One record a phone captured offline and sent under its one-time key, with the answer it was given.

    ``status`` and ``reason`` are the first answer and never change (a replay returns them); a record that needed
    review is resolved apart (``resolution``). ``captured_at`` is the phone's moment of capture, ``received_at``
    the server's of arrival.
    """

    __tablename__ = "sync_records"
    __table_args__ = (
        Index("ix_sync_records_device_status", "device_id", "status", "resolution"),
        Index("ix_sync_records_review", "status", "resolution", "branch_id"),
        Index("ix_sync_records_visit_kind", "visit_id", "kind", "captured_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The visit's, denormalised: the review queue is read per branch.
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    kind: Mapped[str] = mapped_column(String(16))
    captured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The record's ``data`` as JSON, encrypted like NIKs (personal_data.encrypt_payload): it may hold a worker's NIK.
    # Kept only while the record waits for review; ``{}`` once applied or discarded.
    payload_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    # The blind index of the NIK a sign-up waiting for review holds (personal_data.nik_index): how a data-subject
    # request finds it. None once it keeps nothing, and for every other record.
    nik_index: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(12))
    # Why it needs review, in the officer's language as first answered; ``reason_code`` names the conflict.
    reason: Mapped[str | None] = mapped_column(Text)
    reason_code: Mapped[str | None] = mapped_column(String(20))
    # The sign-up a signup record became (on arrival, or when a coordinator accepted it).
    signup_id: Mapped[int | None] = mapped_column(ForeignKey("signups.id"))
    # Set when an administrator imported it from a file a phone exported.
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(10))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)

    device: Mapped[Device] = relationship()
    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    visit: Mapped[Visit] = relationship()
