"""The dashboards read the same numbers from the roll-ups as from the visits and tallies, for every selection,
breakdown and trend period: tests/reports_data.py's world and three more done visits of 29 Sep – 1 Oct 2026, each
by a new officer, built once for the module (every test here only reads)."""

from dataclasses import asdict
from datetime import date

import pytest

from campaign_app.reports.breakdowns import DIMENSIONS, breakdown
from campaign_app.reports.metrics import figures
from campaign_app.reports.selection import Selection
from campaign_app.reports.trend import trend
from tests.reports_data import add_copies, load_world

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture(scope="module")
def copies(isolation, world_keys):
    """The three copies, kept for the module's tests and undone after."""
    with isolation.kept(lambda: add_copies(load_world(world_keys), 3, day=date(2026, 9, 29))):
        yield


@pytest.fixture
def world(app_context, world_keys, copies):
    return load_world(world_keys)


SELECTIONS = [
    {},
    {"date_from": date(2026, 9, 1), "date_to": date(2026, 9, 30)},
    {"date_from": date(2026, 9, 10), "date_to": date(2026, 10, 5)},
    {"date_from": date(2026, 9, 8), "date_to": date(2026, 12, 31)},
    {"date_from": date(2026, 8, 15), "date_to": date(2026, 10, 5)},
    {"date_to": date(2026, 9, 14)},
    {"date_from": date(2026, 10, 6)},
    {"regency_code": "72.05"},
    {"channel": "market_stall", "date_from": date(2026, 9, 10)},
]


@pytest.mark.parametrize("filters", SELECTIONS)
def test_figures_from_the_roll_ups_equal_figures_from_the_visits(world, filters):
    selection = Selection(branch_ids={world.branch.id}, **filters)
    assert asdict(figures(selection)) == asdict(figures(selection, rolled_up=False))


@pytest.mark.parametrize("filters", SELECTIONS)
@pytest.mark.parametrize("by", DIMENSIONS)
def test_breakdowns_from_the_roll_ups_equal_breakdowns_from_the_visits(world, filters, by):
    selection = Selection(branch_ids={world.branch.id}, **filters)
    assert breakdown(selection, by) == breakdown(selection, by, rolled_up=False)


@pytest.mark.parametrize("filters", SELECTIONS[:7])
@pytest.mark.parametrize("period", ["week", "month"])
def test_the_trend_from_the_daily_roll_up_equals_the_trend_from_the_visits(world, filters, period):
    selection = Selection(branch_ids=None, **filters)
    assert trend(selection, period) == trend(selection, period, rolled_up=False)
