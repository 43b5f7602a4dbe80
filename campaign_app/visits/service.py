"""Rules and queries for village visits."""

from dataclasses import dataclass
from datetime import date, time

from flask_babel import format_date
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.forms import CONTROL_CHARACTERS
from campaign_app.i18n import gettext as _
from campaign_app.labels import visit_status_label as status_label
from campaign_app.models import Campaign, District, Role, User, Village, Visit, VisitStatus, branch_regencies
from campaign_app.validation import Refused
from campaign_app.visits.assignments import (
    ASSIGNABLE_STATUSES,
    AssignmentRefused,
    assign_officer,
    find_clashes,
    unassign_officer,
)

ACTIVITY_MAX = 200
REASON_MAX = 500
# Rp999.999.999.999: far above any visit's cost, far below what the BIGINT column holds.
COST_MAX = 999_999_999_999
# Officers whose leave and bookings are checked while a date is picked (a visit has a few).
OFFICERS_CHECKED_MAX = 10


def village_in_branch(village_code: str, branch_id: int) -> Village | None:
    """The village if it lies in a regency the branch covers; otherwise None."""
    return db.session.scalar(
        select(Village).join(District, District.code == Village.district_code)
        .join(branch_regencies, branch_regencies.c.regency_code == District.regency_code)
        .where(Village.code == village_code, branch_regencies.c.branch_id == branch_id)
    )


def _visit_with_key(form_key: str | None) -> Visit | None:
    if not form_key:
        return None
    return db.session.scalar(select(Visit).where(Visit.form_key == form_key))


def schedule_visit(*, campaign: Campaign, village_code: str, visit_date: date, start_time: time | None,
                   planned_activity: str, planned_cost: int, officer_ids: list[int], created_by: User | None,
                   today: date, form_key: str | None = None) -> Visit:
    """Schedule a visit of ``campaign`` to a village of its branch, with its officers assigned.

    Refuses (``Refused``, messages per field) a closed campaign, a date in the past or outside the
    campaign, a village outside the branch, and any officer who clashes; then nothing is written.
    A repeated submit of the same form (same ``form_key``) returns the visit it created the first time.
    """
    existing = _visit_with_key(form_key)
    if existing is not None:
        return existing
    errors: dict[str | None, list[str]] = {}
    if not campaign.is_open:
        errors["campaign"] = [_("The campaign %(name)s is closed.", name=campaign.name)]
    date_problem = _date_problem(visit_date, campaign, today)
    if date_problem:
        errors["visit_date"] = [date_problem]
    village = village_in_branch(village_code, campaign.branch_id)
    if village is None:
        errors["village"] = [_("Choose a village that this branch serves.")]
    activity = (planned_activity or "").strip()
    if not activity or len(activity) > ACTIVITY_MAX:
        errors["planned_activity"] = [_("Describe the activity in at most %(max)d characters.", max=ACTIVITY_MAX)]
    if planned_cost < 0:
        errors["planned_cost"] = [_("Enter zero or more.")]
    elif planned_cost > COST_MAX:
        errors["planned_cost"] = [_("Enter at most Rp999.999.999.999.")]
    if errors:
        raise Refused(errors)

    officers = db.session.scalars(select(User).where(User.id.in_(officer_ids or []))).all()
    if len(officers) != len(set(officer_ids or [])):
        raise Refused.on("officers", _("Choose officers from the list."))
    visit = Visit(campaign=campaign, branch_id=campaign.branch_id, village=village, visit_date=visit_date,
                  start_time=start_time, planned_activity=activity, planned_cost=planned_cost,
                  status=VisitStatus.PLANNED, created_by_id=created_by.id if created_by else None,
                  form_key=form_key or None)
    try:
        # A savepoint: a refused officer undoes the visit too, so nothing partial is left.
        with db.session.begin_nested():
            db.session.add(visit)
            db.session.flush()
            reasons = []
            for officer in sorted(officers, key=lambda o: o.full_name):
                try:
                    assign_officer(visit, officer, assigned_by=created_by)
                except AssignmentRefused as refused:
                    reasons.extend(refused.reasons)
            if reasons:
                raise Refused({"officers": reasons})
    except IntegrityError:
        # The same form, submitted twice at once: the other request stored it first.
        db.session.rollback()
        existing = _visit_with_key(form_key)
        if existing is None:
            raise
        return existing
    return visit


