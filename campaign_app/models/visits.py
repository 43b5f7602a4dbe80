"""Village visits (outreach events), the officers assigned to them, and officers' leave."""

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign_app.extensions import Model
from campaign_app.models.campaigns import Campaign
from campaign_app.models.people import User, utcnow
from campaign_app.models.regions import Village


class Obstacle(enum.StrEnum):
    """What got in the way of a visit, as the officer reports it."""

    ROAD = "road"
    WEATHER = "weather"
    PARTNER_ABSENT = "partner_absent"
    OTHER = "other"


class VisitStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


# Visits that still occupy their officers on their date.
ACTIVE_STATUSES = (VisitStatus.PLANNED, VisitStatus.IN_PROGRESS, VisitStatus.DONE)


class Visit(Model):
    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("planned_cost >= 0", name="planned_cost"),
        CheckConstraint("attendance_women >= 0", name="attendance_women"),
        CheckConstraint("attendance_men >= 0", name="attendance_men"),
        Index("ix_visits_campaign_date", "campaign_id", "visit_date"),
        Index("ix_visits_village_date", "village_code", "visit_date"),
        # The dashboards' visit figures read a branch's visits by date from this index alone on PostgreSQL.
        Index("ix_visits_branch_date", "branch_id", "visit_date",
              postgresql_include=["status", "campaign_id", "village_code", "attendance_women", "attendance_men",
                                  "planned_cost"]),
        # "Villages visited" counts distinct villages of done visits: read from this index alone, in its order.
        Index("ix_visits_done_village", "village_code", postgresql_where=text("status = 'done'"),
              sqlite_where=text("status = 'done'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    # Denormalised from the campaign: every branch-scoped query filters on it.
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"))
    visit_date: Mapped[date] = mapped_column(Date, index=True)
    start_time: Mapped[time | None] = mapped_column(Time)
    planned_activity: Mapped[str] = mapped_column(String(200))
    # Whole Rupiah.
    planned_cost: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(12), default=VisitStatus.PLANNED)
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The one-time key of the form that created it: a repeated submit finds this visit again.
    form_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    # What happened, recorded by the officers in the village.
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attendance_women: Mapped[int | None] = mapped_column(Integer)
    attendance_men: Mapped[int | None] = mapped_column(Integer)
    # Obstacle codes, comma-separated in a fixed order (see ``Obstacle``); read through ``obstacle_list``.
    obstacles: Mapped[str | None] = mapped_column(String(60))
    notes: Mapped[str | None] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship()
    village: Mapped[Village] = relationship()
    assignments: Mapped[list["VisitOfficer"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitOfficer.officer_id"
    )

    @property
    def officers(self) -> list[User]:
        return [a.officer for a in self.assignments]

    @property
    def obstacle_list(self) -> list[str]:
        return self.obstacles.split(",") if self.obstacles else []

    @property
    def attendance(self) -> int | None:
        """Everyone who came, or None before attendance is recorded."""
        if self.attendance_women is None and self.attendance_men is None:
            return None
        return (self.attendance_women or 0) + (self.attendance_men or 0)


class VisitOfficer(Model):
    """An officer assigned to a visit."""

    __tablename__ = "visit_officers"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    visit: Mapped[Visit] = relationship(back_populates="assignments")
    officer: Mapped[User] = relationship(foreign_keys=[officer_id])


class OfficerLeave(Model):
    """Days an officer is away (leave, training, sickness): no visit may be assigned then."""

    __tablename__ = "officer_leaves"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
