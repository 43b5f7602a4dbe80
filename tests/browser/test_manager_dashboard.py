"""A manager reads the dashboard in a real browser on a 1280 × 800 laptop.

The demo manager opens the Dashboard from the menu, narrows it to one regency (htmx swaps the results and
the address follows, and the view's retention loads beside its figures), breaks it down by district, compares two
Palu campaigns side by side, and downloads the breakdown as an XLSX workbook that opens with a header row and data
rows.
"""

import re
from contextlib import suppress

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select

from campaign_app.demo.seed import PALU_BRANCH
from campaign_app.extensions import db
from campaign_app.models import Branch, Campaign, District, Regency
from tests.browser.conftest import policy_blocks, wait_for_htmx
from tests.browser.test_sign_in import sign_in, too_wide

pytestmark = pytest.mark.browser
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
REGENCY = "72.71"


@pytest.fixture
def demo_names(live_app):
    """The regency's name, its districts' names and the two newest Palu campaigns, as the seed made them."""
    with live_app.app_context():
        regency = db.session.get(Regency, REGENCY).name
        districts = set(db.session.scalars(select(District.name).where(District.regency_code == REGENCY)))
        campaigns = list(db.session.execute(
            select(Campaign.id, Campaign.name).join(Branch, Branch.id == Campaign.branch_id)
            .where(Branch.name == PALU_BRANCH)
            .order_by(Campaign.starts_on.desc(), Campaign.id.desc()).limit(2)))
    assert len(campaigns) == 2, "the demo should have several Palu campaigns"
    return regency, districts, campaigns


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_a_manager_filters_compares_and_exports(browser, live_server, demo_names, tmp_path, results_dir):
    regency, districts, chosen = demo_names
    # The demo manager sees several branches: a campaign is labelled with its branch.
    campaigns = [f"{name} — {PALU_BRANCH}" for _id, name in chosen]
    context = browser.new_context(base_url=live_server, accept_downloads=True, **LAPTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    blocked = policy_blocks(page)
    width = LAPTOP["viewport"]["width"]
    try:
        sign_in(page, live_server, "manajer")
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")

        # The dashboard, from the menu's Reports: every regency the manager may see.
        page.locator("header nav summary", has_text="Reports").click()
        page.locator("header nav").get_by_role("link", name="Dashboard").click()
        expect(page).to_have_url(f"{live_server}/reports/")
        expect(page.locator("h1")).to_have_text("Dashboard")
        wait_for_htmx(page)
        signups = page.locator("dl.tiles > div").filter(has=page.get_by_text("Sign-ups", exact=True)).locator("dd")
        everywhere = number(signups.inner_text())
        rows = page.locator("#results table.stack tbody tr")
        expect(rows.first).not_to_contain_text("Nothing to break down")
        assert rows.count() > 1, "the whole view should break down into several regencies"

        # One regency: htmx swaps the results in place and the address carries the filter.
        page.select_option("select[name=regency]", REGENCY)
        expect(page).to_have_url(re.compile(r"/reports/\?(.*&)?regency=72\.71(&|$)"))
        expect(rows).to_have_count(1)
        expect(rows.first.locator("td").first).to_have_text(regency)
        expect(page.locator("select[name=regency] option:checked")).to_have_text(regency)
        narrowed = number(signups.inner_text())
        assert 0 < narrowed < everywhere, f"{regency} should hold some but not all of {everywhere} sign-ups"
        expect(page.locator("#results form")).to_have_count(1)  # swapped into place, not nested in the form
        # The retention of the view loads beside its figures, for the filters the form has.
        expect(page.locator("#results .retention h2")).to_have_text("Still paying")
        expect(page.locator("#results .retention a", has_text="Retention by")).to_have_attribute(
            "href", re.compile(r"regency=72\.71"))

        # The regency changed the form's choices: it is loaded again with the regency's districts (a change made
        # while it is on its way is kept: test_a_filter_changed_while_the_form_is_on_its_way_is_kept). htmx
        # listens to a swapped form once it has settled, 20 ms on: sooner than a person can choose.
        expect(page.locator("select[name=district] option").nth(1)).to_be_attached()
        expect(page.locator("#filters.htmx-added")).to_have_count(0)
        # Broken down by district: the rows are districts of that regency, the figures unchanged.
        page.select_option("select[name=by]", "district")
        expect(page).to_have_url(re.compile(r"by=district"))
        expect(page.locator("#results h2").filter(has_text="By ")).to_have_text("By District")
        expect(rows.locator("td:first-child small")).to_have_text([regency] * rows.count())
        names = {cell.split("\n")[0].removesuffix(f" {regency}").strip()
                 for cell in rows.locator("td:first-child").all_inner_texts()}
        assert names and names <= districts, f"{names - districts} are not districts of {regency}"
        assert number(signups.inner_text()) == narrowed
        expect(page.locator("select[name=by]")).to_have_value("district")
        fits(page, width)
        page.screenshot(path=results_dir / "dashboard-regency-1280.png", full_page=True)

        # Two campaigns side by side, chosen by checkbox.
        page.get_by_role("link", name="Compare campaigns").click()
        expect(page).to_have_url(f"{live_server}/reports/compare")
        wait_for_htmx(page)
        # By id: the other branches' campaigns (which the manager also sees) may bear the same names.
        page.locator(f"input[name=campaign][value='{chosen[0][0]}']").check()
        expect(page.locator("#campaign-err")).to_contain_text("Choose at least 2 campaigns.")
        page.locator(f"input[name=campaign][value='{chosen[1][0]}']").check()
        expect(page).to_have_url(re.compile(r"/reports/compare\?campaign=\d+&campaign=\d+$"))
        # The table of figures compared (the page has others: the survival curves' numbers, the ranking).
        table = page.locator("#results table.list:has(#comparison-h)")
        expect(table.locator("thead th")).to_have_text(["Figure", *campaigns])
        expect(table.locator("caption")).to_have_text(f"Differences are to {campaigns[0]}.")
        signups_row = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="Sign-ups", exact=True))
        expect(signups_row.locator("td")).to_have_count(2)
        expect(signups_row.locator("td").nth(0).locator("small.diff")).to_have_count(0)
        expect(signups_row.locator("td").nth(1).locator("small.diff")).to_have_text(re.compile(r"^[+−±]\d"))
        fits(page, width)
        page.screenshot(path=results_dir / "compare-1280.png", full_page=True)

        # Back on the dashboard, the breakdown as a workbook.
        page.get_by_role("link", name="‹ Dashboard").click()
        expect(page).to_have_url(f"{live_server}/reports/")
        with page.expect_download() as download_info:
            page.locator("a[href*='table=breakdown'][href*='format=xlsx']").click()
        download = download_info.value
        assert download.failure() is None
        assert download.suggested_filename.endswith(".xlsx")
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        # A read-only workbook holds its file open until closed; left to the garbage collector, its warning
        # would fail whichever test happens to be running then.
        workbook = load_workbook(saved, read_only=True)
        try:
            table_rows = list(workbook.active.iter_rows(values_only=True))
        finally:
            workbook.close()
        assert table_rows[0][:3] == ("Code", "Name", "Part of")
        assert "Sign-ups" in table_rows[0]
        assert len(table_rows) >= 2
        assert any(row[0] == REGENCY and row[1] == regency for row in table_rows[1:])
        assert not blocked, f"the Content-Security-Policy blocked: {blocked}"
    finally:
        context.close()


