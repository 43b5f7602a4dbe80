"""Looking NIKs up: never through an address, audited, throttled per user, and telling another branch only whom to
call.

A browser puts whatever an address holds into the server's access log, its history and the Referer of the next
request; so a NIK, a name or a phone number may travel only in a request's body, and no address the app writes
(links, form actions, hx-* attributes, redirects, pushed URLs) may hold one.
"""

import html
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, Role, User, Village
from tests.factories import (
    NEAR_VILLAGE,
    branch_named,
    in_progress_visit,
    make_campaign,
    make_officer,
    make_signup,
    nik_for,
    user_named,
)
from tests.logs import captured_log

HTMX = {"HX-Request": "true"}
NIK = "7271014508950001"
NAME = "Siti Aminah Jejak"
PHONE = "0812 3456 7890"
WORKER_DATA = [NIK, "7271 0145 0895 0001", "08950001", NAME, "aminah", "jejak", PHONE, "81234567890"]
URL_ATTRIBUTES = re.compile(r'\b(href|action|src|hx-get|hx-post|hx-put|hx-patch|hx-delete|hx-push-url|hx-replace-url)'
                            r'="([^"]*)"')
URL_HEADERS = ("Location", "HX-Push-Url", "HX-Location", "HX-Redirect", "HX-Replace-Url")
OTHER_BRANCH = "Kantor Cabang Luwuk"


class Browser:
    """A test client that sends what a page's htmx attributes say (the method and the address), and keeps every
    address it asked for and every address the app wrote back."""

    def __init__(self, client):
        self.client = client
        self.asked: list[str] = []
        self.written: list[str] = []

    def open(self, url: str, method: str = "GET", data: dict | None = None, headers: dict | None = None):
        if method == "GET" and data:
            url, data = f"{url}?{urlencode(data)}", None
        self.asked.append(url)
        response = self.client.open(url, method=method, data=data, headers=headers or {})
        body = response.get_data(as_text=True)
        self.written += [response.headers[name] for name in URL_HEADERS if name in response.headers]
        self.written += [html.unescape(url) for _attribute, url in URL_ATTRIBUTES.findall(body)]
        return response

    def htmx(self, page, selector: re.Pattern, values: dict):
        """What htmx sends when the element ``selector`` finds on ``page`` fires with ``values``."""
        tag = selector.search(page.get_data(as_text=True)).group(0)
        method, url = re.search(r'hx-(get|post)="([^"]+)"', tag).groups()
        return self.open(html.unescape(url), method.upper(), values, HTMX)


NIK_INPUT = re.compile(r'<input[^>]*id="nik"[^>]*>')
SEARCH_FORM = re.compile(r'<form[^>]*role="search"[^>]*>')


def sign_in(client, username: str) -> None:
    client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    client.post("/language", data={"language": "en"})


def sign_up_form(page, **changes) -> dict:
    key = re.search(r'name="form_key"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    values = {"form_key": key, "nik": NIK, "full_name": NAME, "sex": "", "birth_date": "", "phone": PHONE,
              "occupation": "fisher", "sector": "bpu", "declared_income": "1.500.000", "payer": "self",
              "subsidy_programme": "", "consent": "y", "consent_version": "1"}
    return values | changes


@pytest.fixture
def visit_id(app) -> int:
    with app.app_context():
        visit = in_progress_visit(user_named("petugas"))
        # Enough namesakes for the search's answer to have a second page.
        for serial in range(2, 2 + app.config["PAGE_SIZE"]):
            make_signup(visit, nik=nik_for(serial=serial), full_name=f"{NAME} {serial}")
        db.session.commit()
        return visit.id


