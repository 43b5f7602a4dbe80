"""Rules and queries for village visits."""

from datetime import date, time

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.models import Campaign, District, Role, User, Village, Visit, VisitStatus, branch_regencies
from campaign_app.validation import Refused
from campaign_app.visits.assignments import AssignmentRefused, assign_officer

ACTIVITY_MAX = 200


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
    errors: dict[str, list[str]] = {}
    if not campaign.is_open:
        errors["campaign"] = [_("The campaign %(name)s is closed.", name=campaign.name)]
    if visit_date < today:
        errors["visit_date"] = [_("The date has passed; choose today or a later day.")]
    elif not campaign.starts_on <= visit_date <= campaign.ends_on:
        errors["visit_date"] = [_("The campaign runs from %(start)s to %(end)s; choose a date in it.",
                                  start=format_date(campaign.starts_on), end=format_date(campaign.ends_on))]
    village = village_in_branch(village_code, campaign.branch_id)
    if village is None:
        errors["village"] = [_("Choose a village that this branch serves.")]
    activity = (planned_activity or "").strip()
    if not activity or len(activity) > ACTIVITY_MAX:
        errors["planned_activity"] = [_("Describe the activity in at most %(max)d characters.", max=ACTIVITY_MAX)]
    if planned_cost < 0:
        errors["planned_cost"] = [_("Enter zero or more.")]
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


def visible_visit(user: User, visit_id: int) -> Visit | None:
    """The visit if ``user`` may see it: its branch for staff, and only their own visits for officers."""
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        return None
    visible = visible_branch_ids(user)
    if visible is not None and visit.branch_id not in visible:
        return None
    if user.role == Role.OFFICER and user.id not in {a.officer_id for a in visit.assignments}:
        return None
    return visit
