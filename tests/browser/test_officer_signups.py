"""An officer's visit day in a real browser, on a 360 × 740 phone over a 3G-like network.

The demo officer opens today's visit in Kota Palu from their home page, starts it, records attendance,
signs three workers up (the NIK check reading each NIK as it is typed), is refused a NIK registered a
minute before, double-submits one form and finds one record, and closes the visit to see its summary.
"""

import re
from dataclasses import dataclass
from datetime import date

import pytest
from flask_babel import format_date
from playwright.sync_api import expect
from sqlalchemy import func, select

from campaign_app.clock import today
from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.models import SignUp, User, Visit, VisitOfficer, VisitStatus
from campaign_app.signups.personal_data import mask_nik, nik_index
from campaign_app.signups.records import district_label
from tests.browser.conftest import PHONE, wait_for_htmx
from tests.browser.test_sign_in import sign_in, too_wide
from tests.factories import nik_for

pytestmark = pytest.mark.browser
WIDTH = PHONE["viewport"]["width"]
# Chrome's "Regular 3G" preset: 100 ms round trip, 750 kbit/s down, 250 kbit/s up.
REGULAR_3G = {"offline": False, "latency": 100, "downloadThroughput": 750 * 1024 // 8,
              "uploadThroughput": 250 * 1024 // 8}


@dataclass(frozen=True)
class Worker:
    name: str
    nik: str
    sex: str
    birth_date: date
    occupation: str
    income: str
    monthly: str

    @property
    def masked(self) -> str:
        return mask_nik(self.nik)


@dataclass(frozen=True)
class TodaysVisit:
    id: int
    village: str
    district: str
    workers: tuple[Worker, ...]


def _unregistered_nik(birth_date: date, sex: str, district: str, serial: int) -> str:
    """A valid NIK of ``district`` that no demo sign-up holds (serials counted down from ``serial``)."""
    while True:
        nik = nik_for(birth_date, sex, district, serial)
        if db.session.scalar(select(SignUp.id).where(SignUp.nik_index == nik_index(nik))) is None:
            return nik
        serial -= 1


@pytest.fixture
def todays_visit(live_app) -> TodaysVisit:
    """The demo officer's planned visit of today in Kota Palu, and three workers of its district."""
    with live_app.app_context():
        visit = db.session.scalar(
            select(Visit).join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
            .join(User, User.id == VisitOfficer.officer_id)
            .where(User.username == "petugas", Visit.visit_date == today(), Visit.status == VisitStatus.PLANNED,
                   Visit.village_code.startswith("72.71."))
            .order_by(Visit.id).limit(1)
        )
        assert visit is not None, "the demo seed gives petugas a planned visit today in Kota Palu"
        district = visit.village.district_code.replace(".", "")
        people = [("Siti Rahmawati", "P", date(1995, 8, 5), "Trader", "1.500.000", "Rp21.800"),
                  ("Andi Lamarauna", "L", date(1988, 3, 14), "Fisher", "2.000.000", "Rp26.800"),
                  ("Nurul Hidayah", "P", date(2001, 11, 23), "Farmer", "1.000.000", "Rp16.800")]
        workers = tuple(
            Worker(name, _unregistered_nik(born, sex, district, 9999 - i), sex, born, occupation, income, monthly)
            for i, (name, sex, born, occupation, income, monthly) in enumerate(people)
        )
        return TodaysVisit(visit.id, visit.village.name, district_label(visit.village.district_code), workers)


def fits(page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= WIDTH, f"{page.url} is {scroll_width} px wide: {too_wide(page, WIDTH)}"


def english_day(app, day: date) -> str:
    with app.test_request_context(), force_locale("en"):
        return format_date(day)


def type_nik(page, nik: str) -> None:
    """Types the NIK as a thumb would; the NIK check answers after a pause in typing."""
    field = page.locator("#nik")
    field.fill("")
    field.press_sequentially(nik, delay=15)


def fill_worker(page, app, worker: Worker, *, nik: str | None = None) -> None:
    """Fills the sign-up form for ``worker``; sex and birth date are left for the NIK check to fill in."""
    wait_for_htmx(page)
    type_nik(page, nik or worker.nik)
    check = page.locator("#nik-check")
    sex = "Female" if worker.sex == "P" else "Male"
    expect(check).to_contain_text(f"{sex}, born {english_day(app, worker.birth_date)}")
    expect(page.locator("#sex")).to_have_value(worker.sex)
    expect(page.locator("#birth_date")).to_have_value(worker.birth_date.isoformat())
    page.fill("#full_name", worker.name)
    page.select_option("#occupation", label=worker.occupation)
    page.locator("#declared_income").press_sequentially(worker.income, delay=15)
    expect(page.locator("#preview")).to_contain_text(f"= {worker.monthly}")
    page.get_by_label("The worker agrees").check()


def save_and_see_it_saved(page, worker: Worker) -> None:
    page.get_by_role("button", name="Save sign-up").click()
    expect(page.locator("#signup .flash.success")).to_have_text(
        re.compile(re.escape(f"Saved: {worker.name}, {worker.masked}, {worker.monthly} a month.")))
    # A fresh, empty form for the next worker.
    expect(page.locator("#nik")).to_have_value("")


def signups_of(app, visit_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(SignUp.full_name).where(SignUp.visit_id == visit_id)
                                       .order_by(SignUp.id)))


def test_an_officer_records_a_visit_and_its_signups_on_a_phone(page, live_app, live_server, todays_visit,
                                                                results_dir):
    visit, (first, second, third) = todays_visit, todays_visit.workers
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send("Network.emulateNetworkConditions", REGULAR_3G)

    sign_in(page, live_server, "petugas")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Home: today's visit, one tap away.
    page.get_by_role("link", name=re.compile(rf"^Today\b.*{re.escape(visit.village)}")).click()
    expect(page).to_have_url(f"{live_server}/field/visits/{visit.id}")
    expect(page.locator("h1")).to_have_text(visit.village)
    fits(page)

    # Start: the check-in time is recorded and shown.
    page.get_by_role("button", name="Start visit").click()
    expect(page.locator(".flash.success")).to_contain_text(re.compile(r"Visit started at \d\d:\d\d WITA"))
    expect(page.locator("main")).to_contain_text(re.compile(r"Checked in at \d\d:\d\d"))

    # Attendance, saved in place (htmx swaps the attendance block).
    wait_for_htmx(page)
    attendance = page.locator("#attendance")
    attendance.get_by_label("Women", exact=True).fill("23")
    attendance.get_by_label("Men", exact=True).fill("17")
    attendance.get_by_label("Road").check()
    attendance.get_by_label("Notes").fill("Jalan licin setelah hujan; balai desa penuh.")
    attendance.get_by_role("button", name="Save attendance").click()
    expect(attendance.locator(".flash.success")).to_have_text("Attendance saved.")
    expect(attendance.get_by_label("Women", exact=True)).to_have_value("23")
    expect(attendance.get_by_label("Road")).to_be_checked()
    fits(page)
    page.screenshot(path=results_dir / "officer-visit-started-360.png", full_page=True)

    # Two workers signed up, one after the other on the same page.
    page.get_by_role("link", name="New sign-up").click()
    expect(page.locator("h1")).to_have_text("Sign a worker up")
    fill_worker(page, live_app, first)
    expect(page.locator("#nik-check")).to_contain_text(f"registered in {visit.district}")
    fits(page)
    page.screenshot(path=results_dir / "officer-signup-form-360.png", full_page=True)
    save_and_see_it_saved(page, first)
    fill_worker(page, live_app, second)
    save_and_see_it_saved(page, second)

    # The first worker's NIK again: the check warns while typing, and the save is refused, masked.
    fill_worker(page, live_app, Worker("Siti R.", first.nik, first.sex, first.birth_date, "Trader", "1.500.000",
                                       "Rp21.800"))
    expect(page.locator("#nik-check .flash.warning")).to_contain_text(
        f"Registered already: {first.masked}")
    page.get_by_role("button", name="Save sign-up").click()
    refusal = page.locator("#nik-err")
    expect(refusal).to_contain_text(f"This NIK is registered already: {first.masked}")
    expect(refusal).to_contain_text(visit.village)
    expect(refusal).not_to_contain_text(first.nik)
    expect(page.get_by_role("link", name="See the existing sign-up")).to_be_visible()
    expect(page.locator("#nik")).to_have_value(first.nik)
    expect(page.locator("#full_name")).to_have_value("Siti R.")
    fits(page)
    page.screenshot(path=results_dir / "officer-signup-duplicate-360.png", full_page=True)
    assert signups_of(live_app, visit.id) == [first.name, second.name]

    # A new form from the visit page, double-tapped (htmx disables the button while it saves), then the same
    # form sent twice at once, as retries after a timeout would: the one-time key keeps it to one record.
    page.get_by_role("link", name=f"‹ {visit.village}").click()
    expect(page.locator("h1")).to_have_text(visit.village)
    page.get_by_role("link", name="New sign-up").click()
    fill_worker(page, live_app, third)
    sent = page.evaluate("() => new URLSearchParams(new FormData(document.querySelector('#signup form'))).toString()")
    page.get_by_role("button", name="Save sign-up").dblclick()
    expect(page.locator("#signup .flash.success")).to_contain_text(f"Saved: {third.name}")
    saved_id = re.search(r"/signups/(\d+)", page.get_by_role("link", name="See the sign-up").get_attribute("href"))[1]
    retried = page.evaluate("""async ([url, body]) => {
        const post = () => fetch(url, {method: 'POST', body: new URLSearchParams(body)});
        const answers = await Promise.all([post(), post()]);
        return answers.map(answer => [answer.status, answer.url]);
    }""", [f"/signups/visits/{visit.id}/new", sent])
    for status, url in retried:
        assert status == 200 and url.endswith(f"?saved={saved_id}"), retried
    assert signups_of(live_app, visit.id) == [first.name, second.name, third.name]
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignUp)
                                 .where(SignUp.nik_index == nik_index(third.nik))) == 1

    # Back on the visit: the three sign-ups, masked; then the visit is closed with its summary.
    page.get_by_role("link", name=f"‹ {visit.village}").click()
    expect(page.get_by_role("heading", name="Sign-ups (3)")).to_be_visible()
    listed = page.locator("ul.visits li")
    expect(listed).to_have_count(3)
    for worker in (first, second, third):
        expect(listed.filter(has_text=worker.name)).to_contain_text(worker.masked)
    expect(page.locator("main")).not_to_contain_text(first.nik)
    # Closing asks first: the first tap only opens the question.
    page.locator("details.confirm > summary").click()
    page.get_by_role("button", name="Yes, close the visit").click()
    expect(page.locator(".flash.success")).to_have_text("Visit closed. Thank you!")
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    tiles = page.locator("dl.tiles")
    expect(tiles.locator("div", has_text="Sign-ups").locator("dd")).to_have_text("3")
    expect(tiles.locator("div", has_text="Attendance").locator("dd")).to_have_text("40")
    expect(page.locator("main")).to_contain_text("Women 23 · Men 17")
    expect(page.locator("main")).to_contain_text("Obstacles: Road")
    expect(page.get_by_role("button", name="Close visit")).to_have_count(0)
    expect(page.get_by_role("link", name="New sign-up")).to_have_count(0)
    fits(page)
    page.screenshot(path=results_dir / "officer-visit-closed-360.png", full_page=True)
    with live_app.app_context():
        assert db.session.get(Visit, visit.id).status == VisitStatus.DONE


