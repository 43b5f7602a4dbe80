""""Where next": the villages a branch should visit next, ranked in SQL.

A village's score is its informal workers not yet enrolled, times the share of a year since its last
done visit (at most 1; never visited counts as a year), divided by its access factor (road 1, rough
road 1.5, boat 2, on foot 2.5; unknown counts as road) times one plus its travel hours (unknown: 0).
Villages with a visit planned (today or later) or in progress are left out: they are being seen to.
Workers not yet enrolled are the estimate less the village's sign-ups that are not void (never below 0).

Participants lapsing (``villages.lapsing``: lapsed, or one month from lapsing, in the latest month a payment file
reported) are added to the workers: each weighs as much as a worker not yet enrolled a year from the last visit,
whatever the time since it (their cover is at stake now), before the access and travel divide. So the score is
(not enrolled × share of a year + lapsing) ÷ (access factor × (1 + travel hours)).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Float, and_, case, cast, exists, func, literal, or_, select

from campaign_app.models import AccessClass, District, Regency, Village, Visit, VisitStatus
from campaign_app.paging import Page, paginate
from campaign_app.sql import day, days_between
from campaign_app.villages.lapsing import LapseStanding, listed
from campaign_app.villages.scope import BranchIds, visible_regency_codes
from campaign_app.villages.signups import signups_by_village

ACCESS_FACTOR = {
    AccessClass.ROAD: 1.0,
    AccessClass.ROUGH_ROAD: 1.5,
    AccessClass.BOAT: 2.0,
    AccessClass.ON_FOOT: 2.5,
}
UNKNOWN_ACCESS_FACTOR = 1.0
# Days since the last visit stop counting after a year; a village never visited counts as a year.
MAX_DAYS = 365


@dataclass
class RankedVillage:
    code: str
    name: str
    district: str
    regency: str
    workers: int | None
    signups: int
    not_enrolled: int
    access_class: str | None
    travel_hours: Decimal | None
    last_done: date | None
    # Since the last done visit: as the score counts them (at most a year), and as they are (None: never).
    days: int
    days_since: int | None
    score: float
    # Participants lapsed or one month from lapsing (0 before any payment file).
    lapsing: int = 0


def _last_done_visits(today: date):
    """Per village, the date of the last visit that was done."""
    return (
        select(Visit.village_code, func.max(Visit.visit_date).label("last_done"))
        .where(Visit.status == VisitStatus.DONE, Visit.visit_date <= today)
        .group_by(Visit.village_code)
        .subquery("last_done_visits")
    )


def _already_planned(today: date):
    return exists().where(
        Visit.village_code == Village.code,
        or_(and_(Visit.status == VisitStatus.PLANNED, Visit.visit_date >= today),
            Visit.status == VisitStatus.IN_PROGRESS),
    )


def ranking_statement(branch_ids: BranchIds, today: date, regency_code: str | None = None,
                      district_code: str | None = None, standing: LapseStanding | None = None):
    """The SELECT of ranked villages, best first (ties by code), with every figure the page shows; participants
    lapsing count as of ``standing`` (None: no payment file yet, none)."""
    last = _last_done_visits(today)
    # The villages in view: the page's rows and the sign-ups counted for them share these conditions.
    in_view = [District.regency_code.in_(visible_regency_codes(branch_ids))]
    if district_code is not None:
        in_view.append(Village.district_code == district_code)
    if regency_code is not None:
        in_view.append(District.regency_code == regency_code)
    # Participants lapsing are counted in the pass that counts the sign-ups.
    counts = signups_by_village(*in_view, lapsing=None if standing is None else listed(standing, branch_ids))
    lapsing = literal(0) if standing is None else func.coalesce(counts.c.lapsing, 0)
    workers = func.coalesce(Village.estimated_informal_workers, 0)
    signups = func.coalesce(counts.c.signups, 0)
    not_enrolled = case((workers - signups > 0, workers - signups), else_=0)
    elapsed = days_between(day(today), last.c.last_done)
    days = case((last.c.last_done.is_(None), MAX_DAYS), (elapsed > MAX_DAYS, MAX_DAYS), else_=elapsed)
    access = case({code.value: factor for code, factor in ACCESS_FACTOR.items()}, value=Village.access_class,
                  else_=UNKNOWN_ACCESS_FACTOR)
    hours = cast(func.coalesce(Village.travel_hours, 0), Float)
    # Days as a share of a year, so that the score reads as workers within reach per unit of effort.
    year_share = cast(days, Float) / MAX_DAYS
    reach = cast(not_enrolled, Float) * year_share + cast(lapsing, Float)
    score = (reach / (access * (literal(1.0, Float) + hours))).label("score")
    return (
        select(Village.code, Village.name, District.name, Regency.name, Village.estimated_informal_workers,
               signups, not_enrolled, Village.access_class, Village.travel_hours, last.c.last_done, days, elapsed,
               score, lapsing)
        .join(Village.district).join(District.regency)
        .outerjoin(last, last.c.village_code == Village.code)
        .outerjoin(counts, counts.c.village_code == Village.code)
        .where(*in_view, ~_already_planned(today))
        .order_by(score.desc(), Village.code)
    )


def where_next(branch_ids: BranchIds, today: date, *, regency_code: str | None = None,
               district_code: str | None = None, page: int = 1, per_page: int = 25,
               standing: LapseStanding | None = None) -> Page:
    """A page of ``RankedVillage``: the visible villages to visit next, best first (see the module's note), with
    the participants lapsing as of ``standing`` (``villages.lapsing.lapse_standing()``; None: not weighed).

    Two statements whatever the data: the count and the page.
    """
    result = paginate(ranking_statement(branch_ids, today, regency_code, district_code, standing), page, per_page)
    result.items = [RankedVillage(*row) for row in result.items]
    return result
