"""The managers' dashboard: figures, trend and breakdown of what the viewer may see, narrowed by filters."""

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign_app.access import roles, visible_branch_ids
from campaign_app.models import Role
from campaign_app.rendering import render
from campaign_app.reports import bp
from campaign_app.reports.breakdowns import DRILLS, SORTS, BreakdownRow, breakdown
from campaign_app.reports.charts import bar_chart
from campaign_app.reports.choices import compare_choices, dimension_labels, filter_choices
from campaign_app.reports.comparison import MAX_CAMPAIGNS, MIN_CAMPAIGNS, compare, figure_labels
from campaign_app.reports.forms import CompareForm, DashboardFilterForm
from campaign_app.reports.metrics import figures
from campaign_app.reports.trend import trend
from campaign_app.visits.queries import MAX_PAGE

ROWS_PER_PAGE = 15
# Campaigns asked for in a query string beyond this many are not looked at (the forms refuse so many anyway).
MAX_ASKED_CAMPAIGNS = 50
# The query-string values the filter choices depend on (a drill-down's region or officer is offered).
ASKED = ("branch", "regency", "district", "village", "officer")
# The query-string name each drill-down's selection field is read from.
DRILL_PARAMS = {"regency_code": "regency", "district_code": "district", "village_code": "village",
                "officer_id": "officer", "channel": "channel"}


def _drill_url(row: BreakdownRow, params: dict, by: str, period: str) -> str | None:
    """The dashboard narrowed to the row, showing the next breakdown; None for rows with nowhere to go."""
    if row.drill is None:
        return None
    field = DRILLS[by][0]
    narrowed = {**params, DRILL_PARAMS[field]: row.key}
    # A district or village brings its regency (and district) along, so the form shows where the view is.
    if field in ("district_code", "village_code"):
        narrowed["regency"] = row.key[:5]
    if field == "village_code":
        narrowed["district"] = row.key[:8]
    return url_for("reports.dashboard", **narrowed, period=period, by=row.drill.by or by)


@bp.get("/")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def dashboard():
    visible = visible_branch_ids(current_user)
    form = DashboardFilterForm(formdata=request.args)
    choices = filter_choices(current_user, **{name: request.args.get(name, "") for name in ASKED},
                             campaigns=tuple(request.args.getlist("campaign")[:MAX_ASKED_CAMPAIGNS]))
    form.offer(choices)
    # A refused filter shows its message beside its field and is left out.
    form.validate()
    selection, params = form.selection(visible), form.params()
    period = form.valid("period") or "week"
    by = form.valid("by") or "regency"
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "signups"
    descending = request.args.get("desc") != "0"
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    points = trend(selection, period)
    rows = breakdown(selection, by, sort, descending, limit=ROWS_PER_PAGE, offset=(page - 1) * ROWS_PER_PAGE)
    view = {**params, "period": period, "by": by}
    return render("reports/dashboard.html", fragment="results", form=form, figures=figures(selection),
                  points=points, chart=bar_chart([point.signups for point in points]), breakdown=rows,
                  params=params, view=view, sort=sort, descending=descending, page=page,
                  drill_url=lambda row: _drill_url(row, params, by, period),
                  by_label=dimension_labels()[by], several_branches=choices.several_branches)


@bp.get("/compare")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def compare_campaigns():
    visible = visible_branch_ids(current_user)
    form = CompareForm(formdata=request.args)
    choices = compare_choices(current_user, branch=request.args.get("branch", ""),
                              campaigns=tuple(request.args.getlist("campaign")[:MAX_ASKED_CAMPAIGNS]))
    form.offer(choices)
    options = choices.campaign
    form.validate()
    chosen = form.campaign_ids()
    if len(chosen) > MAX_CAMPAIGNS:
        form.campaign.errors = [*form.campaign.errors, _("Choose at most %(n)d campaigns.", n=MAX_CAMPAIGNS)]
    if request.args.get("campaign") is not None and len(chosen) < MIN_CAMPAIGNS:
        form.campaign.errors = [*form.campaign.errors, _("Choose at least %(n)d campaigns.", n=MIN_CAMPAIGNS)]
    campaigns, rows = compare(visible, chosen, dict(options)) if MIN_CAMPAIGNS <= len(chosen) <= MAX_CAMPAIGNS \
        else ([], [])
    return render("reports/compare.html", fragment="results", form=form, campaigns=campaigns, rows=rows,
                  labels=figure_labels())