# --- what the officer waits for: the requests a visit makes ------------------------------------------------------

class Requests:
    """The requests the page sends, by method and path (query left off)."""

    def __init__(self, page):
        self.sent: list[str] = []
        page.on("request", lambda request: self.sent.append(
            f"{request.method} {request.url.split('?')[0].split('/', 3)[3]}"))

    def since(self, mark: int) -> list[str]:
        return [sent for sent in self.sent[mark:] if "static/" not in sent and "favicon" not in sent]


def started_visit(page, live_server, visit: TodaysVisit) -> Requests:
    """Signed in as the demo officer, reading English, on the page of today's visit, started; the requests since."""
    sign_in(page, live_server, "petugas")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"/field/visits/{visit.id}")
    wait_for_htmx(page)
    requests = Requests(page)
    page.get_by_role("button", name="Start visit").click()
    expect(page.locator(".flash.success")).to_contain_text("Visit started at")
    return requests


def started_visit_form(page, live_server, visit: TodaysVisit) -> Requests:
    """Signed in as the demo officer, reading English, on the sign-up form of today's visit, started."""
    requests = started_visit(page, live_server, visit)
    expect(page.get_by_role("button", name="Save attendance")).to_be_visible()
    # Started in one answer: no redirect, no second load of the page.
    assert requests.since(0) == [f"POST field/visits/{visit.id}/start"]
    page.get_by_role("link", name="New sign-up").click()
    page.wait_for_function("() => window.htmx !== undefined && window.JangkauNik !== undefined")
    return requests


