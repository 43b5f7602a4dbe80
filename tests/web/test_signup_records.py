"""Sign-up records: the list with its search, one sign-up with its history, corrections, voids and NIK reveals."""

import gzip
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from campaign_app import clock
from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, SignUp, SignUpStatus
from tests.factories import (
    branch_named,
    in_progress_visit,
    make_campaign,
    make_officer,
    make_signup,
    user_named,
)

HTMX = {"HX-Request": "true"}
FRAGMENT_BUDGET = 4 * 1024
WOMAN_1995 = "7271014508950001"
MAN_1988 = "7271011203880002"
LUWUK_NIK = "7201014508950003"  # Banggai, served by the Luwuk branch
LUWUK = "Kantor Cabang Luwuk"


@dataclass
class Records:
    """Sign-ups made for a test: two by a new Palu officer today, one in Luwuk."""

    officer: str
    officer_id: int
    siti: int
    budi: int
    luwuk: int


def now_utc() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def records(app) -> Records:
    with app.app_context():
        officer = make_officer(name="Petugas Catatan")
        visit = in_progress_visit(officer)
        today, now = clock.today(), now_utc()
        siti = make_signup(visit, officer, nik=WOMAN_1995, full_name="Siti Aminah Catatan", today=today, now=now)
        budi = make_signup(visit, officer, nik=MAN_1988, full_name="Budi Santoso Catatan", today=today, now=now,
                           declared_income=3_000_000)
        luwuk_officer = make_officer(branch_named(LUWUK))
        luwuk_visit = in_progress_visit(luwuk_officer, village_code="72.01.01.1009",
                                        campaign=make_campaign(branch_named(LUWUK)))
        luwuk = make_signup(luwuk_visit, luwuk_officer, nik=LUWUK_NIK, full_name="Wati Luwuk Catatan", today=today,
                            now=now)
        db.session.commit()
        return Records(officer.username, officer.id, siti.id, budi.id, luwuk.id)


def as_user(client, username: str):
    assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD}).status_code == 303
    client.post("/language", data={"language": "en"})
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def audit_entries(app, signup_id: int, action: str | None = None) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.subject_type == "signup", AuditEntry.subject_id == signup_id)
        if action:
            query = query.where(AuditEntry.action == action)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def stored(app, signup_id: int) -> SignUp:
    with app.app_context():
        signup = db.session.get(SignUp, signup_id)
        db.session.expunge(signup)
        return signup


# --- the list -------------------------------------------------------------------------------------

def test_the_menu_offers_sign_ups_to_officers_too(client, records):
    html = text(as_user(client, records.officer).get("/"))
    assert 'href="/signups/"' in html


def test_an_officer_lists_only_the_sign_ups_they_recorded(client, records):
    html = text(as_user(client, records.officer).get("/signups/"))
    assert "Siti Aminah Catatan" in html and "Budi Santoso Catatan" in html
    assert "Wati Luwuk Catatan" not in html
    assert "2 sign-ups" in html


def test_the_list_shows_masked_niks_only(client, records):
    html = text(as_user(client, "koordinator").post("/signups/", data={"q": "Catatan"}))
    assert "************0001" in html and WOMAN_1995 not in html


def test_a_coordinator_lists_the_sign_ups_of_their_branch_only(client, records):
    html = text(as_user(client, "koordinator").post("/signups/", data={"q": "catatan"}))
    assert "Siti Aminah Catatan" in html and "Wati Luwuk Catatan" not in html


def test_an_administrator_lists_every_branch(client, records):
    html = text(as_user(client, "admin").post("/signups/", data={"q": "catatan"}))
    assert "Siti Aminah Catatan" in html and "Wati Luwuk Catatan" in html


def test_the_search_finds_part_of_a_name_in_any_case(client, records):
    html = text(as_user(client, "koordinator").post("/signups/", data={"q": "SITI aminah"}))
    assert "Siti Aminah Catatan" in html and "Budi Santoso Catatan" not in html


