"""The officer's visit day on the web: home, the visit page, start, attendance, close; a coordinator reopens."""

import gzip
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from campaign_app import clock
from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.fieldwork import routes as fieldwork_routes
from campaign_app.fieldwork.service import close_visit, record_attendance, reopen_visit, start_visit
from campaign_app.models import AuditAction, AuditEntry, User, Visit, VisitStatus
from tests.conftest import counting_statements
from tests.factories import (
    OTHER_NEAR_VILLAGE,
    TODAY,
    branch_named,
    make_campaign,
    make_officer,
    make_signup,
    make_visit,
    nik_for,
    user_named,
)

HTMX = {"HX-Request": "true"}
DAY = timedelta(days=1)
LUWUK = "Kantor Cabang Luwuk"
LUWUK_VILLAGE = "72.01.01.1009"
PAGE_BUDGET, FRAGMENT_BUDGET = 14 * 1024, 4 * 1024
MORNING = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)  # 09:30 WITA on TODAY
EVENING = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 17:00 WITA


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    """The app's today is the factories' TODAY, and its clock reads 09:30 WITA on that day."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(fieldwork_routes, "now", lambda: MORNING)


def text(response) -> str:
    return response.get_data(as_text=True)


def gzip_size(response) -> int:
    return len(gzip.compress(response.data, 6))


def build(app, make):
    """Run ``make`` in an app context, commit, and return what it returns (ids, not objects)."""
    with app.app_context():
        result = make()
        db.session.commit()
        return result


def visit_state(app, visit_id: int) -> Visit:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        db.session.expunge(visit)
        return visit


@dataclass
class Day:
    """An officer of Palu with a visit to Besusu Barat today, and the visit's id."""

    username: str
    visit_id: int
    officer_id: int


@pytest.fixture
def day(app) -> Day:
    def make():
        officer = make_officer(name="Petugas Lapangan")
        visit = make_visit(make_campaign(name="Kampanye Lapangan"), officers=[officer])
        return Day(officer.username, visit.id, officer.id)
    return build(app, make)


@pytest.fixture
def officer(auth, client, day):
    """A client signed in as the day's officer, reading English."""
    auth.login(day.username, DEMO_PASSWORD)
    client.post("/language", data={"language": "en"})
    return client


def started(app, day: Day, attendance: bool = False, signups: int = 0):
    def make():
        visit = db.session.get(Visit, day.visit_id)
        officer = visit.officers[0]
        start_visit(visit, officer, MORNING)
        for _ in range(signups):
            make_signup(visit, officer)
        if attendance:
            record_attendance(visit, officer, 15, 5, ["road"], "Jalan licin")
    build(app, make)


def closed(app, day: Day, signups: int = 2):
    started(app, day, attendance=True, signups=signups)
    build(app, lambda: close_visit(db.session.get(Visit, day.visit_id), user_named(day.username), EVENING))


def url(day: Day, action: str = "") -> str:
    return f"/field/visits/{day.visit_id}" + (f"/{action}" if action else "")


# --- the officer's home ---------------------------------------------------------------------------

def test_home_lists_todays_visits_first_with_one_tap_to_the_visit_page(app, day, officer):
    build(app, lambda: make_visit(make_campaign(), village_code=OTHER_NEAR_VILLAGE, on=TODAY + 3 * DAY,
                                  officers=[user_named(day.username)]))
    response = officer.get("/")
    page = text(response)
    assert page.index("<h2>Today</h2>") < page.index("Besusu Barat") < page.index("<h2>Next 14 days</h2>")
    assert page.index("<h2>Next 14 days</h2>") < page.index("Lolu Selatan")
    assert f'<li><a href="/field/visits/{day.visit_id}"><strong>Today 09:00 · Besusu Barat' in page
    assert gzip_size(response) < 2048