def test_a_session_of_nik_checks_and_searches_puts_no_worker_data_in_an_address_or_a_log_line(app, client, visit_id):
    browser = Browser(client)
    form_url = f"/signups/visits/{visit_id}/new"
    with captured_log() as log:
        sign_in(client, "petugas")
        form = browser.open(form_url)
        for typed in (NIK[:6], NIK[:12], NIK, "7271 0145 0895 0001"):
            assert browser.htmx(form, NIK_INPUT, {"nik": typed, "sex": "", "birth_date": ""}).status_code == 200
        saved = browser.open(form_url, "POST", sign_up_form(form))
        assert saved.status_code == 303
        again = browser.open(saved.headers["Location"])
        assert browser.open(form_url, "POST", sign_up_form(again, full_name="Siti A.")).status_code == 409
        listed = browser.open("/signups/")
        for typed in (NIK, NAME, PHONE):
            assert browser.htmx(listed, SEARCH_FORM, {"q": typed}).status_code == 200
        client.post("/logout")

        sign_in(client, "koordinator")
        listed = browser.open("/signups/")
        found = browser.htmx(listed, SEARCH_FORM, {"q": NAME})
        assert "Page 1 of 2" in found.get_data(as_text=True)
        browser.open("/signups/", "POST", {"q": NAME, "page": "2"}, HTMX)
        browser.open("/signups/", "POST", {"q": NIK})
    addresses = browser.asked + browser.written
    assert len(browser.written) > 50
    for data in WORKER_DATA:
        assert not [a for a in addresses if data.lower() in a.lower()], f"{data!r} is in an address"
        assert data.lower() not in log.text.lower(), f"{data!r} is in the log"


def test_the_nik_check_answers_no_get(field_officer):
    client, _visit = field_officer
    assert client.get(f"/signups/nik-check?nik={NIK}", headers=HTMX).status_code == 405


# --- audit ----------------------------------------------------------------------------------------

@pytest.fixture
def field_officer(app, client):
    """A client signed in as an officer of Palu with a visit in progress, reading English."""
    with app.app_context():
        officer = make_officer()
        visit = in_progress_visit(officer)
        db.session.commit()
        username, visit_id = officer.username, visit.id
    sign_in(client, username)
    return client, visit_id


def look_ups(app) -> list[AuditEntry]:
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.NIK_LOOKED_UP)
                                          .order_by(AuditEntry.id)))
        db.session.expunge_all()
        return entries


def test_every_nik_looked_up_is_audited_with_the_sign_up_found_and_never_the_nik(app, field_officer):
    client, _visit = field_officer
    with app.app_context():
        signup = make_signup(nik=NIK)
        db.session.commit()
        signup_id, branch_id = signup.id, signup.branch_id
    client.post("/signups/nik-check", data={"nik": NIK}, headers=HTMX)
    client.post("/signups/nik-check", data={"nik": nik_for(serial=9001)}, headers=HTMX)
    found, missing = look_ups(app)
    assert (found.subject_type, found.subject_id, found.branch_id) == ("signup", signup_id, branch_id)
    assert found.details == {"registered": True, "other_branch": False}
    assert (missing.subject_id, missing.details["registered"]) == (None, False)
    assert NIK not in str(found.details) and NIK[:12] not in str(found.details)


def test_a_nik_still_being_typed_is_no_look_up(app, field_officer):
    client, _visit = field_officer
    for typed in (NIK[:4], NIK[:15], "9971014508950001"):
        client.post("/signups/nik-check", data={"nik": typed}, headers=HTMX)
    assert look_ups(app) == []


# --- throttle -------------------------------------------------------------------------------------

@pytest.fixture
def throttled_app(app_factory):
    return app_factory(NIK_CHECK_LIMIT="3 per minute")


def signed_in_client(app, username: str):
    client = app.test_client()
    sign_in(client, username)
    return client


def test_an_officer_who_looks_up_too_many_niks_is_throttled_with_a_message(app, throttled_app):
    with app.app_context():
        username = make_officer().username
        db.session.commit()
    client = signed_in_client(throttled_app, username)
    for serial in range(1, 4):
        assert client.post("/signups/nik-check", data={"nik": nik_for(serial=serial)}, headers=HTMX).status_code == 200
    refused = client.post("/signups/nik-check", data={"nik": nik_for(serial=4)}, headers=HTMX)
    assert refused.status_code == 429
    assert "Too many NIKs checked in a short time" in refused.get_data(as_text=True)
    assert "<html" not in refused.get_data(as_text=True)
    assert len(look_ups(app)) == 3