def test_the_search_finds_exactly_one_nik_typed_with_spaces(client, records):
    html = text(as_user(client, "koordinator").post("/signups/", data={"q": "7271 0112 0388 0002"}))
    assert "Budi Santoso Catatan" in html and "Siti Aminah Catatan" not in html
    assert "1 sign-up" in html


def test_the_list_filters_by_status(client, records, app):
    with app.app_context():
        db.session.get(SignUp, records.budi).status = SignUpStatus.ACTIVATED
        db.session.commit()
    html = text(as_user(client, records.officer).get("/signups/?status=activated"))
    assert "Budi Santoso Catatan" in html and "Siti Aminah Catatan" not in html


def test_the_list_filters_by_visit(client, records, app):
    with app.app_context():
        visit_id = db.session.get(SignUp, records.siti).visit_id
    html = text(as_user(client, records.officer).get(f"/signups/?visit={visit_id}"))
    assert "2 sign-ups" in html and "Show all" in html


def test_the_active_search_answers_htmx_with_the_results_only(client, records):
    response = as_user(client, "koordinator").post("/signups/", data={"q": "siti"}, headers=HTMX)
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html and "<table" in html and "Siti Aminah Catatan" in html
    assert "HX-Request" in response.headers.get("Vary", "")
    assert len(gzip.compress(response.get_data(), 6)) <= FRAGMENT_BUDGET


def test_the_search_box_posts_and_works_without_javascript(client, records):
    html = text(as_user(client, "koordinator").get("/signups/"))
    assert re.search(r'<form method="post" action="/signups/"[^>]*hx-post="/signups/"', html)
    assert 'name="q"' in html and 'name="csrf_token"' in html and "hx-push-url" not in html


def test_a_search_in_the_query_string_is_ignored(client, records):
    html = text(as_user(client, "koordinator").get("/signups/?q=SITI+aminah"))
    assert "Siti Aminah Catatan" in html and "Budi Santoso Catatan" in html


def test_after_a_search_the_address_shows_the_other_filters_only(client, records):
    response = as_user(client, "koordinator").post("/signups/", data={"q": WOMAN_1995, "status": "registered"},
                                                   headers=HTMX)
    assert response.headers["HX-Push-Url"] == "/signups/?status=registered"


@pytest.mark.parametrize("query", ["q=%00", "q=" + "x" * 500, "status=nope", "campaign=-1", "campaign=abc",
                                   "visit=99999999999999", "page=-3", "page=" + "9" * 30, "q=%25_%25"])
def test_odd_filters_are_ignored_not_fatal(client, records, query):
    signed_in = as_user(client, "koordinator")
    assert signed_in.get(f"/signups/?{query}").status_code == 200
    assert signed_in.post("/signups/", data=query, content_type="application/x-www-form-urlencoded").status_code == 200


# --- one sign-up ----------------------------------------------------------------------------------

def test_the_officer_who_recorded_it_sees_it_masked_with_correct_and_void(client, records):
    html = text(as_user(client, records.officer).get(f"/signups/{records.siti}"))
    assert "Siti Aminah Catatan" in html and "************0001" in html and WOMAN_1995 not in html
    assert f'href="/signups/{records.siti}/edit"' in html and f"/signups/{records.siti}/void" in html
    assert "Reveal NIK" not in html
    assert "Rp21.800" in html and "The worker" in html


def test_another_officer_of_the_branch_does_not_find_it(client, records):
    assert as_user(client, "petugas").get(f"/signups/{records.siti}").status_code == 404


def test_a_coordinator_of_another_branch_does_not_find_it(client, records):
    assert as_user(client, "koordinator").get(f"/signups/{records.luwuk}").status_code == 404


def test_a_manager_sees_it_without_buttons(client, records):
    html = text(as_user(client, "manajer").get(f"/signups/{records.siti}"))
    assert "Siti Aminah Catatan" in html
    assert "Reveal NIK" not in html and "/edit" not in html and "/void" not in html


