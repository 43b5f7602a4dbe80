"""What Indonesians read: Rupiah and WITA times."""

from datetime import UTC, datetime

from flask_babel import force_locale

from campaign_app.formatting import number, rupiah, wita


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
