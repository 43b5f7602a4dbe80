"""Records from phones that wait for review: the queue beside the near-duplicates, accepting and discarding them;
and the import of records a phone exported to a file."""

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, Resolution, SignUp, SyncRecord, Visit, VisitStatus
from tests.factories import make_signup, nik_for
from tests.web.test_sync import CAPTURED, count, needs_review, phone_fixture, started_fixture  # noqa: F401


def close_before_capture(app, visit_id: int) -> None:
    """A colleague closed the visit at 09:40 WITA, before the phone's sign-ups were captured."""
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        visit.attendance_women, visit.attendance_men = 3, 4
        visit.status, visit.closed_at = VisitStatus.DONE, CAPTURED - timedelta(minutes=5)
        db.session.commit()


@pytest.fixture
def waiting(app, started) -> dict:
    """A sign-up captured after the visit was closed: it waits for review."""
    close_before_capture(app, started.visit_id)
    return needs_review(started.send(started.signup(full_name="Ani Menunggu")))


def stored(app, key: str) -> SyncRecord:
    with app.app_context():
        record = db.session.scalar(select(SyncRecord).where(SyncRecord.key == key))
        db.session.expunge(record)
        return record


def test_the_records_waiting_are_listed_beside_the_near_duplicates(waiting, coordinator):
    page = coordinator.get("/signups/reviews").get_data(as_text=True)
    assert "Records from phones to review" in page and "Ani Menunggu" in page
    assert "Visit closed before the record" in page and "Petugas Sinyal" in page


