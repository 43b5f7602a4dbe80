"""Signing in on a 360 px phone in a real browser: every role lands on a home page that fits the screen."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.i18n import force_locale, gettext
from campaign_app.models import User
from campaign_app.navigation import menu_for
from tests.browser.conftest import PHONE, wait_for_htmx
from tests.conftest import DEMO_USERS

pytestmark = pytest.mark.browser
PHONE_WIDTH = PHONE["viewport"]["width"]

# The page title of each role's home (templates/home/<role>.html), before translation.
HOME_TITLES = {"admin": "Administration", "coordinator": "Coordinator", "officer": "My visits", "manager": "Manager"}


def sign_in(page, base_url: str, username: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/login")))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button.primary").click()
    expect(page).to_have_url(f"{base_url}/")


def too_wide(page, width: int) -> list[str]:
    """The first few elements that reach past the right edge of the screen, to name the culprit."""
    return page.evaluate("""width => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > width + 0.5)
        .slice(0, 5)
        .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className.replaceAll(' ', '.') : ''))""", width)


def translated(app, language: str, message: str, **variables) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(message, **variables)


@pytest.mark.parametrize("role", list(DEMO_USERS))
def test_each_role_signs_in_on_a_phone_and_sees_its_home(role, page, live_app, live_server, results_dir):
    username = DEMO_USERS[role]
    sign_in(page, live_server, username)

    language = page.locator("html").get_attribute("lang")
    expect(page).to_have_title(f"{translated(live_app, language, HOME_TITLES[role])} · Jangkau")
    heading = page.locator("h1")
    expect(heading).to_be_visible()
    if role == "admin":
        expect(heading).to_have_text(translated(live_app, language, "Administration"))
    else:
        with live_app.app_context():
            full_name = db.session.scalar(select(User.full_name).where(User.username == username))
        expect(heading).to_contain_text(full_name)

    # On a phone the menu is folded behind one button.
    navigation = page.locator("header nav")
    expect(navigation).to_be_hidden()
    page.locator("header .menu > summary").click()
    expect(navigation).to_be_visible()
    expect(navigation.locator("a")).to_have_count(len(menu_for(role)))
    expect(page.locator("header form.signout button")).to_be_visible()

    page.screenshot(path=results_dir / f"home-{role}-360.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page is {width} px wide on a phone; too wide: {too_wide(page, PHONE_WIDTH)}"


@pytest.mark.parametrize("signed_in_as", [None, "petugas"], ids=["visitor", "officer"])
def test_language_switch_changes_the_page_language(signed_in_as, page, live_server):
    if signed_in_as:
        sign_in(page, live_server, signed_in_as)
    else:
        page.goto("/login")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "id")

    page.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(html).to_have_attribute("lang", "id")


def test_htmx_requests_carry_the_csrf_token_of_the_page(page, live_server):
    """The base template puts the CSRF token in hx-headers on <body>, so every htmx POST passes CSRF."""
    sign_in(page, live_server, DEMO_USERS["officer"])
    wait_for_htmx(page)

    # Without the token the same request is refused: CSRF protection is on.
    status = page.evaluate("""async () => (await fetch('/language', {
        method: 'POST', body: new URLSearchParams({language: 'en'})})).status""")
    assert status == 400

    result = page.evaluate("""() => new Promise(resolve => {
        document.body.addEventListener('htmx:afterRequest',
            event => resolve({status: event.detail.xhr.status, successful: event.detail.successful}),
            {once: true});
        htmx.ajax('POST', '/language', {source: document.body, values: {language: 'en'}, swap: 'none'});
    })""")
    assert result == {"status": 200, "successful": True}

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
