"""Benchmark: the officer's visit day over EDGE, in bytes and seconds of network waiting (issue 15's budgets).

    .venv/bin/python -m tests.perf.bench_visit_on_edge          # about four minutes

Debian's Chromium as a 360 × 740 phone, driven by Playwright, against the app on a fresh copy of the seeded SQLite
database served from a thread. The demo officer (reading English) opens the home page with an empty cache (the first
load: the page, its stylesheet and scripts), then does a visit: opens today's visit, starts it, records attendance
(with the button that brings the sign-up form), signs ten workers up and closes it from the sign-up form. The visit
is done twice, on two fresh databases: once with the network as it is (a loopback) and once throttled by CDP to EDGE
(240 kbit/s down, 200 kbit/s up, 840 ms round trip); the bytes are the throttled run's, as CDP counts them received
(headers included, redirects too). Run with -v to list each response that was not answered from the browser's cache.

Network waiting is the time the officer is blocked waiting for an answer: the throttled run's time less the
unthrottled run's, the same script doing the same things at the same pace in both. The officer types at a human
pace (``KEY_DELAY_MS`` a key: a thumb on a phone), so a request that runs while they go on typing (the NIK check
while the name is typed) costs nothing unless it is still unanswered when they need its answer; what they wait
for is waited for explicitly: each page and each save's confirmation, the contribution (read to the worker before
they agree) and, before saving, the NIK check's answer (whether the NIK is registered already). Printed two ways:
the whole visit's time less the unthrottled one's, and the same for the explicit waits alone (the typing left out:
its pace drifts on a busy machine, and no request makes the officer wait while they type).

Service workers are blocked: CDP throttles and counts the page's own requests, not a service worker's, so through
static/js/sw.js every navigation would go unthrottled and uncounted. Without one, the browser's cache does what the
worker's shell cache would (the first load after clearing it downloads the shell, as before the worker existed);
not counted: the worker's one-time download of the shell at install (about the first load's assets again).
The offline preparation of a day's visits is measured apart, on a third copy, with the service worker allowed and no
throttling (its bytes do not depend on the link): the officer signs in (the service worker takes the app shell) and
presses "Prepare for offline" (the offline pack, then each page of today's and tomorrow's visits). Its bytes are
counted at the server (status line, headers and body as the app hands them over; the server's own Date and Server
headers left out), since CDP does not see what a service worker fetches.

Not a test: it prints the figures and the budgets.
"""

import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from campaign_app.clock import today
from campaign_app.extensions import db
from campaign_app.models import User, Visit, VisitOfficer, VisitStatus
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.browser.test_officer_signups import Worker, _unregistered_nik, english_day
from tests.browser.test_sign_in import sign_in
from tests.conftest import app_on_copy, make_app
from tests.databases import SQLiteDatabases

