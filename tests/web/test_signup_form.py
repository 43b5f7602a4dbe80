"""The officer's sign-up form: the page, the NIK check and contribution preview, saving, and bad input."""

import gzip
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

import pytest
from flask import Flask, template_rendered
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from campaign_app import clock
from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import AuditEntry, SignUp, SubsidyProgramme, Visit, VisitStatus
from campaign_app.signups import records
from tests.conftest import counting_statements
from tests.factories import in_progress_visit, make_officer, make_signup, make_visit, nik_for

HTMX = {"HX-Request": "true"}
PAGE_BUDGET = 14 * 1024
FRAGMENT_BUDGET = 4 * 1024
WOMAN_1995 = "7271014508950001"  # Palu Timur, Kota Palu; a woman born 5 Aug 1995
MAN_1988 = "7271011203880002"  # Palu Timur; a man born 12 Mar 1988
KEY = re.compile(r'name="form_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_key"')


@dataclass
class Field:
    """An officer signed in (reading English) with a visit in progress, and the ids a test needs."""

    client: object
    visit_id: int
    officer_id: int

    @property
    def url(self) -> str:
        return f"/signups/visits/{self.visit_id}/new"


def sign_in(client, username: str):
    assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD}).status_code == 303
    client.post("/language", data={"language": "en"})


@pytest.fixture
def field(app, client) -> Field:
    with app.app_context():
        officer = make_officer(name="Petugas Formulir")
        visit = in_progress_visit(officer)
        db.session.commit()
        ids = visit.id, officer.id, officer.username
    sign_in(client, ids[2])
    return Field(client, ids[0], ids[1])


def text(response) -> str:
    return response.get_data(as_text=True)


def form_key(html: str) -> str:
    match = KEY.search(html)
    assert match, "the form has no key"
    return match.group(1) or match.group(2)


def filled(field: Field, **changes) -> dict:
    """The form as an officer fills it in, with the key of a freshly opened form."""
    values = {"form_key": form_key(text(field.client.get(field.url))), "nik": WOMAN_1995, "full_name": "Siti Aminah",
              "sex": "", "birth_date": "", "phone": "0812 3456 7890", "occupation": "fisher", "sector": "bpu",
              "declared_income": "1.500.000", "payer": "self", "subsidy_programme": "", "consent": "y",
              "consent_version": "1"}
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def _last_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(SignUp.id), 0)))


@pytest.fixture(autouse=True)
def demo_signups(app):
    """The demo's own sign-ups are left out of what the tests count."""
    with app.app_context():
        BEFORE["id"] = _last_id()


BEFORE = {"id": 0}


def signups(app) -> list[SignUp]:
    """The sign-ups made by the test."""
    with app.app_context():
        rows = db.session.scalars(select(SignUp).where(SignUp.id > BEFORE["id"]).order_by(SignUp.id)).all()
        db.session.expunge_all()
        return rows


@contextmanager
def captured_templates(app):
    """The names of the templates rendered while the block runs."""
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record, app)


def signup_count(app) -> int:
    return len(signups(app))


def make_programme(app, quota: int) -> int:
    with app.app_context():
        today = clock.today()
        programme = SubsidyProgramme(name=f"Iuran Warga Rentan {quota}", payer="Pemerintah Kota Palu",
                                     starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=300),
                                     quota=quota)
        db.session.add(programme)
        db.session.commit()
        return programme.id


# --- the page -------------------------------------------------------------------------------------

def test_the_form_shows_every_field_the_consent_text_and_a_fresh_key(field):
    response = field.client.get(field.url)
    html = text(response)
    assert response.status_code == 200
    for name in ("nik", "full_name", "sex", "birth_date", "phone", "occupation", "sector", "with_jht",
                 "declared_income", "payer", "subsidy_programme", "consent"):
        assert f'name="{name}"' in html, name
    assert "BPJS Ketenagakerjaan" in html and "personal data" in html
    assert 'id="jkk" checked disabled' in html and 'id="jkm" checked disabled' in html
    assert len(form_key(html)) == 32
    assert form_key(html) != form_key(text(field.client.get(field.url)))


