"""The visit's paper sheet in a real browser: reached from the officer's visit page without JavaScript, fits the
phone, and prints on A4 landscape pages with no menu."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_sign_in import sign_in, too_wide

pytestmark = pytest.mark.browser
# A4 landscape in PDF points (1/72 inch): 297 × 210 mm.
A4_LANDSCAPE = (841.9, 595.3)


def test_the_sheet_opens_from_the_visit_fits_the_phone_and_prints_on_a4_without_menus(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False, **PHONE)
    page = context.new_page()
    sign_in(page, live_server, "petugas")
    page.locator("main a[href^='/field/visits/']").first.click()
    page.get_by_role("link", name=re.compile("Lembar kertas")).click()
    expect(page.locator("h1")).to_contain_text("K-")
    assert page.locator("tbody tr").count() == 20
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"], too_wide(
        page, PHONE["viewport"]["width"])

    page.emulate_media(media="print")
    assert not page.locator("header.bar").is_visible() and not page.locator("footer").is_visible()
    assert page.locator("section.sheet").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    # Every page's size in points, which Chromium rounds to whole CSS pixels (595.3 pt is printed as 595).
    sizes = [[float(n) for n in box.split()[2:]] for box in re.findall(rb"/MediaBox \[([\d. ]+)\]", pdf)]
    assert len(sizes) >= 2, "20 rows take two pages"
    assert all(abs(width - A4_LANDSCAPE[0]) < 1 and abs(height - A4_LANDSCAPE[1]) < 1 for width, height in sizes)
    context.close()
