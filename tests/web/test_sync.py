"""Sync from an officer's phone: device credentials, records stored once under their key, conflicts stored for
review with their reason, and bad records refused with 422, never a 500."""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import (
    AuditAction,
    AuditEntry,
    Device,
    RateTable,
    SignUp,
    SubsidyProgramme,
    SyncRecord,
    User,
    Visit,
    VisitStatus,
)
from campaign_app.signups.consent import consent_text_on
from campaign_app.sync import routes as sync_routes
from tests.conftest import Auth, counting_statements
from tests.factories import TODAY, make_officer, make_signup, make_visit, nik_for

CAPTURED = datetime(2026, 11, 2, 1, 45, tzinfo=UTC)  # 09:45 WITA on TODAY, the visit's day
ARRIVED = datetime(2026, 11, 4, 3, 0, tzinfo=UTC)  # two days later, back in signal
_keys = iter(range(1, 10**6))


def new_key() -> str:
    return f"phone-record-{next(_keys):06d}-key"


def moment(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@dataclass
class Phone:
    """An officer's phone: a client without any cookie, the device token, and the officer's visit (planned)."""

    app: object
    client: object
    token: str
    device_id: int
    officer_id: int
    visit_id: int
    username: str

    def send(self, record: dict | bytes | str, token: str | None = None):
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if isinstance(record, dict):
            return self.client.post("/sync/records", json=record, headers=headers)
        return self.client.post("/sync/records", data=record, headers={**headers,
                                                                      "Content-Type": "application/json"})

    def summary(self):
        return self.client.get("/sync/summary", headers={"Authorization": f"Bearer {self.token}"}).get_json()

    def record(self, kind: str, data: dict | None = None, *, key: str | None = None, captured: datetime = CAPTURED,
               visit_id: int | None = None) -> dict:
        return {"key": key or new_key(), "kind": kind, "visit_id": visit_id or self.visit_id,
                "captured_at": moment(captured), "data": data or {}}

    def signup(self, nik: str | None = None, **fields) -> dict:
        data = {"nik": nik or nik_for(), "full_name": "Siti Pekerja", "occupation": "farmer", "sector": "bpu",
                "declared_income": "1.500.000", "payer": "self", "consent": True,
                "consent_version": consent_text_on(TODAY).version}
        captured = fields.pop("captured", CAPTURED)
        key = fields.pop("key", None)
        data.update(fields)
        return self.record("signup", data, key=key, captured=captured)


def issue_token(app, username: str) -> tuple[str, int]:
    client = app.test_client()
    Auth(client).login(username)
    client.post("/language", data={"language": "en"})
    response = client.post("/devices", json={"name": "HP Lapangan"})
    assert response.status_code == 201, response.get_data(as_text=True)
    answer = response.get_json()
    return answer["token"], answer["device_id"]


@pytest.fixture(name="phone")
def phone_fixture(app, monkeypatch) -> Phone:
    monkeypatch.setattr(sync_routes, "now", lambda: ARRIVED)
    with app.app_context():
        officer = make_officer(name="Petugas Sinyal")
        visit = make_visit(officers=[officer])
        db.session.commit()
        ids = officer.id, visit.id, officer.username
    token, device_id = issue_token(app, ids[2])
    return Phone(app, app.test_client(), token, device_id, ids[0], ids[1], ids[2])


@pytest.fixture(name="started")
def started_fixture(phone) -> Phone:
    """The phone's visit started from the phone, at 09:30 WITA on its day."""
    assert phone.send(phone.record("visit_started", captured=CAPTURED - timedelta(minutes=15))).status_code == 200
    return phone


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def visit_of(phone: Phone) -> Visit:
    visit = db.session.get(Visit, phone.visit_id)
    assert visit is not None
    return visit


# --- device credentials -----------------------------------------------------------------------------

def test_an_officer_signed_in_is_issued_a_device_token_kept_only_as_its_digest(app, phone):
    with app.app_context():
        device = db.session.get(Device, phone.device_id)
        assert device.officer_id == phone.officer_id and device.name == "HP Lapangan"
        assert phone.token not in device.token_digest and len(device.token_digest) == 64
    assert len(phone.token) >= 43


def test_the_device_form_body_may_be_a_form_and_the_name_optional(app, auth, client):
    with app.app_context():
        officer = make_officer()
        db.session.commit()
        username = officer.username
    auth.login(username)
    response = client.post("/devices", data={})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    assert set(response.get_json()) == {"device_id", "token"}


def test_only_officers_are_issued_a_device_token(auth, client):
    auth.login_as("coordinator")
    assert client.post("/devices", json={}).status_code == 403


def test_the_device_endpoint_checks_the_csrf_token_in_its_header(app, app_factory):
    checked = app_factory(WTF_CSRF_ENABLED=True)
    with checked.app_context():
        officer = make_officer()
        db.session.commit()
        username = officer.username
    client = checked.test_client()
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": username, "password": "jangkau-demo", "csrf_token": token})
    page = client.get("/").get_data(as_text=True)
    assert client.post("/devices", json={}).status_code == 400
    header = csrf_token_from(page) if 'name="csrf_token"' in page else token
    assert client.post("/devices", json={}, headers={"X-CSRFToken": header}).status_code == 201


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer not-a-token-we-issued", "Basic abc",
                                           "Bearer " + "x" * 500])