def test_the_fragment_of_the_near_duplicates_is_left_as_it_was(waiting, coordinator):
    fragment = coordinator.get("/signups/reviews", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Ani Menunggu" not in fragment


def test_accepting_a_sign_up_records_it_through_the_service_and_is_audited(app, waiting, started, coordinator):
    response = coordinator.post(f"/sync/records/{waiting['id']}/accept")
    assert response.status_code == 303
    record = stored(app, waiting["key"])
    assert record.resolution == Resolution.ACCEPTED and record.signup_id is not None
    with app.app_context():
        from campaign_app.signups.personal_data import decrypt_payload

        assert decrypt_payload(record.payload_ciphertext) == "{}"
    assert count(app, SignUp, SignUp.form_key == waiting["key"], SignUp.visit_id == started.visit_id) == 1
    assert count(app, AuditEntry, AuditEntry.action == AuditAction.SYNC_RECORD_ACCEPTED,
                 AuditEntry.subject_id == waiting["id"]) == 1
    # The first answer stays what it was; the phone's totals count it received now.
    assert started.send(started.signup(key=waiting["key"])).get_json() == waiting
    assert started.summary() == {"received": 2, "needs_review": 0, "discarded": 0}
    # Accepting again changes nothing.
    coordinator.post(f"/sync/records/{waiting['id']}/accept")
    assert count(app, AuditEntry, AuditEntry.action == AuditAction.SYNC_RECORD_ACCEPTED,
                 AuditEntry.subject_id == waiting["id"]) == 1


def test_accepting_what_the_service_still_refuses_shows_why_and_writes_nothing(app, started, coordinator):
    nik = nik_for()
    with app.app_context():
        make_signup(nik=nik)
        db.session.commit()
    answer = needs_review(started.send(started.signup(nik)))
    response = coordinator.post(f"/sync/records/{answer['id']}/accept")
    assert response.status_code == 422 and "registered" in response.get_data(as_text=True)
    assert stored(app, answer["key"]).resolution is None
    assert count(app, SignUp, SignUp.form_key == answer["key"]) == 0


def test_discarding_needs_a_reason_and_is_audited(app, waiting, started, coordinator):
    refused = coordinator.post(f"/sync/records/{waiting['id']}/discard", data={"reason": " "})
    assert refused.status_code == 422 and "Give the reason." in refused.get_data(as_text=True)
    response = coordinator.post(f"/sync/records/{waiting['id']}/discard", data={"reason": "Sudah didaftar ulang"})
    assert response.status_code == 303
    record = stored(app, waiting["key"])
    assert record.resolution == Resolution.DISCARDED and record.resolution_note == "Sudah didaftar ulang"
    assert count(app, AuditEntry, AuditEntry.action == AuditAction.SYNC_RECORD_DISCARDED) >= 1
    assert started.summary() == {"received": 1, "needs_review": 0, "discarded": 1}
    again = coordinator.post(f"/sync/records/{waiting['id']}/accept")
    assert again.status_code == 422


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_officers_and_managers_may_not_decide(waiting, auth, client, role):
    auth.login_as(role)
    assert client.post(f"/sync/records/{waiting['id']}/accept").status_code == 403
    assert client.post(f"/sync/records/{waiting['id']}/discard", data={"reason": "x"}).status_code == 403


def test_another_branchs_coordinator_does_not_find_the_record(app, waiting, client):
    from campaign_app.models import Role
    from campaign_app.users.service import create_user
    from tests.conftest import Auth
    from tests.factories import branch_named

    with app.app_context():
        create_user(username="koordluwuk", full_name="Koordinator Luwuk", password="jangkau-demo",
                    role=Role.COORDINATOR, branch=branch_named("Kantor Cabang Luwuk"))
        db.session.commit()
    Auth(client).login("koordluwuk")
    assert client.post(f"/sync/records/{waiting['id']}/accept").status_code == 404
    assert "Ani Menunggu" not in client.get("/signups/reviews").get_data(as_text=True)


# --- import of an exported file -------------------------------------------------------------------------

def upload(client, content: bytes, name: str = "jangkau-export.json"):
    return client.post("/sync/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def exported(phone, records: list[dict], lines: bool = False) -> bytes:
    with_device = [{**record, "device_id": phone.device_id} for record in records]
    if lines:
        return "\n".join(json.dumps(record) for record in with_device).encode()
    return json.dumps(with_device, indent=1).encode()


@pytest.mark.parametrize("lines", [False, True], ids=["array", "lines"])
def test_an_exported_file_is_imported_once_in_capture_order(app, phone, admin, lines):
    start = phone.record("visit_started", captured=CAPTURED - timedelta(minutes=15))
    signups = [phone.signup(captured=CAPTURED + timedelta(minutes=n)) for n in range(3)]
    # In the file the sign-ups come before the start: capture order puts the start first.
    content = exported(phone, [*signups, start], lines)
    response = upload(admin, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert count(app, SignUp, SignUp.visit_id == phone.visit_id) == 3
    assert count(app, SyncRecord, SyncRecord.device_id == phone.device_id, SyncRecord.imported_by_id.isnot(None)) == 4
    assert "4 records read" in page
    again = upload(admin, content).get_data(as_text=True)
    assert count(app, SignUp, SignUp.visit_id == phone.visit_id) == 3
    assert "Received before" in again
    assert count(app, AuditEntry, AuditEntry.action == AuditAction.SYNC_FILE_IMPORTED) >= 2


def test_records_of_an_import_that_cannot_be_stored_are_listed_the_rest_stored(app, phone, admin):
    good = phone.record("visit_started")
    content = json.dumps([{**good, "device_id": phone.device_id}, {**phone.record("signup"), "device_id": 999999},
                          {**phone.record("teleport"), "device_id": phone.device_id}, "nonsense"]).encode()
    response = upload(admin, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No phone has this device_id." in page and "Not a kind of record" in page
    assert count(app, SyncRecord, SyncRecord.key == good["key"]) == 1


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, b"nik;nama\n1;2\n", b'[{"key": "a"',
                                     b"[1, 2 3]", "[{\"k\": \"\xe9\"}]".encode("latin-1")])
def test_a_file_that_is_no_export_is_refused_whole(app, admin, content):
    before = count(app, SyncRecord)
    response = upload(admin, content)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert count(app, SyncRecord) == before


def test_only_administrators_import(auth, client):
    auth.login_as("coordinator")
    assert client.get("/sync/import").status_code == 403


def test_the_import_page_offers_json_files(admin):
    page = admin.get("/sync/import").get_data(as_text=True)
    assert 'accept=".json' in page


def test_counts_of_the_waiting_records(app, waiting):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SyncRecord)
                                 .where(SyncRecord.resolution.is_(None), SyncRecord.status == "needs_review")) >= 1