def test_the_form_page_fits_the_first_round_trip(field, app):
    make_programme(app, 15_000)
    body = field.client.get(field.url).get_data()
    size = len(gzip.compress(body, 6))
    print(f"\nsign-up form: {len(body)} B, {size} B gzip")
    assert size <= PAGE_BUDGET


def test_the_form_as_an_htmx_fragment_is_only_the_form(field):
    response = field.client.get(field.url, headers=HTMX)
    html = text(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="signup">') and "<html" not in html
    assert len(gzip.compress(response.get_data(), 6)) <= FRAGMENT_BUDGET


def test_running_programmes_are_offered_with_the_places_left(field, app):
    programme_id = make_programme(app, 1_500)
    html = text(field.client.get(field.url))
    assert f'value="{programme_id}"' in html and "1,500 places left" in html


def test_the_form_of_a_visit_in_progress_offers_closing_the_visit_after_a_question(field):
    html = text(field.client.get(field.url))
    close = html[html.index(f'action="/field/visits/{field.visit_id}/close"'):]
    close = close[:close.index("</form>")]
    # htmx puts the visit's page in place of this one and shows its address: no trip back to it first.
    assert 'hx-target="#signup-page"' in close and f'hx-push-url="/field/visits/{field.visit_id}"' in close
    assert 'data-offline="visit_closed"' in close and 'name="csrf_token"' in close
    assert close.index("<summary") < close.index("Yes, close the visit")
    assert html.count('id="signup-page"') == 1


def test_the_answer_to_a_save_does_not_repeat_the_close_form(field):
    response = field.client.post(field.url, data=filled(field), headers=HTMX)
    assert response.status_code == 200 and "Saved:" in text(response)
    assert "/close" not in text(response)


def test_the_form_of_a_visit_not_in_progress_and_the_stored_copy_offer_no_close(field, app):
    assert "/close" not in text(field.client.get(field.url + "?offline=1"))
    with app.app_context():
        db.session.get(Visit, field.visit_id).status = VisitStatus.DONE
        db.session.commit()
    assert "/close" not in text(field.client.get(field.url))


def test_a_visit_not_assigned_to_the_officer_is_not_found(field, app):
    with app.app_context():
        other = in_progress_visit()
        db.session.commit()
        other_id = other.id
    assert field.client.get(f"/signups/visits/{other_id}/new").status_code == 404
    assert field.client.post(f"/signups/visits/{other_id}/new", data=filled(field)).status_code == 404
    assert signup_count(app) == 0


def test_a_visit_not_in_progress_says_so_and_links_to_the_visit(field, app):
    with app.app_context():
        db.session.get(Visit, field.visit_id).status = VisitStatus.PLANNED
        db.session.commit()
    html = text(field.client.get(field.url))
    assert "in progress" in html
    assert f'/{field.visit_id}"' in html
    assert 'name="nik"' not in html


def test_a_sign_up_posted_to_a_visit_not_in_progress_is_refused_with_what_was_typed(field, app):
    data = filled(field)
    with app.app_context():
        db.session.get(Visit, field.visit_id).status = VisitStatus.DONE
        db.session.commit()
    response = field.client.post(field.url, data=data)
    assert response.status_code == 422
    html = text(response)
    assert "in progress" in html and 'value="Siti Aminah"' in html
    assert signup_count(app) == 0


def test_an_officer_cannot_open_the_form_of_a_visit_that_does_not_exist(field):
    assert field.client.get("/signups/visits/2147483647/new").status_code == 404
    assert field.client.get("/signups/visits/2147483648/new").status_code == 404


# --- saving ---------------------------------------------------------------------------------------

def test_a_saved_sign_up_redirects_to_a_fresh_form_with_a_success_banner(field, app):
    data = filled(field)
    response = field.client.post(field.url, data=data)
    assert response.status_code == 303
    [signup] = signups(app)
    assert response.location.endswith(f"{field.url}?saved={signup.id}")
    page = field.client.get(response.location)
    html = text(page)
    assert "Saved: Siti Aminah, ************0001, Rp21.800 a month." in html
    assert f'href="/signups/{signup.id}"' in html
    assert form_key(html) != data["form_key"]
    assert 'value="Siti Aminah"' not in html
    assert (signup.sex, signup.birth_year, signup.phone) == ("P", 1995, "+6281234567890")
    assert signup.officer_id == field.officer_id


def test_the_same_form_posted_twice_stores_one_sign_up_and_answers_the_same(field, app):
    data = filled(field)
    first = field.client.post(field.url, data=data)
    second = field.client.post(field.url, data=data)
    assert (first.status_code, second.status_code) == (303, 303)
    assert first.location == second.location
    assert signup_count(app) == 1


def test_an_htmx_submit_answers_with_the_fresh_form_and_the_banner_in_one_response(field, app):
    data = filled(field)
    response = field.client.post(field.url, data=data, headers=HTMX)
    html = text(response)
    assert response.status_code == 200 and "Location" not in response.headers
    assert html.lstrip().startswith('<div id="signup">') and "Saved: Siti Aminah" in html
    assert form_key(html) != data["form_key"] and 'value="Siti Aminah"' not in html
    assert signup_count(app) == 1


def test_a_near_duplicate_is_saved_with_a_notice_for_review(field, app):
    with app.app_context():
        make_signup(nik=nik_for(serial=77), full_name="Siti Aminah")
        db.session.commit()
    response = field.client.post(field.url, data=filled(field), follow_redirects=True)
    assert "a coordinator will review both" in text(response)
    assert signup_count(app) == 2


def test_sex_and_birth_date_typed_in_agreement_with_the_nik_are_saved(field, app):
    data = filled(field, nik=MAN_1988, sex="L", birth_date="1988-03-12")
    assert field.client.post(field.url, data=data).status_code == 303
    assert signups(app)[0].sex == "L"


def test_a_subsidised_sign_up_names_its_programme(field, app):
    programme_id = make_programme(app, 10)
    data = filled(field, payer="subsidy", subsidy_programme=str(programme_id))
    assert field.client.post(field.url, data=data).status_code == 303
    assert signups(app)[0].subsidy_programme_id == programme_id


# --- duplicates -----------------------------------------------------------------------------------

def test_a_registered_nik_is_refused_with_a_masked_summary_and_a_link_for_its_officer(field, app):
    assert field.client.post(field.url, data=filled(field)).status_code == 303
    [first] = signups(app)
    response = field.client.post(field.url, data=filled(field, full_name="Siti A."))
    html = text(response)
    assert response.status_code == 409
    assert "This NIK is registered already: ************0001" in html
    assert html.count(WOMAN_1995) == 1  # only in the field, as typed
    assert f'href="/signups/{first.id}"' in html
    assert 'value="Siti A."' in html
    assert signup_count(app) == 1


def test_a_nik_registered_by_another_officer_is_refused_without_a_link(field, app):
    with app.app_context():
        first = make_signup(nik=WOMAN_1995)
        db.session.commit()
        first_id = first.id
    response = field.client.post(field.url, data=filled(field))
    assert response.status_code == 409
    assert "************0001" in text(response)
    assert f'href="/signups/{first_id}"' not in text(response)


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "field_name", "message"), [
    ({"nik": "72710145O8950001"}, "nik", "exactly 16 digits"),
    ({"nik": "727101450895"}, "nik", "exactly 16 digits"),
    ({"nik": "9971014508950001"}, "nik", "not a known district"),
    ({"nik": "7271017302950001"}, "nik", "not a real date"),
    ({"sex": "L"}, "sex", "The NIK says the holder is female"),
    ({"birth_date": "1995-08-06"}, "birth_date", "The NIK says the birth date is"),
    ({"birth_date": "1995-02-30"}, "birth_date", "Enter a real date"),
    ({"declared_income": "abc"}, "declared_income", "Enter the monthly income in Rupiah"),
    ({"declared_income": "-1.500.000"}, "declared_income", "above zero"),
    ({"declared_income": "\u22121.500.000"}, "declared_income", "above zero"),
    ({"declared_income": "0"}, "declared_income", "above zero"),
    ({"declared_income": "99.000.000.000"}, "declared_income", "at most"),
    ({"declared_income": "9" * 400}, "declared_income", "Enter the monthly income in Rupiah"),
    ({"declared_income": ""}, "declared_income", "Enter the monthly income"),
    ({"consent": None}, "consent", "consent"),
    ({"full_name": ""}, "full_name", "Enter the full name"),
    ({"phone": "12"}, "phone", "Indonesian phone number"),
    ({"occupation": "astronaut"}, "occupation", "Choose one of the options"),
    ({"payer": "subsidy", "subsidy_programme": ""}, "subsidy_programme", "Choose the subsidy programme"),
    ({"payer": "subsidy", "subsidy_programme": "x"}, "subsidy_programme", ""),
])
def test_bad_input_is_refused_beside_its_field_with_what_was_typed_kept(field, app, changes, field_name, message):
    data = filled(field, **changes)
    response = field.client.post(field.url, data=data)
    html = text(response)
    assert response.status_code == 422
    assert f'id="{field_name}-err"' in html or (field_name == "consent" and message in html)
    assert message in html
    assert 'value="Siti Aminah"' in html or changes.get("full_name") == ""
    assert form_key(html) == data["form_key"]
    assert signup_count(app) == 0