def test_a_filter_changed_while_the_form_is_on_its_way_is_kept(browser, live_server):
    context = browser.new_context(base_url=live_server, **LAPTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    blocked = policy_blocks(page)
    held = []
    try:
        sign_in(page, live_server, "manajer")
        page.goto(f"{live_server}/reports/")
        wait_for_htmx(page)
        # The filter forms the results load are held back, as on a slow line.
        page.route("**/reports/filters?*", lambda route: held.append(route))
        page.select_option("select[name=regency]", REGENCY)
        expect(page).to_have_url(re.compile(r"regency=72\.71"))
        held_back(page, held, 1)
        # Before the regency's form arrives, the manager picks a channel in the form still shown.
        channel = page.locator("select[name=channel] option").nth(1).get_attribute("value")
        page.select_option("select[name=channel]", channel)
        expect(page).to_have_url(re.compile(rf"regency=72\.71.*channel={channel}|channel={channel}.*regency=72\.71"))
        # Its results were judged against the form still shown: they load the form again.
        held_back(page, held, 2)
        page.unroute("**/reports/filters?*")
        for route in held:
            # The browser may have dropped one: a later request of the form made it stale.
            with suppress(PlaywrightError):
                route.continue_()
        # The form that arrives shows both choices, and the regency's districts.
        expect(page.locator("select[name=district] option").nth(1)).to_be_attached()
        expect(page.locator("select[name=regency]")).to_have_value(REGENCY)
        expect(page.locator("select[name=channel]")).to_have_value(channel)
        page.wait_for_load_state("networkidle")
        expect(page.locator("select[name=channel]")).to_have_value(channel)
        assert not blocked, f"the Content-Security-Policy blocked: {blocked}"
    finally:
        context.close()


def held_back(page, held: list, count: int) -> None:
    """Let the page run until ``count`` requests are held (at most 10 s)."""
    for _ in range(500):
        if len(held) >= count:
            return
        page.wait_for_timeout(20)
    raise AssertionError(f"{len(held)} requests held back, not {count}")


def fits(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide: {too_wide(page, width)}"
