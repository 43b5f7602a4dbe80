"""The data-subject request page: administrators only, the NIK posted and never in an address or a log line,
every look-up, export and erasure audited, counts right after an erasure."""

import json
import re

import pytest
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, SignUp
from campaign_app.privacy.service import ERASED
from campaign_app.summaries import drift
from tests.conftest import csrf_token_from
from tests.factories import in_progress_visit, make_officer, make_signup
from tests.logs import captured_log

HTMX = {"HX-Request": "true"}
NIK = "7271014508950001"
NAME = "Siti Aminah Permintaan"
PHONE_DIGITS = "81234567890"
URL_ATTRIBUTES = re.compile(r'\b(href|action|src|hx-get|hx-post|hx-push-url)="([^"]*)"')
URL_HEADERS = ("Location", "HX-Push-Url", "HX-Location", "HX-Redirect")


@pytest.fixture
def siti(app) -> int:
    """Siti's sign-up id, committed for the test's requests (undone after it)."""
    with app.app_context():
        officer = make_officer()
        signup = make_signup(in_progress_visit(officer), officer, nik=NIK, full_name=NAME, phone="0812 3456 7890")
        db.session.commit()
        return signup.id


def actions_after(app, last: int) -> list[tuple[str, int | None]]:
    with app.app_context():
        return [(action, subject_id) for action, subject_id in db.session.execute(
            select(AuditEntry.action, AuditEntry.subject_id).where(AuditEntry.id > last).order_by(AuditEntry.id))]


def last_entry(app) -> int:
    with app.app_context():
        return db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def addresses(response) -> list[str]:
    found = [url for _attr, url in URL_ATTRIBUTES.findall(response.get_data(as_text=True))]
    return found + [response.headers[h] for h in URL_HEADERS if h in response.headers]


# --- access ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["coordinator", "manager", "officer"])
@pytest.mark.parametrize("method, path", [("GET", "/privacy/requests"), ("POST", "/privacy/requests"),
                                          ("POST", "/privacy/people/{id}/export"),
                                          ("POST", "/privacy/people/{id}/erase")])
def test_other_roles_are_refused(client, auth, siti, role, method, path):
    auth.login_as(role)
    response = client.open(path.format(id=siti), method=method,
                           data={"nik": NIK, "confirmation": "HAPUS", "reason": "Permintaan"})
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get("/privacy/requests").status_code == 302


def test_the_menu_offers_data_requests_to_administrators_only(client, auth):
    auth.login_as("admin")
    assert "/privacy/requests" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login_as("coordinator")
    assert "/privacy/requests" not in client.get("/").get_data(as_text=True)


# --- find -----------------------------------------------------------------------------------------

