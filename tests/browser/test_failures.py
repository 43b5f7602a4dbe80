"""A request htmx cannot complete is said on the screen, in the page's language: a dropped connection and a server
error each show their message in the #failure bar (static/js/failures.js)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser


def test_a_dropped_connection_and_a_server_error_are_said_where_the_officer_looks(page, live_server):
    sign_in(page, live_server, "petugas")
    page.goto("/signups/")
    failure = page.locator("#failure")
    expect(failure).to_be_hidden()

    page.route("**/signups/", lambda route: route.abort("internetdisconnected"))
    # Not awaited: the promise htmx.ajax returns is rejected when the request fails.
    page.evaluate("() => { htmx.ajax('GET', '/signups/', '#main').catch(() => {}); }")
    expect(failure).to_be_visible()
    expect(failure).to_contain_text("Tidak ada koneksi: tidak ada yang terkirim.")

    page.unroute("**/signups/")
    page.route("**/signups/", lambda route: route.fulfill(status=500, body="boom"))
    # Not awaited: the promise htmx.ajax returns is rejected when the request fails.
    page.evaluate("() => { htmx.ajax('GET', '/signups/', '#main').catch(() => {}); }")
    expect(failure).to_contain_text("Terjadi kesalahan di server; tidak ada yang tersimpan.")
    expect(failure).to_be_in_viewport()