def test_home_puts_an_earlier_visit_not_yet_closed_first(app, day, officer):
    def make():
        officer_ = user_named(day.username)
        earlier = make_visit(make_campaign(starts_on=TODAY - 5 * DAY), village_code=OTHER_NEAR_VILLAGE,
                             on=TODAY - 2 * DAY, officers=[officer_], today=TODAY - 5 * DAY)
        earlier.status = VisitStatus.IN_PROGRESS
        return earlier.id
    earlier_id = build(app, make)
    page = text(officer.get("/"))
    assert page.index("Not closed yet") < page.index(f"/field/visits/{earlier_id}") < page.index("<h2>Today</h2>")


def test_home_says_when_there_is_no_visit_today(app, day, officer):
    build(app, lambda: setattr(db.session.get(Visit, day.visit_id), "visit_date", TODAY + DAY))
    page = text(officer.get("/"))
    assert "No visit today." in page
    assert f"/field/visits/{day.visit_id}" in page


# --- the visit page -------------------------------------------------------------------------------

def test_a_planned_visit_of_today_shows_the_start_button(day, officer):
    response = officer.get(url(day))
    page = text(response)
    assert response.status_code == 200
    assert "<h1>Besusu Barat</h1>" in page
    assert "09:00 WITA" in page and "Planned" in page
    assert f'action="/field/visits/{day.visit_id}/start"' in page and "Start visit" in page
    assert "New sign-up" not in page
    assert gzip_size(response) < 3 * 1024


def test_a_visit_of_another_day_cannot_be_started_from_its_page(app, day, officer):
    build(app, lambda: setattr(db.session.get(Visit, day.visit_id), "visit_date", TODAY + 2 * DAY))
    page = text(officer.get(url(day)))
    assert "Start visit" not in page
    assert "You can start this visit on its day." in page


def test_a_visit_in_progress_shows_attendance_sign_ups_and_close(app, day, officer):
    started(app, day, signups=2)
    response = officer.get(url(day))
    page = text(response)
    assert "Checked in at 09:30 WITA" in page
    assert f'href="/signups/visits/{day.visit_id}/new"' in page
    assert f'hx-post="/field/visits/{day.visit_id}/attendance"' in page
    assert "Sign-ups (2)" in page and page.count('<li><a href="/signups/') == 2
    assert "************" in page
    assert f'action="/field/visits/{day.visit_id}/close"' in page
    assert gzip_size(response) <= PAGE_BUDGET


def test_the_sign_up_list_never_shows_a_whole_nik(app, day, officer):
    nik = nik_for()

    def make():
        visit = db.session.get(Visit, day.visit_id)
        start_visit(visit, visit.officers[0], MORNING)
        make_signup(visit, visit.officers[0], nik=nik)
    build(app, make)
    page = text(officer.get(url(day)))
    assert nik not in page and "************" + nik[-4:] in page


def test_the_visit_page_takes_the_same_statements_with_more_sign_ups(app, day, officer):
    started(app, day, signups=1)
    with counting_statements(app) as few:
        officer.get(url(day))
    build(app, lambda: [make_signup(db.session.get(Visit, day.visit_id), user_named(day.username))
                        for _ in range(5)])
    with counting_statements(app) as many:
        officer.get(url(day))
    assert len(many) == len(few)


def test_another_officers_visit_is_not_found(app, day, officer):
    other = build(app, lambda: make_visit(make_campaign(), village_code=OTHER_NEAR_VILLAGE,
                                          officers=[make_officer()]).id)
    for method, path in (("get", ""), ("post", "/start"), ("post", "/attendance"), ("post", "/close")):
        response = getattr(officer, method)(f"/field/visits/{other}{path}")
        assert response.status_code == 404, (method, path)
    assert visit_state(app, other).status == VisitStatus.PLANNED


def test_another_branchs_visit_is_not_found(app, coordinator):
    other = build(app, lambda: make_visit(make_campaign(branch_named(LUWUK)), village_code=LUWUK_VILLAGE,
                                          officers=[make_officer(branch_named(LUWUK))]).id)
    assert coordinator.get(f"/field/visits/{other}").status_code == 404
    assert coordinator.post(f"/field/visits/{other}/reopen", data={"reason": "x"}).status_code == 404


