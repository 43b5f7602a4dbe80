"""The activation upload page: who may, the report in both renderings, and files refused whole."""

import gzip
import io
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, SignUp, SignUpStatus
from tests.conftest import csrf_token_from
from tests.factories import in_progress_visit, make_signup, nik_for
from tests.workbooks import xlsx_bytes

HTMX = {"HX-Request": "true"}
FRAGMENT_BUDGET = 4 * 1024
HEADER = "nik;status;tanggal_bayar_pertama\n"


@pytest.fixture
def worker(app) -> tuple[int, str]:
    """A registered sign-up of Palu and its NIK."""
    with app.app_context():
        nik = nik_for()
        signup = make_signup(in_progress_visit(), nik=nik)
        db.session.commit()
        return signup.id, nik


def upload(client, data: bytes, headers=None, filename="keanggotaan.csv"):
    return client.post("/signups/activation", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", headers=headers or {})


def text(response) -> str:
    return response.get_data(as_text=True)


def stored(app, signup_id: int) -> tuple:
    with app.app_context():
        signup = db.session.get(SignUp, signup_id)
        return signup.status, signup.first_payment_on


def uploads_audited(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == AuditAction.ACTIVATION_UPLOADED))


# --- who may --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["officer", "manager"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_officers_and_managers_may_not_upload(auth, client, role, method):
    auth.login_as(role)
    assert getattr(client, method)("/signups/activation").status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get("/signups/activation").status_code == 302


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinators_and_administrators_get_the_form_with_upload_progress(auth, client, role):
    body = text(auth.reading_english(role).get("/signups/activation"))
    assert 'enctype="multipart/form-data"' in body and 'hx-encoding="multipart/form-data"' in body
    assert "<progress" in body and "js/upload.js" in body and "At most 16 MB" in body


# --- the report -----------------------------------------------------------------------------------

def test_a_file_activates_the_paid_and_reports_each_outcome(app, coordinator, worker):
    signup_id, nik = worker
    data = (HEADER + f"{nik};aktif;20/11/2026\n{nik_for()};aktif;2026-11-20\n{nik_for()};nonaktif;\n"
            "7271014508950001;aktif;kemarin\n").encode()
    response = upload(coordinator, data)
    body = text(response)
    assert response.status_code == 200 and "<html" in body
    assert "4 rows read." in body
    for label, count in (("Matched: activated now", 1), ("Already activated", 0), ("Not yet paid", 1),
                         ("Not found among your sign-ups", 1), ("Invalid", 1)):
        assert f"<dt>{label}</dt><dd>{count}</dd>" in body
    assert "************0001" in body and "7271014508950001" not in body and "not a date" in body
    assert stored(app, signup_id) == (SignUpStatus.ACTIVATED, date(2026, 11, 20))


def test_a_file_sent_by_htmx_answers_the_report_only(app, coordinator, worker):
    response = upload(coordinator, f"{HEADER}{worker[1]};aktif;2026-11-20\n".encode(), headers=HTMX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert "<dt>Matched: activated now</dt><dd>1</dd>" in body


def test_uploading_the_same_file_again_changes_nothing(app, coordinator, worker):
    data = f"{HEADER}{worker[1]};aktif;2026-11-20\n".encode()
    upload(coordinator, data)
    body = text(upload(coordinator, data))
    assert "<dt>Matched: activated now</dt><dd>0</dd>" in body and "<dt>Already activated</dt><dd>1</dd>" in body
    assert stored(app, worker[0]) == (SignUpStatus.ACTIVATED, date(2026, 11, 20))


def test_a_first_payment_before_the_sign_up_is_listed_not_applied(app, coordinator, worker):
    response = upload(coordinator, f"{HEADER}{worker[1]};aktif;2026-10-20\n".encode(), headers=HTMX)
    body = text(response)
    assert "<dt>Matched: activated now</dt><dd>1</dd>" not in body and "<dt>Invalid</dt><dd>1</dd>" in body
    assert "before the sign-up" in body and worker[1] not in body
    assert stored(app, worker[0]) == (SignUpStatus.REGISTERED, None)


def test_an_excel_workbook_is_read(app, coordinator, worker):
    data = xlsx_bytes([["NIK", "Status", "Tanggal Bayar Pertama"], [worker[1], "aktif", datetime(2026, 11, 20)]])
    body = text(upload(coordinator, data, filename="keanggotaan.xlsx"))
    assert "<dt>Matched: activated now</dt><dd>1</dd>" in body
    assert stored(app, worker[0]) == (SignUpStatus.ACTIVATED, date(2026, 11, 20))


def test_many_invalid_rows_fit_the_fragment_budget(coordinator):
    data = (HEADER + "".join(f"72710145089{n:05d};lunas;2026-11-20\n" for n in range(500))).encode()
    response = upload(coordinator, data, headers=HTMX)
    body = text(response)
    assert "and 400 more invalid rows" in body and body.count("Unknown status") == 100
    assert len(gzip.compress(response.data, 6)) <= FRAGMENT_BUDGET


def test_the_upload_checks_the_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token_from(text(client.get("/login")))
    client.post("/login", data={"username": "koordinator", "password": "jangkau-demo", "csrf_token": token})
    assert upload(client, f"{HEADER}{nik_for()};aktif;2026-11-20\n".encode()).status_code == 400
    token = csrf_token_from(text(client.get("/signups/activation")))
    response = client.post("/signups/activation", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(f"{HEADER}{nik_for()};aktif;"
                                                                          "2026-11-20\n".encode()), "a.csv")})
    assert response.status_code == 200


# --- files refused whole --------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, HTMX])
@pytest.mark.parametrize(("data", "message"), [
    (f"{HEADER}7271014508950001;aktif;2026-11-20\n".encode("utf-16"), "not UTF-8"),
    (b"", "empty"),
    (b"nama;status\nSiti;aktif\n", 'no column "nik"'),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "a ZIP archive"),
    (HEADER.encode(), "no rows"),
    (f'{HEADER}"7271014508950001;aktif;2026-11-20\n7271014508950002;aktif;2026-11-20\n'.encode(), "never closed"),
    (f"{HEADER}7271014508950001;aktif;2026-11-20\x00\n".encode(), "NUL"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old Excel workbook (.xls"),
])
def test_a_file_that_cannot_be_read_is_refused_and_nothing_written(app, coordinator, worker, headers, data,
                                                                    message):
    response = upload(coordinator, data, headers=headers)
    body = text(response).replace("&#34;", '"')
    assert response.status_code == 422 and message in body and "nothing changed" in body
    assert ("<html" in body) == (not headers)
    assert stored(app, worker[0]) == (SignUpStatus.REGISTERED, None) and uploads_audited(app) == 0


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_sending_no_file_asks_for_one(coordinator, headers):
    response = coordinator.post("/signups/activation", data={}, content_type="multipart/form-data", headers=headers)
    assert response.status_code == 422 and "Choose a CSV or Excel file." in text(response)


def test_a_file_too_large_is_refused_not_crashed(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1000)
    client = app.test_client()
    client.post("/login", data={"username": "koordinator", "password": "jangkau-demo"})
    response = upload(client, HEADER.encode() + b"7271014508950001;aktif;2026-11-20\n" * 100)
    assert response.status_code == 413
