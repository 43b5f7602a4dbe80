"""Activation from the membership system's CSV: matching each row, formats, refusals, and re-uploads."""

import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.models import AuditAction, AuditEntry, SignUp, SignUpStatus
from campaign_app.signups.activation import (
    SHOWN_INVALID,
    ActivationRefused,
    apply_activation_file,
    parse_payment_date,
)
from campaign_app.signups.personal_data import encrypt_nik, nik_index
from campaign_app.summaries import bulk_execute
from tests.factories import (
    SIGNUP_NOW,
    branch_named,
    in_progress_visit,
    make_campaign,
    make_officer,
    make_signup,
    nik_for,
    user_named,
)
from tests.workbooks import xlsx_bytes

LUWUK = "Kantor Cabang Luwuk"
LUWUK_VILLAGE = "72.01.01.1009"
PAID = date(2026, 11, 20)
# A month after the sign-ups (SIGNUP_NOW): the payments in these files fall between the two.
UPLOAD_NOW = SIGNUP_NOW + timedelta(days=30)
HEADER = "nik;status;tanggal_bayar_pertama\n"


@pytest.fixture(autouse=True)
def english(app_context):
    """Messages in English, so that tests can read them."""
    with force_locale("en"):
        yield


@pytest.fixture
def visit(app_context):
    return in_progress_visit()


@pytest.fixture
def coordinator(app_context):
    return user_named("koordinator")


def palu() -> set[int]:
    return {branch_named().id}


def upload(text: str | bytes, actor, branch_ids=None, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return apply_activation_file(data, palu() if branch_ids is None else branch_ids, actor, UPLOAD_NOW)


def signed_up(visit, **fields) -> tuple[SignUp, str]:
    nik = nik_for()
    return make_signup(visit, nik=nik, **fields), nik


def stored(signup: SignUp) -> tuple:
    db.session.refresh(signup)
    return signup.status, signup.first_payment_on


# --- each outcome ---------------------------------------------------------------------------------

def test_a_paid_worker_is_matched_and_activated(visit, coordinator):
    signup, nik = signed_up(visit)
    report = upload(f"{HEADER}{nik};aktif;2026-11-20\n", coordinator)
    assert (report.rows, report.matched) == (1, 1)
    assert stored(signup) == (SignUpStatus.ACTIVATED, PAID)
    assert signup.updated_at is not None


def test_an_unknown_nik_is_not_found(visit, coordinator):
    report = upload(f"{HEADER}{nik_for()};aktif;2026-11-20\n", coordinator)
    assert (report.not_found, report.matched) == (1, 0)


def test_a_void_sign_up_is_not_found(visit, coordinator):
    signup, nik = signed_up(visit)
    signup.status = SignUpStatus.VOID
    db.session.flush()
    assert upload(f"{HEADER}{nik};aktif;2026-11-20\n", coordinator).not_found == 1
    assert stored(signup) == (SignUpStatus.VOID, None)


def test_a_sign_up_of_another_branch_is_not_found_and_unchanged(app_context, coordinator):
    luwuk = branch_named(LUWUK)
    luwuk_visit = in_progress_visit(make_officer(luwuk), campaign=make_campaign(luwuk), village_code=LUWUK_VILLAGE)
    signup, nik = signed_up(luwuk_visit)
    assert upload(f"{HEADER}{nik};aktif;2026-11-20\n", coordinator).not_found == 1
    assert stored(signup) == (SignUpStatus.REGISTERED, None)
    assert upload(f"{HEADER}{nik};aktif;2026-11-20\n", user_named("admin"), branch_ids=set()).not_found == 1


def test_an_administrator_sees_every_branch(app_context):
    luwuk = branch_named(LUWUK)
    luwuk_visit = in_progress_visit(make_officer(luwuk), campaign=make_campaign(luwuk), village_code=LUWUK_VILLAGE)
    signup, nik = signed_up(luwuk_visit)
    report = apply_activation_file(f"{HEADER}{nik};aktif;2026-11-20\n".encode(), None, user_named("admin"),
                                   UPLOAD_NOW)
    assert report.matched == 1 and stored(signup)[0] == SignUpStatus.ACTIVATED


def test_a_worker_activated_from_that_date_or_earlier_is_left_as_it_is(visit, coordinator):
    signup, nik = signed_up(visit)
    signup.status, signup.first_payment_on = SignUpStatus.ACTIVATED, PAID - timedelta(days=3)
    db.session.flush()
    report = upload(f"{HEADER}{nik};aktif;2026-11-20\n", coordinator)
    assert (report.already_activated, report.matched) == (1, 0)
    assert stored(signup) == (SignUpStatus.ACTIVATED, PAID - timedelta(days=3))


def test_an_earlier_first_payment_corrects_the_date(visit, coordinator):
    signup, nik = signed_up(visit)
    signup.status, signup.first_payment_on = SignUpStatus.ACTIVATED, PAID
    db.session.flush()
    assert upload(f"{HEADER}{nik};aktif;2026-11-05\n", coordinator).matched == 1
    assert stored(signup) == (SignUpStatus.ACTIVATED, date(2026, 11, 5))


@pytest.mark.parametrize("status", ["nonaktif", "Belum Bayar", "inactive", ""])
def test_a_worker_without_a_payment_is_not_yet_paid_and_unchanged(visit, coordinator, status):
    signup, nik = signed_up(visit)
    report = upload(f"{HEADER}{nik};{status};\n", coordinator)
    assert (report.not_yet_paid, report.matched, report.not_found, report.invalid) == (1, 0, 0, [])
    assert stored(signup) == (SignUpStatus.REGISTERED, None)


def test_re_uploading_the_same_file_changes_nothing(visit, coordinator):
    rows = [signed_up(visit) for _ in range(3)]
    data = HEADER + "".join(f"{nik};aktif;2026-11-2{n}\n" for n, (_s, nik) in enumerate(rows))
    assert upload(data, coordinator).matched == 3
    before = [(s.updated_at, *stored(s)) for s, _nik in rows]
    again = upload(data, coordinator)
    assert (again.matched, again.already_activated) == (0, 3)
    assert [(s.updated_at, *stored(s)) for s, _nik in rows] == before


def test_the_upload_is_audited_with_counts_and_no_nik(visit, coordinator):
    _signup, nik = signed_up(visit)
    upload(f"{HEADER}{nik};aktif;2026-11-20\n{nik_for()};aktif;2026-11-20\n123;aktif;2026-11-20\n", coordinator)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.ACTIVATION_UPLOADED))
    assert entry.actor_id == coordinator.id and entry.branch_id == coordinator.branch_id
    assert entry.details == {"rows": 3, "matched": 1, "already_activated": 0, "not_found": 1, "not_yet_paid": 0,
                             "invalid": 1}
    assert nik[-4:] not in str(entry.details)


