"""The branch's officers: their roster with workload, each one's agenda, and their leave.

Every query here is bounded by a page or a limit, and aggregates in SQL: the number of statements
does not grow with the number of officers, visits or leave periods.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import format_date
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import (
    ACTIVE_STATUSES,
    Branch,
    OfficerLeave,
    Role,
    User,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.paging import MAX_PAGE
from campaign_app.validation import Refused
from campaign_app.visits.assignments import ASSIGNABLE_STATUSES, record_leave, unassign_officer

WORKING_DAYS = 5
UPCOMING_DAYS = 30
# The roster looks a quarter back and ahead: workload is about now and the coming campaign; farther
# weeks are report material (and the bound keeps date arithmetic in range).
MAX_WEEKS_AWAY = 13
LEAVE_MAX_DAYS = 60
LEAVE_MAX_AHEAD_DAYS = 366
REASON_MAX = 200
AGENDA_UPCOMING_LIMIT = 15
AGENDA_RECENT_LIMIT = 10
ASSIGNABLE_CHOICES_LIMIT = 30
LEAVE_LIMIT = 10
DURING_LEAVE_LIMIT = 10
HOME_DAYS = 14
HOME_LIMIT = 10


def week_start_of(day: date) -> date:
    """The Monday of the week ``day`` falls in."""
    return day - timedelta(days=day.weekday())


def week_in_range(week_start: date, today: date) -> bool:
    """Whether the roster may show the week starting ``week_start`` (within MAX_WEEKS_AWAY weeks of this week)."""
    return abs((week_start - week_start_of(today)).days) <= MAX_WEEKS_AWAY * 7


# --- the roster --------------------------------------------------------------------------------------

@dataclass
class RosterRow:
    """One officer's line on the roster: this week's visit days, what is coming, and leave."""

    officer: User
    branch_name: str
    visit_days: list[date] = field(default_factory=list)
    week_visits: int = 0
    leave_days_this_week: list[date] = field(default_factory=list)
    upcoming_visits: int = 0
    upcoming_leave_days: int = 0

    @property
    def booked_days(self) -> int:
        """Working days (Monday to Friday) of the week with at least one visit."""
        return sum(1 for day in self.visit_days if day.weekday() < WORKING_DAYS)


def _officers_page(branch_ids: set[int] | None, page: int, per_page: int) -> Pagination:
    statement = (select(User).options(joinedload(User.branch))
                 .where(User.role == Role.OFFICER, User.active)
                 .order_by(func.lower(User.full_name), User.id))
    if branch_ids is not None:
        statement = statement.where(User.branch_id.in_(branch_ids))
    page = min(max(page, 1), MAX_PAGE)
    result = db.paginate(statement, page=page, per_page=per_page, max_per_page=None, error_out=False)
    if page > 1 and not result.items and result.total:
        # A page past the end (an old link, fewer officers now): show the last one instead.
        result = db.paginate(statement, page=result.pages, per_page=per_page, max_per_page=None, error_out=False)
    return result


def _assigned_visits(officer_ids: Iterable[int], *columns):
    """``columns`` over the active visits of these officers, one row per visit and officer."""
    return (select(*columns).select_from(VisitOfficer).join(Visit, Visit.id == VisitOfficer.visit_id)
            .where(VisitOfficer.officer_id.in_(list(officer_ids)), Visit.status.in_(ACTIVE_STATUSES)))


def _overlapping_days(starts_on: date, ends_on: date, first: date, last: date) -> list[date]:
    start, end = max(starts_on, first), min(ends_on, last)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def roster(branch_ids: set[int] | None, week_start: date, today: date, page: int = 1,
           per_page: int = 25) -> tuple[Pagination, list[RosterRow]]:
    """One page of the active officers of ``branch_ids`` (None: every branch), by name, with their workload.

    For the week starting ``week_start``: the days with visits and their number, the leave days; from
    ``today`` for UPCOMING_DAYS days: the number of visits and of leave days. Five statements whatever the
    data: the page (count and rows), visits grouped by officer and day, upcoming visits counted per
    officer, and the leave periods touching either window (no more than a few per officer).
    """
    result = _officers_page(branch_ids, page, per_page)
    rows = {officer.id: RosterRow(officer, officer.branch.name) for officer in result.items}
    if not rows:
        return result, []
    week_end = week_start + timedelta(days=6)
    upcoming_end = today + timedelta(days=UPCOMING_DAYS - 1)
    week = db.session.execute(
        _assigned_visits(rows, VisitOfficer.officer_id, Visit.visit_date, func.count())
        .where(Visit.visit_date.between(week_start, week_end))
        .group_by(VisitOfficer.officer_id, Visit.visit_date).order_by(Visit.visit_date)
    )
    for officer_id, day, visits in week:
        rows[officer_id].visit_days.append(day)
        rows[officer_id].week_visits += visits

    upcoming = db.session.execute(
        _assigned_visits(rows, VisitOfficer.officer_id, func.count())
        .where(Visit.visit_date.between(today, upcoming_end))
        .group_by(VisitOfficer.officer_id)
    )
    for officer_id, visits in upcoming:
        rows[officer_id].upcoming_visits = visits

    # Leave periods never overlap one another, so an officer has only a few in these windows.
    first, last = min(week_start, today), max(week_end, upcoming_end)
    leaves = db.session.execute(
        select(OfficerLeave.officer_id, OfficerLeave.starts_on, OfficerLeave.ends_on)
        .where(OfficerLeave.officer_id.in_(list(rows)), OfficerLeave.starts_on <= last,
               OfficerLeave.ends_on >= first)
    )
    for officer_id, starts_on, ends_on in leaves:
        row = rows[officer_id]
        if starts_on <= week_end and ends_on >= week_start:
            row.leave_days_this_week.extend(_overlapping_days(starts_on, ends_on, week_start, week_end))
        if starts_on <= upcoming_end and ends_on >= today:
            row.upcoming_leave_days += len(_overlapping_days(starts_on, ends_on, today, upcoming_end))
    for row in rows.values():
        row.leave_days_this_week.sort()
    return result, list(rows.values())


def roster_branches(user: User) -> list[tuple[int, str]]:
    """The branches whose officers ``user`` may see, as (id, name) by name, for the roster's filter."""
    statement = select(Branch.id, Branch.name).order_by(Branch.name)
    visible = visible_branch_ids(user)
    if visible is not None:
        statement = statement.where(Branch.id.in_(visible))
    return [(branch_id, name) for branch_id, name in db.session.execute(statement)]


