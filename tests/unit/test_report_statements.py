"""The reports' statements are built once per shape of the selection, and each run reads its own values.

The caches hold statements, never rows: a statement built for one selection, run for another of the same shape
(the same filters given, other values), counts what the other selects; and rows written since show up."""

from datetime import date

import pytest

from campaign_app.reports import breakdowns, metrics, retention, trend
from campaign_app.reports.breakdowns import breakdown
from campaign_app.reports.metrics import figures
from campaign_app.reports.selection import Selection
from campaign_app.reports.sources import shaped
from tests.reports_data import load_world, sign

pytestmark = pytest.mark.usefixtures("app_context")

CACHES = (metrics._figures_statements, breakdowns._statement, retention._retention_statements,
          retention._curves_statement, retention._active_statements, trend._per_day_statements)


@pytest.fixture
def world(app_context, world_keys):
    return load_world(world_keys)


def fresh(count, selection):
    """What ``count`` gives for ``selection`` with every statement built anew for it."""
    for cache in CACHES:
        cache.cache_clear()
    return count(selection)


def test_selections_of_one_shape_share_their_key_and_not_their_values(world):
    september = Selection(branch_ids={world.branch.id}, date_from=date(2026, 9, 1), date_to=date(2026, 9, 30))
    october = september.narrowed(date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    (september_key, september_values), (october_key, october_values) = shaped(september), shaped(october)
    assert september_key == october_key
    assert september_values != october_values


@pytest.mark.parametrize("count", [figures, lambda s: breakdown(s, "campaign"), lambda s: trend.trend(s, "month")],
                         ids=["figures", "breakdown", "trend"])
def test_a_statement_built_for_one_selection_counts_another_of_its_shape(world, count):
    september = Selection(branch_ids={world.branch.id}, date_from=date(2026, 9, 1), date_to=date(2026, 9, 20))
    october = september.narrowed(date_from=date(2026, 10, 1), date_to=date(2026, 10, 20))
    expected = fresh(count, october)
    assert fresh(count, september) != expected
    assert count(october) == expected


def test_a_sign_up_written_after_the_statements_were_built_is_counted(world):
    selection = Selection(branch_ids={world.branch.id})
    before = figures(selection).signups
    sign(world.visits["V4"], world.citra)
    assert figures(selection).signups == before + 1
