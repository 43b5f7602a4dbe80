"""Paper as a last resort: the visit's printable sheet, and its rows entered afterwards, once each."""

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from campaign_app import clock
from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.fieldwork.service import close_visit, record_attendance
from campaign_app.fieldwork.summary import visit_summary
from campaign_app.models import SignUp, Visit, VisitStatus
from campaign_app.signups import form_routes
from tests.factories import (
    SIGNUP_NOW,
    TODAY,
    branch_named,
    in_progress_visit,
    make_campaign,
    make_officer,
    make_signup,
    make_visit,
    user_named,
)

WOMAN_1995 = "7271014508950001"  # Palu Timur, Kota Palu; a woman born 5 Aug 1995
MAN_1988 = "7271011203880002"
LUWUK = "Kantor Cabang Luwuk"
LUWUK_VILLAGE = "72.01.01.1009"


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(form_routes, "now", lambda: SIGNUP_NOW)


@dataclass
class Paper:
    """A visit in progress of a Palu officer (signed in, reading English) who also recorded one worker online."""

    client: object
    visit_id: int
    officer_id: int
    online_name: str
    online_nik_last4: str

    def url(self, what: str = "paper") -> str:
        return f"/signups/visits/{self.visit_id}/{what}"


def sign_in(client, username: str):
    assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD}).status_code == 303
    client.post("/language", data={"language": "en"})


@pytest.fixture
def paper(app, client) -> Paper:
    with app.app_context():
        officer = make_officer(name="Petugas Kertas")
        visit = in_progress_visit(officer)
        online = make_signup(visit, officer, full_name="Pekerja Daring Sekali")
        db.session.commit()
        made = Paper(client, visit.id, officer.id, online.full_name, online.nik_last4)
        username = officer.username
    sign_in(client, username)
    return made


def row(number="1", **changes) -> dict:
    values = {"sheet_row": number, "nik": WOMAN_1995, "full_name": "Siti Aminah", "phone": "0812 3456 7890",
              "occupation": "fisher", "sector": "bpu", "declared_income": "1.500.000", "payer": "self",
              "subsidy_programme": "", "consent": "y"}
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def text(response) -> str:
    return response.get_data(as_text=True)


def paper_signups(app, visit_id: int) -> list[SignUp]:
    with app.app_context():
        found = list(db.session.scalars(select(SignUp).where(SignUp.visit_id == visit_id,
                                                             SignUp.form_key.startswith("paper-"))))
        for signup in found:
            db.session.expunge(signup)
        return found


# --- the sheet --------------------------------------------------------------------------------------

def test_sheet_has_numbered_empty_rows_the_visits_code_and_no_ones_data(paper):
    response = paper.client.get(paper.url("sheet"))
    page = text(response)
    assert response.status_code == 200
    numbers = [int(n) for n in re.findall(r'<tr><th scope="row">(\d+)</th>', page)]
    assert numbers == list(range(1, 21))
    assert page.count(f"K-{paper.visit_id}") >= 2
    assert "Besusu Barat" in page and "Petugas Kertas" in page
    assert paper.online_name not in page and paper.online_nik_last4 not in page


def test_sheet_prints_the_consent_text_in_force_for_workers_to_read(paper):
    page = text(paper.client.get(paper.url("sheet")))
    assert "Saya setuju bahwa BPJS Ketenagakerjaan" in page
    assert "consent text version 2026-1" in page


def test_sheet_prints_as_many_rows_as_chosen_and_ignores_other_numbers(paper):
    forty = text(paper.client.get(paper.url("sheet") + "?rows=40"))
    odd = text(paper.client.get(paper.url("sheet") + "?rows=7"))
    assert forty.count('<tr><th scope="row">') == 40
    assert odd.count('<tr><th scope="row">') == 20


def test_the_officers_visit_page_links_to_the_sheet_and_to_entering_it(paper):
    page = text(paper.client.get(f"/field/visits/{paper.visit_id}"))
    assert f'href="/signups/visits/{paper.visit_id}/sheet"' in page
    assert f'href="/signups/visits/{paper.visit_id}/paper"' in page


def test_the_coordinators_visit_page_links_to_the_sheet(app, auth, paper):
    auth.logout()
    auth.reading_english("coordinator")
    page = text(paper.client.get(f"/visits/{paper.visit_id}"))
    assert f'href="/signups/visits/{paper.visit_id}/sheet"' in page


# --- entering rows ----------------------------------------------------------------------------------

def test_entering_a_row_saves_a_sign_up_of_the_visit_keyed_by_its_row(app, paper):
    response = paper.client.post(paper.url(), data=row("3"))
    assert response.status_code == 303
    assert "row=4" in response.location
    [signup] = paper_signups(app, paper.visit_id)
    assert (signup.form_key, signup.full_name, signup.officer_id) == (f"paper-{paper.visit_id}-3", "Siti Aminah",
                                                                      paper.officer_id)
    assert signup.sex == "P" and signup.phone == "+6281234567890"
    page = text(paper.client.get(response.location))
    assert "Saved: Siti Aminah" in page and "Rows entered: 3." in page and 'value="4"' in page


