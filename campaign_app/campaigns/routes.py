from datetime import UTC, datetime
from uuid import uuid4

from flask import abort, current_app, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign_app import clock
from campaign_app.access import roles
from campaign_app.answers import committing, form_page, refusal, saving, success
from campaign_app.branches.service import branch_options
from campaign_app.campaigns import bp, service
from campaign_app.campaigns.forms import CampaignFilterForm, CampaignForm, ConfirmForm, NewCampaignForm
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import Branch, Campaign, Role
from campaign_app.rendering import render

CAMPAIGN_ID = "<id:campaign_id>"
VISITS_PER_PAGE = 10


def _load(campaign_id: int) -> Campaign:
    # Another branch's campaign is "not found", not "forbidden": its existence is nobody else's business.
    campaign = service.visible_campaign(current_user, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


@bp.get("/")
@roles(Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
def index():
    branches = service.campaign_branches(current_user)
    filters = CampaignFilterForm([SelectChoice(str(id_), name) for id_, name in branches], formdata=request.args)
    filters.validate()
    # A filter that is not one of the choices is shown as an error and ignored.
    status = filters.status.data if not filters.status.errors and filters.status.data else "open"
    branch = filters.branch.data if not filters.branch.errors else ""
    page, rows = service.list_campaigns(
        current_user, status=status, branch_id=int(branch) if branch else None,
        page=request.args.get("page", 1, type=int), per_page=current_app.config["PAGE_SIZE"],
    )
    params = {key: value for key, value in (("status", status), ("branch", branch)) if value}
    return render("campaigns/index.html", fragment="results", filters=filters, page=page, rows=rows,
                  params=params, several_branches=len(branches) > 1)


def _branch_choices() -> list[SelectChoice]:
    return [SelectChoice(str(id_), name) for id_, name in branch_options()]


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.COORDINATOR)
def create():
    # A coordinator plans for their own branch; only an administrator chooses.
    choose_branch = current_user.role == Role.ADMIN
    form = NewCampaignForm(_branch_choices()) if choose_branch else CampaignForm()
    if request.method == "GET":
        form.starts_on.data = form.starts_on.data or clock.today()
        # One key per form shown: submitting it twice finds the campaign the first submit made.
        form.form_key.data = uuid4().hex
    if form.validate_on_submit():
        branch = db.session.get(Branch, form.branch.data) if choose_branch else current_user.branch
        if branch is None:  # deleted since the form was shown
            abort(400)
        with saving(form) as done:
            campaign = service.create_campaign(branch=branch, created_by=current_user, form_key=form.form_key.data,
                                               **form.values())
        if done:
            return success(url_for("campaigns.show", campaign_id=campaign.id),
                         _("Campaign %(name)s created.", name=campaign.name))
    return form_page("campaigns/new.html", form=form, choose_branch=choose_branch)


@bp.get(f"/{CAMPAIGN_ID}")
@roles(Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
def show(campaign_id: int):
    campaign = _load(campaign_id)
    visits = service.campaign_visits(campaign, page=request.args.get("page", 1, type=int),
                                     per_page=VISITS_PER_PAGE)
    return render("campaigns/show.html", fragment="visits", campaign=campaign,
                  progress=service.campaign_progress(campaign), visits=visits,
                  may_change=current_user.role in (Role.ADMIN, Role.COORDINATOR),
                  confirm_form=ConfirmForm(formdata=None))


def _saved_form(campaign: Campaign) -> CampaignForm:
    return CampaignForm(
        formdata=None, name=campaign.name, channel=campaign.channel, starts_on=campaign.starts_on,
        ends_on=campaign.ends_on, target_signups=campaign.target_signups,
        target_villages=campaign.target_villages, budget=campaign.budget, partner=campaign.partner,
        subsidy_programme=campaign.subsidy_programme, description=campaign.description,
    )


@bp.route(f"/{CAMPAIGN_ID}/edit", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.COORDINATOR)
def edit(campaign_id: int):
    campaign = _load(campaign_id)
    if request.method == "GET":
        return render("campaigns/edit.html", campaign=campaign, form=_saved_form(campaign))
    form = CampaignForm()
    # A closed campaign shows why it cannot be changed instead of the form.
    if campaign.is_open and form.validate_on_submit():
        with saving(form) as done:
            service.update_campaign(campaign, **form.values())
        if done:
            return success(url_for("campaigns.show", campaign_id=campaign.id),
                         _("Campaign %(name)s saved.", name=campaign.name))
    return refusal("campaigns/edit.html", campaign=campaign, form=form)


def _confirmed() -> bool:
    """Whether the post came from the page's button; a bare post (a stray request) changes nothing."""
    return ConfirmForm().validate_on_submit()


@bp.post(f"/{CAMPAIGN_ID}/close")
@roles(Role.ADMIN, Role.COORDINATOR)
def close(campaign_id: int):
    campaign = _load(campaign_id)
    if not _confirmed():
        abort(400)
    with committing():
        service.close_campaign(campaign, now=datetime.now(UTC))
    # A full page load for htmx, so that the message shows.
    return success(url_for("campaigns.show", campaign_id=campaign.id),
                 _("Campaign %(name)s closed: no new visits can be scheduled.", name=campaign.name), reload=True)


@bp.post(f"/{CAMPAIGN_ID}/reopen")
@roles(Role.ADMIN)
def reopen(campaign_id: int):
    campaign = _load(campaign_id)
    if not _confirmed():
        abort(400)
    with committing():
        service.reopen_campaign(campaign)
    return success(url_for("campaigns.show", campaign_id=campaign.id),
                 _("Campaign %(name)s reopened.", name=campaign.name), reload=True)