def test_a_sign_up_asks_the_server_twice_the_nik_once_and_the_save(page, live_app, live_server, todays_visit):
    visit, worker = todays_visit, todays_visit.workers[0]
    requests = started_visit_form(page, live_server, visit)
    mark = len(requests.sent)
    page.locator("#nik").press_sequentially(worker.nik[:10], delay=15)
    page.wait_for_timeout(700)  # a pause in typing: a NIK of ten digits is not asked about
    expect(page.locator("#nik-check")).to_have_text("A NIK has exactly 16 digits.")
    page.locator("#nik").press_sequentially(worker.nik[10:], delay=15)
    expect(page.locator("#nik-check")).to_contain_text(f"born {english_day(live_app, worker.birth_date)}, "
                                                       f"registered in {visit.district}")
    # The last digit typed again: the same NIK is not asked about twice, its answer is shown again.
    page.locator("#nik").press("Backspace")
    page.locator("#nik").press(worker.nik[-1])
    page.wait_for_timeout(700)
    expect(page.locator("#nik-check")).to_contain_text(f"registered in {visit.district}")
    page.fill("#full_name", worker.name)
    page.select_option("#occupation", label=worker.occupation)
    page.locator("#declared_income").press_sequentially(worker.income, delay=15)
    expect(page.locator("#preview")).to_contain_text(f"= {worker.monthly}")
    page.get_by_label("The worker agrees").check()
    page.wait_for_timeout(700)  # the preview's own trigger, after a pause: answered on the phone
    save_and_see_it_saved(page, worker)
    assert requests.since(mark) == ["POST signups/nik-check", f"POST signups/visits/{visit.id}/new"]


