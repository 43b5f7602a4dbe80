"""Active participants, the number a branch reports: per place, the sign-ups paid up in a month, and the members
(paid up, or in arrears no longer than the lapse rule allows), counted from the payment histories."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import Integer, case, func, literal, select

from campaign_app.extensions import db
from campaign_app.models import Branch, PaymentHistory, SignUp, SignUpStatus
from campaign_app.models.payments import MONTHS_KEPT, month_number
from campaign_app.rates.lapse import lapse_months


class Place(StrEnum):
    """What the counts are grouped by: a village's code holds its district's (8 characters) and regency's (5)."""

    BRANCH = "branch"
    REGENCY = "regency"
    DISTRICT = "district"
    VILLAGE = "village"


CODE_LENGTH = {Place.REGENCY: 5, Place.DISTRICT: 8, Place.VILLAGE: 13}


@dataclass(frozen=True)
class ActiveCount:
    """One place's participants in a month: ``key`` is the branch's id or the region's code."""

    key: int | str
    paid_up: int
    members: int

    @property
    def in_arrears(self) -> int:
        """Members who have not paid the month itself but may still pay it."""
        return self.members - self.paid_up


def _bits(value, shift):
    return value.op(">>")(shift)


def active_participants(month: date, by: Place = Place.BRANCH,
                        branch_ids: set[int] | None = None) -> list[ActiveCount]:
    """Per place (``by``), the live sign-ups of ``branch_ids`` (None: all) paid up in ``month`` and the members then
    (paid up, or with at most the lapse rule's months unpaid before it), largest first. One query.

    A sign-up counts from its sign-up month, for the months its history holds (``models.payments``). The lapse rule
    is the one in force on the month's first day.
    """
    target = month_number(month)
    lapse = lapse_months(date(month.year, month.month, 1))
    history = PaymentHistory.__table__
    paid_months = history.c.paid_months
    # How many months after its sign-up month the target month is, for each history.
    offset = (literal(target, Integer) - history.c.signup_month)
    paid_up = _bits(paid_months, offset).op("&")(1) == 1
    window = (1 << (lapse + 1)) - 1
    # The target month and the ``lapse`` months before it; a history younger than that, every month it has.
    member = case((offset >= lapse, _bits(paid_months, offset - lapse).op("&")(window)),
                  else_=paid_months.op("&")(literal(1).op("<<")(offset + 1) - 1)) != 0
    key = (SignUp.branch_id if by == Place.BRANCH else func.substr(SignUp.village_code, 1, CODE_LENGTH[by]))
    statement = (select(key, func.sum(case((paid_up, 1), else_=0)), func.count())
                 .select_from(history).join(SignUp, SignUp.id == history.c.signup_id)
                 .where(history.c.signup_month <= target, history.c.signup_month > target - MONTHS_KEPT,
                        SignUp.status != SignUpStatus.VOID, member)
                 .group_by(key).order_by(func.count().desc(), key))
    if branch_ids is not None:
        statement = statement.where(SignUp.branch_id.in_(branch_ids))
    return [ActiveCount(place, int(paid or 0), members) for place, paid, members in db.session.execute(statement)]


def branch_names(counts: list[ActiveCount]) -> dict[int, str]:
    """The names of the branches of ``counts`` (grouped by branch), in one query."""
    ids = [count.key for count in counts]
    if not ids:
        return {}
    return {row.id: row.name for row in db.session.execute(select(Branch.id, Branch.name).where(Branch.id.in_(ids)))}