@pytest.mark.parametrize(("nik", "message"), [
    ("7271013112260009", "is in the future"),  # born 31 Dec 2026
    ("7271010508250008", "age is 1: workers aged 15 to 64 may enrol"),  # born 5 Aug 2025
])
def test_impossible_workers_are_refused_and_said_so_as_the_nik_is_typed(field, app, nik, message):
    response = field.client.post(field.url, data=filled(field, nik=nik))
    assert response.status_code == 422 and message in text(response)
    assert signup_count(app) == 0
    assert message in text(nik_check(field.client, nik=nik))


@pytest.mark.parametrize("full_name", ["-1", "NaN", "[]", "\u202e"])
def test_a_name_without_letters_is_refused_beside_it(field, app, full_name):
    response = field.client.post(field.url, data=filled(field, full_name=full_name))
    # A lone direction mark is dropped: the name is then empty, and asked for.
    assert response.status_code == 422 and 'id="full_name-err"' in text(response)
    assert ("Enter the worker&#39;s name in letters." in text(response)) == (full_name != "\u202e")
    assert signup_count(app) == 0


def test_bidirectional_marks_are_dropped_from_what_is_typed(field, app):
    name = "Siti \u202eAminah\u200f"
    assert field.client.post(field.url, data=filled(field, full_name=name)).status_code == 303
    assert signups(app)[0].full_name == "Siti Aminah"


