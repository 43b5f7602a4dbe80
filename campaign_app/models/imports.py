"""An import job: a monthly payment status file stored on upload and applied outside the request, with the progress
the upload's page polls and, at its end, the report.

The job is the file's one row: its upload's one-time key (a double tap finds the first job), the file as stored
(a random name in the instance folder's private upload area, its size and SHA-256), the month it reports and the
language of the administrator who sent it (its messages are written in it). Its state goes pending → running →
done or failed; while it runs, its counts and ``heartbeat_at`` are committed every batch of rows, in short
transactions of their own, so that the page can show them. ``running_slot`` is 1 on the one running job and NULL on
every other: a unique column, so two jobs never run at once, on SQLite as on PostgreSQL. A job whose heartbeat stops
(its process died) is stalled: nothing of it was written (the import commits once, at its end), so it is run again
from the start, at most ``MAX_ATTEMPTS`` times.
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign_app.extensions import Model
from campaign_app.models.people import User, utcnow


class ImportState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportPhase(enum.StrEnum):
    # Reading the file into the import's temporary table, matching it to the sign-ups, writing the histories.
    READING = "reading"
    MATCHING = "matching"
    WRITING = "writing"


class PaymentImport(Model):
    """A monthly payment status file uploaded, waiting, being applied, applied (with its report) or refused."""

    __tablename__ = "payment_imports"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'running', 'done', 'failed')", name="state"),
        CheckConstraint("running_slot = 1", name="running_slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The upload form's one-time key: the same form sent twice (a double tap) finds this job.
    upload_key: Mapped[str] = mapped_column(String(64), unique=True)
    month: Mapped[date] = mapped_column(Date)
    file_name: Mapped[str] = mapped_column(String(200))
    # The file's name in the private upload area; the file is deleted when the job ends.
    stored_name: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(10), default=ImportState.PENDING, index=True)
    # 1 while running, NULL otherwise: unique, so one job runs at a time.
    running_slot: Mapped[int | None] = mapped_column(SmallInteger, unique=True)
    phase: Mapped[str | None] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    bytes_read: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    not_paid: Mapped[int] = mapped_column(Integer, default=0)
    unknown_count: Mapped[int] = mapped_column(Integer, default=0)
    invalid_count: Mapped[int] = mapped_column(Integer, default=0)
    # The rows the report lists (the first invalid and unknown ones, NIKs masked), once the job is done.
    listed: Mapped[dict | None] = mapped_column(JSON)
    # Why the job failed, in ``language``; nothing of the file was written then.
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    created_by: Mapped[User] = relationship()

    @property
    def ended(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)