def test_the_phone_prices_the_income_as_the_server_does_and_asks_it_for_places_left(page, live_server,
                                                                                    todays_visit):
    requests = started_visit_form(page, live_server, todays_visit)
    mark = len(requests.sent)
    page.locator("#declared_income").press_sequentially("3.000.000", delay=15)
    page.get_by_label("JHT", exact=False).check()
    # The server's figures for this income with JHT (tests/web/test_signup_form.py): JKK 1 %, JKM flat, JHT 2 %.
    expect(page.locator("#preview")).to_have_text("Each month: JKK Rp30.000 + JKM Rp6.800 + JHT Rp60.000 = Rp96.800")
    page.locator("#declared_income").fill("")
    page.locator("#declared_income").press_sequentially("1.000.000", delay=15)
    expect(page.locator("#preview")).to_have_text("Each month: JKK Rp10.000 + JKM Rp6.800 + JHT Rp20.000 = Rp36.800")
    assert requests.since(mark) == []
    # A subsidy programme's places left are the server's to say.
    page.select_option("#payer", "subsidy")
    page.select_option("#subsidy_programme", index=1)
    expect(page.locator("#preview")).to_contain_text(re.compile(r"places? left in"))
    assert "GET signups/contribution" in requests.since(mark)


def test_closing_a_visit_is_answered_in_one_response(page, live_server, todays_visit):
    visit = todays_visit
    requests = started_visit_form(page, live_server, visit)
    page.get_by_role("link", name=f"‹ {visit.village}").click()
    wait_for_htmx(page)
    attendance = page.locator("#attendance")
    attendance.get_by_label("Women", exact=True).fill("3")
    attendance.get_by_label("Men", exact=True).fill("2")
    attendance.get_by_role("button", name="Save attendance").click()
    expect(attendance.locator(".flash.success")).to_have_text("Attendance saved.")
    page.locator("summary", has_text="Close visit").click()  # the question; nothing is sent yet
    mark = len(requests.sent)
    page.get_by_role("button", name="Yes, close the visit").click()
    expect(page.locator(".flash.success")).to_have_text("Visit closed. Thank you!")
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    assert requests.since(mark) == [f"POST field/visits/{visit.id}/close"]


