"""The officer's day with no signal (issue 15), in Chromium as a 360 × 740 phone.

One live server and one browser profile for the module: the demo officer prepares today's visit, the network is cut,
the stored pages open and reload, the visit is started and a worker signed up on the phone, and the record is still
in the outbox after the browser is closed and opened again. Fifty sign-ups captured across a restart reach the server
once each through a new service worker, a lost answer, a network cut mid-sync and an expired session. The NIK rules
on the phone answer tests/nik_cases.json as the server does.

The server's side is the real sync endpoint (campaign_app/sync); tests/browser/sync_gate.py stands between it and
the phone to make the server busy or lose an answer.
"""

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from sqlalchemy import func, select

from campaign_app.clock import today
from campaign_app.extensions import db
from campaign_app.models import SignUp, SyncRecord, SyncStatus, User, Visit, VisitOfficer, VisitStatus
from campaign_app.offline import service as offline_service
from campaign_app.offline.service import district_codes
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, served
from tests.browser.sync_gate import SyncGate
from tests.browser.test_sign_in import sign_in
from tests.conftest import app_on_copy
from tests.factories import nik_for

pytestmark = pytest.mark.browser
CASES = json.loads((Path(__file__).parents[1] / "nik_cases.json").read_text(encoding="utf-8"))["cases"]
OUTBOX = "() => JangkauOutbox.all('outbox')"
LAST_WORKER = 50


@pytest.fixture(scope="module")
def server(databases):
    """The app on a fresh copy of the seeded database, served once for the module."""
    with app_on_copy(databases, databases.fresh_url(), WTF_CSRF_ENABLED=True) as app:
        app.extensions["sync_gate"] = gate = SyncGate(app.wsgi_app)
        app.wsgi_app = gate
        with served(app) as base_url:
            yield app, base_url


@pytest.fixture(scope="module")
def todays_visit(server) -> int:
    app, _ = server
    with app.app_context():
        visit_id = db.session.scalar(
            select(Visit.id).join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
            .join(User, User.id == VisitOfficer.officer_id)
            .where(User.username == "petugas", Visit.visit_date == today(), Visit.status == VisitStatus.PLANNED,
                   Visit.village_code.startswith("72.71."))
            .order_by(Visit.id).limit(1))
    assert visit_id is not None, "the demo seed gives petugas a planned visit today in Kota Palu"
    return visit_id


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    """The phone's browser profile: what it stores survives closing the browser."""
    return tmp_path_factory.mktemp("phone-profile")


def open_phone(browser, profile: Path, base_url: str):
    """The browser started on ``profile``, as an officer opens it again."""
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS, base_url=base_url, **PHONE)
    context.set_default_timeout(10_000)
    return context


def wait_for_worker(page) -> None:
    """Wait until the service worker controls the page. It first stores its whole shell: on a busy machine that may
    take longer than a step; when it never comes, say where the worker stands.

    A worker that claims its clients while the page is between two documents (the sign-in's redirect to home) claims
    the one leaving: the new one is not controlled until the next page, as in any browser. The page is loaded again
    once then, as the officer's next tap would."""
    try:
        page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)", timeout=30_000)
        if page.evaluate("() => navigator.serviceWorker.controller === null"):
            page.reload()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
    except PlaywrightTimeoutError:
        state = page.evaluate("""() => navigator.serviceWorker.getRegistration().then(r => r ? {
            installing: r.installing && r.installing.state, waiting: r.waiting && r.waiting.state,
            active: r.active && r.active.state} : null)""")
        raise AssertionError(f"no service worker controls {page.url} after 30 s: registration {state}") from None


@pytest.fixture(scope="module")
def prepared(browser, server, profile, todays_visit):
    """The officer signed in on the phone and prepared for offline: the result the home page said."""
    _, base_url = server
    context = open_phone(browser, profile, base_url)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, base_url, "petugas")
    wait_for_worker(page)
    page.locator("#prepare button").click()
    result = page.locator("#prepare [data-result]")
    expect(result).to_have_class("flash success", timeout=20_000)
    said = result.text_content()
    context.close()
    return said


def test_prepare_for_offline_says_how_many_visits_are_ready(prepared):
    assert prepared.startswith("Siap: ") and "kunjungan" in prepared


def test_the_prepared_pages_open_and_reload_with_the_network_cut(browser, server, profile, prepared, todays_visit):
    _, base_url = server
    context = open_phone(browser, profile, base_url)
    try:
        page = context.new_page()
        page.goto("/")
        wait_for_worker(page)
        context.set_offline(True)
        page.goto(f"/field/visits/{todays_visit}")
        expect(page.locator("form[data-offline=visit_started] button")).to_be_visible()
        page.reload()
        expect(page.locator("form[data-offline=visit_started] button")).to_be_visible()
        page.goto(f"/signups/visits/{todays_visit}/new")
        expect(page.locator("form[data-offline=signup]")).to_be_visible()
        page.goto("/audit")  # not prepared: the offline page, not the browser's error
        expect(page.locator("h1")).to_have_text("Tanpa sinyal")
    finally:
        context.close()