def test_the_review_page_stays_within_its_budget_however_many_wait(app, started, coordinator):
    import gzip

    close_before_capture(app, started.visit_id)
    for n in range(25):
        needs_review(started.send(started.signup(full_name=f"Pekerja Menunggu Dengan Nama Panjang {n}")))
    response = coordinator.get("/signups/reviews")
    page = response.get_data()
    assert b"The oldest 20 are shown." in page
    assert len(gzip.compress(page, 6)) <= 14 * 1024, len(gzip.compress(page, 6))



# --- what a record keeps of the worker -------------------------------------------------------------------

def test_a_sign_up_waiting_for_review_keeps_the_blind_index_of_its_nik(app, started):
    from campaign_app.signups.personal_data import nik_index

    nik = nik_for()
    answer = needs_review(started.send(started.signup(nik, consent_version=99)))
    with app.app_context():
        assert stored(app, answer["key"]).nik_index == nik_index(nik)


def test_a_discarded_record_keeps_nothing_of_the_worker(app, waiting, coordinator):
    from campaign_app.signups.personal_data import decrypt_payload

    coordinator.post(f"/sync/records/{waiting['id']}/discard", data={"reason": "Ganda"})
    record = stored(app, waiting["key"])
    with app.app_context():
        assert decrypt_payload(record.payload_ciphertext) == "{}" and record.nik_index is None


def registered_and_waiting(app, started) -> tuple[str, dict]:
    """A NIK signed up online and then captured again on a phone: the phone's record waits for review."""
    nik = nik_for()
    with app.app_context():
        make_signup(nik=nik, full_name="Rahmi Terdaftar")
        db.session.commit()
    return nik, needs_review(started.send(started.signup(nik, full_name="Rahmi Di Ponsel")))


def test_a_data_subject_search_shows_the_records_waiting_that_hold_the_nik(app, started, admin):
    nik, _answer = registered_and_waiting(app, started)
    page = admin.post("/privacy/requests", data={"nik": nik}).get_data(as_text=True)
    assert "1 record from a phone holding this NIK waits for review." in page and "Rahmi Terdaftar" in page


def test_a_nik_held_only_by_a_waiting_record_is_found_and_says_how_to_delete_it(app, started, admin):
    nik = nik_for()
    needs_review(started.send(started.signup(nik, consent_version=99)))
    page = admin.post("/privacy/requests", data={"nik": nik}).get_data(as_text=True)
    assert "No sign-up has this NIK." in page and "waits for review" in page
    assert "Discarding them on the review page deletes what they hold." in page


def test_the_export_of_a_person_includes_what_their_waiting_records_hold(app, started, admin):
    nik, answer = registered_and_waiting(app, started)
    with app.app_context():
        signup_id = db.session.scalar(select(SignUp.id).where(SignUp.full_name == "Rahmi Terdaftar"))
    data = json.loads(admin.post(f"/privacy/people/{signup_id}/export").get_data(as_text=True))
    [held] = data["records_waiting_for_review"]
    assert held["data"]["full_name"] == "Rahmi Di Ponsel" and held["data"]["nik"] == nik


def test_erasing_a_person_discards_their_waiting_records_keeping_nothing(app, started, admin):
    from campaign_app.signups.personal_data import decrypt_payload

    nik, answer = registered_and_waiting(app, started)
    with app.app_context():
        signup_id = db.session.scalar(select(SignUp.id).where(SignUp.full_name == "Rahmi Terdaftar"))
    response = admin.post(f"/privacy/people/{signup_id}/erase", data={"confirmation": "HAPUS", "reason": "Permintaan"})
    assert response.status_code in (200, 303)
    record = stored(app, answer["key"])
    assert record.resolution == Resolution.DISCARDED and record.nik_index is None
    with app.app_context():
        assert decrypt_payload(record.payload_ciphertext) == "{}"
    assert count(app, AuditEntry, AuditEntry.action == AuditAction.SYNC_RECORD_DISCARDED,
                 AuditEntry.subject_id == answer["id"]) == 1
    assert started.summary()["discarded"] == 1