def test_a_first_payment_before_the_sign_up_is_reported_not_applied(visit, coordinator):
    signup, nik = signed_up(visit)
    report = upload(f"{HEADER}{nik};aktif;2026-11-01\n", coordinator)
    [invalid] = report.invalid
    assert invalid.line == 2 and "before the sign-up" in invalid.reason and nik not in invalid.nik
    assert report.matched == 0 and stored(signup) == (SignUpStatus.REGISTERED, None)


def test_a_first_payment_on_the_day_of_the_sign_up_is_applied(visit, coordinator):
    signup, nik = signed_up(visit)
    assert upload(f"{HEADER}{nik};aktif;2026-11-02\n", coordinator).matched == 1
    assert stored(signup) == (SignUpStatus.ACTIVATED, date(2026, 11, 2))


# --- invalid rows ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("row", "reason"), [
    ("727101450895;aktif;2026-11-20", "A NIK has 16 digits."),
    ("72710145089500AB;aktif;2026-11-20", "A NIK has 16 digits."),
    ("7.27101E+15;aktif;2026-11-20", "turned into a number"),
    ("{nik};aktif;2026-02-30", "not a date"),
    ("{nik};aktif;20/10/26", "not a date"),
    ("{nik};aktif;kemarin", "not a date"),
    ("{nik};aktif;2026-12-20", "in the future"),
    ("{nik};lunas;2026-11-20", "Unknown status"),
    ("{nik};aktif;", "needs the first payment date"),
    ("{nik};aktif", "the header needs at least 3"),
])
def test_a_bad_row_is_listed_with_its_line_and_reason(visit, coordinator, row, reason):
    signup, nik = signed_up(visit)
    report = upload(f"{HEADER}\n{row.format(nik=nik)}\n", coordinator)
    [invalid] = report.invalid
    assert invalid.line == 3 and reason in invalid.reason
    assert nik not in invalid.nik and report.matched == 0
    assert stored(signup) == (SignUpStatus.REGISTERED, None)


