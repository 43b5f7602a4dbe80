"""Browser fixtures: the app served from a thread, and Debian's Chromium driven by Playwright.

Never downloads a browser: Playwright launches /usr/bin/chromium. Without it the browser tests
are skipped, unless REQUIRE_BROWSER=1 (as in CI), when they fail.
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import app_on_copy

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
# A cheap Android phone: what an officer carries to the village.
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def wait_for_htmx(page) -> None:
    """Wait until the page's htmx has loaded and taken up the page. Loaded deferred, it takes the page up on
    DOMContentLoaded, after ``window.htmx`` exists: a control changed in between sends nothing. The check is written
    as a function: Playwright evaluates a plain expression again on every poll, and the pages' CSP (no 'unsafe-eval')
    refuses every evaluation but the first, so a page slower than that first poll failed the test."""
    page.wait_for_load_state("domcontentloaded")
    page.wait_for_function("() => window.htmx !== undefined")
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " and REQUIRE_BROWSER=1")
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions (10 s), not Playwright's 5 s: on a busy 2-core machine a dashboard's answer
    # took 5.2 s and a filter test failed that way; a passing assertion returns as soon as it holds.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(databases):
    """The app on a fresh copy of the seeded database, with CSRF protection on as in production."""
    with app_on_copy(databases, databases.fresh_url(), WTF_CSRF_ENABLED=True) as app:
        yield app


@contextmanager
def served(app) -> Iterator[str]:
    """``app`` served on 127.0.0.1 from a background thread while the block runs: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # shutdown() waits for the loop to look: at the default 0.5 s, 0.25 s of nothing per server on average.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="live-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def live_server(live_app):
    """The base URL of ``live_app`` served on 127.0.0.1 from a background thread."""
    with served(live_app) as base_url:
        yield base_url


@pytest.fixture
def page(browser, live_server):
    """A new phone-sized page with no cookies; every wait gives up after 10 s. Whatever the test does, the
    Content-Security-Policy must block nothing (Chromium reports each block on the console)."""
    context = browser.new_context(base_url=live_server, **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    blocked = policy_blocks(page)
    yield page
    context.close()
    assert not blocked, "the Content-Security-Policy blocked:\n" + "\n".join(blocked)


def policy_blocks(page) -> list[str]:
    """What the Content-Security-Policy blocks on ``page`` from now on (Chromium reports each on the console)."""
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    return blocked


@pytest.fixture(scope="session")
def results_dir():
    RESULTS.mkdir(exist_ok=True)
    return RESULTS
