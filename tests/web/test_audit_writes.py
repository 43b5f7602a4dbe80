"""Every write audited: one write of each kind, through its route as the role that makes it, leaves an entry naming
who, what, which record and before → after; and every POST route of the app is one of these writes (or writes
nothing), so that a new route cannot write unaudited without this test failing."""

import re
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import select, update

from campaign_app.audit.tracking import UnauditedBulkChange
from campaign_app.extensions import db
from campaign_app.models import AuditEntry, OfficerLeave, SignUp, Village, VisitStatus
from campaign_app.officers.service import add_leave
from campaign_app.signups.personal_data import decrypt_nik
from tests.conftest import DEMO_USERS
from tests.factories import (
    NEAR_VILLAGE,
    SIGNUP_NOW,
    TODAY,
    branch_named,
    in_progress_visit,
    make_campaign,
    make_officer,
    make_signup,
    make_visit,
    nik_for,
    user_named,
)

ACTIVATION_HEADER = "nik;status;tanggal_bayar_pertama\n"
# Routes that write no record: signing in and out (the sign-in log has them).
# signups.index: the sign-up search, posted to keep NIKs out of URLs.
WRITES_NOTHING = {"auth.login", "auth.logout", "signups.index"}
# The NIK check, whose only write is its own audit entry of the look-up (campaign_app/signups/lookup.py); a phone's
# record, sent with its device token (no session to sign in here), written through the same services as the online
# forms and audited as its officer's (tests/web/test_sync.py).
WRITES_ELSEWHERE_LOGGED = {"signups.check_nik", "sync.receive"}


@dataclass
class Write:
    """A POST to make as ``role``, and the entry it must leave: its kind of record, action and a detail."""

    role: str
    path: str
    data: dict
    subject_type: str | None
    action: str
    detail: str | None = None


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("campaign_app.clock.today", lambda: TODAY)
    monkeypatch.setattr("campaign_app.fieldwork.routes.now", lambda: SIGNUP_NOW)


def _visit(**fields):
    return make_visit(officers=[user_named(DEMO_USERS["officer"])], **fields)


def _started_visit():
    return in_progress_visit(user_named(DEMO_USERS["officer"]))


def _closed_visit():
    visit = _started_visit()
    visit.status, visit.attendance_women, visit.attendance_men = VisitStatus.DONE, 3, 4
    db.session.flush()
    return visit


def _signup():
    return make_signup(_started_visit(), officer=user_named(DEMO_USERS["officer"]))


def _near_duplicates():
    visit = _started_visit()
    first = make_signup(visit, officer=user_named(DEMO_USERS["officer"]), full_name="Siti Kembar")
    second = make_signup(visit, officer=user_named(DEMO_USERS["officer"]), full_name="Siti Kembar",
                         nik=nik_for(serial=9001))
    return first, second


def _leave():
    officer = make_officer(name="Petugas Cuti")
    return officer, add_leave(officer=officer, starts_on=TODAY + timedelta(days=3), ends_on=TODAY + timedelta(days=4),
                              reason="Cuti", recorded_by=None, today=TODAY)


