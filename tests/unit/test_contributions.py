"""Monthly contributions from the rate table in force: JKK bounded, JKM flat, JHT optional."""

from datetime import date
from decimal import Decimal

import pytest

from campaign_app.extensions import db
from campaign_app.models import RateTable
from campaign_app.signups.contributions import NoRateTable, compute_contribution, rate_table_on

DAY = date(2026, 11, 2)


@pytest.mark.parametrize(("income", "jkk"), [
    (500_000, 10_000),  # 1% would be 5,000: the floor applies
    (1_000_000, 10_000),  # exactly the floor
    (2_500_000, 25_000),
    (20_700_000, 207_000),  # exactly the ceiling
    (50_000_000, 207_000),  # above the ceiling
])
def test_jkk_is_one_percent_within_its_floor_and_ceiling(app_context, income, jkk):
    assert compute_contribution(income, with_jht=False, day=DAY).jkk == jkk


def test_the_lowest_bracket_costs_rp16_800(app_context):
    contribution = compute_contribution(1_000_000, with_jht=False, day=DAY)
    assert (contribution.jkk, contribution.jkm, contribution.jht, contribution.total) == (10_000, 6_800, 0, 16_800)


def test_jht_adds_two_percent_when_chosen(app_context):
    contribution = compute_contribution(1_000_000, with_jht=True, day=DAY)
    assert contribution.jht == 20_000
    assert contribution.total == 36_800


def test_amounts_round_to_whole_rupiah(app_context):
    assert compute_contribution(1_234_567, with_jht=True, day=DAY).jht == 24_691


def test_a_new_rate_table_applies_from_its_date_only(app_context):
    db.session.add(RateTable(effective_from=date(2027, 1, 1), jkk_rate=Decimal("0.0124"), jkk_minimum=12_000,
                             jkk_maximum=250_000, jkm_flat=7_200, jht_rate=Decimal("0.02")))
    db.session.flush()
    assert compute_contribution(1_000_000, False, date(2026, 12, 31)).total == 16_800
    after = compute_contribution(1_000_000, False, date(2027, 1, 1))
    assert (after.jkk, after.jkm) == (12_400, 7_200)
    assert after.rate_table_id == rate_table_on(date(2027, 1, 1)).id


def test_before_any_rate_table_there_is_no_contribution(app_context):
    with pytest.raises(NoRateTable):
        compute_contribution(1_000_000, False, date(1999, 12, 31))


def test_a_negative_income_is_refused(app_context):
    with pytest.raises(ValueError):
        compute_contribution(-1, False, DAY)
