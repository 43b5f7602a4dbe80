"""Rate tables: added for a later date only, one per date, bounded values, audited; the list and worked example."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.models import AuditAction, AuditEntry, RateTable
from campaign_app.rates.forms import parse_percent, parse_whole
from campaign_app.rates.service import (
    AMOUNT_MAX,
    create_rate_table,
    lowest_bracket_income,
    percent_of,
    rate_tables,
    worked_example,
)
from campaign_app.signups.contributions import compute_contribution
from campaign_app.validation import Refused
from tests.factories import TODAY, user_named

NEXT_YEAR = date(2027, 1, 1)


def values(**changes) -> dict:
    fields = {"effective_from": NEXT_YEAR, "jkk_percent": Decimal("1.24"), "jkk_minimum": 12_000,
              "jkk_maximum": 250_000, "jkm_flat": 7_200, "jht_percent": Decimal("2")}
    fields.update(changes)
    return fields


@pytest.fixture(autouse=True)
def english(app_context):
    """Messages in English, so that tests can read them."""
    with force_locale("en"):
        yield


@pytest.fixture
def admin():
    return user_named("admin")


def create(admin, **changes) -> RateTable:
    return create_rate_table(**values(**changes), created_by=admin, today=TODAY)


def refusal(call) -> dict:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.errors


def tables() -> int:
    return db.session.scalar(select(func.count()).select_from(RateTable))


def entries(action: AuditAction) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


# --- create ------------------------------------------------------------------------------------------

def test_a_new_table_stores_percentages_as_fractions(admin):
    table = create(admin, jkk_percent=Decimal("0.54"))
    assert (table.jkk_rate, table.jht_rate) == (Decimal("0.0054"), Decimal("0.02"))
    assert (table.jkk_minimum, table.jkk_maximum, table.jkm_flat) == (12_000, 250_000, 7_200)
    assert table.created_by_id == admin.id


def test_a_new_table_is_audited_with_its_values(admin):
    table = create(admin, jkk_percent=Decimal("0.54"))
    [entry] = entries(AuditAction.RATE_TABLE_CREATED)
    assert (entry.actor_id, entry.subject_type, entry.subject_id, entry.branch_id) == (
        admin.id, "rate_table", table.id, None)
    assert entry.details == {"effective_from": "2027-01-01", "jkk_rate": "0.54", "jkk_minimum": 12_000,
                             "jkk_maximum": 250_000, "jkm_flat": 7_200, "jht_rate": "2",
                             "enrolment_min_age": 15, "enrolment_max_age": 64}


def test_the_new_table_applies_from_its_date_and_not_before(admin):
    create(admin)
    assert compute_contribution(1_000_000, False, NEXT_YEAR - timedelta(days=1)).total == 16_800
    assert compute_contribution(1_000_000, False, NEXT_YEAR).total == 12_400 + 7_200


@pytest.mark.parametrize("day", [TODAY, TODAY - timedelta(days=1), date(2000, 1, 1)])
def test_today_or_an_earlier_day_is_refused_because_a_rate_change_never_rewrites_the_past(admin, day):
    errors = refusal(lambda: create(admin, effective_from=day))
    assert list(errors) == ["effective_from"]
    assert "never rewrites the past" in errors["effective_from"][0]


def test_tomorrow_is_the_earliest_day(admin):
    assert create(admin, effective_from=TODAY + timedelta(days=1)).effective_from == TODAY + timedelta(days=1)


def test_a_second_table_on_the_same_date_is_refused(admin):
    create(admin)
    errors = refusal(lambda: create(admin, jkm_flat=8_000))
    assert "already takes effect on Jan 1, 2027" in errors["effective_from"][0]
    assert tables() == 2


def test_the_same_table_submitted_twice_is_stored_and_audited_once(admin):
    first = create(admin)
    assert create(admin).id == first.id
    assert len(entries(AuditAction.RATE_TABLE_CREATED)) == 1


def test_a_minimum_above_the_maximum_is_refused(admin):
    errors = refusal(lambda: create(admin, jkk_minimum=300_000, jkk_maximum=250_000))
    assert errors == {"jkk_maximum": ["The maximum is below the minimum."]}


def test_a_minimum_equal_to_the_maximum_is_allowed(admin):
    assert create(admin, jkk_minimum=20_000, jkk_maximum=20_000).jkk_maximum == 20_000


@pytest.mark.parametrize(("field", "value"), [
    ("jkk_percent", Decimal("-0.1")), ("jkk_percent", Decimal("100.001")), ("jht_percent", Decimal("101")),
    ("jkk_percent", Decimal("0.0001")), ("jht_percent", Decimal("NaN")), ("jkk_percent", None),
])
def test_a_rate_outside_0_to_100_percent_or_too_precise_is_refused(admin, field, value):
    errors = refusal(lambda: create(admin, **{field: value}))
    assert list(errors) == [field.replace("_percent", "_rate")]


@pytest.mark.parametrize("percent", [Decimal("0"), Decimal("100"), Decimal("0.125")])
def test_rates_from_0_to_100_percent_with_three_decimals_are_allowed(admin, percent):
    assert percent_of(create(admin, jkk_percent=percent).jkk_rate) == percent


@pytest.mark.parametrize(("field", "value"), [
    ("jkk_minimum", -1), ("jkk_maximum", AMOUNT_MAX + 1), ("jkm_flat", -5), ("jkm_flat", None), ("jkm_flat", True),
])
def test_an_amount_outside_0_to_100_million_is_refused(admin, field, value):
    errors = refusal(lambda: create(admin, **{field: value}))
    assert field in errors


def test_every_refused_field_is_reported_at_once(admin):
    errors = refusal(lambda: create(admin, effective_from=TODAY, jkk_percent=Decimal("200"), jkm_flat=-1))
    assert set(errors) == {"effective_from", "jkk_rate", "jkm_flat"}


def test_nothing_is_written_when_refused(admin):
    before = tables()
    refusal(lambda: create(admin, jkk_minimum=-1))
    assert tables() == before
    assert entries(AuditAction.RATE_TABLE_CREATED) == []


# --- list and worked example ---------------------------------------------------------------------

def test_the_list_marks_the_table_in_force_today_and_those_to_come(admin):
    create(admin)
    rows = rate_tables(TODAY)
    assert [(row.table.effective_from, row.in_force, row.upcoming) for row in rows] == [
        (NEXT_YEAR, False, True), (date(2019, 12, 2), True, False)]


def test_once_a_new_table_is_in_force_the_old_one_is_replaced(admin):
    create(admin)
    rows = rate_tables(NEXT_YEAR)
    assert [row.in_force for row in rows] == [True, False]


def test_the_worked_example_of_the_default_table_is_rp16_800(admin):
    [current] = [row.table for row in rate_tables(TODAY) if row.in_force]
    example = worked_example(current)
    assert example.income == 1_000_000
    assert (example.contribution.jkk, example.contribution.jkm, example.without_jht) == (10_000, 6_800, 16_800)
    assert (example.contribution.jht, example.contribution.total) == (20_000, 36_800)


def test_the_worked_example_uses_the_table_it_describes(admin):
    example = worked_example(create(admin))
    assert example.income == 967_742  # 12.000 ÷ 1,24 %, rounded up
    assert (example.contribution.jkk, example.contribution.jkm) == (12_000, 7_200)


def test_a_jkk_rate_of_zero_gives_an_example_at_one_million(admin):
    assert lowest_bracket_income(create(admin, jkk_percent=Decimal("0"))) == 1_000_000


# --- what people type ------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "expected"), [
    ("1", Decimal("1")), ("0,54", Decimal("0.54")), ("0.54", Decimal("0.54")), (" 2 % ", Decimal("2")),
    ("100", Decimal("100")),
])
def test_percentages_are_read_with_a_decimal_comma_or_point(typed, expected):
    assert parse_percent(typed) == expected


@pytest.mark.parametrize("typed", ["", "abc", "1,2,3", "-1", "1.000,5", "1e3", "9" * 40])
def test_text_that_is_no_percentage_is_not_read(typed):
    assert parse_percent(typed) is None


@pytest.mark.parametrize(("typed", "expected"), [
    ("10.000", 10_000), ("10000", 10_000), ("Rp10.000", 10_000), ("Rp 207.000", 207_000), ("0", 0),
    ("1.000.000", 1_000_000),
])
def test_amounts_are_read_with_thousands_dots(typed, expected):
    assert parse_whole(typed) == expected


@pytest.mark.parametrize("typed", ["sepuluh ribu", "10.00", "10,5", "-10.000", "10.000.00", "1O.000", "9" * 40])
def test_text_that_is_no_whole_amount_is_not_read(typed):
    assert parse_whole(typed) is None


def test_a_new_table_keeps_the_enrolment_ages_typed(admin):
    table = create(admin, enrolment_min_age=18, enrolment_max_age=59)
    assert (table.enrolment_min_age, table.enrolment_age_limit) == (18, 60)


@pytest.mark.parametrize(("ages", "field"), [((0, 64), "enrolment_min_age"), ((15, 121), "enrolment_max_age"),
                                             ((40, 30), "enrolment_max_age")])
def test_impossible_enrolment_ages_are_refused(admin, ages, field):
    errors = refusal(lambda: create(admin, enrolment_min_age=ages[0], enrolment_max_age=ages[1]))
    assert list(errors) == [field]
