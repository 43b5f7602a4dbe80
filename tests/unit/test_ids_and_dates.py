"""Ids and days read from URLs, query strings and forms: one parser each (campaign_app/ids.py, dates.py)."""

from datetime import date

import pytest

from campaign_app.dates import parse_day
from campaign_app.ids import ID_MAX, parse_id


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), ("2147483647", 2147483647), ("2147483648", None), ("0", None), ("-1", None), ("1\x00", None),
    ("12\n", None), ("", None), (None, None), ("٣", None), ("1e3", None), (" 12", None), ("9" * 5000, None),
])
def test_an_id_is_read_only_from_digits_within_the_database_s_range(text, expected):
    assert parse_id(text) == expected


def test_the_limit_is_postgresql_s_integer():
    assert ID_MAX == 2**31 - 1


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-30", date(2026, 11, 30)), ("2000-01-01", date(2000, 1, 1)), ("2099-12-31", date(2099, 12, 31)),
    ("1999-12-31", None), ("2100-01-01", None), ("2026-02-30", None), ("20261130", None), ("2026-W48-1", None),
    ("2026-1-5", None), ("2026-11-30\n", None), ("", None), (None, None), ("٢٠٢٦-١١-٣٠", None),
])
def test_a_day_is_year_month_day_within_the_app_s_calendar(text, expected):
    assert parse_day(text) == expected


def test_a_day_may_be_read_within_other_bounds():
    assert parse_day("1985-06-01", date.min, date.max) == date(1985, 6, 1)
