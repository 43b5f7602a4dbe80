"""Visit pages: schedule, look up, move, postpone or cancel a visit, staff it, and the lists."""

from datetime import date, timedelta
from uuid import uuid4

from flask import abort, current_app, request, url_for
from flask_babel import format_date
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign_app import clock
from campaign_app.access import roles, visible_branch_ids
from campaign_app.answers import REFUSED, form_page, saving, success
from campaign_app.dates import EARLIEST_DAY, LATEST_DAY, parse_day
from campaign_app.extensions import db
from campaign_app.fieldwork.summary import visit_summary
from campaign_app.forms import CONTROL_CHARACTERS_IN_LINE
from campaign_app.i18n import gettext as _
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.ids import parse_id
from campaign_app.models import Role, User, Visit, VisitStatus
from campaign_app.rendering import fragment_only, render
from campaign_app.validation import show_refusal
from campaign_app.visits import bp, queries, service
from campaign_app.visits.assignments import ASSIGNABLE_STATUSES, assign_officer
from campaign_app.visits.calendar import date_warnings
from campaign_app.visits.forms import (
    AssignForm,
    ReasonForm,
    RescheduleForm,
    VisitFilterForm,
    VisitForm,
)

VISIT_ID = "<id:visit_id>"
OFFICER_ID = "<id:officer_id>"
PLANNERS = (Role.ADMIN, Role.COORDINATOR)
# The headings of the visit list's parts (queries.when).
LIST_PARTS = {"today": _l("Today"), "coming": _l("Coming days"), "past": _l("Past")}


def _warnings(day: date | None) -> list[str]:
    return [warning.message() for warning in date_warnings(day)] if day else []


def _load_visit(visit_id: int) -> Visit:
    """The visit with everything its page shows, or 404 when it does not exist or ``current_user`` may not see it."""
    # Loaded with its village, campaign and officers first; visible_visit then finds it in the session.
    loaded = queries.load_visit(visit_id)  # noqa: F841 (kept: the session holds it weakly)
    visit = service.visible_visit(current_user, visit_id)
    if visit is None:
        abort(404)
    return visit


# --- scheduling -----------------------------------------------------------------------------------

def _campaign_choices(campaigns) -> list[SelectChoice]:
    several_branches = len({c.branch_id for c in campaigns}) > 1
    return [SelectChoice("", _("Choose a campaign")), *(
        SelectChoice(str(c.id), f"{c.name} · {c.branch.name}" if several_branches else c.name) for c in campaigns
    )]


def _pick_village(text: str, code: str, branch_id: int):
    """The village the form names (the picked code first, else the typed text), the candidates and a message."""
    # The form refuses control characters; they are not even looked up (PostgreSQL rejects NUL).
    text = "" if CONTROL_CHARACTERS_IN_LINE.search(text) else text
    code = "" if CONTROL_CHARACTERS_IN_LINE.search(code) else code
    match, candidates = queries.resolve_village(code, branch_id) if code else (None, [])
    if match is None and text:
        match, candidates = queries.resolve_village(text, branch_id)
    if match is not None:
        return match, [match], None
    if candidates:
        return None, candidates, _("Several villages match; pick one from the list.")
    if text:
        return None, [], _("No village served by this branch matches “%(text)s”.", text=text)
    if code:
        return None, [], _("The village %(code)s is not served by this branch.", code=code)
    return None, [], _("Type the village's name or code, then pick it from the list.")


def _new_visit_page(form: VisitForm, candidates, chosen_code: str | None, status: int = 200):
    return render("visits/new.html", form=form, candidates=candidates, chosen_code=chosen_code,
                  searched=bool(form.village.data), warnings=_warnings(form.visit_date.data), problems=[],
                  status=status)