def test_every_message_shows_at_once_when_a_date_cannot_be_read(field, app):
    html = text(field.client.post(field.url, data=filled(field, birth_date="1995-13-01", nik="123",
                                                         declared_income="abc", consent=None)))
    assert all(f'id="{name}-err"' in html for name in ("birth_date", "nik", "declared_income"))
    assert "consent" in html
    assert html.count("Enter the monthly income in Rupiah") == 1  # the form's message, not the service's too
    assert signup_count(app) == 0


def test_typed_income_is_kept_as_typed(field):
    html = text(field.client.post(field.url, data=filled(field, declared_income="Rp 1.5OO.000")))
    assert 'value="Rp 1.5OO.000"' in html


@pytest.mark.parametrize("income", ["1500000", "Rp 1.500.000", "Rp1.500.000,-"])
def test_income_is_read_as_people_write_it(field, app, income):
    assert field.client.post(field.url, data=filled(field, declared_income=income)).status_code == 303
    assert signups(app)[0].declared_income == 1_500_000


@pytest.mark.parametrize("income", ["1", "500", "999.999"])
def test_an_income_below_the_lowest_bracket_is_refused_until_confirmed(field, app, income):
    data = filled(field, declared_income=income)
    response = field.client.post(field.url, data=data)
    html = text(response)
    assert response.status_code == 422
    assert "is below the lowest bracket, Rp1,000,000" in html and 'name="income_confirmed"' in html
    assert signup_count(app) == 0
    assert field.client.post(field.url, data={**data, "income_confirmed": "y"}).status_code == 303
    assert signups(app)[0].declared_income == int(income.replace(".", ""))