# Each builds its data through the services (outside a request: not audited) and returns the write to make.
SCENARIOS = {
    "auth.account": lambda: Write("officer", "/account", {"current_password": "jangkau-demo",
                                                           "new_password": "a-new-long-password",
                                                           "confirm": "a-new-long-password"},
                                  "user", "changed", "password_changed"),
    "auth.language": lambda: Write("officer", "/language", {"language": "en"}, "user", "changed", "language"),
    "branches.create": lambda: Write("admin", "/branches/new", {"name": "Kantor Cabang Tolitoli", "province": "72",
                                                                 "home_regency": "72.04", "regencies": ["72.04"]},
                                     "branch", "created", "name"),
    "branches.edit": lambda: Write("admin", f"/branches/{branch_named().id}/edit", {
        "name": "Kantor Cabang Palu Raya", "province": "72", "home_regency": "72.71",
        "regencies": [r.code for r in branch_named().regencies]}, "branch", "changed", "name"),
    "campaigns.create": lambda: Write("coordinator", "/campaigns/new", {
        "form_key": "c" * 32, "name": "Ojek Terlindungi", "starts_on": "2026-11-09", "ends_on": "2027-01-29",
        "channel": "door_to_door", "target_signups": "250", "target_villages": "6", "budget": "Rp16.800.000"},
        "campaign", "created", "name"),
    "campaigns.edit": lambda: (c := make_campaign(name="Kampanye Lama")) and Write(
        "coordinator", f"/campaigns/{c.id}/edit", {"name": "Kampanye Baru", "starts_on": c.starts_on.isoformat(),
                                                    "ends_on": c.ends_on.isoformat(), "channel": c.channel,
                                                    "target_signups": "10", "target_villages": "2", "budget": "0"},
        "campaign", "changed", "name"),
    "campaigns.close": lambda: (c := make_campaign()) and Write(
        "coordinator", f"/campaigns/{c.id}/close", {"confirm": "yes"}, "campaign", "changed", "status"),
    "campaigns.reopen": lambda: (c := _closed_campaign()) and Write(
        "admin", f"/campaigns/{c.id}/reopen", {"confirm": "yes"}, "campaign", "changed", "status"),
    "fieldwork.start": lambda: (v := _visit()) and Write("officer", f"/field/visits/{v.id}/start", {}, "visit",
                                                         "changed", "status"),
    "fieldwork.attendance": lambda: (v := _started_visit()) and Write(
        "officer", f"/field/visits/{v.id}/attendance", {"women": "12", "men": "9", "notes": "Ramai"}, "visit",
        "changed", "attendance_women"),
    "fieldwork.close": lambda: (v := _attended_visit()) and Write("officer", f"/field/visits/{v.id}/close", {},
                                                                  "visit", "changed", "status"),
    "fieldwork.reopen": lambda: (v := _closed_visit()) and Write("coordinator", f"/field/visits/{v.id}/reopen",
                                                                 {"reason": "Lupa satu peserta"}, "visit",
                                                                 "visit_reopened", "reason"),
    "officers.add_leave": lambda: (o := make_officer()) and Write(
        "coordinator", f"/officers/{o.id}/leave", {"starts_on": "2026-11-10", "ends_on": "2026-11-12",
                                                   "reason": "Cuti tahunan"}, "officer_leave", "created", "starts_on"),
    "officers.remove_leave": lambda: (pair := _leave()) and Write(
        "coordinator", f"/officers/{pair[0].id}/leave/{pair[1].id}/remove", {}, "officer_leave", "deleted"),
    "officers.assign": lambda: (o := make_officer()) and (v := make_visit(on=TODAY + timedelta(days=2))) and Write(
        "coordinator", f"/officers/{o.id}/visits", {"visit_id": str(v.id)}, "visit", "changed", "officers_assigned"),
    "officers.unassign": lambda: (v := _visit(on=TODAY + timedelta(days=2))) and Write(
        "coordinator", f"/officers/{v.assignments[0].officer_id}/visits/{v.id}/remove", {}, "visit", "changed",
        "officers_unassigned"),
    "rates.new_lapse_rule": lambda: Write("admin", "/rates/lapse/new", {"effective_from": "2027-01-01",
                                                                        "arrears_months": "4"},
                                          None, "lapse_rule_created", "arrears_months"),
    "rates.new": lambda: Write("admin", "/rates/new", {"effective_from": "2027-01-01", "jkk_rate": "1",
                                                      "jkk_minimum": "10.000", "jkk_maximum": "207.000",
                                                      "jkm_flat": "6.800", "jht_rate": "2"},
                               "rate_table", "rate_table_created", "enrolment_min_age"),
    "privacy.requests": lambda: (s := _signup()) and Write(
        "admin", "/privacy/requests", {"nik": decrypt_nik(s.nik_ciphertext)}, "signup", "data_subject_looked_up",
        "found"),
    "privacy.export": lambda: (s := _signup()) and Write("admin", f"/privacy/people/{s.id}/export", {}, "signup",
                                                         "data_subject_exported"),
    "privacy.erase": lambda: (s := _signup()) and Write(
        "admin", f"/privacy/people/{s.id}/erase", {"confirmation": "HAPUS", "reason": "Permintaan tertulis"},
        "signup", "data_subject_erased", "erasure_reason"),
    "signups.activation": lambda: (s := _signup()) and Write(
        "coordinator", "/signups/activation", {"file": (BytesIO(_activation_csv(s)), "aktivasi.csv")},
        "signup", "changed", "status"),
    "signups.payment_status": lambda: (s := _signup()) and Write(
        "admin", "/signups/payment-status", {"file": (BytesIO(_payment_status_csv(s)), "status.csv"),
                                             "month": TODAY.isoformat()[:7]},
        None, "payment_status_uploaded", "matched"),
    "signups.resume_payment_import": lambda: (s := _signup()) and Write(
        "admin", f"/signups/payment-status/imports/{_stalled_import(s)}/resume", {}, None, "payment_status_uploaded",
        "matched"),
    "signups.edit": lambda: (s := _signup()) and Write(
        "coordinator", f"/signups/{s.id}/edit", {"full_name": "Nama Dibetulkan", "occupation": s.occupation,
                                                 "sector": s.sector, "declared_income": "1.500.000"},
        "signup", "signup_corrected", "full_name"),
    "signups.keep": lambda: (pair := _near_duplicates()) and Write(
        "coordinator", f"/signups/{pair[1].id}/keep", {}, "signup", "near_duplicate_kept"),
    "signups.merge": lambda: (pair := _near_duplicates()) and Write(
        "coordinator", f"/signups/{pair[1].id}/merge", {"keep": str(pair[0].id), "drop": str(pair[1].id)}, "signup",
        "near_duplicate_merged"),
    "signups.new": lambda: (v := _started_visit()) and Write(
        "officer", f"/signups/visits/{v.id}/new", {"form_key": "s" * 32, "nik": "7271014508950001",
                                                   "full_name": "Siti Aminah", "occupation": "fisher", "sector": "bpu",
                                                   "declared_income": "1.500.000", "payer": "self", "consent": "y",
                                                   "consent_version": "1"},
        "signup", "created", "occupation"),
    # A coordinator typing a closed visit's paper sheet: the entry names the coordinator, the sign-up the officer.
    "signups.paper_rows": lambda: (v := _closed_visit()) and Write(
        "coordinator", f"/signups/visits/{v.id}/paper", {"sheet_row": "1", "collector": str(v.officers[0].id),
                                                        "nik": "7271014508950001", "full_name": "Siti Aminah",
                                                        "occupation": "fisher", "sector": "bpu",
                                                        "declared_income": "1.500.000", "payer": "self",
                                                        "consent": "y"},
        "signup", "created", "occupation"),
    "signups.reveal": lambda: (s := _signup()) and Write("coordinator", f"/signups/{s.id}/reveal", {}, "signup",
                                                         "nik_revealed"),
    "signups.void": lambda: (s := _signup()) and Write("coordinator", f"/signups/{s.id}/void",
                                                       {"reason": "NIK salah ketik"}, "signup", "signup_voided"),
    "subsidies.new": lambda: Write("admin", "/subsidies/new", {"name": "Donggala Peduli", "payer": "Pemkab Donggala",
                                                              "starts_on": "2026-07-01", "ends_on": "2027-06-30",
                                                              "quota": "2.500"},
                                   "subsidy_programme", "subsidy_programme_created", "quota"),
    "subsidies.edit": lambda: (p := _programme()) and Write(
        "admin", f"/subsidies/{p.id}/edit", {"name": p.name, "payer": p.payer, "starts_on": p.starts_on.isoformat(),
                                             "ends_on": p.ends_on.isoformat(), "quota": "700"},
        "subsidy_programme", "subsidy_programme_changed", "quota"),
    "users.create": lambda: Write("admin", "/users/new", {"username": "siti.aminah", "full_name": "Siti Aminah",
                                                          "role": "officer", "branch": str(branch_named().id),
                                                          "language": "id", "password": "a-long-password"},
                                  "user", "created", "role"),
    "users.edit": lambda: (u := make_officer(name="Nama Lama")) and Write(
        "admin", f"/users/{u.id}", {"full_name": "Nama Baru", "role": "officer", "branch": str(u.branch_id),
                                    "language": "id", "active": "y"}, "user", "changed", "full_name"),
    "auth.sign_out_everywhere": lambda: Write("officer", "/account/sessions/end", {}, "user", "sessions_ended",
                                              "sessions"),
    "users.end_sessions": lambda: (u := make_officer()) and Write(
        "admin", f"/users/{u.id}/sessions/end", {}, "user", "sessions_ended", "sessions"),
    "users.reset_password": lambda: (u := make_officer()) and Write(
        "admin", f"/users/{u.id}/password", {"new_password": "another-long-password"}, "user", "changed",
        "password_changed"),
    "villages.edit": lambda: Write("coordinator", f"/villages/{NEAR_VILLAGE}/edit", {
        "estimated_population": "4.000", "estimated_informal_workers": "1200", "access_class": "boat",
        "travel_hours": "2,5", "notes": "Perahu"}, "village", "changed", "access_class"),
    "villages.import_csv": lambda: Write("coordinator", "/villages/import", {"file": (BytesIO(
        f"code,estimated_population\n{NEAR_VILLAGE},4321\n".encode()), "desa.csv")}, "village", "changed",
        "estimated_population"),
    "sync.issue": lambda: Write("officer", "/devices", {"name": "HP Petugas"}, "device", "device_issued", "name"),
    "sync.revoke": lambda: (d := _device()) and Write("admin", f"/devices/{d.id}/revoke", {}, "device",
                                                      "device_revoked", "revoked_at"),
    "sync.accept": lambda: (r := _waiting_record()) and Write("coordinator", f"/sync/records/{r.id}/accept", {},
                                                              "sync_record", "sync_record_accepted", "kind"),
    "sync.discard": lambda: (r := _waiting_record()) and Write(
        "coordinator", f"/sync/records/{r.id}/discard", {"reason": "Didaftar ulang"}, "sync_record",
        "sync_record_discarded", "reason"),
    "sync.import_records_page": lambda: Write("admin", "/sync/import", {"file": (BytesIO(_export()), "ponsel.json")},
                                              "signup", "created", "occupation"),
    "visits.create": lambda: (c := make_campaign()) and Write("coordinator", "/visits/new", {
        "campaign": str(c.id), "village_code": NEAR_VILLAGE, "visit_date": (TODAY + timedelta(days=2)).isoformat(),
        "start_time": "09:00", "planned_activity": "Sosialisasi", "planned_cost": "500.000", "form_key": "v" * 32},
        "visit", "created", "planned_activity"),
    "visits.reschedule": lambda: (v := _visit(on=TODAY + timedelta(days=2))) and Write(
        "coordinator", f"/visits/{v.id}/reschedule", {"visit_date": (TODAY + timedelta(days=3)).isoformat(),
                                                     "start_time": "10:00"}, "visit", "changed", "visit_date"),
    "visits.postpone": lambda: (v := _visit(on=TODAY + timedelta(days=2))) and Write(
        "coordinator", f"/visits/{v.id}/postpone", {"reason": "Hujan deras"}, "visit", "changed", "status"),
    "visits.cancel": lambda: (v := _visit(on=TODAY + timedelta(days=2))) and Write(
        "coordinator", f"/visits/{v.id}/cancel", {"reason": "Jalan putus"}, "visit", "changed", "status"),
    "visits.assign": lambda: (o := make_officer()) and (v := make_visit(on=TODAY + timedelta(days=2))) and Write(
        "coordinator", f"/visits/{v.id}/officers", {"officer_id": str(o.id)}, "visit", "changed",
        "officers_assigned"),
    "visits.unassign": lambda: (v := _visit(on=TODAY + timedelta(days=2))) and Write(
        "coordinator", f"/visits/{v.id}/officers/{v.assignments[0].officer_id}/remove", {}, "visit", "changed",
        "officers_unassigned"),
}


