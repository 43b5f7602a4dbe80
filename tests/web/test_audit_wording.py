"""The audit log reads in the reader's language: statuses, field names, numbers, days and times as the rest of the
app shows them, never the codes, column names or ISO stamps the entries keep."""

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from campaign_app.audit.service import record
from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry
from tests.factories import branch_named, make_signup, user_named

AT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 WITA


def add_entry(app, action: AuditAction, **fields) -> None:
    with app.app_context():
        record(action, actor=user_named("koordinator"), branch_id=branch_named().id, now=AT, **fields)
        db.session.commit()


def details_read(client, language: str) -> str:
    """The details column of the log's first page, as text, in ``language``."""
    client.post("/language", data={"language": language})
    page = client.get("/audit/").get_data(as_text=True)
    cells = re.findall(r"<td>((?:<small>.*?</small>(?:<br>)?)+)</td></tr>", page)
    return html.unescape(" | ".join(re.sub(r"<[^>]+>", " ", cell) for cell in cells))


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Status: Registered → Void"), ("id", "Status: Terdaftar → Dibatalkan")])
def test_a_voided_sign_up_reads_its_statuses_in_the_readers_language(app, admin, language, expected):
    add_entry(app, AuditAction.SIGNUP_VOIDED, subject_type="signup", subject_id=9,
              details={"status": ["registered", "void"], "reason": "NIK salah ketik"})
    text = details_read(admin, language)
    assert expected in text
    assert "registered → void" not in text


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Status: Done → In progress"), ("id", "Status: Selesai → Berlangsung")])
def test_a_reopened_visit_reads_its_statuses_in_the_readers_language(app, admin, language, expected):
    add_entry(app, AuditAction.VISIT_REOPENED, subject_type="visit", subject_id=9,
              details={"reason": "Lupa", "status": ["done", "in_progress"]})
    text = details_read(admin, language)
    assert expected in text and "done → in_progress" not in text


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["JKK contribution: Rp15.000 → Rp20.000", "Start time: 9:00\u202fAM → 10:30\u202fAM",
            "Travel time (hours): 0.9 → 2.5", "Closed at: 11/2/26, 10:00\u202fAM WITA → —"]),
    ("id", ["Iuran JKK: Rp15.000 → Rp20.000", "Waktu mulai: 09.00 → 10.30", "Waktu tempuh (jam): 0,9 → 2,5",
            "Waktu ditutup: 02/11/26 10.00 WITA → —"]),
])
def test_field_names_amounts_decimals_and_times_read_as_the_app_writes_them(app, admin, language, expected):
    add_entry(app, AuditAction.CHANGED, subject_type="visit", subject_id=9, details={
        "jkk_contribution": [15_000, 20_000], "start_time": ["09:00", "10:30"], "travel_hours": ["0.9", "2.5"],
        "closed_at": ["2026-11-02T02:00:00+00:00", None]})
    text = details_read(admin, language)
    for line in expected:
        assert line in text, text
    assert "jkk contribution" not in text and "2026-11-02T" not in text


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["Rows: 3", "Activated: 1", "Already activated: 1", "Not found: 1", "Not yet paid: 0",
            "Invalid rows: 0"]),
    ("id", ["Baris: 3", "Aktif: 1", "Sudah aktif: 1", "Tidak ditemukan: 1", "Belum membayar: 0",
            "Baris tidak sah: 0"]),
])
def test_an_activation_upload_names_its_counts(app, admin, language, expected):
    add_entry(app, AuditAction.ACTIVATION_UPLOADED, details={
        "rows": 3, "matched": 1, "already_activated": 1, "not_found": 1, "not_yet_paid": 0, "invalid": 0})
    text = details_read(admin, language)
    assert all(line in text for line in expected), text
    assert "not_found" not in text and "not found:" not in text


def test_a_merge_names_the_sign_ups_by_number(app, admin):
    add_entry(app, AuditAction.NEAR_DUPLICATE_MERGED, subject_type="signup", subject_id=223, details={
        "status": ["registered", "void"], "merged_into_id": [None, 222], "kept": 222, "dropped": 223,
        "resembles": [222]})
    text = details_read(admin, "en")
    assert "Merged into: — → #222" in text and "Kept: #222" in text and "Merged away: #223" in text
    assert "Resembles: #222" in text


def test_an_export_names_its_table_and_filters(app, admin):
    add_entry(app, AuditAction.EXPORT_DOWNLOADED, details={
        "table": "breakdown", "by": "district", "format": "csv",
        "filters": {"date_from": "2026-10-01", "campaign": [4]}})
    text = details_read(admin, "id")
    assert "Tabel: Rincian" in text and "Menurut: Kecamatan" in text
    assert "Saringan: Dari: 1 Okt 2026; Kampanye: 4" in text
    assert "{" not in text


def test_a_rate_tables_own_entry_shows_its_rates_as_percents(app, admin):
    add_entry(app, AuditAction.CREATED, subject_type="rate_table", subject_id=9, subject_name="2027-01-01",
              details={"jkk_rate": [None, "0.0024"], "jht_rate": [None, "0.02"]})
    text = details_read(admin, "id")
    assert "Tarif JKK (%): 0,24" in text and "Tarif JHT (%): 2" in text


def test_a_sign_ups_keyed_hash_is_not_shown_in_the_log(app, admin):
    with app.test_request_context("/signups/visits/1/new", method="POST"):  # audited from the flush, as in a request
        signup = make_signup()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.subject_type == "signup",
                                                           AuditEntry.subject_id == signup.id))
        assert entry is not None and "birth_index" in entry.details  # kept: the privacy erasure clears it
        db.session.commit()
    text = details_read(admin, "en")
    assert "Occupation: Farmer" in text
    assert "birth index" not in text and "birth_index" not in text


def test_a_birth_year_reads_as_a_year(app, admin):
    add_entry(app, AuditAction.CREATED, subject_type="signup", subject_id=9, details={"birth_year": [None, 1995]})
    assert "Tahun lahir: 1995" in details_read(admin, "id")