@bp.route("/new", methods=["GET", "POST"])
@roles(*PLANNERS)
def create():
    campaigns = queries.open_campaigns(current_user)
    by_id = {c.id: c for c in campaigns}
    posted = request.method == "POST"
    campaign = by_id.get(parse_id(request.form.get("campaign") if posted else request.args.get("campaign_id")))
    branch_id = campaign.branch_id if campaign else current_user.branch_id
    if posted:
        form = VisitForm()
    else:
        form = VisitForm(formdata=None, campaign=campaign.id if campaign else None, form_key=uuid4().hex,
                         visit_date=parse_day(request.args.get("visit_date")))
        form.village.data = (request.args.get("village") or "").strip()[:120]
        form.village_code.data = (request.args.get("village_code") or "").strip()[:13]
    form.campaign.choices = _campaign_choices(campaigns)
    form.officers.choices = [SelectChoice(str(id_), name) for id_, name in queries.branch_officers({branch_id})]

    if not posted and not (form.village.data or form.village_code.data):
        return _new_visit_page(form, [], None)
    village, candidates, village_message = _pick_village(form.village.data or "", form.village_code.data or "",
                                                         branch_id)
    if village is not None:
        form.village.data, form.village_code.data = village.name, village.code
    if not posted:
        if village_message and (form.village_code.data or not candidates):
            form.village.errors = [village_message]
        return _new_visit_page(form, candidates, form.village_code.data)

    if form.validate_on_submit():
        with saving() as done:
            visit = service.schedule_visit(
                campaign=campaign, village_code=village.code if village else "", visit_date=form.visit_date.data,
                start_time=form.start_time.data, planned_activity=form.planned_activity.data,
                planned_cost=form.planned_cost.data, officer_ids=form.officers.data or [],
                created_by=current_user, today=clock.today(), form_key=form.form_key.data,
            )
        if done:
            return success(url_for("visits.show", visit_id=visit.id),
                         _("Visit to %(village)s on %(date)s scheduled.", village=visit.village.name,
                           date=format_date(visit.visit_date)), warnings=_warnings(visit.visit_date))
        if village_message:
            # The village field says why no village was found, rather than the service's "choose one".
            done.refused.errors["village"] = [village_message]
        show_refusal(form, done.refused)
    elif village_message:
        form.village.errors = [*form.village.errors, village_message]
    return _new_visit_page(form, candidates, form.village_code.data, status=REFUSED)


def _typed_village() -> str:
    return (request.args.get("q") or request.args.get("village") or "").strip()[:120]


@bp.get("/village-options")
@roles(*PLANNERS)
# Without htmx the form itself resolves the text: go there with it filled in.
@fragment_only(lambda: url_for("visits.create", village=_typed_village() or None,
                               campaign_id=parse_id(request.args.get("campaign"))))
def village_options():
    text = _typed_village()
    visible = visible_branch_ids(current_user)
    # Villages of the chosen campaign's branch, if the user may see it; else of every branch they see.
    campaign_branch = queries.campaign_branch_id(request.args.get("campaign", ""))
    scope = {campaign_branch} if campaign_branch and (visible is None or campaign_branch in visible) else visible
    candidates = queries.village_matches(text, scope) if not CONTROL_CHARACTERS_IN_LINE.search(text) else []
    return render("visits/new.html", fragment="village_options", candidates=candidates, searched=bool(text),
                  chosen_code=candidates[0].code if len(candidates) == 1 else None)


def _checked_day() -> date | None:
    return parse_day(request.args.get("visit_date"))


def _form_with_date() -> str:
    day = _checked_day()
    return url_for("visits.create", visit_date=day.isoformat() if day else None)


@bp.get("/date-check")
@roles(*PLANNERS)
@fragment_only(_form_with_date)
def date_check():
    day = _checked_day()
    problems = []
    if day is not None:
        campaign = {c.id: c for c in queries.open_campaigns(current_user)}.get(parse_id(request.args.get("campaign")))
        officer_ids = [id_ for id_ in map(parse_id, request.args.getlist("officers")) if id_ is not None]
        village_code = (request.args.get("village_code") or "")[:13]
        problems = service.scheduling_problems(
            visit_date=day, campaign=campaign, officer_ids=officer_ids, today=clock.today(),
            village_code=None if CONTROL_CHARACTERS_IN_LINE.search(village_code) else village_code)
    return render("visits/new.html", fragment="date_warnings", warnings=_warnings(day), problems=problems)


# --- one visit ------------------------------------------------------------------------------------

def _assign_form(visit: Visit, formdata=None) -> AssignForm:
    form = AssignForm(formdata=formdata)
    on_visit = {a.officer_id for a in visit.assignments}
    form.officer_id.choices = [SelectChoice("", _("Choose an officer")), *(
        SelectChoice(str(id_), name) for id_, name in queries.branch_officers({visit.branch_id})
        if id_ not in on_visit
    )]
    return form