EDGE = {"offline": False, "latency": 840, "downloadThroughput": 240 * 1000 // 8,
        "uploadThroughput": 200 * 1000 // 8}
SIGN_UPS = 10
BUDGETS = {"first load": 25 * 1024, "visit": 45 * 1024}
PREPARE_BUDGET = 60 * 1024
WAITING_BUDGET = 15.0
KEY_DELAY_MS = 200  # five keys a second


class Counter:
    """Bytes received and requests made, as CDP reports them, per phase."""

    def __init__(self, cdp):
        self.phase, self.bytes, self.requests, self.sent = "", {}, {}, {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event):
        redirect = event.get("redirectResponse")
        if redirect:  # a redirect ends in no loadingFinished of its own
            self._count(event["requestId"], int(redirect.get("encodedDataLength", 0)), redirect["status"])
        self.sent[event["requestId"]] = f"{event['request']['method']} {event['request']['url'][:90]}"

    def _finished(self, event):
        self._count(event["requestId"], int(event["encodedDataLength"]), "")

    def _count(self, request_id: str, received: int, status) -> None:
        if received:  # nothing received: the browser's cache answered
            self.bytes[self.phase] = self.bytes.get(self.phase, 0) + received
            self.requests.setdefault(self.phase, []).append(f"{received:6} B {status:3} {self.sent.get(request_id)}")


class Blocked:
    """The seconds the officer spends waiting for the page (the waits below), the typing left out."""

    def __init__(self):
        self.seconds = 0.0
        self.by_wait: dict[str, float] = {}

    @contextmanager
    def waiting(self, what: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            waited = time.perf_counter() - started
            self.seconds += waited
            self.by_wait[what] = self.by_wait.get(what, 0.0) + waited


class Served:
    """What the app hands the server to send, per phase: status line, headers and body of each answer."""

    def __init__(self, app):
        self.phase, self.bytes, self.requests = "", {}, {}
        inner = app.wsgi_app

        def counted(environ, start_response):
            head = {}

            def start(status, headers, exc_info=None):
                head["size"] = len(f"HTTP/1.1 {status}\r\n\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers)
                return start_response(status, headers, exc_info)

            answer = inner(environ, start)
            try:
                chunks = list(answer)
            finally:
                getattr(answer, "close", lambda: None)()
            if self.phase:
                size = head.get("size", 0) + sum(map(len, chunks))
                self.bytes[self.phase] = self.bytes.get(self.phase, 0) + size
                self.requests.setdefault(self.phase, []).append(
                    f"{size:6} B {environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
            return chunks

        app.wsgi_app = counted


def prepare_for_offline(browser, base_url: str, served: Served) -> None:
    """The officer signs in on a new phone (the service worker takes the shell), then prepares for offline."""
    context = browser.new_context(base_url=base_url, **PHONE)
    context.set_default_timeout(60_000)
    page = context.new_page()
    served.phase = "sign-in, the service worker's shell"
    sign_in(page, base_url, "petugas")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_timeout(2000)  # the device credential, asked for after sign-in
    served.phase = "prepare"
    page.locator("#prepare button").click()
    expect(page.locator("#prepare [data-result]")).to_have_class("flash success")
    served.phase = ""
    context.close()


# Whether the element of the selector shows the text (all of it, or a part) or holds the value.
SHOWS = """([selector, kind, expected]) => {
    const element = document.querySelector(selector);
    if (!element) return false;
    if (kind === 'value') return element.value === expected;
    const text = element.textContent.replace(/\\s+/g, ' ').trim();
    return kind === 'text' ? text === expected : text.includes(expected);
}"""


def shown(page, selector: str, kind: str, expected: str) -> None:
    """Wait until the page shows the answer, looked for at every frame the browser draws; then assert it as the
    officer reads it. Playwright's ``expect`` alone looks again every 500 ms after its first second: an answer on the
    screen 1.0 s after the tap was seen at 1.27 s, ~0.3 s more in each throttled wait than in the unthrottled run's
    (there, answers come before the slow steps)."""
    deadline = time.perf_counter() + 60
    while True:
        try:
            page.wait_for_function(SHOWS, arg=[selector, kind, expected], polling="raf", timeout=60_000)
            break
        except PlaywrightError as error:
            # A page replaced under the wait (a navigation) ends its script: look again in the new one.
            if "context was destroyed" not in str(error) or time.perf_counter() > deadline:
                raise
    target = expect(page.locator(selector).first)
    {"text": target.to_have_text, "contains": target.to_contain_text, "value": target.to_have_value}[kind](expected)


def htmx_ready(page) -> None:
    # A function, not an expression: Playwright evaluates an expression with eval, which the CSP refuses.
    page.wait_for_function("() => window.htmx !== undefined")


def fill_worker(page, app, worker: Worker, blocked: Blocked) -> None:
    """The form filled at a human pace: the NIK, the name (the NIK check answers meanwhile), the occupation, the
    income (the contribution is read to the worker), their consent; then the NIK check's answer is looked at (is the
    NIK registered?) before saving. Sex and birth date are left to the NIK check."""
    with blocked.waiting("the form ready"):
        htmx_ready(page)
    page.locator("#nik").press_sequentially(worker.nik, delay=KEY_DELAY_MS)
    page.locator("#full_name").press_sequentially(worker.name, delay=KEY_DELAY_MS)
    page.select_option("#occupation", label=worker.occupation)
    # Each worker's own income, so that no figure is answered from a cache.
    page.locator("#declared_income").press_sequentially(worker.income, delay=KEY_DELAY_MS)
    with blocked.waiting("contribution"):
        shown(page, "#preview", "contains", "= Rp")
    page.get_by_label("The worker agrees").check()
    with blocked.waiting("NIK check's answer"):
        # The server's answer (the district and the registration), not only what the phone reads of the NIK.
        shown(page, "#nik-check", "contains", f"born {english_day(app, worker.birth_date)}, registered in")
        shown(page, "#birth_date", "value", worker.birth_date.isoformat())


def visit_of_today(app) -> tuple[int, str, list[Worker]]:
    with app.app_context():
        visit = db.session.scalar(
            select(Visit).join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
            .join(User, User.id == VisitOfficer.officer_id)
            .where(User.username == "petugas", Visit.visit_date == today(), Visit.status == VisitStatus.PLANNED,
                   Visit.village_code.startswith("72.71."))
            .order_by(Visit.id).limit(1))
        district = visit.village.district_code.replace(".", "")
        workers = [Worker(f"Pekerja Ke {chr(65 + i)}", _unregistered_nik(date(1990, 1, 1 + i), "P", district,
                                                                          9000 - 40 * i),
                          "P", date(1990, 1, 1 + i), "Trader", f"{1_500_000 + 50_000 * i:,}".replace(",", "."), "")
                   for i in range(SIGN_UPS)]
        return visit.id, visit.village.name, workers


def run(browser, app, base_url: str, throttled: bool) -> tuple[float, float, Blocked, Counter]:
    visit_id, village, workers = visit_of_today(app)
    context = browser.new_context(base_url=base_url, service_workers="block", **PHONE)
    context.set_default_timeout(60_000)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    counter = Counter(cdp)
    counter.phase = "sign-in"
    sign_in(page, base_url, "petugas")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    cdp.send("Network.clearBrowserCache")
    if throttled:
        cdp.send("Network.emulateNetworkConditions", EDGE)

    counter.phase = "first load"
    started = time.perf_counter()
    page.goto("/")
    htmx_ready(page)
    first_load = time.perf_counter() - started

    counter.phase = "visit"
    blocked = Blocked()
    started = time.perf_counter()
    with blocked.waiting("visit page, start"):
        page.locator(f"a[href='/field/visits/{visit_id}']").first.click()
        shown(page, "h1", "text", village)
        page.get_by_role("button", name="Start visit").click()
        shown(page, ".flash.success", "contains", "Visit started")
        htmx_ready(page)
    attendance = page.locator("#attendance")
    attendance.get_by_label("Women", exact=True).fill("23")
    attendance.get_by_label("Men", exact=True).fill("17")
    with blocked.waiting("attendance, to the sign-up page"):
        # Saved with the button that answers with the sign-up form in place of the visit's page (one request).
        attendance.get_by_role("button", name="Save and sign workers up").click()
        shown(page, "#signup-page .flash.success", "text", "Attendance saved.")
    for worker in workers:
        fill_worker(page, app, worker, blocked)
        with blocked.waiting("saves"):
            page.get_by_role("button", name="Save sign-up").click()
            shown(page, "#signup .flash.success", "contains", f"Saved: {worker.name}")
            shown(page, "#nik", "value", "")
    with blocked.waiting("close"):
        # Closed from the sign-up form after the last worker, as the form offers (no trip back to the visit page).
        page.locator("summary", has_text="Close visit").click()  # the question; nothing is sent yet
        page.get_by_role("button", name="Yes, close the visit").click()
        shown(page, ".flash.success", "text", "Visit closed. Thank you!")
    visit = time.perf_counter() - started
    context.close()
    return first_load, visit, blocked, counter


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        databases = SQLiteDatabases(Path(folder))
        seeded = make_app(databases.template_url())
        with seeded.app_context():
            from flask_migrate import upgrade

            from campaign_app.demo.seed import seed_demo
            from campaign_app.regions.load import load_regions

            upgrade()
            load_regions(["72"])
            seed_demo()
            db.session.commit()
            db.engine.dispose()
        results = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for throttled in (False, True):
                with app_on_copy(databases, databases.fresh_url(), WTF_CSRF_ENABLED=True) as app:
                    server = make_server("127.0.0.1", 0, app, threaded=True)
                    thread = threading.Thread(target=server.serve_forever, daemon=True)
                    thread.start()
                    try:
                        results[throttled] = run(browser, app, f"http://127.0.0.1:{server.server_port}", throttled)
                    finally:
                        server.shutdown()
                        thread.join(timeout=10)
                        server.server_close()
            with app_on_copy(databases, databases.fresh_url(), WTF_CSRF_ENABLED=True) as app:
                served = Served(app)
                server = make_server("127.0.0.1", 0, app, threaded=True)
                thread = threading.Thread(target=server.serve_forever, daemon=True)
                thread.start()
                try:
                    prepare_for_offline(browser, f"http://127.0.0.1:{server.server_port}", served)
                finally:
                    server.shutdown()
                    thread.join(timeout=10)
                    server.server_close()
            browser.close()
        databases.close()
    (first_fast, visit_fast, blocked_fast, _) = results[False]
    (first_edge, visit_edge, blocked_edge, counter) = results[True]
    for phase in ("first load", "visit"):
        received = counter.bytes.get(phase, 0)
        print(f"{phase}: {received / 1024:.1f} KB down in {len(counter.requests.get(phase, []))} requests "
              f"(budget {BUDGETS[phase] / 1024:.0f} KB)")
        if "-v" in sys.argv:
            print("  " + "\n  ".join(counter.requests.get(phase, [])))
    print(f"first load: {first_edge:.1f} s on EDGE, {first_fast:.1f} s unthrottled")
    print(f"visit ({SIGN_UPS} sign-ups): {visit_edge:.1f} s on EDGE, {visit_fast:.1f} s unthrottled: "
          f"{visit_edge - visit_fast:.1f} s of network waiting (budget {WAITING_BUDGET:.0f} s)")
    print(f"  the waits alone: {blocked_edge.seconds:.1f} s on EDGE, {blocked_fast.seconds:.1f} s unthrottled: "
          f"{blocked_edge.seconds - blocked_fast.seconds:.1f} s of network waiting")
    for what, seconds in blocked_edge.by_wait.items():
        print(f"    {what}: {seconds - blocked_fast.by_wait.get(what, 0.0):.1f} s")
    for phase, received in served.bytes.items():
        budget = f" (budget {PREPARE_BUDGET / 1024:.0f} KB)" if phase == "prepare" else ""
        print(f"{phase}: {received / 1024:.1f} KB sent by the app in {len(served.requests[phase])} requests{budget}")
        if "-v" in sys.argv:
            print("  " + "\n  ".join(served.requests[phase]))


if __name__ == "__main__":
    main()