def _date_problem(visit_date: date, campaign: Campaign | None, today: date) -> str | None:
    """Why a visit cannot be on ``visit_date``: the day has passed, or ``campaign`` does not run then."""
    if visit_date < today:
        return _("The date has passed; choose today or a later day.")
    if campaign is not None and not campaign.starts_on <= visit_date <= campaign.ends_on:
        return _("The campaign runs from %(start)s to %(end)s; choose a date in it.",
                 start=format_date(campaign.starts_on), end=format_date(campaign.ends_on))
    return None


def scheduling_problems(*, visit_date: date, campaign: Campaign | None, officer_ids: list[int],
                        village_code: str | None, today: date) -> list[str]:
    """What ``schedule_visit`` would refuse about a date, said while the coordinator picks it: a day past or outside
    the campaign, and each chosen officer on leave or booked then (with the campaign's branch known).

    The same messages as the refusal after submitting. Only the first ``OFFICERS_CHECKED_MAX`` officers are looked
    at (two statements each); the submit checks them all.
    """
    problems = []
    date_problem = _date_problem(visit_date, campaign, today)
    if date_problem:
        problems.append(date_problem)
    if campaign is None or not officer_ids:
        return problems
    village = village_in_branch(village_code, campaign.branch_id) if village_code else None
    officers = db.session.scalars(
        select(User).where(User.id.in_(officer_ids[:OFFICERS_CHECKED_MAX]), User.role == Role.OFFICER, User.active,
                           User.branch_id == campaign.branch_id).order_by(User.full_name, User.id)).all()
    for officer in officers:
        problems.extend(clash.message() for clash in find_clashes(officer, visit_date,
                                                                  village.travel_hours if village else None))
    return problems


def may_see_visit(user: User, visit: Visit) -> bool:
    """Whether ``user`` may see ``visit``: its branch for staff, and only their own visits for officers."""
    visible = visible_branch_ids(user)
    if visible is not None and visit.branch_id not in visible:
        return False
    return not (user.role == Role.OFFICER and user.id not in {a.officer_id for a in visit.assignments})


def visible_visit(user: User, visit_id: int) -> Visit | None:
    """The visit if ``user`` may see it (``may_see_visit``)."""
    visit = db.session.get(Visit, visit_id)
    return visit if visit is not None and may_see_visit(user, visit) else None


# --- status ---------------------------------------------------------------------------------------

# Who plans (moves, postpones, cancels, reopens) and who works in the village (starts, finishes).
PLANNERS = frozenset({Role.ADMIN, Role.COORDINATOR})
FIELD_STAFF = frozenset({Role.ADMIN, Role.OFFICER})


@dataclass(frozen=True)
class Transition:
    """One allowed status change: who may make it, and whether it needs a reason."""

    roles: frozenset[str]
    needs_reason: bool = False


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (VisitStatus.PLANNED, VisitStatus.IN_PROGRESS): Transition(FIELD_STAFF),
    (VisitStatus.IN_PROGRESS, VisitStatus.DONE): Transition(FIELD_STAFF),
    (VisitStatus.PLANNED, VisitStatus.POSTPONED): Transition(PLANNERS, needs_reason=True),
    (VisitStatus.PLANNED, VisitStatus.CANCELLED): Transition(PLANNERS, needs_reason=True),
    # Back to planned only with a new date: reschedule_visit makes this change.
    (VisitStatus.POSTPONED, VisitStatus.PLANNED): Transition(PLANNERS),
    # A visit closed too early (results still coming in) is reopened by its coordinator.
    (VisitStatus.DONE, VisitStatus.IN_PROGRESS): Transition(PLANNERS),
}