def _closed_campaign():
    from campaign_app.campaigns.service import close_campaign
    return close_campaign(make_campaign(), SIGNUP_NOW)


def _attended_visit():
    visit = _started_visit()
    visit.attendance_women, visit.attendance_men = 5, 6
    db.session.flush()
    return visit


def _programme():
    from campaign_app.subsidies.service import create_programme

    return create_programme(name="Program Lama", payer="Pemkot Palu", starts_on=TODAY - timedelta(days=10),
                            ends_on=TODAY + timedelta(days=100), quota=500,
                            created_by=user_named("admin"))


def _activation_csv(signup: SignUp) -> bytes:
    return f"{ACTIVATION_HEADER}{decrypt_nik(signup.nik_ciphertext)};aktif;{TODAY.isoformat()}\n".encode()


def _payment_status_csv(signup: SignUp) -> bytes:
    return f"nik;status;periode_terakhir\n{decrypt_nik(signup.nik_ciphertext)};aktif;{TODAY.isoformat()[:7]}\n".encode()


def _stalled_import(signup: SignUp) -> int:
    """A payment status import whose process stopped while it ran: started again, it applies the file."""
    from campaign_app.models import ImportState, PaymentImport
    from campaign_app.signups.payment_imports import STALLED_AFTER, current_folder, queue_payment_import

    job = queue_payment_import(BytesIO(_payment_status_csv(signup)), file_name="status.csv",
                               month=TODAY.replace(day=1), actor=user_named("admin"), upload_key="r" * 32,
                               language="en", folder=current_folder(), now=SIGNUP_NOW)
    db.session.flush()
    db.session.execute(update(PaymentImport).where(PaymentImport.id == job.id).values(
        state=ImportState.RUNNING, running_slot=1, attempts=1, heartbeat_at=SIGNUP_NOW - STALLED_AFTER))
    return job.id