def test_an_invalid_row_shows_the_nik_masked(visit, coordinator):
    [invalid] = upload(f"{HEADER}7271014508950001;aktif;kemarin\n", coordinator).invalid
    assert invalid.nik == "************0001"


def test_a_nik_given_twice_is_used_once(visit, coordinator):
    signup, nik = signed_up(visit)
    report = upload(f"{HEADER}{nik};aktif;2026-11-20\n{nik};aktif;2026-11-21\n", coordinator)
    assert report.matched == 1 and "already on line 2" in report.invalid[0].reason
    assert stored(signup) == (SignUpStatus.ACTIVATED, PAID)


def test_bad_rows_do_not_stop_the_good_ones(visit, coordinator):
    signup, nik = signed_up(visit)
    report = upload(f"{HEADER}x;aktif;2026-11-20\n{nik};aktif;2026-11-20\n", coordinator)
    assert report.matched == 1 and len(report.invalid) == 1


def test_many_invalid_rows_are_listed_up_to_a_limit(visit, coordinator):
    report = upload(HEADER + "123;aktif;2026-11-20\n" * (SHOWN_INVALID + 30), coordinator)
    assert len(report.shown_invalid) == SHOWN_INVALID and report.more_invalid == 30


# --- formats --------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["nik,status,first_payment_date", "NIK;Status;Tgl_Bayar_Pertama",
                                    "Nama;NIK;Status;Tanggal Bayar Pertama", "nik;tanggal-bayar-pertama"])
def test_headers_in_indonesian_or_english_any_case_and_order(visit, coordinator, header):
    signup, nik = signed_up(visit)
    separator = "," if "," in header else ";"
    values = {"nama": "Siti", "nik": nik, "status": "aktif"}
    cells = [values.get(name.strip().lower(), "2026-11-20") for name in header.split(separator)]
    assert upload(f"{header}\n{separator.join(cells)}\n", coordinator).matched == 1
    assert stored(signup) == (SignUpStatus.ACTIVATED, PAID)


def test_a_file_with_a_byte_order_mark_and_windows_line_ends(visit, coordinator):
    signup, nik = signed_up(visit)
    data = f"\ufeffnik,status,first_payment_date\r\n{nik},Active,20/11/2026\r\n".encode()
    assert upload(data, coordinator).matched == 1


def test_quoted_cells_and_a_nik_kept_as_text_by_a_spreadsheet(visit, coordinator):
    signup, nik = signed_up(visit)
    assert upload(f'"nik";"status";"tgl_bayar_pertama"\n"\'{nik}";"AKTIF";"20-11-2026"\n', coordinator).matched == 1


@pytest.mark.parametrize(("cell", "expected"), [("2026-11-20", PAID), ("20/11/2026", PAID), ("20-11-2026", PAID),
                                                ("5/1/2026", date(2026, 1, 5)), ("", None)])
def test_payment_dates_in_the_usual_forms(cell, expected):
    assert parse_payment_date(cell) == expected


def test_a_stream_is_read_like_bytes(visit, coordinator):
    import io

    _signup, nik = signed_up(visit)
    report = apply_activation_file(io.BytesIO(f"{HEADER}{nik};aktif;2026-11-20\n".encode()), palu(), coordinator,
                                   UPLOAD_NOW)
    assert report.matched == 1


def test_an_excel_workbook_is_read_like_its_csv(visit, coordinator):
    signup, nik = signed_up(visit)
    other, other_nik = signed_up(visit)
    data = xlsx_bytes([["Nama", "NIK", "Status", "Tanggal Bayar Pertama"],
                       ["Siti", nik, "Aktif", datetime(2026, 11, 20)],
                       ["Ani", other_nik, "aktif", "20/11/2026"],
                       ["Budi", 7271014508950001, "aktif", datetime(2026, 11, 20)]])
    report = upload(data, coordinator)
    assert report.matched == 2 and stored(signup) == stored(other) == (SignUpStatus.ACTIVATED, PAID)
    [invalid] = report.invalid
    assert invalid.line == 4 and "turned into a number" in invalid.reason