def test_the_visit_is_closed_from_the_sign_up_form_in_one_response(page, live_server, todays_visit):
    visit = todays_visit
    requests = started_visit_form(page, live_server, visit)
    # No attendance yet: the refusal comes with the visit's page, where it is recorded, in view.
    page.locator("summary", has_text="Close visit").click()  # the question; nothing is sent yet
    mark = len(requests.sent)
    page.get_by_role("button", name="Yes, close the visit").click()
    expect(page.locator("#visit .flash.error")).to_have_text("Record the attendance first, then close the visit.")
    expect(page).to_have_url(f"{live_server}/field/visits/{visit.id}")
    assert requests.since(mark) == [f"POST field/visits/{visit.id}/close"]
    attendance = page.locator("#attendance")
    attendance.get_by_label("Women", exact=True).fill("3")
    attendance.get_by_label("Men", exact=True).fill("2")
    attendance.get_by_role("button", name="Save attendance").click()
    expect(attendance.locator(".flash.success")).to_have_text("Attendance saved.")
    # Back to the form, the last worker signed up; closed from there: the visit's page takes its place.
    page.get_by_role("link", name="New sign-up").click()
    wait_for_htmx(page)
    page.locator("summary", has_text="Close visit").click()
    mark = len(requests.sent)
    page.get_by_role("button", name="Yes, close the visit").click()
    expect(page.locator(".flash.success")).to_have_text("Visit closed. Thank you!")
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    expect(page).to_have_url(f"{live_server}/field/visits/{visit.id}")
    expect(page).to_have_title(f"{visit.village} · Jangkau")
    expect(page.locator("#signup-page")).to_have_count(0)
    assert requests.since(mark) == [f"POST field/visits/{visit.id}/close"]


def test_attendance_saved_brings_the_sign_up_form_in_the_same_response(page, live_app, live_server, todays_visit):
    visit, worker = todays_visit, todays_visit.workers[0]
    requests = started_visit(page, live_server, visit)
    attendance = page.locator("#attendance")
    attendance.get_by_label("Women", exact=True).fill("23")
    attendance.get_by_label("Men", exact=True).fill("17")
    mark = len(requests.sent)
    attendance.get_by_role("button", name="Save and sign workers up").click()
    expect(page.locator("#signup-page .flash.success")).to_have_text("Attendance saved.")
    expect(page.locator("#nik")).to_be_focused()  # the top of the blank form, the news in view
    expect(page.locator("#signup-page .flash.success")).to_be_in_viewport()
    expect(page).to_have_url(f"{live_server}/signups/visits/{visit.id}/new")
    expect(page).to_have_title(f"New sign-up · {visit.village} · Jangkau")
    expect(page.locator("#visit")).to_have_count(0)
    assert requests.since(mark) == [f"POST field/visits/{visit.id}/attendance"]
    # The form's scripts, which htmx does not run, are loaded once: the phone prices the income and reads the NIK.
    page.wait_for_function("() => window.JangkauNik !== undefined && window.JangkauSignup !== undefined")
    fill_worker(page, live_app, worker)
    save_and_see_it_saved(page, worker)
    assert requests.since(mark) == [f"POST field/visits/{visit.id}/attendance", "POST signups/nik-check",
                                    f"POST signups/visits/{visit.id}/new"]
    assert page.evaluate("() => document.querySelectorAll('script[src*=\"signup.js\"]').length") == 1
    with live_app.app_context():
        saved = db.session.get(Visit, visit.id)
        assert (saved.attendance_women, saved.attendance_men) == (23, 17)
