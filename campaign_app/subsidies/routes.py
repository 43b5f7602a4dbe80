"""Subsidy programmes: planners and managers read them with their quota; administrators add and change them."""

from datetime import UTC, datetime

from flask import abort, current_app, request, url_for
from flask_login import current_user

from campaign_app import clock
from campaign_app.access import roles, visible_branch_ids
from campaign_app.answers import form_page, refusal, saving, success
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import Role, SubsidyProgramme
from campaign_app.rendering import render
from campaign_app.subsidies import bp, service
from campaign_app.subsidies.cliff import subsidy_cliff
from campaign_app.subsidies.forms import ProgrammeForm

PROGRAMME_ID = "<id:programme_id>"
READERS = (Role.ADMIN, Role.COORDINATOR, Role.MANAGER)


def _load(programme_id: int) -> SubsidyProgramme:
    # Programmes are the whole agency's: no branch scoping, only existence.
    programme = db.session.get(SubsidyProgramme, programme_id)
    if programme is None:
        abort(404)
    return programme


@bp.get("/")
@roles(*READERS)
def index():
    page = service.list_programmes(clock.today(), page=request.args.get("page", 1, type=int),
                                   per_page=current_app.config["PAGE_SIZE"])
    return render("subsidies/index.html", fragment="results", page=page,
                  page_context=lambda: {"cliff": subsidy_cliff(clock.today(), visible_branch_ids(current_user))})


@bp.get(f"/{PROGRAMME_ID}")
@roles(*READERS)
def show(programme_id: int):
    programme = _load(programme_id)
    # Each reader sees the counts of the branches they may see; the total used counts every branch.
    return render("subsidies/show.html", programme=programme, used=service.used_quota(programme),
                  state=service.programme_state(programme, clock.today()),
                  by_branch=service.signups_by_branch(programme, visible_branch_ids(current_user)))


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new():
    form = ProgrammeForm()
    if form.validate_on_submit():
        with saving(form) as done:
            programme = service.create_programme(**form.values(), created_by=current_user, now=datetime.now(UTC))
        if done:
            return success(url_for("subsidies.show", programme_id=programme.id),
                           _("Subsidy programme %(name)s added.", name=programme.name))
    return form_page("subsidies/new.html", form=form)


@bp.route(f"/{PROGRAMME_ID}/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit(programme_id: int):
    programme = _load(programme_id)
    if request.method == "GET":
        form = ProgrammeForm(formdata=None, obj=programme)
        return render("subsidies/edit.html", programme=programme, form=form, used=service.used_quota(programme))
    form = ProgrammeForm()
    if form.validate_on_submit():
        with saving(form) as done:
            changes = service.update_programme(programme, **form.values(), changed_by=current_user,
                                               now=datetime.now(UTC))
        if done and changes:
            return success(url_for("subsidies.show", programme_id=programme.id),
                           _("Subsidy programme %(name)s saved.", name=programme.name))
        if done:
            return success(url_for("subsidies.show", programme_id=programme.id), _("Nothing was changed."),
                           category="info")
    return refusal("subsidies/edit.html", programme=programme, form=form, used=service.used_quota(programme))