def test_a_signup_captured_offline_is_in_the_outbox_after_a_browser_restart(browser, server, profile, prepared,
                                                                            todays_visit):
    _, base_url = server
    nik = nik_for(district="727101", serial=9321)
    context = open_phone(browser, profile, base_url)
    try:
        page = context.new_page()
        page.goto("/")
        wait_for_worker(page)
        context.set_offline(True)
        page.goto(f"/field/visits/{todays_visit}")
        page.locator("form[data-offline=visit_started] button").click()
        expect(page.locator("[data-offline-notice]")).to_contain_text("dimulai di ponsel")
        page.fill("#women", "12")
        page.fill("#men", "9")
        page.locator("form[data-offline=attendance] button.primary").click()
        expect(page.locator("[data-offline-notice]")).to_contain_text("Kehadiran disimpan di ponsel")
        page.locator(f"a[href='/signups/visits/{todays_visit}/new']").first.click()
        page.fill("#nik", nik)
        page.fill("#full_name", "Siti Rahmawati")
        page.select_option("#occupation", index=1)
        page.fill("#declared_income", "1.500.000")
        # Worked out on the phone from the pack's rate table: JKK 1 % (Rp15.000) + JKM Rp6.800.
        expect(page.locator("#preview strong")).to_have_text("Rp21.800")
        page.check("#consent")
        page.locator("form[data-offline=signup] button.primary").click()
        expect(page.locator("[data-offline-notice]")).to_contain_text("Tersimpan di ponsel: Siti Rahmawati")
        expect(page.locator("#full_name")).to_have_value("")
    finally:
        context.close()
    context = open_phone(browser, profile, base_url)
    try:
        page = context.new_page()
        context.set_offline(True)
        page.goto(f"/field/visits/{todays_visit}")
        records = page.evaluate(OUTBOX)
        kinds = sorted(r["kind"] for r in records)
        assert kinds == ["attendance", "signup", "visit_started"]
        attendance = next(r for r in records if r["kind"] == "attendance")
        assert (attendance["data"]["women"], attendance["data"]["men"]) == ("12", "9")
        signup = next(r for r in records if r["kind"] == "signup")
        assert (signup["visit_id"], signup["data"]["nik"], signup["data"]["full_name"]) == (
            todays_visit, nik, "Siti Rahmawati")
        assert 16 <= len(signup["key"]) <= 64
        # The stored page shows the visit started on the phone, and what is on it.
        expect(page.locator("form[data-offline=attendance]")).to_be_visible()
        expect(page.locator("#phone-records [data-line]")).to_contain_text("Di ponsel: 3")
        # For a phone that will never get a signal: the file an administrator imports.
        with page.expect_download() as download:
            page.locator("#phone-records [data-export]").click()
        exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        assert sorted(r["key"] for r in exported) == sorted(r["key"] for r in records)
        assert all(isinstance(r["device_id"], int) for r in exported)
    finally:
        context.close()


def test_the_phone_reads_every_nik_of_the_table_as_the_server_does(browser, server):
    app, base_url = server
    with app.app_context():
        districts = district_codes()
    context = browser.new_context(base_url=base_url, **PHONE)
    try:
        page = context.new_page()
        page.goto("/login")
        page.add_script_tag(url="/static/js/nik.js")
        answers = page.evaluate("""([cases, districts]) => cases.map(c => {
            const r = JangkauNik.check(c.nik, districts, new Date().getFullYear());
            return r.valid ? {errors: [], sex: r.sex, birth_date: r.birth_date} : {errors: r.errors};
        })""", [CASES, districts])
    finally:
        context.close()
    expected = [{"errors": c["errors"], **({"sex": c["sex"], "birth_date": c["birth_date"]} if not c["errors"]
                                          else {})} for c in CASES]
    wrong = [f"{c['why']}: phone {a}, table {e}" for c, a, e in zip(CASES, answers, expected, strict=True) if a != e]
    assert not wrong, "the phone disagrees with the table:\n" + "\n".join(wrong)


