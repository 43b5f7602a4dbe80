"""Queries behind the visit pages: option lists, village look-ups, the filtered list and the week.

Each function issues a fixed number of statements whatever the data holds: related records are
eager-loaded and counts are made in SQL.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.ids import parse_id
from campaign_app.models import (
    Campaign,
    CampaignStatus,
    District,
    Regency,
    Role,
    User,
    Village,
    Visit,
    VisitOfficer,
    branch_regencies,
)
from campaign_app.paging import MAX_PAGE
from campaign_app.villages.scope import bound_branches, branches_param

VILLAGE_MATCHES = 10


def _in_branches(column, branch_ids: set[int] | None):
    return column.in_(branch_ids) if branch_ids is not None else True


def _visit_options():
    """Everything a visit row shows, loaded with the visits: village, district, regency, campaign, officers."""
    return (
        joinedload(Visit.village).joinedload(Village.district).joinedload(District.regency),
        joinedload(Visit.campaign),
        selectinload(Visit.assignments).joinedload(VisitOfficer.officer),
    )


# --- options for the forms ------------------------------------------------------------------------

def open_campaigns(user: User) -> list[Campaign]:
    """The open campaigns of the branches ``user`` may see, newest first, with their branch."""
    return list(db.session.scalars(
        select(Campaign).options(joinedload(Campaign.branch))
        .where(Campaign.status == CampaignStatus.OPEN, _in_branches(Campaign.branch_id, visible_branch_ids(user)))
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    ))


def visible_campaigns(user: User) -> list[tuple[int, str]]:
    """(id, name) of every campaign ``user`` may see, newest first: the list's campaign filter."""
    return list(db.session.execute(
        select(Campaign.id, Campaign.name).where(_in_branches(Campaign.branch_id, visible_branch_ids(user)))
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    ))


@cache
def _branch_officers_statement(every_branch: bool):
    # Built once for each kind of viewer, the branches bound (the reports' filter form asks on every request).
    return (select(User.id, User.full_name)
            .where(User.role == Role.OFFICER, User.active, _in_branches(User.branch_id, branches_param(every_branch)))
            .order_by(User.full_name, User.id))


def branch_officers(branch_ids: set[int] | None) -> list[tuple[int, str]]:
    """(id, full name) of the active officers of the branches, by name."""
    return list(db.session.execute(_branch_officers_statement(branch_ids is None),
                                   bound_branches(branch_ids)))


def officer_filter_scope(user: User, campaign_branch_id: int | None = None) -> set[int]:
    """The branches whose officers the list's officer filter offers.

    Those ``user`` sees; for someone who sees every branch (a national list would be huge), their own
    branch and the chosen campaign's.
    """
    visible = visible_branch_ids(user)
    if visible is not None:
        return visible
    return {user.branch_id} | ({campaign_branch_id} if campaign_branch_id else set())


def visible_regencies(user: User) -> list[tuple[str, str]]:
    """(code, name) of the regencies served by the branches ``user`` may see."""
    return list(db.session.execute(
        select(Regency.code, Regency.name).join(branch_regencies, branch_regencies.c.regency_code == Regency.code)
        .where(_in_branches(branch_regencies.c.branch_id, visible_branch_ids(user)))
        .order_by(Regency.name)
    ))


# --- villages -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VillageMatch:
    code: str
    name: str
    district: str
    regency: str


def _branch_villages(branch_ids: set[int] | None):
    return (
        select(Village.code, Village.name, District.name, Regency.name)
        .join(District, District.code == Village.district_code)
        .join(Regency, Regency.code == District.regency_code)
        .join(branch_regencies, branch_regencies.c.regency_code == Regency.code)
        .where(_in_branches(branch_regencies.c.branch_id, branch_ids))
    )


def village_matches(text: str, branch_ids: set[int] | None, limit: int = VILLAGE_MATCHES) -> list[VillageMatch]:
    """Villages of the branches whose name contains ``text`` or whose code starts with it.

    Names that start with the text come first, then by name.
    """
    term = (text or "").strip().lower()
    if not term:
        return []
    name = func.lower(Village.name)
    rows = db.session.execute(
        _branch_villages(branch_ids)
        .where(or_(name.contains(term, autoescape=True), Village.code.startswith(term, autoescape=True)))
        .order_by(case((name.startswith(term, autoescape=True), 0), else_=1), Village.name, Village.code)
        .limit(limit)
    ).all()
    return [VillageMatch(*row) for row in rows]


def village_match(code: str) -> VillageMatch | None:
    """The village with ``code``, named with its district and regency, whatever branch serves it."""
    row = db.session.execute(_branch_villages(None).where(Village.code == code)).first()
    return VillageMatch(*row) if row else None


