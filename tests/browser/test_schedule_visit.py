"""A coordinator plans a visit in a real browser, on a 360 px phone and on a 1280 px laptop.

They create a campaign, find a real village of Sulawesi Tengah by typing part of its name, schedule a
visit with one officer, assign a second on the visit page, and see a third, who is booked elsewhere
that day, refused with a message naming the clashing visit.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from campaign_app.clock import today
from campaign_app.extensions import db
from campaign_app.models import Campaign
from tests.browser.conftest import PHONE, wait_for_htmx
from tests.browser.test_sign_in import sign_in, too_wide
from tests.factories import OTHER_NEAR_VILLAGE, branch_named, make_campaign, make_officer, make_visit

pytestmark = pytest.mark.browser

SCREENS = {
    "phone": PHONE,
    "laptop": {"viewport": {"width": 1280, "height": 800}},
}
OFFICERS = ("Andi Browser", "Budi Browser", "Citra Browser")


@pytest.fixture
def officers_and_a_booking(live_app):
    """Three officers of Palu; the third is already booked, on the visit day, in Lolu Selatan."""
    visit_day = today() + timedelta(days=8)
    with live_app.app_context():
        people = [make_officer(name=name) for name in OFFICERS]
        other = make_campaign(name="Kampanye Lain", starts_on=today(), ends_on=today() + timedelta(days=60))
        make_visit(other, village_code=OTHER_NEAR_VILLAGE, on=visit_day, officers=[people[2]], today=today())
        db.session.commit()
    return visit_day


def fits(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide: {too_wide(page, width)}"


@pytest.mark.parametrize("screen", list(SCREENS))
def test_a_coordinator_schedules_and_staffs_a_visit(screen, browser, live_server, live_app, officers_and_a_booking,
                                                     results_dir):
    visit_day = officers_and_a_booking
    context = browser.new_context(base_url=live_server, **SCREENS[screen])
    context.set_default_timeout(10_000)
    page = context.new_page()
    width = SCREENS[screen]["viewport"]["width"]
    try:
        sign_in(page, live_server, "koordinator")
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")

        # A new campaign of the coordinator's branch.
        page.goto("/campaigns/new")
        page.fill("input[name=name]", f"Kampanye Peramban {screen}")
        page.fill("input[name=ends_on]", (today() + timedelta(days=60)).isoformat())
        page.fill("input[name=target_villages]", "5")
        page.locator("main form button.primary").click()
        expect(page.locator("h1")).to_have_text(f"Kampanye Peramban {screen}")
        fits(page, width)
        page.get_by_role("link", name="Schedule a visit").click()

        # The visit form: the campaign is chosen; the village is found by part of its name.
        expect(page).to_have_url(re.compile(r"/visits/new\?campaign_id=\d+"))
        expect(page.locator("select[name=campaign] option:checked")).to_have_text(f"Kampanye Peramban {screen}")
        wait_for_htmx(page)
        page.locator("input[name=village]").press_sequentially("besus", delay=40)
        choice = page.get_by_label(re.compile(r"^Besusu Barat"))
        expect(choice).to_be_visible()
        expect(page.locator("input[name=village_code]")).to_have_count(3)
        choice.check()
        page.fill("input[name=visit_date]", visit_day.isoformat())
        page.fill("input[name=start_time]", "09:30")
        page.fill("input[name=planned_activity]", "Sosialisasi JKK dan JKM di balai kelurahan")
        page.fill("input[name=planned_cost]", "750.000")
        page.get_by_label(OFFICERS[0]).check()
        fits(page, width)
        page.screenshot(path=results_dir / f"visit-new-{screen}.png", full_page=True)
        page.locator("main form button.primary").click()

        # The visit page, with the first officer.
        expect(page).to_have_url(re.compile(r"/visits/\d+$"))
        expect(page.locator("h1")).to_have_text("Visit to Besusu Barat")
        expect(page.locator("main")).to_contain_text("Rp750.000")
        officers = page.locator("#officers ul.officers")
        expect(officers).to_contain_text(OFFICERS[0])

        # A second officer, assigned in place (htmx swaps the officers block).
        page.select_option("select[name=officer_id]", label=OFFICERS[1])
        page.locator("#officers form.card button").click()
        expect(officers).to_contain_text(OFFICERS[1])

        # The third is booked that day: refused, naming the other visit; nothing changes.
        page.select_option("select[name=officer_id]", label=OFFICERS[2])
        page.locator("#officers form.card button").click()
        refusal = page.locator("#officers .flash.error")
        expect(refusal).to_contain_text(OFFICERS[2])
        expect(refusal).to_contain_text("Lolu Selatan")
        expect(refusal).to_contain_text("Kampanye Lain")
        expect(officers).not_to_contain_text(OFFICERS[2])
        fits(page, width)
        page.screenshot(path=results_dir / f"visit-show-{screen}.png", full_page=True)

        with live_app.app_context():
            campaign = db.session.query(Campaign).filter_by(name=f"Kampanye Peramban {screen}").one()
            assert campaign.branch_id == branch_named().id
    finally:
        context.close()
