"""Every request an officer makes ends in something they see, where they are looking, on a 360 × 740 phone: saved
(the confirmation in view, focus on the next worker's first field), refused (focus on the first field in error),
or not sent (no network, a server error, no answer in time: the #failure bar of static/js/failures.js, in the
page's language, with what was typed kept and a button that sends it again)."""

import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.fieldwork.service import start_visit
from campaign_app.models import SignUp, User, Visit
from tests.browser.conftest import wait_for_htmx
from tests.browser.test_officer_signups import TodaysVisit, todays_visit  # noqa: F401  (a fixture)
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser
NETWORK = "Tidak ada koneksi: tidak ada yang terkirim."
SERVER = "Terjadi kesalahan di server; tidak ada yang tersimpan."
TIMEOUT = "Server terlalu lama menjawab."
SAVED = "Tersimpan"


def test_a_dropped_connection_and_a_server_error_are_said_where_the_officer_looks(page, live_server):
    sign_in(page, live_server, "petugas")
    page.goto("/signups/")
    failure = page.locator("#failure")
    expect(failure).to_be_hidden()

    page.route("**/signups/", lambda route: route.abort("internetdisconnected"))
    # Not awaited: the promise htmx.ajax returns is rejected when the request fails.
    page.evaluate("() => { htmx.ajax('GET', '/signups/', '#main').catch(() => {}); }")
    expect(failure).to_be_visible()
    expect(failure).to_contain_text(NETWORK)

    page.unroute("**/signups/")
    page.route("**/signups/", lambda route: route.fulfill(status=500, body="boom"))
    # Not awaited: the promise htmx.ajax returns is rejected when the request fails.
    page.evaluate("() => { htmx.ajax('GET', '/signups/', '#main').catch(() => {}); }")
    expect(failure).to_contain_text(SERVER)
    expect(failure).to_be_in_viewport()


@pytest.fixture
def signup_form(page, live_app, live_server, todays_visit: TodaysVisit):  # noqa: F811  (the fixture imported)
    """The demo officer on the sign-up form of today's visit, started, with the page's htmx loaded."""
    with live_app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "petugas"))
        start_visit(db.session.get(Visit, todays_visit.id), officer, datetime.now(UTC))
        db.session.commit()
    sign_in(page, live_server, "petugas")
    page.goto(f"/signups/visits/{todays_visit.id}/new")
    wait_for_htmx(page)
    return todays_visit


def fill(page, worker) -> None:
    """The form filled for ``worker`` directly, field by field (the NIK check's answer is not waited for)."""
    page.fill("#nik", worker.nik)
    page.select_option("#sex", worker.sex)
    page.fill("#birth_date", worker.birth_date.isoformat())
    page.fill("#full_name", worker.name)
    page.select_option("#occupation", index=1)
    page.fill("#declared_income", worker.income)
    page.check("#consent")


def save(page) -> None:
    page.locator("#signup button.primary").click()


def in_view(page, selector: str) -> bool:
    """Whether the element's whole box lies within the 360 × 740 screen as it is scrolled now (to a pixel: an element
    scrolled to the top may sit a fraction of one above it, -0.08 px at this scale)."""
    return page.evaluate("""selector => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.top > -1 && box.left > -1 && box.bottom < innerHeight + 1 && box.right < innerWidth + 1;
    }""", selector)


def saved_names(app, visit_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(SignUp.full_name).where(SignUp.visit_id == visit_id)))


def test_a_saved_sign_up_is_confirmed_in_view_with_focus_on_the_next_workers_nik(page, live_app, signup_form):
    worker = signup_form.workers[0]
    fill(page, worker)
    save(page)
    confirmation = page.locator("#signup .flash.success")
    expect(confirmation).to_contain_text(f"{SAVED}: {worker.name}")
    expect(page.locator("#nik")).to_be_focused()
    expect(page.locator("#nik")).to_have_value("")
    assert in_view(page, "#signup .flash.success"), "the confirmation is off the screen"
    assert in_view(page, "#nik")


def test_a_refused_sign_up_puts_focus_on_the_first_field_in_error(page, live_app, signup_form):
    worker = signup_form.workers[0]
    fill(page, worker)
    page.fill("#full_name", "")
    save(page)
    expect(page.locator("#full_name")).to_be_focused()
    expect(page.locator("#full_name-err")).to_be_visible()
    assert in_view(page, "#full_name-err"), "the field's message is off the screen"
    expect(page.locator("#nik")).to_have_value(worker.nik)