@pytest.mark.parametrize("income", ["30/11/2026", "2026-11-30", "05-08-1995", "30.11.2026"])
def test_a_date_typed_as_the_income_is_refused_as_a_date(field, app, income):
    response = field.client.post(field.url, data=filled(field, declared_income=income, income_confirmed="y"))
    assert response.status_code == 422
    assert "This looks like a date" in text(response) and f'value="{income}"' in text(response)
    assert signup_count(app) == 0


def test_a_quota_used_up_between_opening_and_saving_the_form_is_refused(field, app):
    programme_id = make_programme(app, 1)
    data = filled(field, payer="subsidy", subsidy_programme=str(programme_id))
    with app.app_context():
        make_signup(nik=MAN_1988, payer="subsidy", subsidy_programme_id=programme_id, today=clock.today())
        db.session.commit()
    response = field.client.post(field.url, data=data)
    assert response.status_code == 422
    assert "is used up" in text(response)
    assert signup_count(app) == 1


@pytest.fixture
def programme_reads(monkeypatch) -> list:
    """The calls of ``running_programmes`` the test's requests make."""
    calls = []
    reading = records.running_programmes

    def counted(*args, **kwargs):
        calls.append(args)
        return reading(*args, **kwargs)

    monkeypatch.setattr(records, "running_programmes", counted)
    return calls


def test_a_refusal_reads_the_programmes_once_and_renders_the_form_once(field, app, programme_reads):
    programme_id = make_programme(app, 1)
    data = filled(field, payer="subsidy", subsidy_programme=str(programme_id))
    with app.app_context():
        make_signup(nik=MAN_1988, payer="subsidy", subsidy_programme_id=programme_id, today=clock.today())
        db.session.commit()
    programme_reads.clear()
    with captured_templates(app) as rendered:
        response = field.client.post(field.url, data=data)
    assert response.status_code == 422 and "is used up" in text(response)
    assert "0 places left" in text(response)  # what the programme has without this submit
    assert len(programme_reads) == 1
    assert rendered == ["signups/new.html"]


@pytest.mark.own_database  # it watches the real COMMIT, which the isolation turns into a savepoint's release
def test_a_saved_sign_up_reads_no_programme_and_nothing_after_its_commit(field, app, programme_reads):
    data = filled(field)
    programme_reads.clear()
    with app.app_context():
        engine = db.engine
    sent = []
    listeners = [("before_cursor_execute", lambda conn, cursor, statement, *args: sent.append(statement)),
                 ("commit", lambda conn: sent.append("COMMIT"))]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        response = field.client.post(field.url, data=data)
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    [signup] = signups(app)
    assert response.status_code == 303 and response.location.endswith(f"{field.url}?saved={signup.id}")
    assert sent[-1] == "COMMIT" and sent.count("COMMIT") == 1
    assert programme_reads == []


@pytest.mark.parametrize("key", ["", "garbage", "k" * 64, "x" * 31 + "\x00"])
def test_a_missing_or_garbage_form_key_is_refused_and_a_fresh_one_given(field, app, key):
    response = field.client.post(field.url, data=filled(field, form_key=key))
    html = text(response)
    assert response.status_code == 422
    assert "open a new sign-up form" in html
    assert len(form_key(html)) == 32 and form_key(html) != key
    assert 'value="Siti Aminah"' in html
    assert signup_count(app) == 0


def test_a_key_another_officer_used_is_refused_and_replaced(field, app):
    with app.app_context():
        other = make_signup(form_key="A" * 32)
        db.session.commit()
        assert other.officer_id != field.officer_id
    response = field.client.post(field.url, data=filled(field, form_key="A" * 32))
    assert response.status_code == 422
    assert form_key(text(response)) != "A" * 32
    assert signup_count(app) == 1


def test_a_saved_form_sent_again_for_another_worker_is_refused_with_a_message(field, app):
    data = filled(field)
    assert field.client.post(field.url, data=data).status_code == 303
    response = field.client.post(field.url, data={**data, "nik": MAN_1988, "full_name": "Budi Santoso"})
    html = text(response)
    assert response.status_code == 422
    assert "This form was saved already for another worker" in html
    assert 'value="Budi Santoso"' in html and form_key(html) != data["form_key"]
    assert signup_count(app) == 1