def test_an_administrator_finds_a_person_by_a_posted_nik(admin, siti):
    response = admin.post("/privacy/requests", data={"nik": "7271 0145 0895 0001"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert NAME in page and f"/signups/{siti}/edit" in page and f"/privacy/people/{siti}/export" in page
    assert NIK not in page
    assert response.headers["Cache-Control"] == "no-store"


def test_the_search_answers_htmx_with_the_results_alone(admin, siti):
    response = admin.post("/privacy/requests", data={"nik": NIK}, headers=HTMX)
    page = response.get_data(as_text=True)
    assert NAME in page and "<h1>" not in page


def test_a_nik_no_one_has_is_answered_as_such(admin):
    response = admin.post("/privacy/requests", data={"nik": "7271011203880002"})
    assert response.status_code == 200 and "No sign-up has this NIK." in response.get_data(as_text=True)


def test_a_mistyped_nik_is_refused_with_what_was_typed(admin):
    response = admin.post("/privacy/requests", data={"nik": "72710145"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A NIK has exactly 16 digits." in page and 'value="72710145"' in page


def test_the_page_is_in_indonesian_by_default(client, auth, siti):
    auth.login_as("admin")
    page = client.get("/privacy/requests").get_data(as_text=True)
    assert "Permintaan data pribadi" in page


def test_each_look_up_is_audited(app, admin, siti):
    last = last_entry(app)
    admin.post("/privacy/requests", data={"nik": NIK})
    admin.post("/privacy/requests", data={"nik": "7271011203880002"})
    assert actions_after(app, last) == [(AuditAction.DATA_SUBJECT_LOOKED_UP, siti),
                                        (AuditAction.DATA_SUBJECT_LOOKED_UP, None)]


def test_the_nik_and_the_persons_data_are_in_no_address_and_no_log_line(app, admin, siti):
    with captured_log() as log:
        found = admin.post("/privacy/requests", data={"nik": NIK})
        exported = admin.post(f"/privacy/people/{siti}/export")
        refused = admin.post(f"/privacy/people/{siti}/erase", data={"confirmation": "no", "reason": ""})
        erased = admin.post(f"/privacy/people/{siti}/erase", data={"confirmation": "HAPUS", "reason": "Permintaan"})
    for response in (found, exported, refused, erased):
        for address in addresses(response):
            assert NIK not in address and "0001" not in address and "Siti" not in address
    assert log.lines
    for personal in (NIK, "Siti", PHONE_DIGITS):
        assert personal not in log.text


# --- export ---------------------------------------------------------------------------------------

def test_the_export_is_a_json_download_of_the_persons_data(admin, siti):
    response = admin.post(f"/privacy/people/{siti}/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert NIK not in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    [signup] = json.loads(response.get_data(as_text=True))["signups"]
    assert (signup["signup_id"], signup["nik"], signup["full_name"]) == (siti, NIK, NAME)


def test_an_export_is_audited(app, admin, siti):
    last = last_entry(app)
    admin.post(f"/privacy/people/{siti}/export")
    assert actions_after(app, last) == [(AuditAction.DATA_SUBJECT_EXPORTED, siti)]


def test_an_export_of_no_sign_up_is_not_found(admin):
    assert admin.post("/privacy/people/999999/export").status_code == 404


# --- erase ----------------------------------------------------------------------------------------

def test_an_erasure_replaces_the_persons_data_and_keeps_the_counts(app, admin, siti):
    response = admin.post(f"/privacy/people/{siti}/erase", data={"confirmation": "HAPUS", "reason": "Surat 3/11"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/privacy/requests")
    with app.app_context():
        signup = db.session.get(SignUp, siti)
        assert (signup.full_name, signup.phone) == (ERASED, None)
        assert drift(db.session.connection()) == []
    assert "No sign-up has this NIK." in admin.post("/privacy/requests", data={"nik": NIK}).get_data(as_text=True)


def test_an_erasure_is_audited_with_its_reason(app, admin, siti):
    last = last_entry(app)
    admin.post(f"/privacy/people/{siti}/erase", data={"confirmation": "HAPUS", "reason": "Surat 3/11"})
    assert actions_after(app, last) == [(AuditAction.DATA_SUBJECT_ERASED, siti)]


def test_an_erasure_without_the_typed_confirmation_is_refused_and_writes_nothing(app, admin, siti):
    last = last_entry(app)
    response = admin.post(f"/privacy/people/{siti}/erase", data={"confirmation": "ya", "reason": "Surat 3/11"},
                          headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Type HAPUS to confirm" in page and "Surat 3/11" in page and NAME in page
    assert actions_after(app, last) == []
    with app.app_context():
        assert db.session.get(SignUp, siti).full_name == NAME


def test_the_audit_log_reads_an_erasure_with_its_reason(admin, siti):
    admin.post(f"/privacy/people/{siti}/erase", data={"confirmation": "HAPUS", "reason": "Surat 3/11"})
    page = admin.get("/audit/").get_data(as_text=True)
    assert "Person&#39;s data erased" in page or "Person's data erased" in page
    assert "Reason for erasing" in page and "Surat 3/11" in page and f"#{siti}" in page


def test_the_request_forms_carry_their_csrf_tokens(csrf_admin, siti):
    _app, client = csrf_admin
    token = csrf_token_from(client.get("/privacy/requests").get_data(as_text=True))
    found = client.post("/privacy/requests", data={"nik": NIK, "csrf_token": token})
    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert client.post(f"/privacy/people/{siti}/export", data={"csrf_token": csrf_token_from(page)}).status_code == 200
    assert client.post(f"/privacy/people/{siti}/export").status_code == 400
