"""What Indonesians read: Rupiah and WITA times."""

from datetime import UTC, datetime

import pytest
from babel import Locale
from babel.numbers import format_decimal

from campaign_app.formatting import number, rupiah, whole_numbers, wita
from campaign_app.i18n import force_locale


def test_rupiah_uses_dots_for_thousands(app_context):
    assert rupiah(16800) == "Rp16.800"
    assert rupiah(None) == ""


def test_times_are_shown_in_wita(app, app_context):
    with app.test_request_context(), force_locale("id"):
        shown = wita(datetime(2026, 11, 25, 1, 30, tzinfo=UTC), "short")
    assert "09.30" in shown
    assert shown.endswith("WITA")


def test_numbers_follow_the_language(app):
    with app.test_request_context():
        with force_locale("id"):
            assert number(83762) == "83.762"
        with force_locale("en"):
            assert number(83762) == "83,762"


@pytest.mark.parametrize("language", ["id", "en"])
def test_whole_numbers_are_grouped_as_format_decimal_groups_them(language):
    places = whole_numbers(Locale.parse(language))
    for value in (0, 7, 999, 1_000, 12_345, 1_234_567):
        assert places(value) == format_decimal(value, locale=language)