def test_entering_the_same_row_twice_stores_one_and_says_so(app, paper):
    assert paper.client.post(paper.url(), data=row("5")).status_code == 303
    again = paper.client.post(paper.url(), data=row("5", nik=MAN_1988, full_name="Budi Santoso"))
    assert again.status_code == 409
    assert "This row of the sheet is entered already: Siti Aminah" in text(again)
    assert 'value="Budi Santoso"' in text(again)
    assert [s.full_name for s in paper_signups(app, paper.visit_id)] == ["Siti Aminah"]


def test_a_double_tap_on_the_same_row_stores_it_once(app, paper):
    first = paper.client.post(paper.url(), data=row("6"))
    second = paper.client.post(paper.url(), data=row("6"))
    assert (first.status_code, second.status_code) == (303, 409)
    assert len(paper_signups(app, paper.visit_id)) == 1


def test_bad_input_keeps_what_was_typed_and_saves_nothing(app, paper):
    response = paper.client.post(paper.url(), data=row("2", nik="7271014508950", declared_income="lots",
                                                      full_name="Siti Aminah"))
    page = text(response)
    assert response.status_code == 422
    assert 'value="7271014508950"' in page and 'value="Siti Aminah"' in page and 'value="lots"' in page
    assert 'id="nik-err"' in page and 'id="declared_income-err"' in page
    assert paper_signups(app, paper.visit_id) == []


def test_a_row_number_off_the_sheet_or_an_unsigned_row_is_refused(app, paper):
    off = paper.client.post(paper.url(), data=row("0"))
    unsigned = paper.client.post(paper.url(), data=row("1", consent=None))
    assert off.status_code == 422 and "Enter the row number printed on the sheet, 1 to 100." in text(off)
    assert unsigned.status_code == 422 and "consent" in text(unsigned)
    assert paper_signups(app, paper.visit_id) == []


def test_htmx_gets_the_form_alone_with_its_messages(paper):
    response = paper.client.post(paper.url(), data=row("abc"), headers={"HX-Request": "true"})
    assert response.status_code == 422
    body = text(response)
    assert '<div id="paper">' in body and "Enter the row number printed on the sheet" in body
    assert "<html" not in body


def test_a_closed_visit_takes_rows_from_its_sheet_and_counts_them(app, paper):
    with app.app_context():
        visit = db.session.get(Visit, paper.visit_id)
        officer = visit.officers[0]
        record_attendance(visit, officer, 10, 5, [], None)
        close_visit(visit, officer, SIGNUP_NOW)
        db.session.commit()
    assert paper.client.post(paper.url(), data=row("1")).status_code == 303
    with app.app_context():
        visit = db.session.get(Visit, paper.visit_id)
        count = db.session.scalar(select(func.count()).select_from(SignUp).where(SignUp.visit_id == visit.id))
        assert (visit.status, count, visit_summary(visit).signups) == (VisitStatus.DONE, 2, 2)


def test_a_visit_not_started_takes_no_rows(app, client):
    with app.app_context():
        officer = make_officer()
        visit_id = make_visit(make_campaign(), officers=[officer]).id
        db.session.commit()
        username = officer.username
    sign_in(client, username)
    page = text(client.get(f"/signups/visits/{visit_id}/paper"))
    refused = client.post(f"/signups/visits/{visit_id}/paper", data=row("1"))
    assert "<form method=\"post\" action=\"/signups/visits" not in page
    assert refused.status_code == 422 and "in progress or closed" in text(refused)
    assert paper_signups(app, visit_id) == []


# --- who may -----------------------------------------------------------------------------------------

def test_a_coordinator_of_the_branch_enters_a_row_for_the_officer_who_collected_it(app, auth, paper):
    auth.logout()
    auth.reading_english("coordinator")
    missing = paper.client.post(paper.url(), data=row("1"))
    assert missing.status_code == 422 and "Choose the officer who collected the sheet." in text(missing)
    assert paper.client.post(paper.url(), data=row("1", collector=str(paper.officer_id))).status_code == 303
    [signup] = paper_signups(app, paper.visit_id)
    assert signup.officer_id == paper.officer_id


def test_another_officer_gets_404_and_a_manager_403(app, auth, paper):
    with app.app_context():
        other = make_officer().username
        db.session.commit()
    auth.logout()
    sign_in(paper.client, other)
    assert paper.client.get(paper.url("sheet")).status_code == 404
    assert paper.client.post(paper.url(), data=row("1")).status_code == 404
    auth.logout()
    auth.login_as("manager")
    assert paper.client.get(paper.url("sheet")).status_code == 403
    assert paper_signups(app, paper.visit_id) == []


def test_a_coordinator_of_another_branch_gets_404(app, auth, client):
    with app.app_context():
        luwuk = branch_named(LUWUK)
        officer = make_officer(luwuk)
        visit = make_visit(make_campaign(luwuk), village_code=LUWUK_VILLAGE, officers=[officer])
        db.session.commit()
        visit_id = visit.id
        assert user_named("koordinator").branch_id != luwuk.id
    auth.reading_english("coordinator")
    assert client.get(f"/signups/visits/{visit_id}/sheet").status_code == 404
    assert client.get(f"/signups/visits/{visit_id}/paper").status_code == 404
