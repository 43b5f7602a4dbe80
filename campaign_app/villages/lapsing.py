"""Participants lapsing: who, in a village, has lapsed or is one month from lapsing, as of the latest month a payment
file reported (``summaries.retention.latest_reported_month``), under the lapse rule (``rates.lapse``).

A participant's last month paid is their history's ``paid_through`` (``models.payments``); in the reported month M
they are that many months behind: ``M - paid_through``. They have lapsed when more months than the rule in force in
M allows went unpaid (as ``signups.active`` counts members), and are one month from lapsing when one more unpaid
month would be more than the rule in force in M + 1 allows. A history never paid is no participant who lapsed (they
never were a member) and is left out. Only live sign-ups (not void) of the branches asked for.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Integer, Select, and_, case, func, literal, select
from sqlalchemy.orm import load_only

from campaign_app.extensions import db
from campaign_app.models import LapseRule, PaymentHistory, SignUp, SignUpStatus
from campaign_app.models.payments import DEFAULT_LAPSE_MONTHS, month_start
from campaign_app.paging import Page, paginate
from campaign_app.summaries.retention import latest_reported_month
from campaign_app.villages.scope import BranchIds


@dataclass(frozen=True)
class LapseStanding:
    """Where the payment files stand: the latest month reported (``month_number``) and the lapse rule's months of
    arrears in force in it and in the month after."""

    month: int
    arrears_allowed: int
    arrears_allowed_next: int

    @property
    def reported_on(self) -> date:
        """The first day of the month reported."""
        return month_start(self.month)

    @property
    def first_listed(self) -> int:
        """The fewest months behind that puts a participant on the list: one more unpaid month lapses them next
        month, or they have lapsed already."""
        return min(self.arrears_allowed_next, self.arrears_allowed + 1)


def _rule_on(day: date):
    # As ``rates.lapse.lapse_months`` reads it (that module's package imports this one's through its blueprint).
    return (select(LapseRule.arrears_months).where(LapseRule.effective_from <= day)
            .order_by(LapseRule.effective_from.desc()).limit(1).scalar_subquery())


def lapse_standing() -> LapseStanding | None:
    """The latest month a payment file reported and the lapse rule's months of arrears in force on its first day
    and on the next month's (the agency's default where none is); None before any file. Two small statements."""
    month = latest_reported_month()
    if month is None:
        return None
    now, following = db.session.execute(select(_rule_on(month_start(month)), _rule_on(month_start(month + 1)))).one()
    return LapseStanding(month, DEFAULT_LAPSE_MONTHS if now is None else now,
                         DEFAULT_LAPSE_MONTHS if following is None else following)


def _months_behind(standing: LapseStanding) -> ColumnElement[int]:
    return literal(standing.month, Integer) - PaymentHistory.paid_through


def listed(standing: LapseStanding, branch_ids: BranchIds) -> ColumnElement[bool]:
    """The condition a sign-up on the list meets, on the sign-up joined to its payment history."""
    conditions = [SignUp.status != SignUpStatus.VOID,
                  PaymentHistory.paid_through <= standing.month - standing.first_listed]
    if branch_ids is not None:
        conditions.append(SignUp.branch_id.in_(sorted(branch_ids)))
    return and_(*conditions)


@dataclass(frozen=True)
class LapseCounts:
    """A village's participants on the list: lapsed, and one month from lapsing."""

    lapsed: int
    one_month_left: int

    @property
    def total(self) -> int:
        return self.lapsed + self.one_month_left


def lapse_counts(village_code: str, branch_ids: BranchIds, standing: LapseStanding) -> LapseCounts:
    """How many live sign-ups of ``branch_ids`` (None: all) in the village have lapsed, and how many are one month
    from lapsing, as of ``standing``. One statement."""
    lapsed = _months_behind(standing) > standing.arrears_allowed
    row = db.session.execute(
        select(func.count(), func.sum(case((lapsed, 1), else_=0)))
        .select_from(SignUp).join(PaymentHistory, PaymentHistory.signup_id == SignUp.id)
        .where(SignUp.village_code == village_code, listed(standing, branch_ids))).one()
    total, lapsed_count = int(row[0]), int(row[1] or 0)
    return LapseCounts(lapsed=lapsed_count, one_month_left=total - lapsed_count)


@dataclass(frozen=True)
class LapsingParticipant:
    """A participant on the list, as a list of sign-ups shows them: the name, the NIK masked."""

    signup: SignUp
    paid_through: int
    months_behind: int
    lapsed: bool

    @property
    def last_paid_on(self) -> date:
        """The first day of the last month paid."""
        return month_start(self.paid_through)


def _list_statement(village_code: str, branch_ids: BranchIds, standing: LapseStanding) -> Select:
    # One month from lapsing first (they may still pay the arrears), then the lapsed, the most recent first.
    # The columns the list shows: the encrypted NIK is never read for it.
    return (select(SignUp, PaymentHistory.paid_through)
            .options(load_only(SignUp.id, SignUp.full_name, SignUp.nik_last4))
            .join(PaymentHistory, PaymentHistory.signup_id == SignUp.id)
            .where(SignUp.village_code == village_code, listed(standing, branch_ids))
            .order_by(PaymentHistory.paid_through.desc(), SignUp.full_name, SignUp.id))


def lapsing_participants(village_code: str, branch_ids: BranchIds, standing: LapseStanding, page: int = 1,
                         per_page: int = 25) -> Page:
    """A page of ``LapsingParticipant``: the live sign-ups of ``branch_ids`` (None: all) in the village who have
    lapsed or are one month from lapsing as of ``standing``, those one month from lapsing first. Two statements."""
    result = paginate(_list_statement(village_code, branch_ids, standing), page, per_page)
    result.items = [LapsingParticipant(signup, through, standing.month - through,
                                       standing.month - through > standing.arrears_allowed)
                    for signup, through in result.items]
    return result