def wait_until(check, timeout: float = 20.0) -> None:
    """Poll ``check`` (page.evaluate awaits a promise; wait_for_function would take the promise itself as true)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.1)


def capture_signups(page, visit_id: int, first: int, count: int) -> None:
    """``count`` sign-ups typed into the stored form without signal, workers numbered from ``first``."""
    page.goto(f"/signups/visits/{visit_id}/new")
    for number in range(first, first + count):
        # The last worker gives the NIK of the one before: the server keeps that sign-up for review.
        page.fill("#nik", nik_for(district="727101", serial=8000 + min(number, LAST_WORKER - 1)))
        page.fill("#full_name", f"Pekerja Nomor {number:02d}")
        page.select_option("#occupation", index=1)
        page.fill("#declared_income", "1.500.000")
        page.check("#consent")
        page.locator("form[data-offline=signup] button.primary").click()
        expect(page.locator("[data-offline-notice]")).to_contain_text(f"Pekerja Nomor {number:02d}")


def test_fifty_signups_offline_across_a_restart_reach_the_server_once_each(browser, server, profile, prepared,
                                                                           todays_visit, monkeypatch):
    app, base_url = server
    gate: SyncGate = app.extensions["sync_gate"]
    gate.busy = True  # the records wait on the phone until the end
    for first in (1, 26):  # the browser is closed and opened again half-way
        context = open_phone(browser, profile, base_url)
        try:
            page = context.new_page()
            context.set_offline(True)
            capture_signups(page, todays_visit, first, 25)
        finally:
            context.close()

    context = open_phone(browser, profile, base_url)
    try:
        page = context.new_page()
        context.set_offline(True)
        page.goto(f"/field/visits/{todays_visit}")
        waiting = {r["key"] for r in page.evaluate(OUTBOX)}
        [shell] = page.evaluate("() => caches.keys().then(n => n.filter(n => n.startsWith('jangkau-shell-')))")
        assert sum(r["kind"] == "signup" for r in page.evaluate(OUTBOX)) >= 50

        # A new service worker is deployed while the records wait: it installs, and nothing on the phone is lost.
        monkeypatch.setattr(offline_service, "SHELL_FILES", (*offline_service.SHELL_FILES, "js/dashboard.js"))
        context.set_offline(False)
        page.goto("/")
        wait_until(lambda: page.evaluate("""() => caches.keys().then(names => names.filter(
            n => n.startsWith('jangkau-shell-')))""") not in ([], [shell]))
        assert {r["key"] for r in page.evaluate(OUTBOX)} == waiting
        context.set_offline(True)
        page.reload()  # the stored page, under the new worker
        expect(page.locator("#prepare")).to_be_attached()
        posts = gate.posts
        context.set_offline(False)
        assert {r["key"] for r in page.evaluate(OUTBOX)} == waiting
        # The network back, the phone tries at once; the server is still busy, so the records wait for a later try.
        wait_until(lambda: gate.posts > posts)
        expect(page.locator("#phone-records [data-status]")).to_have_class("flash warning")

        # The server answers again; the first answer is lost on the way back, then the network drops mid-sync.
        # (Each step waits for the server to see it: the warning of the try before is still on the screen.)
        gate.busy, gate.lose_answers = False, 1
        page.locator("#phone-records [data-send]").click()
        wait_until(lambda: gate.lose_answers == 0)
        expect(page.locator("#phone-records [data-status]")).to_have_class("flash warning")
        page.locator("#phone-records [data-send]").click()
        wait_until(lambda: len(page.evaluate(OUTBOX)) <= len(waiting) - 10)
        context.set_offline(True)
        # The round under way ends on the cut (an answer already on its way may still land): then the outbox rests.
        expect(page.locator("#phone-records [data-status]")).to_have_class("flash warning")
        left = len(page.evaluate(OUTBOX))
        assert 0 < left < len(waiting)

        # Signing out while records wait asks first; kept on the page when the officer says no.
        asked: list[str] = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.locator("form.signout button").click()
        wait_until(lambda: asked)
        assert f"{len(page.evaluate(OUTBOX))} data belum terkirim" in asked[0]
        expect(page.locator("#phone-records")).to_be_visible()
    finally:
        context.close()

    # The session expires meanwhile; the officer opens the browser again where there is signal: the records still
    # go, signed by the phone's device credential. (A fresh browser: after the emulated cuts above, in 2 runs of 27
    # Chromium cancelled the service worker's next navigation request 2 ms after sending it, as its net log
    # showed, and the page never loaded.)
    context = open_phone(browser, profile, base_url)
    try:
        context.clear_cookies()
        page = context.new_page()
        page.goto("/", timeout=30_000)
        wait_until(lambda: not page.evaluate(OUTBOX), timeout=30)
        assert "/login" in page.url

        # Signed in again, the officer reads what was received and what needs review, and why.
        sign_in(page, base_url, "petugas")
        expect(page.locator("#phone-records [data-line]")).to_contain_text("1 perlu ditinjau")
        expect(page.locator("#phone-records [data-problems] li")).to_contain_text(f"Pekerja Nomor {LAST_WORKER}")
    finally:
        context.close()

    with app.app_context():
        stored = db.session.execute(select(SyncRecord.key, SyncRecord.kind, SyncRecord.status)
                                    .where(SyncRecord.key.in_(waiting))).all()
        signups = db.session.scalar(select(func.count()).select_from(SignUp).where(SignUp.form_key.in_(waiting)))
    assert len(stored) == len(waiting), "each record waiting on the phone is stored exactly once"
    received = [key for key, kind, status in stored if kind == "signup" and status == SyncStatus.RECEIVED]
    review = [key for key, kind, status in stored if status == SyncStatus.NEEDS_REVIEW]
    assert signups == len(received) >= 50 and len(review) == 1, "each sign-up received is one row"
    assert gate.posts > len(stored), "no record was sent twice: the lost answer and the cut were not exercised"
