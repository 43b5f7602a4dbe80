"""The audit log downloaded for a breach notice: the page's filters, the reader's language, no NIK, itself audited."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from campaign_app.audit.export import without_nik
from campaign_app.audit.queries import AuditFilters, all_entries
from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry
from tests.factories import user_named
from tests.web.test_audit_log import add_entry, text

NIK = "7271014508950001"
SUBJECT_ID = 987_654  # a record number no other entry names


def rows_of(response, delimiter=",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text(response).lstrip("\ufeff")), delimiter=delimiter))


@pytest.fixture
def voided_entry(app) -> int:
    return add_entry(app, action=AuditAction.SIGNUP_VOIDED, subject_type="signup", subject_id=SUBJECT_ID,
                     subject_name="Siti Aminah", details={"status": ["registered", "void"],
                                                          "reason": f"NIK {NIK} salah ketik"})


def test_an_administrator_downloads_the_filtered_log_as_csv_with_names_and_labels(admin, voided_entry):
    response = admin.get("/audit/export", query_string={"format": "csv", "subject_id": SUBJECT_ID})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="jangkau-audit-' in response.headers["Content-Disposition"]
    header, *rows = rows_of(response)
    assert header == ["When (WITA)", "Who", "Username", "Action", "Branch", "Record", "Record number", "Details"]
    assert len(rows) == 1
    when, who, username, action, branch, record, number, details = rows[0]
    assert (when, username, action, branch) == ("2026-11-02 10:00:00", "koordinator", "Sign-up voided",
                                                "Kantor Cabang Palu")
    assert record == "Sign-up: Siti Aminah" and number == str(SUBJECT_ID)
    assert "Status: Registered → Void" in details


def test_the_download_keeps_only_the_entries_the_filters_keep(app, admin, voided_entry):
    add_entry(app, action=AuditAction.SIGNUP_CORRECTED, subject_type="signup", subject_id=SUBJECT_ID,
              details={"occupation": ["farmer", "fisher"]})
    response = admin.get("/audit/export", query_string={"subject_id": SUBJECT_ID, "action": "signup_corrected"})
    actions = [row[3] for row in rows_of(response)[1:]]
    assert actions == ["Sign-up corrected"]


def test_no_nik_leaves_in_the_download_even_typed_into_a_reason(admin, voided_entry):
    body = text(admin.get("/audit/export", query_string={"subject_id": SUBJECT_ID}))
    assert NIK not in body and "************0001" in body


def test_a_reader_of_indonesian_gets_indonesian_labels_and_semicolons(admin, voided_entry):
    admin.post("/language", data={"language": "id"})
    header, row = rows_of(admin.get("/audit/export", query_string={"subject_id": SUBJECT_ID}), delimiter=";")
    assert header[0] == "Waktu (WITA)" and row[3] == "Pendaftaran dibatalkan"


def test_the_download_is_itself_audited_with_its_filters(app, admin, voided_entry):
    admin.get("/audit/export", query_string={"format": "xlsx", "subject_id": SUBJECT_ID})
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT_DOWNLOADED)
                                   .order_by(AuditEntry.id.desc()).limit(1)).one()
        assert entry.details == {"table": "audit", "format": "xlsx", "filters": {"subject_id": str(SUBJECT_ID)}}


def test_the_log_downloads_as_a_workbook_too(admin, voided_entry):
    response = admin.get("/audit/export", query_string={"format": "xlsx", "subject_id": SUBJECT_ID})
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "When (WITA)" and rows[1][3] == "Sign-up voided" and NIK not in str(rows)


def test_an_unknown_format_is_refused(admin):
    assert admin.get("/audit/export", query_string={"format": "pdf"}).status_code == 400


def test_managers_read_the_log_but_may_not_download_it(auth, client):
    auth.reading_english("manager")
    assert client.get("/audit/export").status_code == 403
    assert "/audit/export" not in text(client.get("/audit/"))


def test_the_page_offers_the_download_with_its_filters(admin, voided_entry):
    page = text(admin.get("/audit/", query_string={"subject_id": SUBJECT_ID}))
    assert f'/audit/export?format=csv&amp;subject_id={SUBJECT_ID}' in page


def test_sixteen_digits_are_masked_to_their_last_four_and_shorter_numbers_are_kept():
    assert without_nik(f"NIK {NIK}, Rp1500000, 12345678901234567") == "NIK ************0001, Rp1500000, " \
                                                                       "12345678901234567"


def test_the_entries_are_chosen_for_the_reader_before_the_download_streams(app_context, voided_entry):
    # The download streams after the commit of its own audit entry, which expires the signed-in user.
    reader = user_named("admin")
    entries = all_entries(reader, AuditFilters(subject_id=SUBJECT_ID))
    db.session.expire(reader)
    db.session.expunge(reader)
    assert [row.subject_id for row in entries] == [SUBJECT_ID]


def test_a_long_reason_is_downloaded_whole_though_the_page_cuts_it(app, admin):
    reason = "Pekerja pindah ke kabupaten lain sebelum kunjungan; data dicatat ulang oleh koordinator cabang " * 2
    add_entry(app, action=AuditAction.SIGNUP_VOIDED, subject_type="signup", subject_id=SUBJECT_ID,
              details={"reason": reason.strip()})
    assert reason.strip() in text(admin.get("/audit/export", query_string={"subject_id": SUBJECT_ID}))
    assert reason.strip() not in text(admin.get("/audit/", query_string={"subject_id": SUBJECT_ID}))
