"""Scheduling in a real browser: a date outside the campaign and an officer on leave are said while picking (htmx
asks again when the date, the campaign or an officer changes), before anything is submitted."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from campaign_app.clock import today
from campaign_app.extensions import db
from campaign_app.visits.assignments import record_leave
from tests.browser.test_sign_in import sign_in
from tests.factories import make_campaign, make_officer

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign_and_absent_officer(live_app):
    """A campaign of the coming 30 days, and an officer on leave in a week."""
    with live_app.app_context():
        campaign = make_campaign(name="Kampanye Cek Tanggal", starts_on=today(), ends_on=today() + timedelta(days=30))
        officer = make_officer(name="Dewi Sedang Cuti")
        record_leave(officer, today() + timedelta(days=6), today() + timedelta(days=8))
        db.session.commit()
        return str(campaign.id), officer.id


def test_an_outside_date_and_an_officer_on_leave_are_said_while_picking(page, live_server,
                                                                         campaign_and_absent_officer):
    campaign_id, officer_id = campaign_and_absent_officer
    sign_in(page, live_server, "koordinator")
    page.goto("/visits/new")
    warnings = page.locator("#date-warnings")
    page.select_option("#campaign", campaign_id)
    page.fill("#visit_date", (today() + timedelta(days=60)).isoformat())
    page.locator("#visit_date").dispatch_event("change")
    expect(warnings).to_contain_text("Kampanye berlangsung dari")
    page.fill("#visit_date", (today() + timedelta(days=7)).isoformat())
    page.locator("#visit_date").dispatch_event("change")
    expect(warnings).not_to_contain_text("Kampanye berlangsung dari")
    page.locator(f"#officer-picks input[value='{officer_id}']").check()
    expect(warnings).to_contain_text("Dewi Sedang Cuti sedang cuti")