# --- one officer ---------------------------------------------------------------------------------

def visible_officer(user: User, officer_id: int) -> User | None:
    """The officer with this id if ``user`` may see their branch; None for anyone else (the page 404s)."""
    officer = db.session.scalar(
        select(User).options(joinedload(User.branch)).where(User.id == officer_id, User.role == Role.OFFICER)
    )
    if officer is None:
        return None
    visible = visible_branch_ids(user)
    if visible is not None and officer.branch_id not in visible:
        return None
    return officer


@dataclass
class Agenda:
    """What an officer has on: upcoming and recent visits, leave, and the visits that fall in a leave."""

    upcoming: list[Visit]
    upcoming_total: int
    recent: list[Visit]
    leaves: list[OfficerLeave]
    # Upcoming active visits that fall within one of the officer's leave periods: to reassign.
    during_leave: list[Visit]

    @property
    def during_leave_ids(self) -> set[int]:
        return {visit.id for visit in self.during_leave}


def _officer_visits(officer: User):
    return (select(Visit).join(VisitOfficer, and_(VisitOfficer.visit_id == Visit.id,
                                                  VisitOfficer.officer_id == officer.id))
            .options(joinedload(Visit.village), joinedload(Visit.campaign)))


def agenda(officer: User, today: date) -> Agenda:
    """The officer's upcoming visits (the first AGENDA_UPCOMING_LIMIT, and how many in all), their most
    recent past visits, their current and coming leave, and the upcoming visits that fall in that leave
    (the first DURING_LEAVE_LIMIT).

    Five statements whatever the officer's history.
    """
    upcoming = list(db.session.scalars(
        _officer_visits(officer).where(Visit.visit_date >= today)
        .order_by(Visit.visit_date, Visit.start_time, Visit.id).limit(AGENDA_UPCOMING_LIMIT)
    ))
    upcoming_total = db.session.execute(
        select(func.count()).select_from(VisitOfficer).join(Visit, Visit.id == VisitOfficer.visit_id)
        .where(VisitOfficer.officer_id == officer.id, Visit.visit_date >= today)
    ).scalar_one()
    recent = list(db.session.scalars(
        _officer_visits(officer).where(Visit.visit_date < today)
        .order_by(Visit.visit_date.desc(), Visit.id.desc()).limit(AGENDA_RECENT_LIMIT)
    ))
    leaves = list(db.session.scalars(
        select(OfficerLeave).where(OfficerLeave.officer_id == officer.id, OfficerLeave.ends_on >= today)
        .order_by(OfficerLeave.starts_on).limit(LEAVE_LIMIT)
    ))
    during_leave = list(db.session.scalars(
        _officer_visits(officer)
        .join(OfficerLeave, and_(OfficerLeave.officer_id == VisitOfficer.officer_id,
                                 Visit.visit_date.between(OfficerLeave.starts_on, OfficerLeave.ends_on)))
        .where(Visit.visit_date >= today, Visit.status.in_(ACTIVE_STATUSES))
        .order_by(Visit.visit_date, Visit.id).limit(DURING_LEAVE_LIMIT)
    ))
    return Agenda(upcoming, upcoming_total, recent, leaves, during_leave)