def allowed_transitions(visit: Visit, role: str) -> list[str]:
    """The statuses ``role`` may move ``visit`` to now."""
    return [to for (start, to), rule in TRANSITIONS.items() if start == visit.status and role in rule.roles]


def change_status(visit: Visit, new_status: str, reason: str | None = None, *, role: str | None = None) -> Visit:
    """Move ``visit`` to ``new_status`` if the transition table allows it (for ``role``, when given).

    Postponing and cancelling need a reason (at most ``REASON_MAX`` characters); the reason is kept
    with the status, and a change without one clears the previous reason.
    """
    try:
        new_status = VisitStatus(new_status)
    except ValueError:
        raise Refused.on("status", _("Choose one of the statuses listed.")) from None
    rule = TRANSITIONS.get((visit.status, new_status))
    if rule is None:
        raise Refused.on("status", _("A visit that is %(current)s cannot become %(new)s.",
                                     current=status_label(visit.status).lower(),
                                     new=status_label(new_status).lower()))
    if role is not None and role not in rule.roles:
        raise Refused.on("status", _("Your role may not make this visit %(new)s.",
                                     new=status_label(new_status).lower()))
    reason = (reason or "").strip()
    if rule.needs_reason and not reason:
        raise Refused.on("reason", _("Give the reason."))
    if len(reason) > REASON_MAX or CONTROL_CHARACTERS.search(reason):
        raise Refused.on("reason", _("At most %(max)d characters, without special characters.", max=REASON_MAX))
    visit.status = new_status
    visit.status_reason = reason or None
    db.session.flush()
    return visit


RESCHEDULABLE = (VisitStatus.PLANNED, VisitStatus.POSTPONED)


def reschedule_visit(visit: Visit, *, visit_date: date, start_time: time | None, today: date) -> Visit:
    """Move ``visit`` to another day (a postponed visit becomes planned again).

    Refuses a date in the past or outside the campaign, a closed campaign, and any assigned officer who
    clashes on the new day (booked, travelling or on leave); then nothing changes.
    """
    if visit.status not in RESCHEDULABLE:
        raise Refused.on(None, _("Only planned or postponed visits can be rescheduled."))
    campaign = visit.campaign
    errors: dict[str | None, list[str]] = {}
    if not campaign.is_open:
        errors[None] = [_("The campaign %(name)s is closed.", name=campaign.name)]
    if visit_date < today:
        errors["visit_date"] = [_("The date has passed; choose today or a later day.")]
    elif not campaign.starts_on <= visit_date <= campaign.ends_on:
        errors["visit_date"] = [_("The campaign runs from %(start)s to %(end)s; choose a date in it.",
                                  start=format_date(campaign.starts_on), end=format_date(campaign.ends_on))]
    if errors:
        raise Refused(errors)
    officers = sorted(visit.officers, key=lambda o: o.full_name)
    if officers:
        # Serialise with assign_officer (PostgreSQL row locks): nobody books these officers meanwhile.
        db.session.execute(select(User.id).where(User.id.in_([o.id for o in officers])).with_for_update())
    reasons = [clash.message() for officer in officers
               for clash in find_clashes(officer, visit_date, visit.village.travel_hours, exclude_visit_id=visit.id)]
    if reasons:
        raise Refused({"visit_date": reasons})
    visit.visit_date = visit_date
    visit.start_time = start_time
    if visit.status == VisitStatus.POSTPONED:
        change_status(visit, VisitStatus.PLANNED)
    db.session.flush()
    return visit


def remove_officer(visit: Visit, officer: User) -> bool:
    """Take ``officer`` off a planned or ongoing visit; ``AssignmentRefused`` for a visit that is over."""
    if visit.status not in ASSIGNABLE_STATUSES:
        raise AssignmentRefused([_("Officers can only be changed on planned or ongoing visits.")])
    return unassign_officer(visit, officer)