def _show_page(visit: Visit, *, status: int = 200, fragment: str | None = None, reason_form: ReasonForm | None = None,
               assign_form: AssignForm | None = None, officer_messages: list[str] = ()):
    planner = current_user.role in PLANNERS
    can_staff = planner and visit.status in ASSIGNABLE_STATUSES
    return render(
        "visits/show.html", fragment=fragment, status=status, visit=visit, planner=planner, can_staff=can_staff,
        status_label=service.status_label, warnings=_warnings(visit.visit_date),
        can_reschedule=planner and visit.status in service.RESCHEDULABLE,
        can_stop=planner and visit.status == VisitStatus.PLANNED,
        reason_form=reason_form or ReasonForm(formdata=None),
        assign_form=assign_form or (_assign_form(visit) if can_staff else None),
        officer_messages=officer_messages,
        # What the officers recorded in the village (fieldwork), once the visit has started.
        summary=visit_summary(visit) if visit.status in (VisitStatus.IN_PROGRESS, VisitStatus.DONE) else None,
    )


@bp.get(f"/{VISIT_ID}")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.OFFICER)
def show(visit_id: int):
    return _show_page(_load_visit(visit_id))


@bp.route(f"/{VISIT_ID}/reschedule", methods=["GET", "POST"])
@roles(*PLANNERS)
def reschedule(visit_id: int):
    visit = _load_visit(visit_id)
    if request.method == "GET":
        form = RescheduleForm(formdata=None, visit_date=visit.visit_date, start_time=visit.start_time)
        return _reschedule_page(visit, form)
    form = RescheduleForm()
    if form.validate_on_submit():
        with saving(form) as done:
            service.reschedule_visit(visit, visit_date=form.visit_date.data, start_time=form.start_time.data,
                                     today=clock.today())
        if done:
            return success(url_for("visits.show", visit_id=visit.id),
                         _("The visit is now on %(date)s.", date=format_date(visit.visit_date)),
                         warnings=_warnings(visit.visit_date))
    return _reschedule_page(_load_visit(visit_id), form)


def _reschedule_page(visit: Visit, form: RescheduleForm):
    return form_page("visits/reschedule.html", visit=visit, form=form,
                  allowed=visit.status in service.RESCHEDULABLE, status_label=service.status_label,
                  warnings=_warnings(form.visit_date.data if not form.visit_date.errors else None))


def _stop(visit_id: int, new_status: VisitStatus, done_message: str):
    visit = _load_visit(visit_id)
    form = ReasonForm()
    if form.validate_on_submit():
        with saving(form) as done:
            service.change_status(visit, new_status, form.reason.data, role=current_user.role)
        if done:
            return success(url_for("visits.show", visit_id=visit.id), done_message)
    return _show_page(_load_visit(visit_id), reason_form=form, status=REFUSED)


@bp.post(f"/{VISIT_ID}/postpone")
@roles(*PLANNERS)
def postpone(visit_id: int):
    return _stop(visit_id, VisitStatus.POSTPONED, _("The visit is postponed. Reschedule it when a new date is known."))


@bp.post(f"/{VISIT_ID}/cancel")
@roles(*PLANNERS)
def cancel(visit_id: int):
    return _stop(visit_id, VisitStatus.CANCELLED, _("The visit is cancelled."))


# --- officers on a visit --------------------------------------------------------------------------

def _officers_page(visit_id: int, *, status: int = 200, messages: list[str] = (), form: AssignForm | None = None):
    """The visit with its officers block (the block alone for htmx), with a refusal's messages inline."""
    return _show_page(_load_visit(visit_id), fragment="officers", status=status, officer_messages=messages,
                      assign_form=form)


def _officers_answer(visit_id: int, done, message: str, form: AssignForm | None = None):
    """After a change of the officers: htmx gets the block again, a plain post goes back to the visit with
    ``message``; a refusal shows the visit with its messages in the block, 422."""
    if not done:
        return _officers_page(visit_id, status=REFUSED, messages=done.messages, form=form)
    return success(url_for("visits.show", visit_id=visit_id), message, swap=lambda: _officers_page(visit_id))