def resolve_village(text: str, branch_id: int) -> tuple[VillageMatch | None, list[VillageMatch]]:
    """What a person typed for a village, without JavaScript: a code, or a name.

    Returns the village when the text is one of the branch's codes or the exact name (any case) of exactly
    one of its villages; otherwise None and the candidates to choose from (villages of that name, or
    whose name contains the text).
    """
    term = (text or "").strip()
    if not term:
        return None, []
    branch = {branch_id}
    rows = db.session.execute(
        _branch_villages(branch).where(or_(Village.code == term, func.lower(Village.name) == term.lower()))
        .order_by(Village.code).limit(VILLAGE_MATCHES)
    ).all()
    exact = [VillageMatch(*row) for row in rows]
    by_code = [match for match in exact if match.code == term]
    if by_code:
        return by_code[0], []
    if len(exact) == 1:
        return exact[0], []
    return None, exact or village_matches(term, branch)


# --- the list and the week ------------------------------------------------------------------------

@dataclass(frozen=True)
class VisitFilters:
    campaign_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = None
    officer_id: int | None = None
    regency_code: str | None = None


def _filtered(user: User, filters: VisitFilters):
    conditions = [_in_branches(Visit.branch_id, visible_branch_ids(user))]
    if filters.campaign_id is not None:
        conditions.append(Visit.campaign_id == filters.campaign_id)
    if filters.date_from is not None:
        conditions.append(Visit.visit_date >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(Visit.visit_date <= filters.date_to)
    if filters.status:
        conditions.append(Visit.status == filters.status)
    if filters.officer_id is not None:
        conditions.append(exists().where(VisitOfficer.visit_id == Visit.id,
                                         VisitOfficer.officer_id == filters.officer_id))
    if filters.regency_code:
        # A village's code starts with its regency's: no join needed.
        conditions.append(Visit.village_code.startswith(filters.regency_code + ".", autoescape=True))
    return and_(*conditions)


def when(day: date, today: date) -> str:
    """Which part of the list a visit on ``day`` falls in: ``today``, ``coming`` or ``past``."""
    return "today" if day == today else "coming" if day > today else "past"


def search_visits(user: User, filters: VisitFilters, *, today: date, page: int = 1, per_page: int = 25) -> Pagination:
    """One page of the visits ``user`` may see that pass ``filters``: today's first, then the coming days (soonest
    first), then the past (latest first), each day by start time.

    A coordinator opens the list to run today and the days ahead; the past, still there, is what was done.
    Three statements whatever the page holds: the count, the page with village and campaign joined,
    and the officers of the page's visits (five when ``page`` is past the end and the last page is shown).
    """
    part = case((Visit.visit_date == today, 0), (Visit.visit_date > today, 1), else_=2)
    coming_day = case((Visit.visit_date >= today, Visit.visit_date))  # null in the past: only the next key orders it
    statement = (select(Visit).options(*_visit_options()).where(_filtered(user, filters))
                 .order_by(part, coming_day, Visit.visit_date.desc(),
                           Visit.start_time.is_(None), Visit.start_time, Visit.id))  # untimed last, on both databases
    page = min(max(page, 1), MAX_PAGE)
    result = db.paginate(statement, page=page, per_page=per_page, max_per_page=None, error_out=False)
    if page > 1 and not result.items and result.total:
        result = db.paginate(statement, page=result.pages, per_page=per_page, max_per_page=None, error_out=False)
    return result


def status_counts(user: User, filters: VisitFilters) -> dict[str, int]:
    """How many of the filtered visits are in each status, counted in SQL."""
    return dict(db.session.execute(
        select(Visit.status, func.count()).where(_filtered(user, filters)).group_by(Visit.status)
    ).all())


def week_visits(user: User, monday: date) -> dict[date, list[Visit]]:
    """The visits ``user`` may see from ``monday`` to the Sunday after, by day (every day present)."""
    days = [monday + timedelta(days=n) for n in range(7)]
    visits = db.session.scalars(
        select(Visit).options(*_visit_options())
        .where(_in_branches(Visit.branch_id, visible_branch_ids(user)), Visit.visit_date.between(days[0], days[-1]))
        .order_by(Visit.visit_date, Visit.start_time, Visit.id)
    ).unique()
    by_day: dict[date, list[Visit]] = {day: [] for day in days}
    for visit in visits:
        by_day[visit.visit_date].append(visit)
    return by_day


# --- one visit ------------------------------------------------------------------------------------

def load_visit(visit_id: int) -> Visit | None:
    """The visit with its village, campaign and officers loaded in two statements (no access check)."""
    return db.session.scalar(
        select(Visit).options(*_visit_options(), joinedload(Visit.campaign).joinedload(Campaign.branch))
        .where(Visit.id == visit_id)
        .execution_options(populate_existing=True)
    )


def campaign_branch_id(campaign_id: str) -> int | None:
    """The branch of the campaign whose id is ``campaign_id`` (text from a form), or None."""
    parsed = parse_id(campaign_id)
    if parsed is None:
        return None
    return db.session.scalar(select(Campaign.branch_id).where(Campaign.id == parsed))