def _device():
    from campaign_app.sync.devices import issue_device

    return issue_device(make_officer(), None, None, SIGNUP_NOW).device


def _synced_signup(officer) -> dict:
    from campaign_app.signups.consent import consent_text_on

    return {"nik": nik_for(), "full_name": "Siti Sinkron", "occupation": "farmer", "sector": "bpu",
            "declared_income": "1.500.000", "payer": "self", "consent": True,
            "consent_version": consent_text_on(TODAY).version}


def _waiting_record():
    """A sign-up from a phone captured after a colleague closed the visit: it waits for review."""
    from campaign_app.models import SyncKind
    from campaign_app.sync.devices import issue_device
    from campaign_app.sync.records import Envelope, store

    officer = make_officer()
    visit = in_progress_visit(officer)
    visit.status, visit.attendance_women, visit.attendance_men = VisitStatus.DONE, 3, 4
    visit.closed_at = SIGNUP_NOW - timedelta(hours=1)
    db.session.flush()
    device = issue_device(officer, None, None, SIGNUP_NOW).device
    return store(device, officer, Envelope(f"audit-waiting-{visit.id:012d}", SyncKind.SIGNUP, visit.id, SIGNUP_NOW,
                                           _synced_signup(officer)), SIGNUP_NOW + timedelta(days=1))