@bp.post(f"/{VISIT_ID}/officers")
@roles(*PLANNERS)
def assign(visit_id: int):
    visit = _load_visit(visit_id)
    form = _assign_form(visit, formdata=request.form)
    if not form.validate_on_submit():
        return _officers_page(visit_id, status=REFUSED, messages=[*form.officer_id.errors])
    officer = db.session.get(User, form.officer_id.data)
    with saving() as done:
        assign_officer(visit, officer, assigned_by=current_user)
    return _officers_answer(visit_id, done, _("%(name)s is assigned to this visit.", name=officer.full_name), form)


@bp.post(f"/{VISIT_ID}/officers/{OFFICER_ID}/remove")
@roles(*PLANNERS)
def unassign(visit_id: int, officer_id: int):
    visit = _load_visit(visit_id)
    officer = db.session.get(User, officer_id)
    if officer is None:
        abort(404)
    with saving() as done:
        service.remove_officer(visit, officer)
    return _officers_answer(visit_id, done, _("%(name)s is no longer on this visit.", name=officer.full_name))


# --- lists ----------------------------------------------------------------------------------------

def _filter_form() -> tuple[VisitFilterForm, queries.VisitFilters, dict]:
    """The list's filters from the query string; a bad one is shown with its message and ignored."""
    form = VisitFilterForm(formdata=request.args)
    campaigns = queries.visible_campaigns(current_user)
    form.campaign.choices = [SelectChoice("", _("All campaigns")),
                             *(SelectChoice(str(id_), name) for id_, name in campaigns)]
    form.status.choices = [SelectChoice("", _("All statuses")),
                           *(SelectChoice(s.value, service.status_label(s)) for s in VisitStatus)]
    form.regency.choices = [SelectChoice("", _("All regencies")),
                            *(SelectChoice(code, name) for code, name in queries.visible_regencies(current_user))]
    campaign_branch = queries.campaign_branch_id(request.args.get("campaign", ""))
    officers = queries.branch_officers(queries.officer_filter_scope(current_user, campaign_branch))
    form.officer.choices = [SelectChoice("", _("All officers")),
                            *(SelectChoice(str(id_), name) for id_, name in officers)]
    form.validate()

    def ok(field) -> bool:
        return not field.errors and bool(field.data)

    filters = queries.VisitFilters(
        campaign_id=int(form.campaign.data) if ok(form.campaign) else None,
        date_from=form.date_from.data if ok(form.date_from) else None,
        date_to=form.date_to.data if ok(form.date_to) and not form.date_from.errors else None,
        status=form.status.data if ok(form.status) else None,
        officer_id=int(form.officer.data) if ok(form.officer) else None,
        regency_code=form.regency.data if ok(form.regency) else None,
    )
    params = {name: request.args[name] for name in ("campaign", "date_from", "date_to", "status", "officer", "regency")
              if ok(getattr(form, name))}
    return form, filters, params


@bp.get("/")
@roles(Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
def index():
    form, filters, params = _filter_form()
    page = request.args.get("page", 1, type=int)
    today = clock.today()
    visits = queries.search_visits(current_user, filters, today=today, page=page,
                                   per_page=current_app.config["PAGE_SIZE"])
    counts = queries.status_counts(current_user, filters)
    return render("visits/index.html", fragment="results", filters=form, visits=visits, params=params,
                  counts=counts, statuses=list(VisitStatus), status_label=service.status_label,
                  planner=current_user.role in PLANNERS, today=today, when=queries.when, part_labels=LIST_PARTS,
                  fragment_context=lambda: {"announce": True})


@bp.get("/week")
@roles(Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
def week():
    today = clock.today()
    # A day of the week to show, kept away from the ends of the calendar; the week starts on Monday.
    day = min(max(parse_day(request.args.get("start")) or today, EARLIEST_DAY + timedelta(days=7)),
              LATEST_DAY - timedelta(days=14))
    monday = day - timedelta(days=day.weekday())
    days = queries.week_visits(current_user, monday)
    return render("visits/week.html", days=days, monday=monday, sunday=monday + timedelta(days=6), today=today,
                  previous=monday - timedelta(days=7), next=monday + timedelta(days=7),
                  this_monday=today - timedelta(days=today.weekday()), status_label=service.status_label,
                  planner=current_user.role in PLANNERS)