def assignable_visits(officer: User, today: date, limit: int = ASSIGNABLE_CHOICES_LIMIT) -> list[Visit]:
    """The soonest planned or ongoing visits of the officer's branch, from today, that they are not on.

    Whether the officer is free that day is checked only when they are assigned (``assign_officer``).
    """
    on_it = select(VisitOfficer.visit_id).where(VisitOfficer.officer_id == officer.id)
    return list(db.session.scalars(
        select(Visit).options(joinedload(Visit.village), joinedload(Visit.campaign))
        .where(Visit.branch_id == officer.branch_id, Visit.visit_date >= today,
               Visit.status.in_(ASSIGNABLE_STATUSES), Visit.id.not_in(on_it))
        .order_by(Visit.visit_date, Visit.start_time, Visit.id).limit(limit)
    ))


def branch_visit(officer: User, visit_id: int) -> Visit | None:
    """The visit with this id if it belongs to the officer's branch; None otherwise."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.branch_id != officer.branch_id:
        return None
    return visit


def unassign(visit: Visit, officer: User) -> None:
    """Take ``officer`` off ``visit``; refuses a visit that is over, cancelled or postponed, or one they
    are not on (``Refused`` with a message for the whole form)."""
    if visit.status not in ASSIGNABLE_STATUSES:
        raise Refused.on(None, _("Officers can only be taken off planned or ongoing visits."))
    if not unassign_officer(visit, officer):
        raise Refused.on(None, _("%(officer)s is not assigned to this visit.", officer=officer.full_name))


# --- leave ---------------------------------------------------------------------------------------

def _leave_errors(starts_on: date, ends_on: date, today: date, reason: str) -> dict[str | None, list[str]]:
    errors: dict[str | None, list[str]] = {}
    if starts_on < today:
        errors["starts_on"] = [_("The date has passed; choose today or a later day.")]
    elif (starts_on - today).days > LEAVE_MAX_AHEAD_DAYS:
        errors["starts_on"] = [_("Record leave at most a year ahead.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The end comes before the start.")]
    elif (ends_on - starts_on).days + 1 > LEAVE_MAX_DAYS:
        errors["ends_on"] = [_("A leave period is at most %(max)d days; record a longer absence in parts.",
                               max=LEAVE_MAX_DAYS)]
    if len(reason) > REASON_MAX:
        errors["reason"] = [_("At most %(max)d characters.", max=REASON_MAX)]
    return errors


def add_leave(officer: User, starts_on: date, ends_on: date, reason: str | None, recorded_by: User | None,
              today: date) -> OfficerLeave:
    """Record a leave period for ``officer``.

    Refuses (``Refused``, messages per field) a start before ``today`` or more than a year ahead, an end
    before the start, a period longer than LEAVE_MAX_DAYS days, a reason over REASON_MAX characters, and
    a period overlapping another leave of the officer (the message names it). Visits already assigned in
    the period are left alone: ``visits.assignments.visits_during`` lists them for the coordinator.
    """
    reason = (reason or "").strip()
    errors = _leave_errors(starts_on, ends_on, today, reason)
    if not errors:
        overlapping = db.session.scalar(
            select(OfficerLeave).where(OfficerLeave.officer_id == officer.id, OfficerLeave.starts_on <= ends_on,
                                       OfficerLeave.ends_on >= starts_on)
            .order_by(OfficerLeave.starts_on).limit(1)
        )
        if overlapping is not None:
            errors["starts_on"] = [_("This overlaps %(officer)s's leave from %(start)s to %(end)s.",
                                     officer=officer.full_name, start=format_date(overlapping.starts_on),
                                     end=format_date(overlapping.ends_on))]
    if errors:
        raise Refused(errors)
    return record_leave(officer, starts_on, ends_on, reason or None, recorded_by=recorded_by)


def officer_leave(officer: User, leave_id: int) -> OfficerLeave | None:
    """The leave with this id if it is ``officer``'s; None otherwise."""
    leave = db.session.get(OfficerLeave, leave_id)
    if leave is None or leave.officer_id != officer.id:
        return None
    return leave


def remove_leave(leave: OfficerLeave) -> None:
    """Delete a leave period: the officer may be assigned on those days again."""
    db.session.delete(leave)
    db.session.flush()


# --- the officer's own home page -----------------------------------------------------------------

def upcoming_for_officer(officer: User, today: date, days: int = HOME_DAYS, limit: int = HOME_LIMIT) -> list[Visit]:
    """The officer's visits from ``today`` for ``days`` days (at most ``limit``), soonest first, with their
    village and campaign; cancelled visits are left out. One statement."""
    return list(db.session.scalars(
        _officer_visits(officer)
        .where(Visit.visit_date.between(today, today + timedelta(days=days - 1)),
               Visit.status != VisitStatus.CANCELLED)
        .order_by(Visit.visit_date, Visit.start_time, Visit.id).limit(limit)
    ))