def test_the_throttle_counts_each_officer_apart_and_only_look_ups(app, throttled_app):
    with app.app_context():
        first, second = make_officer().username, make_officer().username
        db.session.commit()
    client = signed_in_client(throttled_app, first)
    for _ in range(5):  # typing: no look-up yet
        assert client.post("/signups/nik-check", data={"nik": NIK[:9]}, headers=HTMX).status_code == 200
    for serial in range(1, 4):
        client.post("/signups/nik-check", data={"nik": nik_for(serial=serial)}, headers=HTMX)
    assert client.post("/signups/nik-check", data={"nik": NIK}, headers=HTMX).status_code == 429
    other = signed_in_client(throttled_app, second)
    assert other.post("/signups/nik-check", data={"nik": NIK}, headers=HTMX).status_code == 200


# --- another branch -------------------------------------------------------------------------------

@pytest.fixture
def registered_in_palu(app):
    """A NIK registered in Palu, and the names of the coordinators of the other branch, whom Palu's officers call
    about theirs (and theirs Palu's)."""
    with app.app_context():
        make_signup(nik=NIK, full_name=NAME)
        db.session.commit()
        palu_coordinators = list(db.session.scalars(select(User.full_name).where(
            User.branch_id == branch_named().id, User.role == Role.COORDINATOR)))
        village = db.session.get(Village, NEAR_VILLAGE).name
    return palu_coordinators, village


def luwuk_officer(app, client) -> tuple:
    with app.app_context():
        luwuk = branch_named(OTHER_BRANCH)
        officer = make_officer(luwuk)
        village_code = db.session.scalar(select(Village.code).where(Village.code.like("72.01.%")).limit(1))
        visit = in_progress_visit(officer, campaign=make_campaign(luwuk), village_code=village_code)
        db.session.commit()
        username, visit_id = officer.username, visit.id
    sign_in(client, username)
    return client, visit_id


def test_another_branch_is_told_only_that_the_nik_is_registered_and_whom_to_call(app, client, registered_in_palu):
    coordinators, village = registered_in_palu
    client, _visit = luwuk_officer(app, client)
    answer = client.post("/signups/nik-check", data={"nik": NIK}, headers=HTMX).get_data(as_text=True)
    assert "This NIK is registered in another branch. To check it, call the coordinator of Kantor Cabang Palu: " \
           f"{'; '.join(coordinators)}." in html.unescape(answer)
    assert coordinators
    for told_too_much in (village, "Registered already", "2026", "Nov", "************"):
        assert told_too_much not in answer
    [entry] = look_ups(app)
    assert entry.details == {"registered": True, "other_branch": True}


def test_a_sign_up_of_a_nik_of_another_branch_is_refused_with_whom_to_call(app, client, registered_in_palu):
    coordinators, village = registered_in_palu
    client, visit_id = luwuk_officer(app, client)
    url = f"/signups/visits/{visit_id}/new"
    refused = client.post(url, data=sign_up_form(client.get(url)))
    answer = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 409
    assert "This NIK is registered in another branch. To check it, call the coordinator of Kantor Cabang Palu" in answer
    assert village not in answer and "See the existing sign-up" not in answer
    [entry] = look_ups(app)
    assert entry.details == {"registered": True, "other_branch": True} and entry.subject_type == "signup"


def test_the_same_branch_is_still_told_where_and_when(app, registered_in_palu, field_officer):
    client, _visit = field_officer
    _coordinators, village = registered_in_palu
    answer = client.post("/signups/nik-check", data={"nik": NIK}, headers=HTMX).get_data(as_text=True)
    assert "Registered already: ************0001" in answer and village in answer


def test_a_nik_typed_into_an_address_by_hand_is_not_logged(client):
    with captured_log() as log:
        client.get(f"/signups/{NIK}")
        client.get("/signups/7271 0145 0895 0001")
    assert "path=/signups/redacted" in log.text
    assert NIK not in log.text and "0895" not in log.text


def test_the_audit_log_lists_look_ups_in_words(app, field_officer):
    client, _visit = field_officer
    client.post("/signups/nik-check", data={"nik": NIK}, headers=HTMX)
    page = signed_in_client(app, "admin").get("/audit/?action=nik_looked_up").get_data(as_text=True)
    assert "NIK looked up" in page and "NIK registered: no" in page and "In another branch: no" in page
    assert NIK not in page