def test_a_huge_visit_id_is_not_found(officer):
    assert officer.get("/field/visits/99999999999999999999").status_code == 404


def test_the_office_reading_the_visit_page_is_sent_to_the_visit_record(day, coordinator):
    response = coordinator.get(url(day))
    assert response.status_code == 303
    assert response.location.endswith(f"/visits/{day.visit_id}")


# --- start ----------------------------------------------------------------------------------------

def test_starting_checks_in_and_goes_back_to_the_visit(app, day, officer):
    response = officer.post(url(day, "start"))
    assert response.status_code == 303 and response.location.endswith(url(day))
    assert "Visit started at 09:30 WITA." in text(officer.get(url(day)))
    visit = visit_state(app, day.visit_id)
    assert visit.status == VisitStatus.IN_PROGRESS and visit.checked_in_by_id == day.officer_id


def test_starting_with_htmx_answers_the_started_visit_in_one_response_without_a_cookie(app, day, officer):
    officer.get(url(day))  # the page the officer taps on
    response = officer.post(url(day, "start"), headers=HTMX)
    page = text(response)
    assert response.status_code == 200 and "<html" not in page
    assert page.startswith('<div id="visit">')
    assert '<p class="flash success" role="status">Visit started at 09:30 WITA.</p>' in page
    assert "Save attendance" in page and "Close visit" in page and "Start visit" not in page
    # The message is in the answer, not flashed: the session is not written, no cookie is sent.
    assert "Set-Cookie" not in response.headers
    assert gzip_size(response) <= FRAGMENT_BUDGET
    assert visit_state(app, day.visit_id).status == VisitStatus.IN_PROGRESS
    assert "Visit started" not in text(officer.get(url(day)))


def test_starting_refused_with_htmx_answers_the_visit_with_the_message(app, day, officer, monkeypatch):
    monkeypatch.setattr(fieldwork_routes, "now", lambda: MORNING - DAY)
    response = officer.post(url(day, "start"), headers=HTMX)
    page = text(response)
    assert response.status_code == 422 and page.startswith('<div id="visit">') and "<html" not in page
    assert '<p class="flash error" role="alert">This visit starts on' in page


def test_a_double_tap_on_start_is_harmless(app, day, officer):
    assert officer.post(url(day, "start")).status_code == 303
    assert officer.post(url(day, "start")).status_code == 303
    assert visit_state(app, day.visit_id).status == VisitStatus.IN_PROGRESS


def test_starting_on_another_day_is_refused_with_a_message(app, day, officer, monkeypatch):
    monkeypatch.setattr(fieldwork_routes, "now", lambda: MORNING - DAY)
    response = officer.post(url(day, "start"))
    assert response.status_code == 422
    assert "you can check in on that day" in text(response)
    assert visit_state(app, day.visit_id).status == VisitStatus.PLANNED


# --- attendance -----------------------------------------------------------------------------------

GOOD = {"women": "14", "men": "9", "obstacles": ["road", "weather"], "notes": "Hujan sore."}


def test_attendance_saved_without_javascript_goes_back_to_the_visit(app, day, officer):
    started(app, day)
    response = officer.post(url(day, "attendance"), data=GOOD)
    assert response.status_code == 303
    visit = visit_state(app, day.visit_id)
    assert (visit.attendance_women, visit.attendance_men, visit.obstacles, visit.notes) == (
        14, 9, "road,weather", "Hujan sore.")
    page = text(officer.get(url(day)))
    assert "Attendance saved." in page and 'value="14"' in page


def test_attendance_saved_with_htmx_answers_the_form_fragment(app, day, officer):
    started(app, day)
    response = officer.post(url(day, "attendance"), data=GOOD, headers=HTMX)
    page = text(response)
    assert response.status_code == 200
    assert "<html" not in page and "Attendance saved." in page
    assert 'value="14"' in page and 'checked id="obstacles-0"' in page
    assert gzip_size(response) <= FRAGMENT_BUDGET
    assert visit_state(app, day.visit_id).attendance == 23


