"""Payment status: which months each participant has paid since signing up, and the lapse rule.

What the membership system's monthly file says, per participant: the NIK, the last period paid (a month, or a
paid-through date) and a status. What the retention measures need from it: per sign-up, which months after its
sign-up month were paid (paid up at M+3, M+6, M+12; contribution-months in the first 12; active in a calendar
month; lapsed, and paid again after a visit).

Stored compactly, one row per sign-up that a file ever listed (``PaymentHistory``), not one row per sign-up and
month: national scale is 10 M sign-ups × 12 months, and 120 M rows of a few columns each would be tens of GB with
their indexes, while one row per sign-up is 10 M rows of fixed width (about 60 bytes each). The months paid are
a bit mask counted from the sign-up month (bit k set: month ``signup_month + k`` paid), 63 months in a signed
64-bit integer (five years and a quarter, past the 60 months of the agency's agent scheme). Both SQLite and
PostgreSQL shift and mask integers in SQL (``>>``, ``&``), so "paid up in month M" is
``(paid_months >> (M - signup_month)) & 1`` and a cohort's survival at M+k is ``(paid_months >> k) & 1``, read
from this one table, joined to the sign-up only for its place, officer, channel or payer. ``signup_month`` is
copied from the sign-up's consent (a month number, ``year * 12 + month - 1``, in WITA), so no query converts time
zones; ``paid_through`` is the latest month the files said was paid, which the next file is compared with.

The lapse rule (``LapseRule``) is data, dated like the rate tables: how many consecutive unpaid months a
participant may be in arrears and still be a member (3, the BPJS Ketenagakerjaan membership process manual: arrears
may be paid for at most 3 months; more ends the membership). A change takes effect from a date and never
rewrites the past.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Integer, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from campaign_app.extensions import Model
from campaign_app.models.people import utcnow

# Months a history holds, from the sign-up month: bits 0 to 62 of a signed 64-bit integer.
MONTHS_KEPT = 63
# The agency's rule when no other is stored: more than 3 consecutive unpaid months ends the membership.
DEFAULT_LAPSE_MONTHS = 3


def month_number(day: date) -> int:
    """A month as one integer, ``year * 12 + month - 1``: months subtract to a count of months."""
    return day.year * 12 + day.month - 1


def month_start(number: int) -> date:
    """The first day of the month ``month_number`` gave."""
    return date(number // 12, number % 12 + 1, 1)


class PaymentHistory(Model):
    """A participant's payments as the membership system's monthly files report them: the months paid since the
    sign-up month, as bits, and the latest month paid through."""

    __tablename__ = "payment_histories"
    __table_args__ = (CheckConstraint("paid_months >= 0", name="paid_months"),)

    # One row per sign-up; a purged sign-up takes its history with it.
    signup_id: Mapped[int] = mapped_column(ForeignKey("signups.id", ondelete="CASCADE"), primary_key=True)
    # The sign-up's month (month_number of its consent in WITA): bit 0 of paid_months is this month.
    signup_month: Mapped[int] = mapped_column(Integer, index=True)
    paid_months: Mapped[int] = mapped_column(BigInteger, default=0)
    # The latest month paid that a file reported (month_number); None: listed, never paid.
    paid_through: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LapseRule(Model):
    """How many consecutive unpaid months a participant may be in arrears and remain a member, from a date."""

    __tablename__ = "lapse_rules"
    __table_args__ = (CheckConstraint("arrears_months >= 0 AND arrears_months <= 24", name="arrears_months"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    arrears_months: Mapped[int] = mapped_column(SmallInteger, default=DEFAULT_LAPSE_MONTHS)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Reactivation(Model):
    """A lapsed participant who paid again: the month the payments restarted (``month_number``), and the visit to
    their village that came before it, while they were lapsed (None: no such visit). Detected when a payment file
    is imported (``summaries.retention``): the history's bits show more than the lapse rule's months unpaid after a
    paid month, then a paid month."""

    __tablename__ = "reactivations"

    signup_id: Mapped[int] = mapped_column(ForeignKey("signups.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The latest done visit to the participant's village in the months they were lapsed, up to the restart month.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"), index=True)


class ReportedPaymentMonth(Model):
    """A month a payment file (or a seed standing for one) reported: the latest one says which cohorts are old
    enough for a retention measure."""

    __tablename__ = "reported_payment_months"

    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