def _export() -> bytes:
    import json

    from campaign_app.sync.devices import issue_device

    officer = make_officer()
    visit = in_progress_visit(officer)
    device = issue_device(officer, None, None, SIGNUP_NOW).device
    return json.dumps([{"key": f"audit-import-{visit.id:012d}", "kind": "signup", "visit_id": visit.id,
                        "captured_at": SIGNUP_NOW.isoformat(), "data": _synced_signup(officer),
                        "device_id": device.id}]).encode()


def _post_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}


def test_every_post_route_is_a_write_audited_here_or_writes_nothing(app):
    assert _post_endpoints(app) - WRITES_NOTHING - WRITES_ELSEWHERE_LOGGED == set(SCENARIOS)


@pytest.mark.parametrize("endpoint", sorted(SCENARIOS))
def test_each_write_leaves_an_entry_of_who_what_which_record_and_what_changed(app, auth, client, endpoint):
    with app.app_context():
        write = SCENARIOS[endpoint]()
        db.session.commit()
        actor_id = user_named(DEMO_USERS[write.role]).id
    auth.login_as(write.role)
    with app.app_context():
        last = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0
    response = client.post(write.path, data=write.data, content_type="multipart/form-data")
    assert response.status_code in (200, 201, 303), re.findall(r"<title>(.*?)</title>|class=\"err\"[^>]*>(.*?)<",
                                                          response.get_data(as_text=True))
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > last)).all()
        mine = [e for e in entries if (e.actor_id, e.subject_type, e.action) == (actor_id, write.subject_type,
                                                                                  write.action)]
        assert mine, [(e.actor_id, e.subject_type, e.action, e.details) for e in entries]
        assert mine[0].subject_id is not None or mine[0].subject_name
        if write.detail:
            assert any(write.detail in e.details for e in mine), [e.details for e in mine]