BAD = {"women": "-3", "men": "lots", "obstacles": ["road", "flood"], "notes": "Catatan saya\x00"}


def test_the_attendance_form_offers_saving_then_signing_workers_up(app, day, officer):
    started(app, day)
    form = text(officer.get(url(day))).split('id="attendance"')[1].split("</form>")[0]
    assert '<button class="primary">Save attendance</button>' in form
    assert '<button name="then_sign_up" value="y">Save and sign workers up</button>' in form


def test_attendance_saved_then_the_sign_up_form_without_javascript(app, day, officer):
    started(app, day)
    response = officer.post(url(day, "attendance"), data={**GOOD, "then_sign_up": "y"})
    assert response.status_code == 303 and response.location.endswith(f"/signups/visits/{day.visit_id}/new")
    assert visit_state(app, day.visit_id).attendance == 23
    page = text(officer.get(response.location))
    assert "Attendance saved." in page and 'name="nik"' in page


def test_attendance_saved_then_the_sign_up_form_with_htmx_in_one_response(app, day, officer):
    started(app, day)
    officer.get(url(day))  # the page the officer taps on
    response = officer.post(url(day, "attendance"), data={**GOOD, "then_sign_up": "y"}, headers=HTMX)
    page = text(response)
    assert response.status_code == 200 and "<html" not in page
    # In place of the visit's page, at the form's address, with its title and what the phone needs to price.
    assert response.headers["HX-Retarget"] == "#visit" and response.headers["HX-Reswap"] == "outerHTML"
    assert response.headers["HX-Push-Url"] == f"/signups/visits/{day.visit_id}/new"
    assert page.startswith('<div id="signup-page">')
    assert '<p class="flash success" role="status">Attendance saved.</p>' in page
    assert 'name="nik"' in page and 'id="rates"' in page and "js/signup.js" in page
    assert page.rstrip().endswith("· Jangkau</title>") and "New sign-up" in page.rsplit("<title>", 1)[1]
    assert "Set-Cookie" not in response.headers
    assert gzip_size(response) <= FRAGMENT_BUDGET
    assert visit_state(app, day.visit_id).attendance == 23


def test_bad_attendance_with_the_sign_up_button_stays_on_the_visit_with_its_messages(app, day, officer):
    started(app, day)
    response = officer.post(url(day, "attendance"), data={**BAD, "then_sign_up": "y"}, headers=HTMX)
    page = text(response)
    assert response.status_code == 422 and "HX-Retarget" not in response.headers
    assert 'name="nik"' not in page and 'value="-3"' in page
    assert visit_state(app, day.visit_id).attendance is None


def test_bad_attendance_is_refused_with_messages_and_what_was_typed(app, day, officer):
    started(app, day)
    response = officer.post(url(day, "attendance"), data=BAD)
    page = text(response)
    assert response.status_code == 422
    assert "<html" in page
    assert "Enter a number from 0 to 5000." in page
    assert "Enter a whole number, for example 12." in page
    assert "Choose only obstacles listed." in page
    assert 'value="-3"' in page and 'value="lots"' in page
    assert visit_state(app, day.visit_id).attendance is None


def test_bad_attendance_with_htmx_answers_the_fragment_with_messages(app, day, officer):
    started(app, day)
    response = officer.post(url(day, "attendance"), data={**GOOD, "women": "9999999"}, headers=HTMX)
    page = text(response)
    # Refused input is 422, which base.html's htmx-config swaps: the fragment comes back with its messages.
    assert response.status_code == 422
    assert "<html" not in page and "Enter a number from 0 to 5000." in page
    assert 'value="9999999"' in page and "Hujan sore." in page
    assert visit_state(app, day.visit_id).attendance is None


def test_attendance_on_a_visit_not_started_is_refused(app, day, officer):
    response = officer.post(url(day, "attendance"), data=GOOD)
    assert response.status_code == 422
    assert "Attendance is recorded while a visit is in progress" in text(response)
    assert visit_state(app, day.visit_id).attendance is None


