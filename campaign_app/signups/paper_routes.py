"""Paper as a last resort: the visit's printable sheet, and entering its rows afterwards."""

from flask import abort, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign_app.access import roles
from campaign_app.answers import REFUSED, committing, saving, success
from campaign_app.ids import parse_id
from campaign_app.models import Role, Visit
from campaign_app.rendering import render
from campaign_app.signups import bp, form_routes, paper, records
from campaign_app.signups.lookup import audit_refused_duplicate
from campaign_app.signups.paper_forms import PaperRowForm
from campaign_app.signups.service import DuplicateNik, RowEnteredAlready
from campaign_app.validation import Refused
from campaign_app.visits import queries
from campaign_app.visits.service import may_see_visit

VISIT_ID = "<id:visit_id>"
ENTER_FROM_PAPER = (Role.OFFICER, Role.COORDINATOR)


def _load(visit_id: int) -> Visit:
    """The visit with its village, campaign and officers; 404 unless ``current_user`` may enter its sheet."""
    visit = queries.load_visit(visit_id)
    if visit is None or not may_see_visit(current_user, visit) or not paper.may_enter(current_user, visit):
        abort(404)
    return visit


def _back_url(visit: Visit) -> str:
    """The visit's page for whoever reads it: the officer's, or the office's."""
    if current_user.role == Role.OFFICER:
        return url_for("fieldwork.visit", visit_id=visit.id)
    return url_for("visits.show", visit_id=visit.id)


@bp.get(f"/visits/{VISIT_ID}/sheet")
@roles(*ENTER_FROM_PAPER)
def sheet(visit_id: int):
    visit = _load(visit_id)
    rows = paper.sheet_rows(parse_id(request.args.get("rows")))
    return render("signups/sheet.html", visit=visit, sheet=paper.sheet_for(visit, rows),
                  row_choices=paper.SHEET_ROW_CHOICES, back_url=_back_url(visit))


def _form(visit: Visit, formdata=None) -> PaperRowForm:
    programmes = [SelectChoice(str(p.id), p.name) for p in records.running_programmes(visit.visit_date)]
    officers = [SelectChoice(str(a.officer_id), a.officer.full_name) for a in visit.assignments]
    return PaperRowForm(programmes, officers, formdata=formdata)


def _page(visit: Visit, form: PaperRowForm, *, status: int = 200, saved=None, existing_id: int | None = None):
    return render("signups/paper.html", fragment="paper_form", status=status, visit=visit, form=form,
                  code=paper.visit_code(visit), consent=paper.consent_on_sheet(visit),
                  accepts_rows=paper.accepts_rows(visit), choose_collector=current_user.role != Role.OFFICER,
                  entered=paper.entered_rows(visit.id), saved=saved, existing_id=existing_id,
                  back_url=_back_url(visit))


@bp.route(f"/visits/{VISIT_ID}/paper", methods=["GET", "POST"])
@roles(*ENTER_FROM_PAPER)
def paper_rows(visit_id: int):
    visit = _load(visit_id)
    if request.method == "GET":
        form = _form(visit)
        form.sheet_row.data = parse_id(request.args.get("row")) or 1
        form.collector.data = visit.checked_in_by_id
        saved_id = parse_id(request.args.get("saved"))
        saved = records.visible_signup(current_user, saved_id) if saved_id is not None else None
        return _page(visit, form, saved=saved if saved is not None and saved.visit_id == visit.id else None)

    form = _form(visit, request.form)
    read = form.validate()
    values = form.values()
    with saving(form) as done:
        if not read:
            # Something could not be read (an amount, the row number): shown with every other message.
            errors = paper.row_errors(visit=visit, actor=current_user, **values)
            raise Refused({name: messages for name, messages in errors.items()
                           if not (name and getattr(form, name).errors)})
        outcome = paper.record_paper_row(visit=visit, actor=current_user, **values, now=form_routes.now())
        # Built before the commit expires what was loaded: the next row's number is offered.
        saved_url = url_for("signups.paper_rows", visit_id=visit_id, saved=outcome.signup.id,
                            row=values["sheet_row"] + 1)
    if done:
        return success(saved_url)
    existing = done.refused if isinstance(done.refused, DuplicateNik | RowEnteredAlready) else None
    existing_id = existing.existing_id if existing is not None else None
    if isinstance(done.refused, DuplicateNik) and existing_id is not None:
        # The refusal told whether the NIK is registered: audited like the NIK check's look-up.
        with committing():
            audit_refused_duplicate(existing_id, current_user, form_routes.now())
    if existing_id is not None and records.visible_signup(current_user, existing_id) is None:
        existing_id = None
    return _page(_load(visit_id), form, status=409 if existing else REFUSED, existing_id=existing_id)
