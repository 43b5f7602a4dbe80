"""Assigning officers to visits, and the rules that refuse a clash.

An officer may not be assigned on a day they are on leave or already booked. A village whose
travel time exceeds half a working day also takes the day before (travelling there) and the day
after (travelling back): it clashes with any other visit of that officer on those days.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import format_date
from sqlalchemy import and_, select

from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import (
    ACTIVE_STATUSES,
    OfficerLeave,
    Role,
    User,
    Village,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.validation import Refused

HALF_WORKING_DAY_HOURS = Decimal(4)
ASSIGNABLE_STATUSES = (VisitStatus.PLANNED, VisitStatus.IN_PROGRESS)


def needs_travel_days(travel_hours: Decimal | None) -> bool:
    """Whether a village is far enough to block the day before and after a visit there."""
    return travel_hours is not None and Decimal(travel_hours) > HALF_WORKING_DAY_HOURS


@dataclass(frozen=True)
class Clash:
    """Why an officer cannot take a visit on a date: a booked visit or a leave."""

    kind: str  # "booked", "travelling", "needs_travel_days" or "on_leave"
    officer_name: str
    visit: Visit | None = None
    leave: OfficerLeave | None = None

    def message(self) -> str:
        """The reason in the user's language, naming the visit or the leave that clashes."""
        if self.leave is not None:
            return _("%(officer)s is on leave from %(start)s to %(end)s.", officer=self.officer_name,
                     start=format_date(self.leave.starts_on), end=format_date(self.leave.ends_on))
        visit = self.visit
        details = {"officer": self.officer_name, "village": visit.village.name,
                   "date": format_date(visit.visit_date), "campaign": visit.campaign.name}
        if self.kind == "booked":
            return _("%(officer)s is already booked that day: visit to %(village)s on %(date)s (%(campaign)s).",
                     **details)
        if self.kind == "travelling":
            return _("%(officer)s is still travelling for the visit to %(village)s on %(date)s (%(campaign)s), "
                     "a village more than half a day away.", **details)
        return _("This village is more than half a day away, so %(officer)s needs the day before and after; "
                 "they have a visit to %(village)s on %(date)s (%(campaign)s).", **details)


class AssignmentRefused(Refused):
    """The officer cannot be assigned; ``reasons`` are messages for the user (the form's, as a refusal)."""

    def __init__(self, reasons: list[str]):
        super().__init__({None: reasons})
        self.reasons = reasons


def find_clashes(officer: User, day: date, travel_hours: Decimal | None,
                 exclude_visit_id: int | None = None) -> list[Clash]:
    """Everything that stops ``officer`` from visiting, on ``day``, a village ``travel_hours`` away.

    Two queries whatever the officer's workload: their active visits and their leave around ``day``.
    """
    far = needs_travel_days(travel_hours)
    window = (day - timedelta(days=1), day + timedelta(days=1))
    visits = db.session.execute(
        select(Visit, Village.travel_hours)
        .join(VisitOfficer, and_(VisitOfficer.visit_id == Visit.id, VisitOfficer.officer_id == officer.id))
        .join(Village, Village.code == Visit.village_code)
        .where(Visit.visit_date.between(*window), Visit.status.in_(ACTIVE_STATUSES))
        .where(Visit.id != exclude_visit_id if exclude_visit_id is not None else True)
        .order_by(Visit.visit_date, Visit.id)
    ).all()
    clashes = []
    for other, other_hours in visits:
        if other.visit_date == day:
            clashes.append(Clash("booked", officer.full_name, visit=other))
        elif needs_travel_days(other_hours):
            clashes.append(Clash("travelling", officer.full_name, visit=other))
        elif far:
            clashes.append(Clash("needs_travel_days", officer.full_name, visit=other))
    leave_window = window if far else (day, day)
    leaves = db.session.scalars(
        select(OfficerLeave).where(OfficerLeave.officer_id == officer.id,
                                   OfficerLeave.starts_on <= leave_window[1],
                                   OfficerLeave.ends_on >= leave_window[0])
        .order_by(OfficerLeave.starts_on)
    ).all()
    clashes.extend(Clash("on_leave", officer.full_name, leave=leave) for leave in leaves)
    return clashes


def _check_officer(visit: Visit, officer: User) -> None:
    if officer.role != Role.OFFICER or not officer.active or officer.branch_id != visit.branch_id:
        raise AssignmentRefused([_("%(name)s is not an active officer of this branch.", name=officer.full_name)])
    if visit.status not in ASSIGNABLE_STATUSES:
        raise AssignmentRefused([_("Officers can only be assigned to planned or ongoing visits.")])


def assign_officer(visit: Visit, officer: User, assigned_by: User | None = None) -> VisitOfficer:
    """Assign ``officer`` to ``visit``; raises ``AssignmentRefused`` with the clashing visit or leave.

    Assigning an officer who is already on the visit changes nothing.
    """
    _check_officer(visit, officer)
    existing = db.session.get(VisitOfficer, (visit.id, officer.id))
    if existing is not None:
        return existing
    # Serialise assignments of one officer (PostgreSQL row lock), so two coordinators cannot double-book.
    db.session.execute(select(User.id).where(User.id == officer.id).with_for_update())
    clashes = find_clashes(officer, visit.visit_date, visit.village.travel_hours, exclude_visit_id=visit.id)
    if clashes:
        raise AssignmentRefused([clash.message() for clash in clashes])
    assignment = VisitOfficer(visit=visit, officer=officer, assigned_by_id=assigned_by.id if assigned_by else None)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def unassign_officer(visit: Visit, officer: User) -> bool:
    """Take ``officer`` off ``visit``; returns whether they were on it."""
    assignment = db.session.get(VisitOfficer, (visit.id, officer.id))
    if assignment is None:
        return False
    visit.assignments.remove(assignment)
    db.session.flush()
    return True


def record_leave(officer: User, starts_on: date, ends_on: date, reason: str | None = None,
                 recorded_by: User | None = None) -> OfficerLeave:
    """Record days an officer is away. Visits already assigned on those days are not touched here;
    ``visits_during`` lists them so the coordinator can reassign."""
    if ends_on < starts_on:
        raise ValueError("ends_on before starts_on")
    leave = OfficerLeave(officer_id=officer.id, starts_on=starts_on, ends_on=ends_on, reason=reason,
                         created_by_id=recorded_by.id if recorded_by else None)
    db.session.add(leave)
    db.session.flush()
    return leave


def visits_during(officer: User, starts_on: date, ends_on: date) -> list[Visit]:
    """The officer's active visits between two dates, inclusive."""
    return list(db.session.scalars(
        select(Visit).join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
        .where(VisitOfficer.officer_id == officer.id, Visit.status.in_(ACTIVE_STATUSES),
               Visit.visit_date.between(starts_on, ends_on))
        .order_by(Visit.visit_date)
    ))