def test_an_empty_attendance_form_is_refused(app, day, officer):
    started(app, day)
    response = officer.post(url(day, "attendance"), data={})
    assert response.status_code == 422
    assert "Enter a number, 0 if nobody came." in text(response)


# --- close ----------------------------------------------------------------------------------------

def test_closing_shows_the_summary(app, day, officer):
    started(app, day, attendance=True, signups=2)
    response = officer.post(url(day, "close"))
    assert response.status_code == 303 and response.location.endswith(url(day))
    page = text(officer.get(url(day)))
    assert "Visit closed." in page and "Summary" in page
    assert "<dt>Sign-ups</dt><dd>2</dd>" in page and "<dt>Attendance</dt><dd>20</dd>" in page
    assert "10.0%" in page  # 2 sign-ups ÷ 20 attendees
    assert "Close visit" not in page and "Save attendance" not in page
    assert visit_state(app, day.visit_id).status == VisitStatus.DONE


def test_closing_with_htmx_answers_the_summary_in_one_response_without_a_cookie(app, day, officer):
    started(app, day, attendance=True, signups=2)
    officer.get(url(day))
    response = officer.post(url(day, "close"), headers=HTMX)
    page = text(response)
    assert response.status_code == 200 and page.startswith('<div id="visit">') and "<html" not in page
    assert '<p class="flash success" role="status">Visit closed. Thank you!</p>' in page
    assert "<dt>Sign-ups</dt><dd>2</dd>" in page and "<dt>Attendance</dt><dd>20</dd>" in page
    assert "Close visit" not in page and "Save attendance" not in page
    assert "Set-Cookie" not in response.headers
    assert gzip_size(response) <= FRAGMENT_BUDGET
    assert visit_state(app, day.visit_id).status == VisitStatus.DONE


def test_closing_with_htmx_answers_the_visit_pages_title_for_a_close_from_the_sign_up_form(app, day, officer):
    started(app, day, attendance=True)
    page = text(officer.post(url(day, "close"), headers=HTMX))
    village = page.split("<h1>")[1].split("</h1>")[0]
    # htmx takes a title at the answer's top level as the page's: the sign-up form's is replaced.
    assert page.rstrip().endswith(f"<title>{village} · Jangkau</title>") and page.count("<title>") == 1
    # The whole page has its title in its head only.
    assert "<title>" not in text(officer.get(url(day))).split("</head>")[1]


def test_closing_before_attendance_is_refused_with_a_message(app, day, officer):
    started(app, day)
    response = officer.post(url(day, "close"))
    assert response.status_code == 422
    assert "Record the attendance first, then close the visit." in text(response)
    assert visit_state(app, day.visit_id).status == VisitStatus.IN_PROGRESS


def test_a_double_tap_on_close_is_harmless(app, day, officer):
    started(app, day, attendance=True)
    assert officer.post(url(day, "close")).status_code == 303
    assert officer.post(url(day, "close")).status_code == 303
    assert visit_state(app, day.visit_id).status == VisitStatus.DONE


# --- the coordinator's view and reopen ------------------------------------------------------------

def test_the_visit_record_shows_what_the_officers_recorded_and_a_reopen_form(app, day, coordinator):
    closed(app, day)
    page = text(coordinator.get(f"/visits/{day.visit_id}"))
    assert "In the village" in page
    assert "Petugas Lapangan" in page  # who checked in
    assert "15 women, 5 men" in page and "Road" in page and "Jalan licin" in page
    assert "<strong>2</strong> · Registered 2" in page and "conversion 10.0%" in page
    assert f'action="/field/visits/{day.visit_id}/reopen"' in page


def test_a_manager_sees_the_record_without_the_reopen_form(app, day, manager):
    closed(app, day)
    page = text(manager.get(f"/visits/{day.visit_id}"))
    assert "15 women, 5 men" in page
    assert "/reopen" not in page


def test_the_visit_record_of_a_planned_visit_has_no_fieldwork_section(day, coordinator):
    assert "In the village" not in text(coordinator.get(f"/visits/{day.visit_id}"))