def test_a_leave_removed_names_its_officer(app, auth, client):
    with app.app_context():
        officer, leave = _leave()
        db.session.commit()
        path = f"/officers/{officer.id}/leave/{leave.id}/remove"
    auth.login_as("coordinator")
    client.post(path)
    with app.app_context():
        assert db.session.get(OfficerLeave, leave.id) is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.subject_type == "officer_leave"))
        assert entry.subject_name == "Petugas Cuti"


def test_the_log_reads_in_the_users_language_with_records_named(app, auth, client):
    with app.app_context():
        visit = _visit(on=TODAY + timedelta(days=2))
        db.session.commit()
        path = f"/visits/{visit.id}/reschedule"
    auth.login_as("coordinator")
    client.post(path, data={"visit_date": (TODAY + timedelta(days=3)).isoformat(), "start_time": "10:00"})
    client.post(f"/visits/{visit.id}/postpone", data={"reason": "Hujan deras"})
    auth.logout()
    reader = auth.reading_english("admin")
    page = reader.get("/audit/", query_string={"subject": "visit"}).get_data(as_text=True)
    assert f'<a href="/visits/{visit.id}">Visit: Besusu Barat</a>' in page
    assert "Status: Planned → Postponed" in page and "Reason: — → Hujan deras" in page
    assert "Date: Nov 4, 2026 → Nov 5, 2026" in page and "Start time: 9:00\u202fAM → 10:00\u202fAM" in page
    assert "2026-11-0" not in page and "planned →" not in page
    reader.post("/language", data={"language": "id"})
    page = reader.get("/audit/", query_string={"subject": "visit"}).get_data(as_text=True)
    assert "Status: Direncanakan → Ditunda" in page and "Kunjungan: Besusu Barat" in page


def test_a_bulk_write_in_a_request_that_records_no_entry_fails_its_commit(app):
    with app.test_request_context("/villages/import", method="POST"):
        db.session.execute(update(Village).where(Village.code == NEAR_VILLAGE).values(notes="tanpa jejak"))
        with pytest.raises(UnauditedBulkChange):
            db.session.commit()
        db.session.rollback()
        assert db.session.get(Village, NEAR_VILLAGE).notes != "tanpa jejak"
