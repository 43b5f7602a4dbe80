"""The managers' dashboard: figures, trend and breakdown of what the viewer may see, narrowed by filters."""

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from campaign_app.access import roles, visible_branch_ids
from campaign_app.campaigns.service import campaign_branches
from campaign_app.extensions import db
from campaign_app.labels import channel_label
from campaign_app.models import Channel, Role, User
from campaign_app.rendering import render
from campaign_app.reports import bp
from campaign_app.reports.breakdowns import DIMENSIONS, DRILLS, SORTS, BreakdownRow, breakdown
from campaign_app.reports.charts import bar_chart
from campaign_app.reports.comparison import MAX_CAMPAIGNS, MIN_CAMPAIGNS, compare
from campaign_app.reports.forms import FILTER_NAMES, CompareForm, DashboardFilterForm
from campaign_app.reports.metrics import figures
from campaign_app.reports.selection import Selection
from campaign_app.reports.trend import trend
from campaign_app.villages.scope import district_options, regency_options, visible_village
from campaign_app.visits.queries import ID_TEXT, MAX_PAGE, branch_officers, visible_campaigns

ROWS_PER_PAGE = 15
LARGEST_ID = 2147483647
# The query-string name each drill-down's selection field is read from.
DRILL_PARAMS = {"regency_code": "regency", "district_code": "district", "village_code": "village",
                "officer_id": "officer", "channel": "channel"}


def _id(text: str | None) -> int | None:
    """A database id from the query string, or None when it is not one (PostgreSQL refuses ids past 2³¹−1)."""
    if not ID_TEXT.match(text or "") or int(text) > LARGEST_ID:
        return None
    return int(text)


def _dimension_labels() -> dict[str, str]:
    return {"regency": _("Regency"), "district": _("District"), "village": _("Village"), "officer": _("Officer"),
            "channel": _("Channel"), "occupation": _("Occupation"), "payer": _("Payer")}


def _officer_choices(visible: set[int] | None, branch_id: int | None) -> list[SelectChoice]:
    # Someone who sees every branch is offered their own branch's officers and the chosen branch's (a national
    # list would be huge); an officer a drill-down links to is offered too.
    scope = visible if visible is not None else {current_user.branch_id} | ({branch_id} if branch_id else set())
    officers = branch_officers(scope)
    wanted = _id(request.args.get("officer"))
    if wanted is not None and wanted not in {id_ for id_, _name in officers}:
        statement = select(User.id, User.full_name).where(User.id == wanted, User.role == Role.OFFICER)
        if visible is not None:
            statement = statement.where(User.branch_id.in_(visible))
        officers = [*officers, *db.session.execute(statement)]
    return [SelectChoice("", _("All officers")), *(SelectChoice(str(id_), name) for id_, name in officers)]


def _filter_form(visible: set[int] | None) -> tuple[DashboardFilterForm, Selection, dict]:
    """The filters from the query string, checked; a refused one shows its message and is left out."""
    form = DashboardFilterForm(formdata=request.args)
    branches = campaign_branches(current_user)
    form.branch.choices = [SelectChoice("", _("All branches")), *(SelectChoice(str(i), n) for i, n in branches)]
    form.campaign.choices = [SelectChoice(str(i), n) for i, n in visible_campaigns(current_user)]
    regencies = regency_options(visible)
    form.regency.choices = [SelectChoice("", _("All regencies")), *(SelectChoice(c, n) for c, n in regencies)]
    regency_codes = {code for code, _name in regencies}
    # The districts of the chosen regency, or of the regency a district (a drill-down) belongs to.
    regency = request.args.get("regency") or request.args.get("district", "")[:5]
    districts = district_options(visible, regency) if regency in regency_codes else []
    form.district.choices = [SelectChoice("", _("All districts")), *(SelectChoice(c, n) for c, n in districts)]
    village = visible_village(visible, request.args.get("village", ""))
    form.village.choices = [SelectChoice("", _("All villages")),
                            *([SelectChoice(village.code, village.name)] if village else [])]
    form.channel.choices = [SelectChoice("", _("All channels")),
                            *(SelectChoice(c.value, channel_label(c)) for c in Channel)]
    branch_id = _id(request.args.get("branch"))
    form.officer.choices = _officer_choices(visible, branch_id if branch_id in {i for i, _n in branches} else None)
    form.period.choices = [SelectChoice("week", _("Weeks")), SelectChoice("month", _("Months"))]
    labels = _dimension_labels()
    form.by.choices = [SelectChoice(name, labels[name]) for name in DIMENSIONS]
    form.validate()

    branch = form.valid("branch")
    officer = form.valid("officer")
    selection = Selection.for_viewer(
        visible, branch_id=int(branch) if branch else None, campaign_ids=form.campaign_ids(),
        date_from=form.valid("date_from"), date_to=form.valid("date_to"), regency_code=form.valid("regency"),
        district_code=form.valid("district"), village_code=form.valid("village"), channel=form.valid("channel"),
        officer_id=int(officer) if officer else None)
    params = {name: form.valid(name) for name in FILTER_NAMES if name != "campaign"}
    params = {name: value.isoformat() if hasattr(value, "isoformat") else value
              for name, value in params.items() if value}
    if form.campaign_ids():
        params["campaign"] = form.campaign_ids()
    return form, selection, params


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
    form, selection, params = _filter_form(visible)
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
                  by_label=_dimension_labels()[by], several_branches=len(form.branch.choices) > 2,
                  exports="reports.export" in current_app.view_functions)


def _figure_labels() -> dict[str, str]:
    return {"visits_planned": _("Visits planned"), "visits_done": _("Visits done"), "attendance": _("Attendance"),
            "signups": _("Sign-ups"), "signups_per_visit": _("Sign-ups per visit"),
            "signups_per_officer_day": _("Sign-ups per officer-day"), "conversion": _("Conversion"),
            "activation": _("Activation"), "cost_per_signup": _("Cost per sign-up"),
            "cost_per_activated": _("Cost per activated"), "village_coverage": _("Villages visited"),
            "worker_coverage": _("Workers signed up"), "women_share": _("Women")}


@bp.get("/compare")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def compare_campaigns():
    visible = visible_branch_ids(current_user)
    form = CompareForm(formdata=request.args)
    form.campaign.choices = [SelectChoice(str(i), n) for i, n in visible_campaigns(current_user)]
    form.validate()
    chosen = form.campaign_ids()
    if len(chosen) > MAX_CAMPAIGNS:
        form.campaign.errors = [*form.campaign.errors, _("Choose at most %(n)d campaigns.", n=MAX_CAMPAIGNS)]
    if request.args.get("campaign") is not None and len(chosen) < MIN_CAMPAIGNS:
        form.campaign.errors = [*form.campaign.errors, _("Choose at least %(n)d campaigns.", n=MIN_CAMPAIGNS)]
    campaigns, rows = compare(visible, chosen) if MIN_CAMPAIGNS <= len(chosen) <= MAX_CAMPAIGNS else ([], [])
    return render("reports/compare.html", fragment="results", form=form, campaigns=campaigns, rows=rows,
                  labels=_figure_labels())