def test_a_coordinator_reopens_a_closed_visit_with_a_reason(app, day, coordinator):
    closed(app, day)
    response = coordinator.post(url(day, "reopen"), data={"reason": "Dua peserta belum dicatat"})
    assert response.status_code == 303 and response.location.endswith(f"/visits/{day.visit_id}")
    visit = visit_state(app, day.visit_id)
    assert visit.status == VisitStatus.IN_PROGRESS and visit.closed_at is None
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.VISIT_REOPENED,
                                                           AuditEntry.subject_id == day.visit_id))
        assert entry.details["reason"] == "Dua peserta belum dicatat"
    assert "Dua peserta belum dicatat" in text(coordinator.get(f"/visits/{day.visit_id}"))


def test_reopening_without_a_reason_is_refused_with_a_message(app, day, coordinator):
    closed(app, day)
    response = coordinator.post(url(day, "reopen"), data={"reason": "  "})
    assert response.status_code == 422
    assert "Give the reason." in text(response)
    assert visit_state(app, day.visit_id).status == VisitStatus.DONE


def test_reopening_a_visit_that_is_not_closed_is_refused(app, day, coordinator):
    response = coordinator.post(url(day, "reopen"), data={"reason": "Koreksi"})
    assert response.status_code == 422
    assert "Only a closed visit can be reopened" in text(response)
    assert visit_state(app, day.visit_id).status == VisitStatus.PLANNED


def test_an_officer_may_not_reopen(app, day, officer):
    closed(app, day)
    assert officer.post(url(day, "reopen"), data={"reason": "Lupa"}).status_code == 403
    assert visit_state(app, day.visit_id).status == VisitStatus.DONE


def test_the_officer_sees_why_a_visit_was_reopened(app, day, officer):
    closed(app, day)

    def reopen():
        reopen_visit(db.session.get(Visit, day.visit_id), user_named("koordinator"), "Tambah peserta", EVENING)
    build(app, reopen)
    page = text(officer.get(url(day)))
    assert "In progress</strong>: Tambah peserta" in page and "Close visit" in page


# --- taps at the same moment (threads, each with its own session, as requests on several workers) ------

def _at_once(app, count: int, action) -> list[str]:
    """Run ``action()`` in ``count`` threads at the same moment, each committing like a request (retried
    while SQLite reports the database locked); the outcomes."""
    barrier = threading.Barrier(count)
    results: list[str] = []

    def run():
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                for attempt in range(20):
                    try:
                        action()
                        db.session.commit()
                        results.append("ok")
                        return
                    except OperationalError:
                        db.session.rollback()
                        time.sleep(0.02 * (attempt + 1))
                results.append("gave up")
            except Exception as error:  # noqa: BLE001  (reported by the assertion, with its type)
                results.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.own_database
def test_officers_starting_at_the_same_moment_keep_one_check_in(app):
    def make():
        officers = [make_officer() for _ in range(4)]
        return make_visit(make_campaign(), officers=officers).id, [o.id for o in officers]
    visit_id, officer_ids = build(app, make)
    taps = iter([*officer_ids, *officer_ids])

    def start():
        officer_id = next(taps)
        start_visit(db.session.get(Visit, visit_id), db.session.get(User, officer_id), MORNING)

    assert _at_once(app, 8, start) == ["ok"] * 8
    visit = visit_state(app, visit_id)
    assert visit.status == VisitStatus.IN_PROGRESS and visit.checked_in_by_id in officer_ids


@pytest.mark.own_database
def test_closing_at_the_same_moment_closes_once(app, day):
    started(app, day, attendance=True)
    moments = iter([EVENING + timedelta(minutes=n) for n in range(8)])

    def close():
        close_visit(db.session.get(Visit, day.visit_id), db.session.get(User, day.officer_id), next(moments))

    assert _at_once(app, 8, close) == ["ok"] * 8
    assert visit_state(app, day.visit_id).status == VisitStatus.DONE
