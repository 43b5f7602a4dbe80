from datetime import date, timedelta

from flask import abort, current_app, request, url_for
from flask_babel import format_date
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign_app import clock
from campaign_app.access import roles, visible_branch_ids
from campaign_app.answers import REFUSED, committing, form_page, saving, success
from campaign_app.i18n import gettext as _
from campaign_app.i18n import ngettext
from campaign_app.models import Role, User, Visit
from campaign_app.officers import bp, service
from campaign_app.officers.forms import AssignForm, LeaveForm, RosterFilterForm
from campaign_app.rendering import render
from campaign_app.visits.assignments import ASSIGNABLE_STATUSES, assign_officer, visits_during

OFFICER_ID = "<id:officer_id>"
VISIT_ID = "<id:visit_id>"
LEAVE_ID = "<id:leave_id>"
EDITORS = (Role.ADMIN, Role.COORDINATOR)


def _load_officer(officer_id: int) -> User:
    # Another branch's officer (or a user who is not an officer) is "not found", not "forbidden".
    officer = service.visible_officer(current_user, officer_id)
    if officer is None:
        abort(404)
    return officer


# --- the roster ----------------------------------------------------------------------------------

def _chosen_week(filters: RosterFilterForm, today: date) -> tuple[date, bool]:
    """The Monday of the week asked for (or of this week), and whether one was asked for."""
    day = filters.week.data if not filters.week.errors else None
    if day is not None and not service.week_in_range(service.week_start_of(day), today):
        filters.week.errors.append(_("Choose a week within three months of today."))
        day = None
    return service.week_start_of(day or today), day is not None


@bp.get("/")
@roles(Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
def index():
    branches = [SelectChoice(str(id_), name) for id_, name in service.roster_branches(current_user)]
    filters = RosterFilterForm(branches, formdata=request.args)
    filters.validate()
    today = clock.today()
    week_start, week_chosen = _chosen_week(filters, today)
    branch = filters.branch.data if not filters.branch.errors else ""
    branch_ids = {int(branch)} if branch else visible_branch_ids(current_user)
    officers, rows = service.roster(branch_ids, week_start, today, page=request.args.get("page", 1, type=int),
                                    per_page=current_app.config["PAGE_SIZE"])
    filters.branch.data = branch
    params = {"branch": branch} if branch else {}
    weeks = {
        name: start for name, start in (("prev", week_start - timedelta(days=7)),
                                        ("next", week_start + timedelta(days=7)))
        if service.week_in_range(start, today)
    }
    page_params = dict(params, week=week_start.isoformat()) if week_chosen else params
    return render("officers/index.html", fragment="roster", filters=filters, officers=officers, rows=rows,
                  several_branches=len(branches) > 1, week_start=week_start, today=today,
                  week_days=[week_start + timedelta(days=n) for n in range(7)], weeks=weeks,
                  params=params, page_params=page_params, working_days=service.WORKING_DAYS)


# --- one officer's agenda ------------------------------------------------------------------------

def _visit_label(visit: Visit) -> str:
    return f"{format_date(visit.visit_date, 'EEE d MMM')} · {visit.village.name} · {visit.campaign.name}"


def _agenda_page(officer: User, form: AssignForm | None = None, notice: str | None = None, status: int = 200):
    today = clock.today()
    can_edit = current_user.role in EDITORS
    form = form or AssignForm(formdata=None)
    if can_edit:
        form.visit_id.choices = [
            SelectChoice("", _("Choose a visit")),
            *(SelectChoice(str(v.id), _visit_label(v)) for v in service.assignable_visits(officer, today)),
        ]
    return render("officers/show.html", fragment="agenda", status=status, officer=officer, form=form,
                  agenda=service.agenda(officer, today), can_edit=can_edit, notice=notice,
                  assignable=ASSIGNABLE_STATUSES)


def _refused(officer: User, form: AssignForm):
    return _agenda_page(officer, form, status=REFUSED)


def _done(officer: User, message: str):
    """After a change: the new agenda for htmx, else back to the officer's page (303) with the message."""
    return success(url_for("officers.show", officer_id=officer.id), message,
                 swap=lambda: _agenda_page(officer, notice=message))


@bp.get(f"/{OFFICER_ID}")
@roles(Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
def show(officer_id: int):
    return _agenda_page(_load_officer(officer_id))


@bp.post(f"/{OFFICER_ID}/visits")
@roles(*EDITORS)
def assign(officer_id: int):
    officer = _load_officer(officer_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _refused(officer, form)
    visit = service.branch_visit(officer, form.visit_id.data)
    if visit is None:
        form.visit_id.errors.append(_("Choose one of the visits listed."))
        return _refused(officer, form)
    with saving() as done:
        assign_officer(visit, officer, assigned_by=current_user)
    if not done:
        form.visit_id.errors.extend(done.messages)
        return _refused(officer, form)
    return _done(officer, _("%(officer)s is assigned to the visit to %(village)s on %(date)s.",
                            officer=officer.full_name, village=visit.village.name,
                            date=format_date(visit.visit_date)))


@bp.post(f"/{OFFICER_ID}/visits/{VISIT_ID}/remove")
@roles(*EDITORS)
def unassign(officer_id: int, visit_id: int):
    officer = _load_officer(officer_id)
    visit = service.branch_visit(officer, visit_id)
    if visit is None:
        abort(404)
    form = AssignForm(formdata=None)
    with saving(form) as done:
        service.unassign(visit, officer)
    if not done:
        return _refused(officer, form)
    return _done(officer, _("%(officer)s is off the visit to %(village)s on %(date)s.",
                            officer=officer.full_name, village=visit.village.name,
                            date=format_date(visit.visit_date)))


# --- leave ---------------------------------------------------------------------------------------

@bp.route(f"/{OFFICER_ID}/leave", methods=["GET", "POST"])
@roles(*EDITORS)
def add_leave(officer_id: int):
    officer = _load_officer(officer_id)
    form = LeaveForm()
    if form.validate_on_submit():
        with saving(form) as done:
            leave = service.add_leave(officer, form.starts_on.data, form.ends_on.data, form.reason.data,
                                      recorded_by=current_user, today=clock.today())
            clashing = visits_during(officer, leave.starts_on, leave.ends_on)
        if done:
            warnings = [ngettext("%(num)d visit of this officer falls in the leave: reassign it (listed below).",
                                 "%(num)d visits of this officer fall in the leave: reassign these visits "
                                 "(listed below).", len(clashing))] if clashing else []
            return success(url_for("officers.show", officer_id=officer.id),
                          _("Leave of %(officer)s recorded from %(start)s to %(end)s.", officer=officer.full_name,
                            start=format_date(leave.starts_on), end=format_date(leave.ends_on)), warnings=warnings)
    return form_page("officers/leave.html", form=form, officer=officer)


@bp.post(f"/{OFFICER_ID}/leave/{LEAVE_ID}/remove")
@roles(*EDITORS)
def remove_leave(officer_id: int, leave_id: int):
    officer = _load_officer(officer_id)
    leave = service.officer_leave(officer, leave_id)
    if leave is None:
        abort(404)
    starts_on, ends_on = leave.starts_on, leave.ends_on
    with committing():
        service.remove_leave(leave)
    return _done(officer, _("Leave of %(officer)s from %(start)s to %(end)s removed.", officer=officer.full_name,
                            start=format_date(starts_on), end=format_date(ends_on)))
