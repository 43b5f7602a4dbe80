"""The managers' dashboard: figures, trend and breakdown of what the viewer may see, narrowed by filters.

The filter form stands beside the results, not in them: an htmx request (a filter changed, a sort, a page, a
drill-down) swaps the results alone, and they load the form again only when it has to change (see
``_form_is_stale``). At national scale the form (a province's branches, a branch's campaigns and forty
officers) and the results are each up to about 3 KB of gzip: together they would not fit a fragment's 4 KB.

Every request of the dashboard names the query the form it shows was drawn for (``FORM_QUERY_HEADER``, sent by
static/js/dashboard.js), not the page's URL: while a form is on its way, the URL already names the view it is
for, and a change the user makes meanwhile is judged against the form still shown. A form on its way gives way
to any later request of the form, whose results load it again if need be (templates/reports/dashboard.html).
"""

from datetime import date
from urllib.parse import parse_qsl

from flask import request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from campaign_app.access import roles, visible_branch_ids
from campaign_app.dates import parse_day
from campaign_app.i18n import gettext as _
from campaign_app.models import Role
from campaign_app.paging import MAX_PAGE
from campaign_app.rendering import render
from campaign_app.reports import bp
from campaign_app.reports.breakdowns import (
    DRILLS,
    MAX_BRANCHES_FOR_PLACES,
    SORTS,
    BreakdownRow,
    breakdown,
    too_wide,
)
from campaign_app.reports.charts import bar_chart
from campaign_app.reports.choices import compare_choices, dimension_labels, filter_choices
from campaign_app.reports.comparison import MAX_CAMPAIGNS, MIN_CAMPAIGNS, compare, figure_labels
from campaign_app.reports.forms import (
    FILTER_NAMES,
    VIEW_NAMES,
    CompareForm,
    DashboardFilterForm,
    form_is_current,
)
from campaign_app.reports.metrics import ProgrammeUse, figures
from campaign_app.reports.pictures import breakdown_chart, comparison_charts
from campaign_app.reports.survival import compare_survival, curves_chart
from campaign_app.reports.trend import trend

ROWS_PER_PAGE = 15
# The trend table shows the latest 13 weeks (a quarter) or months (a year, and the same month a year before),
# newest first; the chart draws them all. The earlier ones load on demand, two years of weeks at a time, and
# the trend's page and export hold them all: with national numbers a row is about 30 B of gzip, and two years
# of weeks in the table had been a third of a fragment's 4 KB.
TREND_ROWS = 13
EARLIER_TREND_ROWS = 104
# The figures list the subsidy programmes nearest their quota; the figures' export lists them all (309 at
# national scale, 7 KB of gzip).
PROGRAMMES_SHOWN = 5
# Campaigns asked for in a query string beyond this many are not looked at (the forms refuse so many anyway).
MAX_ASKED_CAMPAIGNS = 50
# The query-string values the filter choices depend on (a drill-down's region or officer is offered).
ASKED = ("province", "branch", "regency", "district", "village", "officer")
# The filter form's id: htmx names it in HX-Trigger when the form itself makes the request.
FILTER_FORM_ID = "filters"
# The request header naming the query string the filter form shown in the browser was drawn for.
FORM_QUERY_HEADER = "X-Filters-For"
# The query-string name each drill-down's selection field is read from.
DRILL_PARAMS = {"branch_ids": "branch", "campaign_ids": "campaign", "regency_code": "regency",
                "district_code": "district", "village_code": "village", "officer_id": "officer", "channel": "channel"}


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


def _filter_form(args, form: DashboardFilterForm | None = None) -> DashboardFilterForm:
    """The dashboard's filter form read from the query ``args`` (or ``form``, another page's form of the same
    filters read from them), offered what the viewer may choose, checked.

    A refused filter shows its message beside its field and is left out."""
    form = form or DashboardFilterForm(formdata=args)
    form.offer(filter_choices(current_user, **{name: args.get(name, "") for name in ASKED},
                              campaigns=tuple(args.getlist("campaign")[:MAX_ASKED_CAMPAIGNS])))
    form.validate()
    return form


def _shown_query() -> MultiDict | None:
    """The query the filter form the browser shows was drawn for (``FORM_QUERY_HEADER``), or None when the request
    does not say."""
    shown = request.headers.get(FORM_QUERY_HEADER)
    return None if shown is None else MultiDict(parse_qsl(shown, keep_blank_values=True))


def _form_is_stale(form: DashboardFilterForm) -> bool:
    """Whether the results of an htmx request must load the filter form again: its choices or, after a link, its
    values differ from those the browser shows (``form_is_current``), or it has messages to show or to clear.
    Asked only for the results alone: a page holds the form."""
    shown = _shown_query()
    if not form_is_current(request.args, shown, from_form=request.headers.get("HX-Trigger") == FILTER_FORM_ID):
        return True
    # The same choices: the form shown is checked against them without a query.
    before = DashboardFilterForm(formdata=shown)
    before.offer(form.offered)
    before.validate()
    return bool(form.errors or before.errors)


def _form_query() -> dict[str, list[str]]:
    """The filter form's values as the query string gave them, refused ones too (their messages are shown)."""
    return {name: values for name in (*FILTER_NAMES, *VIEW_NAMES) if (values := request.args.getlist(name))}


def _nearest_quota(programmes: list[ProgrammeUse]) -> list[ProgrammeUse]:
    """The programmes, the most of whose quota is used first (no quota at all counts as used up)."""
    return sorted(programmes, key=lambda p: -(p.used_overall / p.quota) if p.quota else float("-inf"))


@bp.get("/")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def dashboard():
    visible = visible_branch_ids(current_user)
    form = _filter_form(request.args)
    selection, params = form.selection(visible), form.params()
    period = form.valid("period") or "week"
    by = form.valid("by") or "regency"
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "signups"
    descending = request.args.get("desc") != "0"
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    points = trend(selection, period)
    rows = None if too_wide(selection, by) else breakdown(selection, by, sort, descending, limit=ROWS_PER_PAGE,
                                                            offset=(page - 1) * ROWS_PER_PAGE)
    view = {**params, "period": period, "by": by}
    counted = figures(selection)
    response = render("reports/dashboard.html", fragment="results", form=form, figures=counted,
                      programmes=_nearest_quota(counted.programmes), programmes_shown=PROGRAMMES_SHOWN,
                      points=points, recent=points[::-1][:TREND_ROWS],
                      chart=bar_chart([point.signups for point in points]), breakdown=rows,
                      rows_chart=breakdown_chart(rows.rows, by) if rows is not None and page == 1 else None,
                      max_branches=MAX_BRANCHES_FOR_PLACES, params=params,
                      view=view, sort=sort, descending=descending, page=page,
                      drill_url=lambda row: _drill_url(row, params, by, period), by_label=dimension_labels()[by],
                      stale_form=False, fragment_context=lambda: {"stale_form": _form_is_stale(form), "announce": True},
                      form_query=_form_query())
    # Whether the results load the filter form depends on the form the browser shows and what made the request.
    response.vary.update((FORM_QUERY_HEADER, "HX-Trigger"))
    return response


@bp.get("/filters")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def filters():
    """The dashboard's filter form alone, for the view its query string names: what the dashboard's results load
    when the form shown beside them has to change."""
    return render("reports/filters.html", fragment="filters", form=_filter_form(request.args))


@bp.get("/trend")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def trend_numbers():
    """The trend's numbers of the dashboard's view, newest first: all of them, or (``before``, a date) the
    ``EARLIER_TREND_ROWS`` before that date, with a link to those before them: what the dashboard's table loads
    on demand."""
    form = _filter_form(request.args)
    period = form.valid("period") or "week"
    points = trend(form.selection(visible_branch_ids(current_user)), period)
    # Any day: one before every point lists none, as it always did.
    before = parse_day(request.args.get("before"), date.min, date.max)
    earlier = [point for point in points if point.starts_on < before] if before else points
    rows = earlier[::-1][:EARLIER_TREND_ROWS] if before else earlier[::-1]
    return render("reports/trend.html", fragment="rows", rows=rows, more=len(earlier) > len(rows),
                  view={**form.params(), "period": period})


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
    survival = compare_survival(visible, [(c.id, c.name, c.figures.signups) for c in campaigns]) if campaigns else None
    return render("reports/compare.html", fragment="results", form=form, campaigns=campaigns, rows=rows,
                  labels=figure_labels(), charts=comparison_charts(campaigns), survival=survival,
                  survival_chart=survival and curves_chart(survival.curves, {c.id: c.name for c in campaigns}))