def test_a_503_on_save_is_said_the_fields_are_kept_and_try_again_saves(page, live_app, signup_form):
    first, second = signup_form.workers[:2]
    fill(page, first)
    save(page)
    expect(page.locator("#signup .flash.success")).to_contain_text(first.name)

    url = f"**/signups/visits/{signup_form.id}/new"
    page.route(url, lambda route: route.fulfill(status=503, body="busy", headers={"Retry-After": "5"}))
    fill(page, second)
    save(page)
    failure = page.locator("#failure")
    expect(failure).to_contain_text(SERVER)
    expect(failure).to_be_in_viewport()
    # The first worker's confirmation does not stand for this save, which failed.
    expect(page.locator("#signup .flash.success")).to_have_count(0)
    expect(page.locator("#nik")).to_have_value(second.nik)
    expect(page.locator("#full_name")).to_have_value(second.name)
    expect(page.locator("#signup button.primary")).to_be_enabled()
    assert saved_names(live_app, signup_form.id) == [first.name]

    page.unroute(url)
    failure.get_by_role("button", name="Coba lagi").click()
    expect(page.locator("#signup .flash.success")).to_contain_text(second.name)
    expect(failure).to_be_hidden()
    assert saved_names(live_app, signup_form.id) == [first.name, second.name]


def test_a_save_with_no_network_is_said_and_the_fields_are_kept(page, live_app, signup_form):
    worker = signup_form.workers[0]
    page.route(f"**/signups/visits/{signup_form.id}/new", lambda route: route.abort("internetdisconnected"))
    fill(page, worker)
    save(page)
    expect(page.locator("#failure")).to_contain_text(NETWORK)
    expect(page.locator("#failure").get_by_role("button", name="Coba lagi")).to_be_visible()
    expect(page.locator("#nik")).to_have_value(worker.nik)
    expect(page.locator("#full_name")).to_have_value(worker.name)
    expect(page.locator("#consent")).to_be_checked()
    assert saved_names(live_app, signup_form.id) == []


def test_a_save_left_unanswered_times_out_and_frees_its_button(page, live_app, signup_form):
    assert page.evaluate("htmx.config.timeout") == 20_000
    # The same rule, a second instead of twenty: the route never answers.
    page.evaluate("htmx.config.timeout = 1000")
    page.route(f"**/signups/visits/{signup_form.id}/new", lambda route: None)
    fill(page, signup_form.workers[0])
    button = page.locator("#signup button.primary")
    save(page)
    expect(button).to_be_disabled()
    expect(page.locator("html")).to_have_class("sending")
    expect(page.locator("#failure")).to_contain_text(TIMEOUT)
    expect(button).to_be_enabled()
    expect(page.locator("html")).not_to_have_class("sending")
    expect(page.locator("#full_name")).to_have_value(signup_form.workers[0].name)


def test_an_upload_is_not_given_up_after_the_timeout(page, live_server):
    sign_in(page, live_server, "admin")
    page.goto("/villages/import")
    wait_for_htmx(page)
    page.evaluate("htmx.config.timeout = 300")

    def late_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        time.sleep(1)  # longer than the timeout, as a large file on 2G is
        return route.fulfill(status=200, body="<p>done</p>", headers={"Content-Type": "text/html"})

    page.route("**/villages/import", late_answer)
    timed_out = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener('htmx:timeout', () => resolve(true));
        document.addEventListener('htmx:afterRequest', () => resolve(false));
        htmx.trigger(document.querySelector('form[data-no-timeout]'), 'submit');
    })""")
    assert timed_out is False
    expect(page.locator("#failure")).to_be_hidden()


def test_a_coordinators_form_that_fails_is_said_and_sent_again(page, live_app, live_server, todays_visit):  # noqa: F811
    sign_in(page, live_server, "koordinator")
    page.goto(f"/visits/{todays_visit.id}")
    wait_for_htmx(page)
    assign = page.locator("form[action$='/officers']")
    choice = assign.locator("select option:not([value=''])").first.get_attribute("value")
    assign.locator("select").select_option(choice)
    url = f"**/visits/{todays_visit.id}/officers"
    page.route(url, lambda route: route.fulfill(status=500, body="boom"))
    assign.get_by_role("button").click()
    expect(page.locator("#failure")).to_contain_text(SERVER)
    expect(assign.locator("select")).to_have_value(choice)

    page.unroute(url)
    with page.expect_response(lambda answer: answer.url.endswith("/officers")) as answer:
        page.locator("#failure").get_by_role("button", name="Coba lagi").click()
    # Sent again with the officer chosen, and answered by the app: assigned, or refused (busy that day) with why.
    assert answer.value.status in (200, 422) and f"officer_id={choice}" in answer.value.request.post_data
    expect(page.locator("#failure")).to_be_hidden()
