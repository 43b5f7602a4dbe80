"""Campaigns: a branch's named outreach effort with a period, a channel, targets and a budget."""

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign_app.extensions import Model
from campaign_app.models.people import Branch, User, utcnow


class Channel(enum.StrEnum):
    VILLAGE_MEETING = "village_meeting"
    DOOR_TO_DOOR = "door_to_door"
    MARKET_STALL = "market_stall"
    PARTNER_EVENT = "partner_event"
    OTHER = "other"


class CampaignStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Campaign(Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("budget >= 0", name="budget"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    target_signups: Mapped[int] = mapped_column(Integer, default=0)
    target_villages: Mapped[int] = mapped_column(Integer, default=0)
    # Whole Rupiah.
    budget: Mapped[int] = mapped_column(BigInteger, default=0)
    partner: Mapped[str | None] = mapped_column(String(120))
    subsidy_programme: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=CampaignStatus.OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The one-time key of the form that created it: a repeated submit finds this campaign again.
    form_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    branch: Mapped[Branch] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN
