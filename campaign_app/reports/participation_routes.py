"""What the participants did after signing up, for the dashboard's selection: the survival curves per campaign
(``/reports/survival``) and the active participants of a month per place (``/reports/active``).

Each page holds the dashboard's filter form in its results: a change swaps both (a smaller page than the
dashboard's, whose form stands apart so that its results fit a fragment's budget at national scale).
"""

from flask import request, url_for
from flask_login import current_user

from campaign_app import clock
from campaign_app.access import roles, visible_branch_ids
from campaign_app.models import Role
from campaign_app.models.payments import month_start
from campaign_app.rendering import render
from campaign_app.reports import bp
from campaign_app.reports.active_forms import ActiveFilterForm
from campaign_app.reports.charts import bar_chart
from campaign_app.reports.participants import DRILLS, ActiveRow, ActiveView, active_view
from campaign_app.reports.routes import _filter_form
from campaign_app.reports.survival import CURVES_SHOWN, SHOWN_MONTHS, campaign_curves, curves_chart
from campaign_app.summaries.retention import latest_reported_month

# The trend of active participants is drawn as small bars: half the height of the dashboard's trend.
TREND_HEIGHT = 120


@bp.get("/survival")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def survival():
    """Per campaign of the filters' selection (the ``CURVES_SHOWN`` with the most sign-ups followed), the share of
    its sign-ups still paid up by months since their sign-up month, drawn and in a table."""
    form = _filter_form(request.args)
    latest = latest_reported_month()
    curves = campaign_curves(form.selection(visible_branch_ids(current_user)))
    charts = [(curve, curves_chart([curve])) for curve in curves.curves]
    return render("reports/survival.html", fragment="results", form=form, params=form.params(), charts=charts,
                  hidden=curves.hidden, shown=CURVES_SHOWN, months=SHOWN_MONTHS,
                  latest_month=None if latest is None else month_start(latest), filters_for="reports.survival")


def _drill_url(row: ActiveRow, view: ActiveView, params: dict) -> str | None:
    """The page narrowed to ``row``'s place, listing the places in it; None for a village."""
    if view.place not in DRILLS:
        return None
    name = DRILLS[view.place][0]
    narrowed = {**params, name: row.key}
    # A district brings its regency along, so the form shows where the view is.
    if name == "district":
        narrowed["regency"] = str(row.key)[:5]
    return url_for("reports.active", **narrowed)


@bp.get("/active")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def active():
    """The participants of the filters' selection paid up in a month per branch, regency, district or village (each
    opening the next), the trend of the months before it, and per village the share of its estimated informal
    workers."""
    latest = latest_reported_month()
    form = ActiveFilterForm(formdata=request.args)
    form.offer_months(clock.today(), None if latest is None else month_start(latest))
    form = _filter_form(request.args, form)
    assert isinstance(form, ActiveFilterForm)
    month = form.chosen_month
    params = {**form.params(), "month": month.isoformat()[:7]}
    view = active_view(month, form.selection(visible_branch_ids(current_user)))
    return render("reports/active.html", fragment="results", form=form, params=params, view=view, month=month,
                  trend_chart=bar_chart([point.paid_up for point in view.active.trend], height=TREND_HEIGHT),
                  drill_url=lambda row: _drill_url(row, view, params), filters_for="reports.active")
