"""The monthly payment status page: administrators only, the report in both renderings, files refused whole, the
active participants shown."""

import gzip
import io

import pytest
from sqlalchemy import delete, func, select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, PaymentHistory, PaymentImport
from tests.factories import TODAY, in_progress_visit, make_signup, nik_for

HTMX = {"HX-Request": "true"}
FRAGMENT_BUDGET = 4 * 1024
HEADER = "nik;status;periode_terakhir\n"
PATH = "/signups/payment-status"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    # The months offered are this one and the twelve before it.
    monkeypatch.setattr("campaign_app.clock.today", lambda: TODAY)


@pytest.fixture
def worker(app) -> tuple[int, str]:
    """A sign-up of Palu (November 2026) and its NIK."""
    with app.app_context():
        nik = nik_for()
        signup = make_signup(in_progress_visit(), nik=nik)
        db.session.commit()
        return signup.id, nik


def upload(client, data: bytes, headers=None, month="2026-11"):
    # The file is applied by an import job (here in the upload's request, through the function its thread calls):
    # a plain post is sent on to the job's page, which ends on the report; htmx gets the job's fragment at once.
    return client.post(PATH, data={"file": (io.BytesIO(data), "status.csv"), "month": month},
                       content_type="multipart/form-data", headers=headers or {}, follow_redirects=not headers)


def text(response) -> str:
    return response.get_data(as_text=True)


def has_history(app, signup_id: int) -> bool:
    with app.app_context():
        return db.session.get(PaymentHistory, signup_id) is not None


def uploads_audited(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == AuditAction.PAYMENT_STATUS_UPLOADED))


# --- who may --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["officer", "manager", "coordinator"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_administrators_may_upload(auth, client, role, method):
    auth.login_as(role)
    assert getattr(client, method)(PATH).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get(PATH).status_code == 302


def test_the_form_offers_the_months_with_last_month_chosen_and_upload_progress(admin):
    body = text(admin.get(PATH))
    assert 'enctype="multipart/form-data"' in body and "<progress" in body and "js/upload.js" in body
    assert '<option selected value="2026-10">' in body.replace('value="2026-10" selected', 'selected value="2026-10"')
    assert 'value="2025-11"' in body and 'value="2025-10"' not in body


def test_the_home_page_links_it_for_administrators(admin):
    assert PATH in text(admin.get("/"))


def test_the_home_page_of_a_coordinator_does_not_link_it(coordinator):
    assert PATH not in text(coordinator.get("/"))


# --- the report -----------------------------------------------------------------------------------

def test_a_file_reports_each_outcome_and_lists_the_rows(app, admin, worker):
    stranger = nik_for(serial=77)
    data = (f"{HEADER}{worker[1]};aktif;2026-11\n{stranger};aktif;2026-11\n{nik_for()};nonaktif;\n"
            "7271014508950001;aktif;kemarin\n").encode()
    response = upload(admin, data)
    body = text(response)
    assert response.status_code == 200 and "<html" in body and "4 rows read." in body
    for label, count in (("Matched: months paid learnt", 1), ("Already known", 0), ("Not paid since the sign-up", 0),
                         ("Unknown NIK", 2), ("Invalid", 1)):
        assert f"<dt>{label}</dt><dd>{count}</dd>" in body
    assert "************" + stranger[-4:] in body and stranger not in body and "not a month" in body
    assert has_history(app, worker[0]) and uploads_audited(app) == 1


def test_the_page_shows_the_active_participants_of_the_month(app, admin, worker):
    with app.app_context():
        # Only this upload's participant: the demo's own histories (demo/payments.py) are taken away.
        db.session.execute(delete(PaymentHistory))
        db.session.commit()
    body = text(upload(admin, f"{HEADER}{worker[1]};aktif;2026-11\n".encode()))
    assert "Active participants in November 2026" in body
    assert '<td class="num" data-label="Paid up">1</td>' in body


