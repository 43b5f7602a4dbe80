"""The dashboard's trend: sign-ups and attendance per week or month, on tests/reports_data.py's world.

Done visits: V1 on Mon 7 Sep (20 attendees), V2 on Mon 14 Sep (10), V3 on Mon 5 Oct (20). Live sign-ups by visit
date: 7 Sep 4 (1 activated), 14 Sep 2 (1), 5 Oct 2 (1), 6 Oct 1.
"""

from datetime import date

import pytest

from campaign_app.reports.selection import Selection
from campaign_app.reports.trend import MAX_POINTS, TrendPoint, bucket_start, trend
from tests.conftest import counting_statements
from tests.reports_data import add_copies, load_world

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def world(app_context, world_keys):
    return load_world(world_keys)


def selection_of(world, **filters) -> Selection:
    return Selection(branch_ids={world.branch.id}, **filters)


def test_a_week_starts_on_its_monday_and_a_month_on_its_first_day():
    assert bucket_start(date(2026, 10, 4), "week") == date(2026, 9, 28)
    assert bucket_start(date(2026, 10, 4), "month") == date(2026, 10, 1)


def test_weekly_trend_spans_the_data_with_empty_weeks_kept(world):
    assert trend(selection_of(world), "week") == [
        TrendPoint(date(2026, 9, 7), 1, 20, 4, 1), TrendPoint(date(2026, 9, 14), 1, 10, 2, 1),
        TrendPoint(date(2026, 9, 21)), TrendPoint(date(2026, 9, 28)), TrendPoint(date(2026, 10, 5), 1, 20, 3, 1)]


def test_a_weekly_point_names_its_iso_week(world):
    assert trend(selection_of(world), "week")[0].iso_week == (2026, 37)


def test_monthly_trend_spans_the_selection_s_period(world):
    points = trend(selection_of(world, date_from=date(2026, 9, 1), date_to=date(2026, 12, 31)), "month")
    assert points == [TrendPoint(date(2026, 9, 1), 2, 30, 6, 2), TrendPoint(date(2026, 10, 1), 1, 20, 3, 1),
                      TrendPoint(date(2026, 11, 1)), TrendPoint(date(2026, 12, 1))]


def test_the_trend_follows_the_filters(world):
    points = trend(selection_of(world, campaign_ids={world.buol.id}), "month")
    assert points == [TrendPoint(date(2026, 10, 1), 1, 20, 3, 1)]


def test_a_huge_period_is_cut_to_the_dates_with_data(world):
    points = trend(selection_of(world, date_from=date(1, 1, 1), date_to=date(9999, 12, 31)), "week")
    assert len(points) == 5 <= MAX_POINTS


def test_a_period_at_the_end_of_the_calendar_does_not_overflow(world):
    assert trend(selection_of(world, date_from=date(9999, 12, 30), date_to=date(9999, 12, 31)), "month") == [
        TrendPoint(date(9999, 12, 1))]


def test_an_empty_selection_has_no_points(world):
    assert trend(Selection(branch_ids=frozenset()), "month") == []


def test_an_empty_selection_with_a_period_has_zeros(world):
    points = trend(Selection(branch_ids=frozenset(), date_from=date(2026, 9, 1), date_to=date(2026, 10, 31)),
                   "month")
    assert points == [TrendPoint(date(2026, 9, 1)), TrendPoint(date(2026, 10, 1))]


def test_an_unknown_period_is_refused(world):
    with pytest.raises(ValueError):
        trend(selection_of(world), "fortnight")


@pytest.mark.parametrize(("filters", "statements"), [
    ({}, 1),  # the daily roll-up
    ({"channel": "market_stall"}, 2),  # the visits, then the tallies
])
def test_the_trend_is_one_or_two_statements_whatever_the_data(app, world, filters, statements):
    add_copies(world, 1)
    with counting_statements(app) as small:
        trend(selection_of(world, **filters), "week")
    add_copies(world, 4)
    with counting_statements(app) as large:
        trend(selection_of(world, **filters), "week")
    assert len(small) == len(large) == statements
