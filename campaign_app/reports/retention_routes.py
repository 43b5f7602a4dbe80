"""The retention page: how many of a dashboard view's sign-ups still pay 3, 6 and 12 months after signing up, what
they paid in their first year, what a participant still paying cost, and the same per campaign, regency, branch,
officer, channel or payer.

It holds the dashboard's filter form in its results, as the survival curves and active participants do
(``participation_routes``), with two fields of its own: the payer and the breakdown; a change swaps both (htmx), and
the page works as a plain GET form without JavaScript. The dashboard links here with its view's filters, and its
results load the measures alone (``retention_summary``) beside its figures, for the filters its form has.
"""

from flask import request, url_for
from flask_login import current_user

from campaign_app.access import roles, visible_branch_ids
from campaign_app.labels import PAYER_LABELS
from campaign_app.models import Role
from campaign_app.paging import MAX_PAGE
from campaign_app.rendering import fragment_only, render
from campaign_app.reports import bp
from campaign_app.reports.choices import dimension_labels
from campaign_app.reports.forms import RetentionFilterForm
from campaign_app.reports.retention import COSTED_MONTHS, MEASURED_MONTHS, retention
from campaign_app.reports.retention_breakdowns import (
    MAX_BRANCHES_FOR_OFFICERS,
    RETENTION_DIMENSIONS,
    officers_too_wide,
    retention_breakdown,
)
from campaign_app.reports.routes import ROWS_PER_PAGE, _filter_form


def _retention_form() -> RetentionFilterForm:
    """The dashboard's filters, the payer and the retention breakdown asked for, offered what the viewer may
    choose, checked (a refused one shows its message beside its field and is left out)."""
    form = RetentionFilterForm(formdata=request.args)
    labels = dimension_labels()
    form.retention_choices = ([(str(code), str(label)) for code, label in PAYER_LABELS.items()],
                              [(name, labels[name]) for name in RETENTION_DIMENSIONS])
    result = _filter_form(request.args, form)
    assert isinstance(result, RetentionFilterForm)
    return result


@bp.get("/retention")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def retention_page():
    form = _retention_form()
    by, payer = form.valid("by") or "campaign", form.valid("payer")
    selection = form.selection(visible_branch_ids(current_user)).narrowed(payer=payer)
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    too_wide = by == "officer" and officers_too_wide(selection)
    rows = None if too_wide else retention_breakdown(selection, by, limit=ROWS_PER_PAGE,
                                                     offset=(page - 1) * ROWS_PER_PAGE)
    params = form.params()
    narrowed = {**params, **({"payer": payer} if payer else {})}
    return render("reports/retention.html", fragment="results", form=form, params=params, narrowed=narrowed,
                  shown={**narrowed, "by": by}, measures=retention(selection), breakdown=rows, by=by,
                  by_label=dimension_labels()[by], page=page, measured=MEASURED_MONTHS, costed=COSTED_MONTHS,
                  max_branches=MAX_BRANCHES_FOR_OFFICERS, filters_for="reports.retention_page")


@bp.get("/retention/summary")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
# Without htmx the dashboard links the retention page, which shows the same measures and more.
@fragment_only(lambda: url_for("reports.retention_page", **request.args.to_dict(flat=False)))
def retention_summary():
    """The retention measures of the dashboard's view alone, with a link to their breakdown: what the dashboard's
    results load beside its figures."""
    filters = _filter_form(request.args)
    return render("reports/retention.html", fragment="measures",
                  measures=retention(filters.selection(visible_branch_ids(current_user))), narrowed=filters.params(),
                  measured=MEASURED_MONTHS, costed=COSTED_MONTHS, in_dashboard=True)