def test_a_file_sent_by_htmx_answers_the_report_only(admin, worker):
    response = upload(admin, f"{HEADER}{worker[1]};aktif;2026-11\n".encode(), headers=HTMX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert "<dt>Matched: months paid learnt</dt><dd>1</dd>" in body


def test_uploading_the_same_file_again_changes_nothing(app, admin, worker):
    data = f"{HEADER}{worker[1]};aktif;2026-11\n".encode()
    upload(admin, data)
    body = text(upload(admin, data))
    assert "<dt>Matched: months paid learnt</dt><dd>0</dd>" in body and "<dt>Already known</dt><dd>1</dd>" in body


def test_many_bad_rows_fit_the_fragment_budget(admin):
    data = (HEADER + "".join(f"72710145089{n:05d};lunas;2026-11\n" for n in range(300))
            + "".join(f"72710145089{n:05d};aktif;2026-11\n" for n in range(300))).encode()
    response = upload(admin, data, headers=HTMX)
    body = text(response)
    assert "and 200 more invalid rows" in body and "and 200 more unknown NIKs" in body
    assert len(gzip.compress(response.data, 6)) <= FRAGMENT_BUDGET


# --- refused ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, HTMX])
@pytest.mark.parametrize(("data", "message"), [
    (f"{HEADER}7271014508950001;aktif;2026-11\n".encode("utf-16"), "not UTF-8"),
    (b"", "empty"),
    (b"nama;status\nSiti;aktif\n", 'no column "nik"'),
    (HEADER.encode(), "no rows"),
    (f'{HEADER}"7271014508950001;aktif;2026-11\n7271014508950002;aktif;2026-11\n'.encode(), "never closed"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old Excel workbook (.xls"),
])
def test_a_file_that_cannot_be_read_is_refused_and_nothing_written(app, admin, worker, headers, data, message):
    response = upload(admin, data, headers=headers)
    body = text(response).replace("&#34;", '"')
    assert response.status_code == 422 and message in body and "nothing changed" in body
    assert ("<html" in body) == (not headers)
    assert not has_history(app, worker[0]) and uploads_audited(app) == 0


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_file_found_too_long_only_at_its_end_fails_its_job_and_nothing_is_written(app, admin, worker, headers,
                                                                                      monkeypatch):
    # Too many rows shows only at the end of the file: the upload is taken, its job refuses the file whole.
    monkeypatch.setattr("campaign_app.signups.payment_status.MAX_ROWS", 2)
    data = f"{HEADER}{worker[1]};aktif;2026-11\n{nik_for(serial=77)};aktif;2026-11\n{nik_for(serial=78)};aktif;\n"
    response = upload(admin, data.encode(), headers=headers)
    body = text(response)
    assert response.status_code == 200 and "more than 2 rows" in body and "nothing changed" in body
    assert 'role="alert"' in body and "hx-trigger" not in body
    assert not has_history(app, worker[0]) and uploads_audited(app) == 0


@pytest.mark.parametrize("month", ["", "2025-10", "2026-12", "x" * 500, "\x00"])
def test_a_month_not_offered_is_refused_with_a_message(app, admin, worker, month):
    response = upload(admin, f"{HEADER}{worker[1]};aktif;2026-11\n".encode(), month=month)
    assert response.status_code == 422 and 'class="flash error"' in text(response)
    assert not has_history(app, worker[0])


def test_sending_no_file_asks_for_one(admin):
    response = admin.post(PATH, data={"month": "2026-11"}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a CSV or Excel file." in text(response)


# --- the import job: upload → progress → report ------------------------------------------------------

@pytest.fixture
def by_a_worker(app, monkeypatch):
    """Uploads queue their job for a worker: the tests run it, through the function the worker and thread call."""
    monkeypatch.setitem(app.config, "PAYMENT_IMPORT_RUNNER", "worker")


def run_jobs(app) -> list[int]:
    from campaign_app.signups.payment_imports import current_folder, run_waiting_imports

    with app.app_context():
        return run_waiting_imports(current_folder())


def jobs(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [(job.state, job.rows_read)
                for job in db.session.scalars(select(PaymentImport).order_by(PaymentImport.id))]


def post_form(client, data: bytes, key: str, headers=None):
    return client.post(PATH, data={"file": (io.BytesIO(data), "status.csv"), "month": "2026-11", "upload_key": key},
                       content_type="multipart/form-data", headers=headers or {})


def test_an_upload_answers_at_once_with_its_job_s_page_which_polls_until_the_report(app, admin, worker, by_a_worker):
    before = len(jobs(app))
    response = post_form(admin, f"{HEADER}{worker[1]};aktif;2026-11\n".encode(), "k" * 32)
    assert response.status_code == 303 and "/signups/payment-status/imports/" in response.location
    assert not has_history(app, worker[0]) and len(jobs(app)) == before + 1
    page = text(admin.get(response.location))
    assert "<html" in page and "Waiting to start" in page and 'hx-trigger="every 2s"' in page
    assert f'hx-get="{response.location}"' in page and "Refresh" in page
    run_jobs(app)
    poll = admin.get(response.location, headers=HTMX)
    body = text(poll)
    assert poll.status_code == 200 and "<html" not in body and "hx-trigger" not in body
    assert "1 row read." in body and "<dt>Matched: months paid learnt</dt><dd>1</dd>" in body
    assert "Active participants in November 2026" in body and has_history(app, worker[0]) and uploads_audited(app) == 1
    assert len(gzip.compress(poll.data, 6)) <= FRAGMENT_BUDGET


def test_an_upload_by_htmx_swaps_in_the_polling_progress_and_a_fresh_key_for_the_next_file(app, admin, worker,
                                                                                             by_a_worker):
    response = post_form(admin, f"{HEADER}{worker[1]};aktif;2026-11\n".encode(), "k" * 32, headers=HTMX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body and 'hx-trigger="every 2s"' in body
    assert response.headers["HX-Push-Url"].startswith("/signups/payment-status/imports/")
    assert 'hx-swap-oob="true" id="upload_key"' in body and 'value="' + "k" * 32 not in body


def test_progress_shows_the_rows_read_so_far_while_the_job_runs(app, admin, worker, by_a_worker):
    from campaign_app.models import ImportState

    location = post_form(admin, f"{HEADER}{worker[1]};aktif;2026-11\n".encode(), "k" * 32).location
    with app.app_context():
        job = db.session.scalars(select(PaymentImport).order_by(PaymentImport.id.desc())).first()
        job.state, job.running_slot, job.phase, job.heartbeat_at = ImportState.RUNNING, 1, "reading", func.now()
        job.bytes_read, job.rows_read, job.matched, job.unknown_count, job.invalid_count = 20, 12345, 3, 4, 5
        db.session.commit()
    body = text(admin.get(location, headers=HTMX))
    assert "Reading the file" in body and "<dt>Rows read</dt><dd>12,345</dd>" in body
    assert "<dt>Unknown NIK</dt><dd>4</dd>" in body and "<dt>Invalid</dt><dd>5</dd>" in body
    assert 'hx-trigger="every 2s"' in body and "<progress" in body


def test_a_double_tap_on_upload_queues_one_job(app, admin, worker, by_a_worker):
    before = len(jobs(app))
    data = f"{HEADER}{worker[1]};aktif;2026-11\n".encode()
    first, second = post_form(admin, data, "k" * 32), post_form(admin, data, "k" * 32)
    assert first.location == second.location and len(jobs(app)) == before + 1


def test_the_upload_page_lists_the_latest_files_with_links_to_their_reports(app, admin, worker):
    location = upload(admin, f"{HEADER}{worker[1]};aktif;2026-11\n".encode()).request.path
    body = text(admin.get(PATH))
    assert "Latest files" in body and f'href="{location}"' in body and "Applied" in body


def test_a_stalled_job_offers_to_start_again_and_does(app, admin, worker, by_a_worker):
    from datetime import UTC, datetime

    from campaign_app.models import ImportState
    from campaign_app.signups.payment_imports import STALLED_AFTER

    location = post_form(admin, f"{HEADER}{worker[1]};aktif;2026-11\n".encode(), "k" * 32).location
    with app.app_context():
        job = db.session.scalars(select(PaymentImport).order_by(PaymentImport.id.desc())).first()
        job.state, job.running_slot, job.attempts = ImportState.RUNNING, 1, 1
        job.heartbeat_at = datetime.now(UTC) - STALLED_AFTER - STALLED_AFTER
        db.session.commit()
    body = text(admin.get(location))
    assert "may have stopped" in body and f'action="{location}/resume"' in body
    app.config["PAYMENT_IMPORT_RUNNER"] = "request"
    response = admin.post(f"{location}/resume")
    assert response.status_code == 303 and response.location == location
    assert "1 row read." in text(admin.get(location)) and has_history(app, worker[0])


def test_an_unknown_job_is_not_found(admin):
    assert admin.get(f"{PATH}/imports/999999").status_code == 404
    assert admin.post(f"{PATH}/imports/999999/resume").status_code == 404


def test_a_file_larger_than_the_limit_is_refused_with_a_message_and_nothing_written(app, admin, worker, monkeypatch):
    monkeypatch.setitem(app.config, "PAYMENT_FILE_MAX_BYTES", 1024)
    before = len(jobs(app))
    data = (HEADER + f"{worker[1]};aktif;2026-11\n" * 100).encode()
    response = admin.post(PATH, data={"file": (io.BytesIO(data), "status.csv"), "month": "2026-11"},
                          content_type="multipart/form-data")
    assert response.status_code == 413 and "too large" in text(response)
    assert len(jobs(app)) == before and not has_history(app, worker[0])


@pytest.mark.parametrize("key", ["short", "x" * 65, "<script>", "a b" * 10])
def test_a_damaged_one_time_key_is_refused_with_a_message(app, admin, worker, key):
    response = post_form(admin, f"{HEADER}{worker[1]};aktif;2026-11\n".encode(), key)
    assert response.status_code == 422 and "The form is damaged" in text(response)
    assert not has_history(app, worker[0])


def test_the_page_and_its_poll_speak_indonesian(app, auth, client, worker):
    auth.login_as("admin")
    response = client.post(PATH, data={"file": (io.BytesIO(f"{HEADER}{worker[1]};aktif;2026-11\n".encode()),
                                                "status.csv"), "month": "2026-11"},
                           content_type="multipart/form-data", follow_redirects=True)
    body = text(response)
    assert 'lang="id"' in body and "Matched: months paid learnt" not in body and "1 row read." not in body


def test_a_file_larger_than_other_uploads_but_within_its_own_limit_passes_the_csrf_check(csrf_admin, worker,
                                                                                         by_a_worker):
    from tests.conftest import csrf_token_from

    app, client = csrf_admin
    app.config["MAX_CONTENT_LENGTH"] = 2048
    token = csrf_token_from(text(client.get(PATH)))
    data = (HEADER + f"{worker[1]};aktif;2026-11\n" * 200).encode()
    assert len(data) > 2048
    response = client.post(PATH, data={"file": (io.BytesIO(data), "status.csv"), "month": "2026-11",
                                       "csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert client.post("/signups/activation", data={"file": (io.BytesIO(data), "a.csv"), "csrf_token": token},
                       content_type="multipart/form-data").status_code == 413