def test_the_coordinator_sees_reveal_correct_and_void(client, records):
    html = text(as_user(client, "koordinator").get(f"/signups/{records.siti}"))
    assert "Reveal NIK" in html and f"/signups/{records.siti}/edit" in html and f"/signups/{records.siti}/void" in html


def test_an_id_too_large_is_not_found(client, records):
    assert as_user(client, "admin").get("/signups/2147483648").status_code == 404


# --- revealing the NIK ----------------------------------------------------------------------------

def test_revealing_the_nik_answers_htmx_with_the_nik_only_and_audits_it(client, records, app):
    response = as_user(client, "koordinator").post(f"/signups/{records.siti}/reveal", headers=HTMX)
    html = text(response)
    assert response.status_code == 200
    assert WOMAN_1995 in html and "<html" not in html
    assert response.headers["Cache-Control"] == "no-store"
    [entry] = audit_entries(app, records.siti, AuditAction.NIK_REVEALED)
    assert entry.actor_id == stored_user_id(app, "koordinator")


def test_revealing_the_nik_without_javascript_shows_the_page_with_it(client, records, app):
    response = as_user(client, "admin").post(f"/signups/{records.siti}/reveal")
    assert response.status_code == 200
    assert WOMAN_1995 in text(response) and "<html" in text(response)


@pytest.mark.parametrize("username", ["manajer", "petugas"])
def test_managers_and_officers_may_not_reveal_a_nik(client, records, app, username):
    assert as_user(client, username).post(f"/signups/{records.siti}/reveal").status_code == 403
    assert audit_entries(app, records.siti) == []


def test_the_recording_officer_may_not_reveal_the_nik_either(client, records, app):
    assert as_user(client, records.officer).post(f"/signups/{records.siti}/reveal").status_code == 403


def test_a_coordinator_cannot_reveal_another_branch_s_nik(client, records, app):
    assert as_user(client, "koordinator").post(f"/signups/{records.luwuk}/reveal").status_code == 404
    assert audit_entries(app, records.luwuk) == []


def stored_user_id(app, username: str) -> int:
    with app.app_context():
        return user_named(username).id


# --- corrections ----------------------------------------------------------------------------------

def correction(**changes) -> dict:
    values = {"full_name": "Siti Aminah Catatan", "phone": "", "occupation": "farmer", "sector": "bpu",
              "declared_income": "1.500.000"}
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def test_the_correction_form_shows_the_current_values(client, records):
    html = text(as_user(client, records.officer).get(f"/signups/{records.siti}/edit"))
    assert 'value="Siti Aminah Catatan"' in html and 'value="1.500.000"' in html
    assert "void the sign-up and record it again" in html


def test_the_officer_corrects_their_sign_up_on_the_same_day_and_it_is_audited(client, records, app):
    response = as_user(client, records.officer).post(f"/signups/{records.siti}/edit",
                                                     data=correction(full_name="Siti Aminah Putri Catatan"))
    assert response.status_code == 303 and response.location.endswith(f"/signups/{records.siti}")
    assert stored(app, records.siti).full_name == "Siti Aminah Putri Catatan"
    [entry] = audit_entries(app, records.siti, AuditAction.SIGNUP_CORRECTED)
    assert entry.details == {"full_name": ["Siti Aminah Catatan", "Siti Aminah Putri Catatan"]}
    html = text(client.get(response.location))
    assert "Sign-up corrected" in html and "Siti Aminah Putri Catatan" in html


def test_the_officer_may_not_correct_it_the_next_day(client, records, app, monkeypatch):
    tomorrow = clock.today() + timedelta(days=1)
    monkeypatch.setattr("campaign_app.clock.today", lambda: tomorrow)
    as_user(client, records.officer)
    assert "Only a coordinator can change" in text(client.get(f"/signups/{records.siti}/edit"))
    response = client.post(f"/signups/{records.siti}/edit", data=correction(full_name="Siti Lain"))
    assert response.status_code == 422
    assert stored(app, records.siti).full_name == "Siti Aminah Catatan"
    assert "/edit" not in text(client.get(f"/signups/{records.siti}"))


