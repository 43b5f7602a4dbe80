"""The manager's home figures: the twelve months up to today's, across a new year."""

from datetime import date

import pytest

from campaign_app.home.service import MANAGER_MONTHS, manager_overview
from tests.factories import user_named

pytestmark = pytest.mark.usefixtures("app_context")


def test_the_months_run_up_to_today_s_across_the_new_year():
    months = [point.starts_on for point in manager_overview(user_named("manajer"), date(2027, 1, 5)).months]
    assert len(months) == MANAGER_MONTHS
    assert (months[0], months[-2], months[-1]) == (date(2026, 2, 1), date(2026, 12, 1), date(2027, 1, 1))


def test_months_without_sign_ups_count_zero():
    overview = manager_overview(user_named("manajer"), date(2001, 6, 30))
    assert [point.signups for point in overview.months] == [0] * MANAGER_MONTHS
    assert overview.activation.value is None and overview.cost_per_signup.value is None
