"""What the reports' bar charts draw, labelled in the request's language: the breakdown's first rows and each compared
campaign's sign-ups, conversion and cost per sign-up (their geometry: ``charts``). A rate resting on too few cases
gets no bar: its row says so, as the tables do."""

from campaign_app.formatting import number, percent, rupiah
from campaign_app.i18n import gettext as _
from campaign_app.reports.breakdowns import BreakdownRow
from campaign_app.reports.charts import HorizontalBars, horizontal_bars
from campaign_app.reports.comparison import ComparedCampaign
from campaign_app.reports.exports import LABELLERS
from campaign_app.reports.metrics import Rate

# The breakdown's chart draws the sign-ups of its first rows (the top of the ranking, on its first page).
CHARTED_ROWS = 6
# The comparison's charts: (figure, kind) drawn as bars per campaign.
COMPARE_CHARTS = (("signups", "count"), ("conversion", "percent"), ("cost_per_signup", "money"))


def breakdown_chart(rows: list[BreakdownRow], by: str) -> HorizontalBars | None:
    """Bars of the sign-ups of the breakdown's first ``CHARTED_ROWS`` rows; None when there are none."""
    shown = rows[:CHARTED_ROWS]
    if not any(row.signups for row in shown):
        return None
    label = LABELLERS.get(by)
    return horizontal_bars([(label(row.label) if label else row.label, row.signups, number(row.signups))
                            for row in shown])


def _bar_text(value: Rate | int, kind: str) -> tuple[float | None, str]:
    """A compared figure as (bar length's value, text): no bar for a rate resting on too few cases."""
    if not isinstance(value, Rate):
        return value, number(value)
    if value.value is None:
        return None, "—"
    if not value.comparable:
        return None, _("too few to compare")
    return value.value, percent(value.value) if kind == "percent" else rupiah(round(value.value))


def comparison_charts(campaigns: list[ComparedCampaign]) -> list[tuple[str, HorizontalBars]]:
    """(figure, bars per campaign) for each of ``COMPARE_CHARTS``."""
    charts = []
    for attribute, kind in COMPARE_CHARTS:
        rows = []
        for campaign in campaigns:
            value, text = _bar_text(getattr(campaign.figures, attribute), kind)
            rows.append((campaign.name, value, text))
        charts.append((attribute, horizontal_bars(rows)))
    return charts