def test_the_coordinator_corrects_it_the_next_day(client, records, app, monkeypatch):
    tomorrow = clock.today() + timedelta(days=1)
    monkeypatch.setattr("campaign_app.clock.today", lambda: tomorrow)
    response = as_user(client, "koordinator").post(f"/signups/{records.siti}/edit",
                                                   data=correction(declared_income="3.000.000"))
    assert response.status_code == 303
    assert stored(app, records.siti).jkk_contribution == 30_000


@pytest.mark.parametrize(("changes", "field_name"), [
    ({"full_name": ""}, "full_name"),
    ({"declared_income": "abc"}, "declared_income"),
    ({"declared_income": "-10"}, "declared_income"),
    ({"phone": "12"}, "phone"),
    ({"occupation": "astronaut"}, "occupation"),
])
def test_a_bad_correction_is_refused_with_what_was_typed_kept(client, records, app, changes, field_name):
    response = as_user(client, records.officer).post(f"/signups/{records.siti}/edit", data=correction(**changes))
    html = text(response)
    assert response.status_code == 422
    assert f'id="{field_name}-err"' in html
    typed = changes.get("full_name", changes.get("declared_income", changes.get("phone")))
    if typed:
        assert f'value="{typed}"' in html
    assert audit_entries(app, records.siti) == []


def test_a_correction_that_changes_nothing_says_so(client, records, app):
    response = as_user(client, records.officer).post(f"/signups/{records.siti}/edit", data=correction(),
                                                     follow_redirects=True)
    assert "Nothing was changed." in text(response)
    assert audit_entries(app, records.siti) == []


def test_a_manager_may_not_correct(client, records):
    assert as_user(client, "manajer").post(f"/signups/{records.siti}/edit", data=correction()).status_code == 403


# --- voiding --------------------------------------------------------------------------------------

def test_the_officer_voids_their_sign_up_with_a_reason_and_the_history_shows_it(client, records, app):
    response = as_user(client, records.officer).post(f"/signups/{records.siti}/void",
                                                     data={"reason": "NIK salah ketik"})
    assert response.status_code == 303
    signup = stored(app, records.siti)
    assert (signup.status, signup.void_reason) == (SignUpStatus.VOID, "NIK salah ketik")
    html = text(client.get(f"/signups/{records.siti}"))
    assert "Sign-up voided" in html and "NIK salah ketik" in html
    assert "/edit" not in html


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_voiding_without_a_proper_reason_is_refused(client, records, app, reason):
    response = as_user(client, records.officer).post(f"/signups/{records.siti}/void", data={"reason": reason})
    assert response.status_code == 422
    assert 'id="reason-err"' in text(response)
    assert stored(app, records.siti).status == SignUpStatus.REGISTERED


def test_an_activated_sign_up_cannot_be_voided(client, records, app):
    with app.app_context():
        db.session.get(SignUp, records.siti).status = SignUpStatus.ACTIVATED
        db.session.commit()
    as_user(client, "koordinator")
    assert "/void" not in text(client.get(f"/signups/{records.siti}"))
    response = client.post(f"/signups/{records.siti}/void", data={"reason": "Tidak jadi"})
    assert response.status_code == 422 and "cannot be voided" in text(response)
    assert stored(app, records.siti).status == SignUpStatus.ACTIVATED


def test_the_history_lists_the_corrections_with_before_and_after(client, records):
    as_user(client, "koordinator")
    client.post(f"/signups/{records.budi}/edit", data=correction(full_name="Budi Santoso Catatan",
                                                                 declared_income="4.000.000"))
    html = text(client.get(f"/signups/{records.budi}"))
    assert "Sign-up corrected" in html and "Declared income: Rp3.000.000 → Rp4.000.000" in html