def test_a_record_without_a_valid_device_token_is_refused_with_401(phone, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = phone.client.post("/sync/records", json=phone.record("visit_started"), headers=headers)
    assert response.status_code == 401 and "error" in response.get_json()
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert phone.client.get("/sync/summary", headers=headers).status_code == 401


def test_a_revoked_device_is_refused_and_the_revocation_is_audited(app, phone, admin):
    assert phone.send(phone.record("visit_started")).status_code == 200
    response = admin.post(f"/devices/{phone.device_id}/revoke")
    assert response.status_code == 303
    assert phone.send(phone.record("visit_started")).status_code == 401
    assert count(app, AuditEntry, AuditEntry.action == AuditAction.DEVICE_REVOKED,
                 AuditEntry.subject_id == phone.device_id) == 1
    # Revoking again changes nothing.
    admin.post(f"/devices/{phone.device_id}/revoke")
    assert count(app, AuditEntry, AuditEntry.action == AuditAction.DEVICE_REVOKED,
                 AuditEntry.subject_id == phone.device_id) == 1


def signed_in_officer(app) -> tuple[FlaskClient, FlaskClient]:
    """An officer signed in on a phone and on another browser."""
    with app.app_context():
        username = make_officer(name="Petugas Hilang").username
        db.session.commit()
    phone, laptop = app.test_client(), app.test_client()
    Auth(phone).login(username)
    Auth(laptop).login(username)
    return phone, laptop


def test_revoking_a_device_ends_the_sign_in_that_issued_it_and_no_other(app, admin):
    phone, laptop = signed_in_officer(app)
    issued = phone.post("/devices", json={"name": "HP Hilang"}).get_json()
    admin.post(f"/devices/{issued['device_id']}/revoke")
    # The phone cannot swap its revoked credential for a new one without the password.
    assert phone.post("/devices", json={"name": "HP Hilang"}).status_code != 201
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200


def test_administrators_see_each_phone_with_its_officer_and_state(phone, admin):
    page = admin.get("/devices/").get_data(as_text=True)
    assert "Petugas Sinyal" in page and "HP Lapangan" in page and "Revoke" in page
    assert phone.token not in page


def test_the_phones_list_answers_htmx_with_the_list_alone(phone, admin):
    fragment = admin.get("/devices/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "HP Lapangan" in fragment and "<html" not in fragment


def test_a_deactivated_officers_phone_is_refused(app, phone):
    with app.app_context():
        db.session.get(User, phone.officer_id).active = False
        db.session.commit()
    assert phone.send(phone.record("visit_started")).status_code == 401


# --- the officer's day, synced -------------------------------------------------------------------------

def test_a_day_captured_offline_is_applied_in_full(app, started):
    phone = started
    assert phone.send(phone.record("attendance", {"women": 12, "men": "9", "obstacles": ["road"],
                                                  "notes": "Hujan"})).status_code == 200
    answers = [phone.send(phone.signup(captured=CAPTURED + timedelta(minutes=n))).get_json() for n in range(3)]
    close = phone.send(phone.record("visit_closed", captured=CAPTURED + timedelta(hours=2)))
    assert close.status_code == 200 and close.get_json()["status"] == "received"
    assert [a["status"] for a in answers] == ["received"] * 3 and all(a["reason"] is None for a in answers)
    with app.app_context():
        visit = visit_of(phone)
        assert visit.status == VisitStatus.DONE
        assert (visit.attendance_women, visit.attendance_men, visit.obstacles) == (12, 9, "road")
        assert visit.checked_in_by_id == phone.officer_id
        signups = db.session.scalars(select(SignUp).where(SignUp.visit_id == phone.visit_id)).all()
        assert sorted(s.form_key for s in signups) == sorted(a["key"] for a in answers)
        # The capture time is the sign-up's; the arrival time stays on the stored record.
        stored = db.session.scalar(select(SyncRecord).where(SyncRecord.key == answers[0]["key"]))
        assert stored.signup_id in {s.id for s in signups}
        assert stored.captured_at.replace(tzinfo=UTC) == CAPTURED
        assert stored.received_at.replace(tzinfo=UTC) == ARRIVED
    assert phone.summary() == {"received": 6, "needs_review": 0, "discarded": 0}


def test_a_record_sent_twice_is_stored_once_and_answered_the_same(app, started):
    record = started.signup()
    first = started.send(record)
    second = started.send(record)
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert second.headers["Cache-Control"] == "no-store"
    assert count(app, SignUp, SignUp.form_key == record["key"]) == 1
    assert count(app, SyncRecord, SyncRecord.key == record["key"]) == 1


def test_a_network_cut_mid_sync_loses_and_duplicates_nothing(app, started):
    records = [started.signup() for _ in range(3)]
    started.send(records[0])
    # The answer to the second never reached the phone: it sends the second again, then the third.
    started.send(records[1])
    for record in records[1:]:
        assert started.send(record).status_code == 200
    assert count(app, SignUp, SignUp.visit_id == started.visit_id) == 3
    assert count(app, SyncRecord, SyncRecord.device_id == started.device_id) == 4


def test_a_replay_answers_as_first_even_when_things_changed_since(app, started):
    record = started.signup()
    first = started.send(record).get_json()
    with app.app_context():
        visit_of(started).status = VisitStatus.CANCELLED
        db.session.commit()
    assert started.send(record).get_json() == first


def test_the_same_form_saved_online_and_synced_makes_one_sign_up(app, started):
    record = started.signup()
    with app.app_context():
        officer = db.session.get(User, started.officer_id)
        make_signup(visit_of(started), officer, nik=record["data"]["nik"], form_key=record["key"])
        db.session.commit()
    answer = started.send(record).get_json()
    assert answer["status"] == "received"
    assert count(app, SignUp, SignUp.form_key == record["key"]) == 1


def test_an_expired_or_ended_session_does_not_matter(app, started):
    # The officer signed out everywhere (every session ended); the phone sends no cookie at all.
    with app.app_context():
        from campaign_app.auth.service import sign_out_everywhere

        sign_out_everywhere(db.session.get(User, started.officer_id))
        db.session.commit()
    response = started.send(started.signup())
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_a_session_cookie_of_someone_else_is_ignored(app, started, auth, client):
    auth.login_as("admin")
    response = client.post("/sync/records", json=started.signup(),
                           headers={"Authorization": f"Bearer {started.token}"})
    assert response.status_code == 200
    with app.app_context():
        stored = db.session.scalar(select(SyncRecord).where(SyncRecord.key == response.get_json()["key"]))
        assert stored.officer_id == started.officer_id
        signup = db.session.get(SignUp, stored.signup_id)
        assert signup.officer_id == started.officer_id


def test_another_officers_key_is_refused_without_showing_their_record(app, started):
    record = started.signup()
    started.send(record)
    with app.app_context():
        other = make_officer()
        db.session.commit()
        username = other.username
    token, _device = issue_token(app, username)
    response = started.send(record, token=token)
    assert response.status_code == 422 and "key" in response.get_json()["fields"]


# --- what changed meanwhile: stored for review, with the reason -----------------------------------------

def needs_review(response, *words: str) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["status"] == "needs_review", answer
    for word in words:
        assert word in answer["reason"], answer["reason"]
    return answer


def reason_code(app, key: str) -> str:
    with app.app_context():
        return db.session.scalar(select(SyncRecord.reason_code).where(SyncRecord.key == key))


def test_a_nik_registered_meanwhile_is_stored_for_review(app, started):
    nik = nik_for()
    with app.app_context():
        make_signup(nik=nik)  # another officer registered the worker online meanwhile
        db.session.commit()
    answer = needs_review(started.send(started.signup(nik)), "registered")
    assert reason_code(app, answer["key"]) == "nik_registered"
    assert count(app, SignUp, SignUp.form_key == answer["key"]) == 0
    assert started.summary() == {"received": 1, "needs_review": 1, "discarded": 0}


def test_a_quota_used_up_meanwhile_is_stored_for_review(app, started):
    with app.app_context():
        programme = SubsidyProgramme(name="Iuran Warga Rentan Sinyal", payer="Pemerintah Kota Palu",
                                     starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), quota=1)
        db.session.add(programme)
        db.session.flush()
        make_signup(payer="subsidy", subsidy_programme_id=programme.id)
        db.session.commit()
        programme_id = programme.id
    answer = needs_review(started.send(started.signup(payer="subsidy", subsidy_programme=programme_id)), "quota")
    assert reason_code(app, answer["key"]) == "quota_used"


def test_a_sign_up_captured_after_the_visit_was_closed_is_stored_for_review(app, started):
    with app.app_context():
        visit = visit_of(started)
        visit.attendance_women, visit.attendance_men = 3, 4
        visit.status, visit.closed_at = VisitStatus.DONE, CAPTURED - timedelta(minutes=5)
        db.session.commit()
    answer = needs_review(started.send(started.signup()), "closed")
    assert reason_code(app, answer["key"]) == "visit_closed"


def test_a_sign_up_captured_before_a_colleague_closed_the_visit_is_stored_on_it(app, started):
    with app.app_context():
        visit = visit_of(started)
        visit.attendance_women, visit.attendance_men = 3, 4
        visit.status, visit.closed_at = VisitStatus.DONE, CAPTURED + timedelta(hours=1)
        db.session.commit()
    answer = started.send(started.signup()).get_json()
    assert answer["status"] == "received"
    assert count(app, SignUp, SignUp.form_key == answer["key"]) == 1


def test_a_close_captured_before_the_visit_was_reopened_does_not_close_it_again(app, started, coordinator):
    started.send(started.record("attendance", {"women": 1, "men": 1}))
    with app.app_context():
        visit = visit_of(started)
        visit.status, visit.closed_at = VisitStatus.DONE, CAPTURED
        db.session.commit()
    assert coordinator.post(f"/field/visits/{started.visit_id}/reopen", data={"reason": "Koreksi"}).status_code == 303
    answer = needs_review(started.send(started.record("visit_closed", captured=CAPTURED + timedelta(minutes=30))),
                          "reopened")
    assert reason_code(app, answer["key"]) == "visit_reopened"
    with app.app_context():
        assert visit_of(started).status == VisitStatus.IN_PROGRESS


def test_a_rate_table_changed_since_the_phone_was_prepared_is_stored_for_review(app, started):
    with app.app_context():
        old = db.session.scalar(select(RateTable).order_by(RateTable.effective_from.desc()).limit(1))
        new = RateTable(effective_from=TODAY - timedelta(days=1), jkk_rate=Decimal("0.012"), jkk_minimum=12_000,
                        jkk_maximum=old.jkk_maximum, jkm_flat=7_000, jht_rate=old.jht_rate)
        db.session.add(new)
        db.session.commit()
        shown = old.id
    answer = needs_review(started.send(started.signup(rate_table_id=shown)), "rates")
    assert reason_code(app, answer["key"]) == "rates_changed"


def test_a_consent_text_changed_since_the_phone_was_prepared_is_stored_for_review(app, started):
    answer = needs_review(started.send(started.signup(consent_version=consent_text_on(TODAY).version + 1)),
                          "consent")
    assert reason_code(app, answer["key"]) == "consent_changed"


def test_the_reason_is_in_the_officers_language(app, started):
    with app.app_context():
        db.session.get(User, started.officer_id).language = "id"
        db.session.commit()
    answer = needs_review(started.send(started.signup(consent_version=99)))
    assert "persetujuan" in answer["reason"].lower()


def test_a_phone_clock_far_ahead_is_stored_for_review(app, started):
    answer = needs_review(started.send(started.signup(captured=ARRIVED + timedelta(days=1))))
    assert reason_code(app, answer["key"]) == "clock"


def test_an_officer_unassigned_meanwhile_is_stored_for_review(app, phone):
    with app.app_context():
        visit = visit_of(phone)
        other = make_visit(officers=[make_officer()], on=TODAY + timedelta(days=1))
        db.session.commit()
        visit_id = other.id
    answer = needs_review(phone.send(phone.record("visit_started", visit_id=visit_id)), "not assigned")
    assert reason_code(app, answer["key"]) == "not_assigned"
    assert visit is not None


# --- records that can never be stored: 422, never a 500 --------------------------------------------------

def test_a_visit_of_another_branch_or_none_is_refused(app, phone):
    with app.app_context():
        luwuk_visit = db.session.scalar(select(Visit.id).where(Visit.branch_id != visit_of(phone).branch_id)
                                        .limit(1))
    for visit_id in (luwuk_visit, 2_000_000_000):
        response = phone.send(phone.record("visit_started", visit_id=visit_id))
        assert response.status_code == 422 and "visit_id" in response.get_json()["fields"]
    assert count(app, SyncRecord, SyncRecord.device_id == phone.device_id) == 0


def test_bad_records_are_refused_with_the_field_and_store_nothing(app, phone):
    response = phone.send({**phone.record("signup"), "kind": "teleport", "captured_at": "yesterday"})
    answer = response.get_json()
    assert response.status_code == 422
    assert set(answer["fields"]) == {"kind", "captured_at"} and answer["error"]
    assert count(app, SyncRecord, SyncRecord.device_id == phone.device_id) == 0


def test_nothing_of_a_record_reaches_the_log(app, started, caplog):
    nik = nik_for()
    with caplog.at_level(logging.DEBUG):
        started.send(started.signup(nik, full_name="Nama Rahasia"))
        started.send(b'{"key": "' + nik.encode() + b'"')
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert nik not in logged and "Nama Rahasia" not in logged


def stored_data(app, record_id: int) -> tuple[bytes, dict]:
    from campaign_app.signups.personal_data import decrypt_payload

    with app.app_context():
        raw = bytes(db.session.get(SyncRecord, record_id).payload_ciphertext)
        return raw, json.loads(decrypt_payload(raw))


def test_the_data_of_a_record_waiting_for_review_is_encrypted(app, started):
    nik = nik_for()
    answer = needs_review(started.send(started.signup(nik, full_name="Nama Tersimpan", consent_version=99)))
    raw, data = stored_data(app, answer["id"])
    assert nik.encode() not in raw and b"Nama Tersimpan" not in raw
    assert data["nik"] == nik


def test_a_record_applied_keeps_no_copy_of_what_it_held(app, started):
    answer = started.send(started.signup(full_name="Nama Di Pendaftaran")).get_json()
    assert answer["status"] == "received"
    assert stored_data(app, answer["id"])[1] == {}


# --- statements do not grow with the data ----------------------------------------------------------------

def statements_of(app, send) -> int:
    with counting_statements(app) as statements:
        response = send()
    assert response.status_code == 200
    return len(statements)


def test_the_statements_of_a_sync_do_not_grow_with_the_records_stored(app, started):
    first = statements_of(app, lambda: started.send(started.signup()))
    for _ in range(15):
        started.send(started.signup())
    later = statements_of(app, lambda: started.send(started.signup()))
    replay = started.signup()
    started.send(replay)
    assert later == first, f"{first} statements with 1 record stored, {later} with 17"
    assert statements_of(app, lambda: started.send(replay)) <= first
    summary = statements_of(app, lambda: started.client.get("/sync/summary",
                                                            headers={"Authorization": f"Bearer {started.token}"}))
    assert summary <= 3, f"the summary took {summary} statements"


def test_a_phone_sending_too_fast_is_told_to_wait(app_factory, monkeypatch):
    limited = app_factory(SYNC_LIMIT="2 per minute")
    monkeypatch.setattr(sync_routes, "now", lambda: ARRIVED)
    with limited.app_context():
        officer = make_officer()
        visit = make_visit(officers=[officer])
        db.session.commit()
        username, visit_id = officer.username, visit.id
    token, device_id = issue_token(limited, username)
    phone = Phone(limited, limited.test_client(), token, device_id, 0, visit_id, username)
    statuses = [phone.send(phone.record("visit_started")).status_code for _ in range(3)]
    throttled = phone.send(phone.record("visit_started"))
    assert statuses == [200, 200, 429] and throttled.headers["Retry-After"] == "60"
    assert "error" in throttled.get_json()


def test_the_sync_endpoint_needs_no_csrf_token_where_forms_do(app_factory, monkeypatch):
    checked = app_factory(WTF_CSRF_ENABLED=True)
    monkeypatch.setattr(sync_routes, "now", lambda: ARRIVED)
    with checked.app_context():
        from campaign_app.models.people import utcnow
        from campaign_app.sync.devices import issue_device

        officer = make_officer()
        visit = make_visit(officers=[officer])
        token = issue_device(officer, None, None, utcnow()).token
        db.session.commit()
        visit_id = visit.id
    phone = Phone(checked, checked.test_client(), token, 0, 0, visit_id, "")
    assert phone.send(phone.record("visit_started")).status_code == 200
    assert phone.client.post("/logout").status_code in (302, 400)


def test_a_synced_sign_up_is_audited_as_its_officers(app, started):
    answer = started.send(started.signup()).get_json()
    with app.app_context():
        signup_id = db.session.scalar(select(SyncRecord.signup_id).where(SyncRecord.key == answer["key"]))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.subject_type == "signup",
                                                           AuditEntry.subject_id == signup_id))
        assert entry.action == AuditAction.CREATED and entry.actor_id == started.officer_id