def test_a_refusal_sent_by_htmx_swaps_the_form_with_its_messages(field, app):
    response = field.client.post(field.url, data=filled(field, nik="123"), headers=HTMX)
    html = text(response)
    assert response.status_code == 422
    assert html.lstrip().startswith('<div id="signup">') and 'id="nik-err"' in html
    assert signup_count(app) == 0


class CsrfOfficer(NamedTuple):
    app: Flask
    client: FlaskClient
    url: str
    token: str
    visit_id: int


def officer_signed_in_with_csrf(app_factory) -> CsrfOfficer:
    """An app that checks CSRF tokens and a client signed in on it as a new officer of a visit in progress: with the
    visit's form address and the sign-in page's token."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        officer = make_officer()
        visit = in_progress_visit(officer)
        db.session.commit()
        username, url = officer.username, f"/signups/visits/{visit.id}/new"
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
    return CsrfOfficer(app, client, url, token, visit.id)


def test_a_form_posted_without_a_valid_csrf_token_is_refused_with_a_message(app_factory):
    app, client, url, token, visit_id = officer_signed_in_with_csrf(app_factory)
    client.post("/language", data={"language": "en", "csrf_token": token})
    html = text(client.get(url))
    response = client.post(url, data={"form_key": form_key(html), "nik": WOMAN_1995, "full_name": "Siti",
                                      "occupation": "farmer", "sector": "bpu", "declared_income": "1500000",
                                      "payer": "self", "consent": "y", "consent_version": "1", "csrf_token": "forged"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignUp).where(SignUp.visit_id == visit_id)) == 0


# --- the NIK check, as typed ----------------------------------------------------------------------

def nik_check(client, **typed):
    """The NIK check as htmx sends it while a NIK is typed: posted, never in the URL."""
    return client.post("/signups/nik-check", data=typed, headers=HTMX)


def test_the_nik_check_says_what_the_nik_says_and_fills_sex_and_birth_date(field):
    response = nik_check(field.client, nik=WOMAN_1995, sex="", birth_date="")
    html = text(response)
    assert response.status_code == 200
    assert "Female, born Aug 5, 1995, registered in Palu Timur, Kota Palu." in html
    assert re.search(r'<select hx-swap-oob="true" id="sex"[^>]*>.*<option selected value="P">', html, re.S)
    assert 'value="1995-08-05"' in html
    assert "<html" not in html and len(gzip.compress(response.get_data(), 6)) <= FRAGMENT_BUDGET


def test_the_nik_check_flags_a_stated_sex_that_disagrees(field):
    html = text(nik_check(field.client, nik=WOMAN_1995, sex="L", birth_date="1995-08-05"))
    assert "The NIK says the holder is female" in html
    assert "hx-swap-oob" not in html


@pytest.mark.parametrize(("nik", "message"), [
    ("7271", "exactly 16 digits"),
    ("72710145089500O1", "exactly 16 digits"),
    ("9971014508950001", "not a known district"),
    ("7271017302950001", "not a real date"),
])
def test_the_nik_check_shows_what_is_wrong(field, nik, message):
    html = text(nik_check(field.client, nik=nik))
    assert message in html and "hx-swap-oob" not in html


def test_the_nik_check_warns_of_a_registered_nik_masked(field, app):
    with app.app_context():
        make_signup(nik=WOMAN_1995)
        db.session.commit()
    html = text(nik_check(field.client, nik=WOMAN_1995))
    assert "Registered already: ************0001" in html
    assert html.count(WOMAN_1995) == 0


@pytest.mark.parametrize("body", ["", "nik=", "nik=%00", "nik=" + "9" * 5000, "nik=1&birth_date=2026-02-30",
                                  "nik=7271014508950001&sex=%00&birth_date=x"])
def test_the_nik_check_never_fails_on_odd_input(field, body):
    response = field.client.post("/signups/nik-check", data=body, headers=HTMX,
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200


def test_the_nik_check_is_for_officers(auth):
    auth.login_as("coordinator")
    assert nik_check(auth.client, nik=WOMAN_1995).status_code == 403


# --- the contribution preview ---------------------------------------------------------------------

def test_the_preview_shows_the_monthly_contribution(field):
    response = field.client.get("/signups/contribution?declared_income=3.000.000&with_jht=y", headers=HTMX)
    html = text(response)
    assert response.status_code == 200
    assert "JKK Rp30.000 + JKM Rp6.800" in html and "JHT Rp60.000" in html and "Rp96.800" in html
    assert "<html" not in html


def test_the_page_carries_the_rate_table_in_force_for_the_phone_to_price_the_income(field, app):
    html = text(field.client.get(field.url))
    found = re.search(r"<span hidden id=\"rates\" data-rates='([^']*)'", html)
    assert found is not None
    rates = json.loads(found.group(1))
    # The table the server prices with (1 % JKK from Rp10.000, JKM Rp6.800, JHT 2 %): the phone's preview agrees.
    assert (rates["jkk_rate"], rates["jkk_minimum"], rates["jkm_flat"], rates["jht_rate"]) == (
        "0.01000", 10000, 6800, "0.02000")
    assert 'data-type-income="Type the income to see the monthly contribution."' in html


def test_the_form_answered_after_a_save_does_not_repeat_the_rate_table(field):
    response = field.client.post(field.url, data=filled(field), headers=HTMX)
    assert response.status_code == 200 and "Saved:" in text(response)
    assert 'id="rates"' not in text(response)


def test_the_preview_is_kept_by_the_browser_for_seconds_and_for_this_user_only(field):
    # Asked for again as the income field loses focus, with the same figures: the browser's cache answers.
    response = field.client.get("/signups/contribution?declared_income=1000000", headers=HTMX)
    assert response.cache_control.private and response.cache_control.max_age == 30


def test_the_preview_at_the_lowest_bracket_is_rp16_800(field):
    html = text(field.client.get("/signups/contribution?declared_income=1000000", headers=HTMX))
    assert "Rp16.800" in html and "JHT" not in html


def test_the_preview_shows_the_places_left_in_the_chosen_programme(field, app):
    programme_id = make_programme(app, 3)
    html = text(field.client.get(f"/signups/contribution?declared_income=1000000&payer=subsidy"
                                 f"&subsidy_programme={programme_id}", headers=HTMX))
    assert "3 places left in Iuran Warga Rentan 3" in html


@pytest.mark.parametrize(("income", "message"), [
    ("abc", "Enter the monthly income in Rupiah"),
    ("-5", "above zero"),
    ("99.000.000.000", "at most"),
    ("9" * 30, "Enter the monthly income in Rupiah"),
    ("%00", "Enter the monthly income in Rupiah"),
    ("x" * 5000, "Enter the monthly income in Rupiah"),
])
def test_the_preview_explains_an_income_it_cannot_read(field, income, message):
    response = field.client.get(f"/signups/contribution?declared_income={income}", headers=HTMX)
    assert response.status_code == 200 and message in text(response)


@pytest.mark.parametrize("query", ["", "subsidy_programme=99999999999999", "subsidy_programme=%00&payer=subsidy",
                                   "with_jht=%ud800"])
def test_the_preview_never_fails_on_odd_input(field, query):
    assert field.client.get(f"/signups/contribution?{query}", headers=HTMX).status_code == 200


def test_a_visit_of_another_day_is_fine_for_the_form(field, app):
    with app.app_context():
        officer_visit = make_visit(officers=[db.session.get(Visit, field.visit_id).officers[0]],
                                   on=clock.today() + timedelta(days=3), today=clock.today())
        db.session.commit()
        other_id = officer_visit.id
    assert field.client.get(f"/signups/visits/{other_id}/new").status_code == 200


@pytest.mark.parametrize("path", ["/signups/contribution", "{form}"])
def test_hostile_query_values_never_cause_a_server_error(field, path):
    from urllib.parse import urlencode

    from tests.web.test_hostile_input import HOSTILE
    url = path.format(form=field.url)
    names = ["nik", "sex", "birth_date", "declared_income", "with_jht", "payer", "subsidy_programme", "saved"]
    for name in names:
        for value in HOSTILE:
            query = urlencode({name: value}, errors="surrogatepass")
            for headers in ({}, HTMX):
                response = field.client.get(f"{url}?{query}", headers=headers)
                assert response.status_code < 500, (name, value, headers)


def test_hostile_nik_check_values_never_cause_a_server_error(field):
    from urllib.parse import urlencode

    from tests.web.test_hostile_input import HOSTILE
    for name in ("nik", "sex", "birth_date"):
        for value in HOSTILE:
            body = urlencode({name: value, "nik": "7271014508950001"} if name != "nik" else {name: value},
                             errors="surrogatepass")
            response = field.client.post("/signups/nik-check", data=body, headers=HTMX,
                                         content_type="application/x-www-form-urlencoded")
            assert response.status_code == 200, (name, value)


def test_hostile_form_values_never_cause_a_server_error(field, app):
    from urllib.parse import urlencode

    from tests.web.test_hostile_input import HOSTILE
    for name in ("nik", "full_name", "sex", "birth_date", "phone", "occupation", "sector", "declared_income",
                 "payer", "subsidy_programme", "form_key"):
        for value in HOSTILE:
            body = urlencode(filled(field, **{name: value}), errors="surrogatepass")
            response = field.client.post(field.url, data=body, content_type="application/x-www-form-urlencoded")
            assert response.status_code in (303, 409, 422), (name, value, response.status_code)


# --- the hot path's statements ----------------------------------------------------------------------
# Exact, so that a statement added to the officer's hot path is a decision (DESIGN.md's budget: the POST within 4×,
# the form within 2× a minimal insert route). The form: the user with their session, the visit with its village,
# the running programmes with their totals. A self-paid sign-up's POST: those two first reads, then in one statement
# the form key and the NIK, the visit's status and assignment, the district, the near-duplicates and the rate table,
# then SAVEPOINT, the sign-up's insert, the tallies, the monthly, daily, village and officer roll-ups, the audit
# entry, RELEASE (SQLite's BEGIN IMMEDIATE goes to the driver directly and is not counted). PostgreSQL locks the
# branch's roll-up rows and adds to the four roll-ups in one statement (SQLite's write lock is held already, and a
# statement costs it no round trip). In service neither sends the SAVEPOINT and RELEASE, as the sign-up is its
# transaction's first write (``database.undone_alone``); here the tests' own savepoints count as writes before it
# (tests/unit/test_read_only_transactions.py checks that case apart).

def test_the_form_takes_three_statements(field, app):
    field.client.get(field.url)
    with counting_statements(app) as statements:
        assert field.client.get(field.url).status_code == 200
    # The visit's statement also reads the rate table in force, which the page carries for the phone's contribution
    # preview.
    assert len(statements) == 3, statements


def test_a_saved_sign_up_takes_twelve_statements_and_nine_on_postgresql(field, app):
    with app.app_context():
        expected = 12 if db.engine.dialect.name == "sqlite" else 9
    values = filled(field)
    with counting_statements(app) as statements:
        assert field.client.post(field.url, data=values).status_code == 303
    assert len(statements) == expected, "\n".join(statements)


def test_a_subsidised_sign_up_reads_its_programme_with_its_context_and_its_quota_once_under_the_lock(field, app):
    # Beside a self-paid sign-up's statements: the programme with its used quota is read in the context's statement,
    # then its total's upsert (on PostgreSQL, in the tally's statement), and on PostgreSQL the quota with the total
    # again under the programme's row lock (one statement; SQLite's write lock has been held since the context was
    # read). The audit entry names the programme from the record already read.
    programme_id = make_programme(app, 10)
    with app.app_context():
        expected = 12 + 1 if db.engine.dialect.name == "sqlite" else 9 + 1
    values = filled(field, payer="subsidy", subsidy_programme=str(programme_id))
    with counting_statements(app) as statements:
        assert field.client.post(field.url, data=values).status_code == 303
    assert len(statements) == expected, "\n".join(statements)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.subject_type == "signup")
                                  .order_by(AuditEntry.id.desc()).limit(1))
        assert entry.details["subsidy_programme"] == [None, "Iuran Warga Rentan 10"]
