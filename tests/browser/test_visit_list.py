"""The visit list in a real browser: its six filters fold on a phone and lie open on a desk, without JavaScript's
help; a filter chosen through htmx is announced as a short count in a live line, not as the whole list."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1280, "height": 800}}


def test_on_a_phone_the_filters_fold_and_open_with_a_tap(page, live_server):
    sign_in(page, live_server, "koordinator")
    page.goto("/visits/")
    campaign = page.locator("select[name=campaign]")
    expect(campaign).to_be_hidden()
    page.locator("details.fold > summary").click()
    expect(campaign).to_be_visible()


def test_on_a_desk_the_filters_lie_open_without_a_tap(browser, live_server):
    context = browser.new_context(base_url=live_server, **DESK)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, "koordinator")
        page.goto("/visits/")
        expect(page.locator("select[name=campaign]")).to_be_visible()
        expect(page.locator("details.fold > summary")).to_be_hidden()
    finally:
        context.close()


def test_a_chosen_status_is_announced_as_a_count(browser, live_server):
    context = browser.new_context(base_url=live_server, **DESK)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, "koordinator")
        page.goto("/visits/")
        summary = page.locator("#list-summary")
        before = summary.text_content()
        expect(page.locator("[aria-live]")).to_have_count(0)
        with page.expect_response(re.compile(r"/visits/\?")):
            page.select_option("select[name=status]", "cancelled")
        expect(summary).not_to_have_text(before or "")
        expect(summary).to_have_text(re.compile(r"^\d+ kunjungan$"))
        expect(summary).to_have_attribute("role", "status")
        assert page.locator("#results caption").text_content() == summary.text_content()
        expect(page.locator("#filters-in-use")).to_contain_text("1 dipakai")
    finally:
        context.close()
