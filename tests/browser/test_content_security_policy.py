"""The strict Content-Security-Policy in a real browser: the key pages and their htmx swaps run without a violation.

Chromium reports each thing the policy blocks as a ``securitypolicyviolation`` event and a console error; both are
recorded from the first byte of every page (an init script), and the tests assert none came.
"""

import re

import pytest
from playwright.sync_api import expect

from campaign_app.security_headers import CONTENT_SECURITY_POLICY
from tests.browser.conftest import PHONE, wait_for_htmx
from tests.browser.test_officer_signups import todays_visit, type_nik  # noqa: F401 (a fixture)
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser
# Reported to the test through an exposed function, so that what a page saw survives its navigating away.
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => window.reportCspViolation(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
"""


class Recorder:
    """A phone-sized page whose policy violations, from events and from the console, are kept."""

    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(base_url=base_url, **PHONE)
        self.context.set_default_timeout(10_000)
        self.events: list[str] = []
        self.context.expose_function("reportCspViolation", self._event)
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", self._console)

    def _event(self, description: str) -> None:
        self.events.append(description)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def violations(self) -> list[str]:
        # Events are delivered asynchronously: a round trip to the page lets those already fired arrive.
        self.page.evaluate("0")
        return self.events + self.console

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def recorder(browser, live_server):
    recorder = Recorder(browser, live_server)
    yield recorder
    recorder.close()


def test_the_recorder_hears_a_violation(recorder):
    # Without this, a recorder that heard nothing would pass every test below.
    recorder.page.goto("/login")
    recorder.page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')")
    recorder.page.wait_for_timeout(200)
    assert any("style-src" in v for v in recorder.violations()), recorder.violations()


def test_the_sign_in_page_is_served_under_the_policy_and_breaks_none_of_it(recorder, live_server):
    response = recorder.page.goto("/login")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    sign_in(recorder.page, live_server, "manajer")
    assert recorder.violations() == []


def test_the_officer_signs_a_worker_up_without_a_violation(recorder, live_app, live_server, todays_visit):  # noqa: F811
    page, visit, worker = recorder.page, todays_visit, todays_visit.workers[0]
    sign_in(page, live_server, "petugas")
    page.get_by_role("button", name="English").click()
    page.goto(f"/field/visits/{visit.id}")
    page.get_by_role("button", name="Start visit").click()
    expect(page.locator(".flash.success")).to_contain_text("Visit started")
    page.get_by_role("link", name="New sign-up").click()
    expect(page.locator("h1")).to_have_text("Sign a worker up")
    wait_for_htmx(page)
    # The NIK check is an htmx request that swaps its answer in: htmx works under the policy.
    type_nik(page, worker.nik)
    expect(page.locator("#nik-check")).to_contain_text(re.compile(r"born"))
    assert recorder.violations() == []


def test_the_manager_reads_and_narrows_the_dashboard_without_a_violation(recorder, live_server):
    page = recorder.page
    sign_in(page, live_server, "manajer")
    page.goto("/reports/")
    wait_for_htmx(page)
    rows = page.locator("#results table.stack tbody tr")
    expect(rows.first).to_be_visible()
    # dashboard.js adds a header to every htmx request, and the filter swaps the results in place.
    page.select_option("select[name=regency]", "72.71")
    expect(page).to_have_url(re.compile(r"regency=72\.71"))
    expect(rows).to_have_count(1)
    assert recorder.violations() == []
