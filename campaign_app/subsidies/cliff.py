"""The subsidy cliff: programmes whose funding period ends soon, with the participants they still pay for.

When a programme's period ends, the workers it paid for must pay themselves or lapse (``rates.lapse``): the branch
has until then to tell them. A programme is on the cliff from ``CLIFF_DAYS`` days before its last day up to that day.
Its active participants are the live sign-ups it pays for that are paid up in the latest month a payment file
reported (``summaries.retention.latest_reported_month``), as ``signups.active`` counts paid up.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Integer, func, literal, select

from campaign_app.extensions import db
from campaign_app.models import PaymentHistory, SignUp, SignUpStatus, SubsidyProgramme
from campaign_app.models.payments import MONTHS_KEPT, month_start
from campaign_app.summaries.retention import latest_reported_month

# Two months: time for a visit to tell the workers before their contributions fall to them.
CLIFF_DAYS = 60


@dataclass(frozen=True)
class EndingProgramme:
    """A programme ending within ``CLIFF_DAYS``: its last day, the days left, and its participants paid up in the
    latest month reported (None before any payment file)."""

    id: int
    name: str
    payer: str
    ends_on: date
    days_left: int
    paid_up: int | None


@dataclass(frozen=True)
class SubsidyCliff:
    """The programmes ending within ``days``, soonest first, and the month their participants' payments are
    counted in."""

    programmes: list[EndingProgramme]
    reported_month: date | None
    days: int


def _paid_up(month: int, branch_ids: set[int] | None):
    """The live sign-ups (of ``branch_ids``, None: all) of the programme of the outer row paid up in ``month``
    (``month_number``), as a scalar subquery: each ending programme's sign-ups are read through their index (the
    month's bounds are an expression, so that no planner starts from every history in them instead)."""
    history = PaymentHistory.__table__
    offset = literal(month, Integer) - history.c.signup_month
    statement = (select(func.count()).select_from(SignUp)
                 .join(history, history.c.signup_id == SignUp.id)
                 .where(SignUp.subsidy_programme_id == SubsidyProgramme.id, SignUp.status != SignUpStatus.VOID,
                        offset >= 0, offset < MONTHS_KEPT, history.c.paid_months.op(">>")(offset).op("&")(1) == 1))
    if branch_ids is not None:
        statement = statement.where(SignUp.branch_id.in_(sorted(branch_ids)))
    return statement.scalar_subquery()


def subsidy_cliff(today: date, branch_ids: set[int] | None, days: int = CLIFF_DAYS) -> SubsidyCliff:
    """The programmes whose last day is from ``today`` to ``days`` days later, soonest first, each with its live
    sign-ups of ``branch_ids`` (None: every branch) paid up in the latest month reported. Two statements."""
    month = latest_reported_month()
    ending = [SubsidyProgramme.ends_on >= today, SubsidyProgramme.ends_on <= today + timedelta(days=days)]
    columns = [SubsidyProgramme.id, SubsidyProgramme.name, SubsidyProgramme.payer, SubsidyProgramme.ends_on]
    paid_up = literal(None) if month is None else _paid_up(month, branch_ids)
    statement = select(*columns, paid_up)
    rows = db.session.execute(statement.where(*ending).order_by(SubsidyProgramme.ends_on, SubsidyProgramme.name))
    return SubsidyCliff([EndingProgramme(id, name, payer, ends_on, (ends_on - today).days,
                                         None if paid is None else int(paid))
                         for id, name, payer, ends_on, paid in rows],
                        None if month is None else month_start(month), days)
