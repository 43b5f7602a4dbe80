"""The officer's visit page (start, attendance, sign-ups, close) and the coordinator's reopen."""

from datetime import datetime

from flask import abort, redirect, request, url_for
from flask_babel import format_time
from flask_login import current_user

from campaign_app.access import roles
from campaign_app.answers import REFUSED, refusal, saving, success
from campaign_app.fieldwork import bp, service, summary
from campaign_app.fieldwork.forms import AttendanceForm, ReopenForm
from campaign_app.i18n import gettext as _
from campaign_app.models import Role, Visit, VisitStatus
from campaign_app.models.people import utcnow
from campaign_app.rendering import render
from campaign_app.signups import form_routes as signup_form
from campaign_app.visits import queries
from campaign_app.visits.service import visible_visit

VISIT_ID = "<id:visit_id>"
STAFF = (Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
WORKED = (VisitStatus.IN_PROGRESS, VisitStatus.DONE)


def now() -> datetime:
    """The current moment (aware, UTC); tests replace it to control the day."""
    return utcnow()


def _load(visit_id: int) -> Visit:
    """The visit with its village, campaign and officers, or 404 when ``current_user`` may not see it
    (for an officer: a visit they are not assigned to)."""
    loaded = queries.load_visit(visit_id)  # noqa: F841 (kept: the session holds it weakly)
    visit = visible_visit(current_user, visit_id)
    if visit is None:
        abort(404)
    return visit


def _attendance_form(visit: Visit) -> AttendanceForm:
    return AttendanceForm(formdata=None, women=visit.attendance_women, men=visit.attendance_men,
                          obstacles=visit.obstacle_list, notes=visit.notes)


def _visit_page(visit: Visit, *, status: int = 200, form: AttendanceForm | None = None, errors=(),
                fragment: str | None = None, saved: bool = False, offline_copy: bool = False, done: str = ""):
    def whole_page() -> dict:
        # What only the whole page shows: the sign-ups and the summary are not queried for the fragment.
        worked = visit.status in WORKED
        signups = summary.visit_signups(visit) if worked else []
        return {"today": service.wita_day(now()), "signups": signups,
                "more": len(signups) >= summary.SIGNUP_LIST_LIMIT,
                "summary": summary.visit_summary(visit) if worked else None,
                "look_for": summary.participants_to_look_for(visit)}

    def visit_fragment() -> dict:
        # The fragment "visit" is the whole page's content: it shows what the page shows, and its title.
        return {**whole_page(), "own_title": True}

    return render("fieldwork/visit.html", fragment=fragment, status=status, page_context=whole_page,
                  fragment_context=visit_fragment if fragment == "visit" else None, visit=visit,
                  form=form or _attendance_form(visit), saved=saved, errors=list(errors), offline_copy=offline_copy,
                  done=done)


@bp.get(f"/visits/{VISIT_ID}")
@roles(Role.OFFICER, *STAFF)
def visit(visit_id: int):
    visit = _load(visit_id)
    if current_user.role != Role.OFFICER:
        # The office reads a visit on its own page, with what was recorded and the reopen button.
        return redirect(url_for("visits.show", visit_id=visit.id), code=303)
    # ``offline=1``: the copy "prepare for offline" stores, which can start and close the visit without signal.
    return _visit_page(visit, offline_copy=request.args.get("offline") == "1")


def _step(visit_id: int, take_step, done_message):
    """Start or close: the step on the visit, then back to its page with ``done_message(visit)``, or the refusal.
    htmx gets the visit as it now is, with the message, in this one answer (no redirect, no flash in the session)."""
    visit = _load(visit_id)
    with saving() as done:
        take_step(visit)
    if not done:
        return _visit_page(_load(visit_id), status=REFUSED, errors=done.messages, fragment="visit")
    message = done_message(visit)
    return success(url_for("fieldwork.visit", visit_id=visit_id), message,
                   swap=lambda: _visit_page(_load(visit_id), fragment="visit", done=message))


@bp.post(f"/visits/{VISIT_ID}/start")
@roles(Role.OFFICER)
def start(visit_id: int):
    return _step(visit_id, lambda visit: service.start_visit(visit, current_user, now()),
                 lambda visit: _("Visit started at %(time)s WITA.", time=format_time(visit.checked_in_at, "HH:mm")))


@bp.post(f"/visits/{VISIT_ID}/attendance")
@roles(Role.OFFICER)
def attendance(visit_id: int):
    visit = _load(visit_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        with saving(form) as done:
            service.record_attendance(visit, current_user, form.women.data, form.men.data, form.obstacles.data,
                                      form.notes.data)
        if done and form.then_sign_up.data:
            # The sign-up form next: htmx gets it in place of the visit's page in this answer (no second request).
            return success(url_for("signups.new", visit_id=visit_id), _("Attendance saved."),
                           swap=lambda: signup_form.form_in_place_of(visit, "#visit", _("Attendance saved.")))
        if done:
            # htmx swaps the saved attendance in place; without it, back to the visit's page.
            return success(url_for("fieldwork.visit", visit_id=visit_id), _("Attendance saved."),
                         swap=lambda: _visit_page(visit, fragment="attendance", saved=True))
        visit = _load(visit_id)
    return _visit_page(visit, form=form, fragment="attendance", status=REFUSED)


@bp.post(f"/visits/{VISIT_ID}/close")
@roles(Role.OFFICER)
def close(visit_id: int):
    return _step(visit_id, lambda visit: service.close_visit(visit, current_user, now()),
                 lambda visit: _("Visit closed. Thank you!"))


@bp.post(f"/visits/{VISIT_ID}/reopen")
@roles(Role.ADMIN, Role.COORDINATOR)
def reopen(visit_id: int):
    visit = _load(visit_id)
    form = ReopenForm()
    if form.validate_on_submit():
        with saving(form) as done:
            service.reopen_visit(visit, current_user, form.reason.data, now())
        if done:
            return success(url_for("visits.show", visit_id=visit_id),
                         _("The visit is open again: its officers can record sign-ups and close it."))
    return refusal("fieldwork/reopen.html", visit=_load(visit_id), form=form)
