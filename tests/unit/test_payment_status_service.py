"""The monthly payment status import: matching each row, the months a period pays, the lapse rule read from data,
refusals, re-uploads and the statements a file costs."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.models import AuditAction, AuditEntry, PaymentHistory, SignUp, SignUpStatus
from campaign_app.models.payments import month_number
from campaign_app.rates.lapse import create_lapse_rule, lapse_months
from campaign_app.signups.payment_status import (
    SHOWN_ROWS,
    PaymentStatusRefused,
    apply_payment_status_file,
    months_paid,
    parse_period,
)
from campaign_app.signups.personal_data import encrypt_nik, nik_index
from campaign_app.summaries import bulk_execute
from campaign_app.validation import Refused
from tests.factories import SIGNUP_NOW, in_progress_visit, make_signup, nik_for, user_named
from tests.workbooks import xlsx_bytes

HEADER = "nik;status;periode_terakhir\n"
NOVEMBER = date(2026, 11, 1)  # the sign-ups' month (SIGNUP_NOW)
UPLOAD_NOW = SIGNUP_NOW + timedelta(days=200)
NOV = month_number(NOVEMBER)


@pytest.fixture(autouse=True)
def english(app_context):
    """Messages in English, so that tests can read them."""
    with force_locale("en"):
        yield


@pytest.fixture
def visit(app_context):
    return in_progress_visit()


@pytest.fixture
def admin(app_context):
    return user_named("admin")


def upload(text: str | bytes, actor, month: date = NOVEMBER):
    data = text.encode() if isinstance(text, str) else text
    return apply_payment_status_file(data, month, actor, UPLOAD_NOW)


def signed_up(visit) -> tuple[SignUp, str]:
    nik = nik_for()
    return make_signup(visit, nik=nik), nik


def history(signup: SignUp) -> tuple[list[int], int | None] | None:
    """The months paid (as offsets from the sign-up month) and the last month paid through, as offsets too."""
    row = db.session.get(PaymentHistory, signup.id, populate_existing=True)
    if row is None:
        return None
    months = [k for k in range(63) if row.paid_months >> k & 1]
    return months, None if row.paid_through is None else row.paid_through - row.signup_month


def audited(action: AuditAction) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


# --- each outcome ---------------------------------------------------------------------------------

def test_a_paid_participant_is_matched_and_its_month_stored(visit, admin):
    signup, nik = signed_up(visit)
    report = upload(f"{HEADER}{nik};aktif;2026-11\n", admin)
    assert (report.rows, report.matched) == (1, 1)
    assert history(signup) == ([0], 0)


def test_a_first_listing_pays_every_month_from_the_sign_up(visit, admin):
    signup, nik = signed_up(visit)
    upload(f"{HEADER}{nik};aktif;2027-01\n", admin, month=date(2027, 1, 1))
    assert history(signup) == ([0, 1, 2], 2)


def test_a_later_file_pays_the_months_since_the_last(visit, admin):
    signup, nik = signed_up(visit)
    upload(f"{HEADER}{nik};aktif;2026-11\n", admin)
    # December unpaid in December's file, then paid with January (arrears within the rule).
    upload(f"{HEADER}{nik};aktif;2026-11\n", admin, month=date(2026, 12, 1))
    upload(f"{HEADER}{nik};aktif;2027-01\n", admin, month=date(2027, 1, 1))
    assert history(signup) == ([0, 1, 2], 2)


def test_after_a_lapse_a_payment_restarts_without_the_unpaid_months(visit, admin):
    signup, nik = signed_up(visit)
    upload(f"{HEADER}{nik};aktif;2026-11\n", admin)
    # December to March unpaid: four months, more than the rule's three; April's payment restarts the membership.
    upload(f"{HEADER}{nik};aktif;2027-04\n", admin, month=date(2027, 4, 1))
    assert history(signup) == ([0, 5], 5)


def test_the_lapse_rule_is_read_from_the_data(visit, admin):
    create_lapse_rule(effective_from=date(2026, 1, 1), arrears_months=4, created_by=admin, today=date(2025, 12, 1))
    signup, nik = signed_up(visit)
    upload(f"{HEADER}{nik};aktif;2026-11\n", admin)
    # Four unpaid months are arrears under a rule of four: April pays them.
    upload(f"{HEADER}{nik};aktif;2027-04\n", admin, month=date(2027, 4, 1))
    assert history(signup) == ([0, 1, 2, 3, 4, 5], 5)


def test_the_default_lapse_rule_is_three_months(app_context):
    assert lapse_months(date(2026, 11, 1)) == 3


def test_a_lapse_rule_takes_effect_after_today_only(admin):
    with pytest.raises(Refused):
        create_lapse_rule(effective_from=date(2026, 11, 1), arrears_months=2, created_by=admin,
                          today=date(2026, 11, 1))
    assert lapse_months(date(2026, 11, 2)) == 3


def test_an_unknown_nik_is_listed_masked_with_its_line(visit, admin):
    signed_up(visit)
    stranger = nik_for(serial=77)
    report = upload(f"{HEADER}{stranger};aktif;2026-11\n", admin)
    assert report.unknown_count == 1 and report.matched == 0
    assert (report.unknown[0].line, report.unknown[0].nik) == (2, "************" + stranger[-4:])


def test_a_void_sign_up_is_unknown(visit, admin):
    signup, nik = signed_up(visit)
    signup.status = SignUpStatus.VOID
    db.session.flush()
    assert upload(f"{HEADER}{nik};aktif;2026-11\n", admin).unknown_count == 1
    assert history(signup) is None


@pytest.mark.parametrize("row", ["nonaktif;", "belum bayar;", "aktif;2026-10"])
def test_a_participant_not_paid_since_the_sign_up_is_counted_and_nothing_stored(visit, admin, row):
    signup, nik = signed_up(visit)
    report = upload(f"{HEADER}{nik};{row}\n", admin)
    assert (report.not_paid, report.matched) == (1, 0)
    assert history(signup) is None


@pytest.mark.parametrize(("row", "reason"), [
    ("{nik};aktif", "This row has 2 values; the header needs at least 3."),
    ("123;aktif;2026-11", "A NIK has 16 digits."),
    ("7.27101E+15;aktif;2026-11", "turned into a number by a spreadsheet"),
    ("{nik};aktif;November", "The last period paid is not a month"),
    ("{nik};aktif;2026-13", "The last period paid is not a month"),
    ("{nik};aktif;2028-01", "more than 12 months after the file's month"),
    ("{nik};maybe;2026-11", "Unknown status"),
    ("{nik};aktif;", "An active participant needs the last period paid."),
])
def test_a_bad_row_is_listed_with_its_line_and_reason(visit, admin, row, reason):
    signup, nik = signed_up(visit)
    report = upload(f"{HEADER}{row.format(nik=nik)}\n", admin)
    assert report.invalid_count == 1 and report.invalid[0].line == 2
    assert reason in report.invalid[0].reason
    assert history(signup) is None


def test_a_nik_given_twice_is_applied_once_and_the_second_line_listed(visit, admin):
    signup, nik = signed_up(visit)
    report = upload(f"{HEADER}{nik};aktif;2026-11\n{nik};aktif;2026-12\n", admin)
    assert report.matched == 1 and report.invalid[0].line == 3
    assert "already on line 2" in report.invalid[0].reason


def test_bad_rows_do_not_stop_the_good_ones(visit, admin):
    signup, nik = signed_up(visit)
    report = upload(f"{HEADER}123;aktif;2026-11\n{nik};aktif;2026-11\n", admin)
    assert (report.invalid_count, report.matched) == (1, 1)


def test_many_invalid_rows_are_listed_up_to_a_limit_and_all_counted(visit, admin):
    report = upload(HEADER + "123;aktif;2026-11\n" * (SHOWN_ROWS + 5), admin)
    assert (len(report.invalid), report.invalid_count, report.more_invalid) == (SHOWN_ROWS, SHOWN_ROWS + 5, 5)


@pytest.mark.parametrize(("cell", "month"), [
    ("2026-11", NOV), ("11/2026", NOV), ("11-2026", NOV), ("202611", NOV), ("30/11/2026", NOV),
    ("2026-11-30", NOV), ("", None),
])
def test_periods_in_the_usual_forms(cell, month):
    assert parse_period(cell) == month


@pytest.mark.parametrize("header", ["NIK,Status,Paid_Through", "nik,bulan terakhir dibayar",
                                    "status;dibayar-sampai;NIK"])
def test_headers_in_indonesian_or_english_any_case_and_order(visit, admin, header):
    signup, nik = signed_up(visit)
    separator = ";" if ";" in header else ","
    cells = {"nik": nik, "status": "aktif"}
    row = separator.join(cells.get(name.strip().lower(), "2026-11") for name in header.split(separator))
    assert upload(f"{header}\n{row}\n", admin).matched == 1


def test_an_excel_workbook_is_read_like_its_csv(visit, admin):
    signup, nik = signed_up(visit)
    report = upload(xlsx_bytes([["nik", "status", "periode_terakhir"], [nik, "aktif", date(2026, 11, 30)]]), admin)
    assert report.matched == 1 and history(signup) == ([0], 0)


# --- the same file again, older files -------------------------------------------------------------

def test_re_uploading_the_same_file_changes_nothing(visit, admin):
    signup, nik = signed_up(visit)
    data = f"{HEADER}{nik};aktif;2026-12\n"
    upload(data, admin, month=date(2026, 12, 1))
    stored = db.session.execute(select(PaymentHistory.__table__)).all()
    again = upload(data, admin, month=date(2026, 12, 1))
    assert (again.matched, again.unchanged) == (0, 1)
    assert history(signup) == ([0, 1], 1)
    assert db.session.execute(select(PaymentHistory.__table__)).all() == stored


def test_an_older_file_after_a_newer_one_takes_nothing_away(visit, admin):
    signup, nik = signed_up(visit)
    upload(f"{HEADER}{nik};aktif;2027-01\n", admin, month=date(2027, 1, 1))
    report = upload(f"{HEADER}{nik};aktif;2026-11\n", admin)
    assert report.unchanged == 1 and history(signup) == ([0, 1, 2], 2)


# --- audit and refusals ---------------------------------------------------------------------------

def test_the_upload_is_audited_once_with_its_counts_and_without_a_nik(visit, admin):
    niks = [signed_up(visit)[1] for _ in range(3)]
    changes = audited(AuditAction.CHANGED)
    upload(HEADER + "".join(f"{nik};aktif;2026-12\n" for nik in niks), admin, month=date(2026, 12, 1))
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.PAYMENT_STATUS_UPLOADED)).all()
    assert len(entries) == 1 and entries[0].subject_name == "2026-12"
    assert entries[0].details["matched"] == 3 and entries[0].details["month"] == "2026-12"
    # A million rows are one entry, not a million: the histories changed are not audited one by one.
    assert audited(AuditAction.CHANGED) == changes
    assert not any(nik in str(entries[0].details) for nik in niks)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"nik;status\n", "no column for the last period paid"),
    (b"status;periode_terakhir\n", "no column \"nik\""),
    (b"nik;periode_terakhir\n", "no rows"),
    (b"%PDF-1.4 rest", "PDF"),
])
def test_a_file_that_cannot_be_read_is_refused_and_nothing_written(visit, admin, data, message):
    before = db.session.scalar(select(func.count()).select_from(PaymentHistory))
    with pytest.raises(PaymentStatusRefused, match=message):
        upload(data, admin)
    assert db.session.scalar(select(func.count()).select_from(PaymentHistory)) == before


def test_a_refusal_found_after_rows_were_written_undoes_them(visit, admin, monkeypatch):
    monkeypatch.setattr("campaign_app.signups.payment_status.BATCH", 1)
    signup, nik = signed_up(visit)
    with pytest.raises(PaymentStatusRefused, match="never closed"):
        upload(f'{HEADER}{nik};aktif;2026-11\n{nik_for(serial=5)};aktif;2026-11\n"{nik_for()};aktif\n', admin)
    assert history(signup) is None


def test_a_file_with_too_many_rows_is_refused(visit, admin, monkeypatch):
    monkeypatch.setattr("campaign_app.signups.payment_status.MAX_ROWS", 5)
    with pytest.raises(PaymentStatusRefused, match="more than 5 rows"):
        upload(HEADER + "123;aktif;2026-11\n" * 6, admin)


# --- the months a period pays ---------------------------------------------------------------------

@pytest.mark.parametrize(("before", "paid_through", "file_month", "expected"), [
    (None, NOV, NOV, 0b1),
    (None, NOV + 2, NOV + 2, 0b111),
    (NOV, NOV + 2, NOV + 2, 0b110),
    (NOV, NOV, NOV + 1, 0),
    (NOV, NOV + 5, NOV + 4, 0b111110),  # December to March in arrears (3), paid in the 4th month with 1 ahead
    (NOV, NOV + 5, NOV + 5, 0b100000),  # four months unpaid: a restart
    (NOV, NOV + 6, NOV + 5, 0b1100000),  # a restart paying a month ahead
    (None, NOV - 1, NOV, 0),
])
def test_the_months_a_period_pays(before, paid_through, file_month, expected):
    assert months_paid(NOV, before, paid_through, file_month, lapse=3) == expected


def test_months_past_the_history_s_length_are_not_kept():
    assert months_paid(NOV, None, NOV + 100, NOV + 100, lapse=3) == (1 << 63) - 1


# --- statements -----------------------------------------------------------------------------------

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


def test_statements_do_not_grow_with_the_file(app, visit, admin):
    from tests.conftest import counting_statements

    niks = bulk_signups(visit, 1000)
    counts = []
    for rows in (niks[:10], niks[10:]):
        data = HEADER + "".join(f"{nik};aktif;2026-11\n" for nik in rows)
        with counting_statements(app) as statements:
            report = upload(data, admin)
        assert report.matched == len(rows)
        counts.append(len(statements))
    # One look-up, the retention roll-up's few statements and one upsert per batch, whatever the rows' number.
    assert counts[0] == counts[1]


def test_each_further_batch_costs_the_same_statements(app, visit, admin, monkeypatch):
    from tests.conftest import counting_statements

    monkeypatch.setattr("campaign_app.signups.payment_status.BATCH", 10)
    niks = iter(bulk_signups(visit, 120))
    counts = []
    for rows in (20, 40, 60):
        # Sign-ups not yet in any file, so that every row of every batch writes.
        data = HEADER + "".join(f"{next(niks)};aktif;2026-11\n" for _ in range(rows))
        with counting_statements(app) as statements:
            assert upload(data, admin).matched == rows
        counts.append(len(statements))
    # Two batches more, the same statements more: a batch's statements do not depend on where it is in the file.
    assert counts[1] - counts[0] == counts[2] - counts[1] > 0