# --- whole-file refusals --------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "message"), [
    ("nik;status;tanggal_bayar_pertama\n7271014508950001;aktif;20/11/2026\n".encode("utf-16"), "not UTF-8"),
    ("nik;status;tanggal_bayar_pertama\n7271014508950001;Caf\u00e9;2026-11-20\n".encode("cp1252"), "not UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "a picture"),
    (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive"),
    (b"", "empty"),
    (b" \n\n", "empty"),
    (b"nama;status;tanggal_bayar_pertama\nSiti;aktif;2026-11-20\n", 'no column "nik"'),
    (b"nik;status\n7271014508950001;aktif\n", "no column for the first payment date"),
    (b"nik;nik;tanggal_bayar_pertama\n", "twice"),
    (b"7271014508950001;aktif;2026-11-20\n", "must name the columns"),
    (b"nik;status;tanggal_bayar_pertama\n", "no rows"),
    (b'nik,status,first_payment_date\n"7271014508950001,aktif,2026-11-20\n', "never closed"),
    (b'nik,status,first_payment_date\n"7271014508950001,aktif\n7271014508950002",aktif,2026-11-20\n',
     "closed only on line 3"),
    (b"nik,status,first_payment_date\n7271014508950001,aktif,\x00\n", "NUL"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old Excel workbook"),
])
def test_a_file_that_cannot_be_read_is_refused_and_nothing_written(visit, coordinator, data, message):
    signup, _nik = signed_up(visit)
    with pytest.raises(ActivationRefused) as refused:
        upload(data, coordinator)
    assert message in refused.value.message
    assert stored(signup) == (SignUpStatus.REGISTERED, None)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == AuditAction.ACTIVATION_UPLOADED)) == 0


def test_a_refusal_found_after_rows_were_applied_undoes_them(visit, coordinator, monkeypatch):
    monkeypatch.setattr("campaign_app.signups.activation.LOOKUP_CHUNK", 1)
    monkeypatch.setattr("campaign_app.signups.activation.CHANGES_PER_UPDATE", 1)
    signup, nik = signed_up(visit)
    with pytest.raises(ActivationRefused, match="never closed"):
        upload(f'{HEADER}{nik};aktif;2026-11-20\n{nik_for()};aktif;2026-11-20\n"{nik_for()};aktif\n', coordinator)
    assert stored(signup) == (SignUpStatus.REGISTERED, None)


def test_a_file_with_too_many_rows_is_refused(visit, coordinator, monkeypatch):
    monkeypatch.setattr("campaign_app.signups.activation.MAX_ROWS", 5)
    with pytest.raises(ActivationRefused, match="more than 5 rows"):
        upload(HEADER + "123;aktif;2026-11-20\n" * 6, coordinator)


# --- ten thousand rows ----------------------------------------------------------------------------

def bulk_signups(visit, count: int) -> list[str]:
    """``count`` sign-ups inserted in one statement (the service is not what is measured here)."""
    template = make_signup(visit)
    columns = {c.key: getattr(template, c.key) for c in SignUp.__table__.columns if c.key != "id"}
    niks = [f"727101{n // 9000 % 28 + 41:02d}0895{n % 9000 + 1000:04d}" for n in range(count)]
    bulk_execute(db.session, insert(SignUp), [
        {**columns, "form_key": f"bulk-{n}", "nik_ciphertext": encrypt_nik(nik), "nik_index": nik_index(nik),
         "nik_last4": nik[-4:]} for n, nik in enumerate(niks)
    ])
    return niks


def test_ten_thousand_rows_apply_in_bounded_statements_and_time(app, visit, coordinator):
    from tests.conftest import counting_statements

    niks = bulk_signups(visit, 10_000)
    data = (HEADER + "".join(f"{nik};aktif;20/11/2026\n" for nik in niks)).encode()
    with counting_statements(app) as statements:
        started = time.perf_counter()
        report = upload(data, coordinator)
        first = time.perf_counter() - started
    started = time.perf_counter()
    again = upload(data, coordinator)
    second = time.perf_counter() - started
    print(f"\n10,000 activation rows on {db.engine.dialect.name}: {first:.2f} s applied, {second:.2f} s re-uploaded")
    assert report.matched == 10_000 and again.already_activated == 10_000
    # Ten look-ups of 1,000, one bulk update, the roll-ups' refresh (retention's too), the audit entry; never a
    # statement per row.
    assert len(statements) < 50
    assert first < 30
