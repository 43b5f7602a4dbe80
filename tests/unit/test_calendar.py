"""Calendar warnings for a visit date: weekends, national holidays and cuti bersama, never refusals."""

from datetime import date

import pytest

from campaign_app.i18n import force_locale
from campaign_app.visits.calendar import date_warnings
from tests.factories import TODAY


def kinds(day: date) -> list[str]:
    return [warning.kind for warning in date_warnings(day)]


def test_an_ordinary_working_day_has_no_warning():
    assert date_warnings(TODAY) == []


@pytest.mark.parametrize("day", [date(2026, 11, 7), date(2026, 11, 8)], ids=["saturday", "sunday"])
def test_a_weekend_day_is_flagged(day):
    assert kinds(day) == ["weekend"]


def test_a_national_holiday_is_flagged_with_its_name():
    (warning,) = date_warnings(date(2026, 12, 25))
    assert (warning.kind, warning.name) == ("holiday", "Kelahiran Yesus Kristus")


def test_a_cuti_bersama_day_is_flagged_apart_from_holidays():
    (warning,) = date_warnings(date(2026, 12, 24))
    assert warning.kind == "cuti_bersama"


def test_a_holiday_on_a_sunday_gives_both_warnings():
    assert kinds(date(2026, 5, 31)) == ["weekend", "holiday"]


def test_a_year_without_holiday_data_says_so_instead_of_staying_silent():
    assert kinds(date(2031, 3, 4)) == ["unknown_year"]


def test_messages_name_the_holiday(app_context):
    with force_locale("en"):
        messages = [warning.message() for warning in date_warnings(date(2026, 12, 24))]
    assert messages == ["This date is a collective leave day (cuti bersama): Kelahiran Yesus Kristus."]


def test_messages_exist_in_indonesian_too(app_context):
    with force_locale("id"):
        (message,) = [warning.message() for warning in date_warnings(date(2026, 12, 25))]
    assert "Kelahiran Yesus Kristus" in message
