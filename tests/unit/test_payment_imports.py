"""Payment status import jobs: queued with the stored file, claimed one at a time, their progress committed as they
go, finished with the report, failed with the reason (nothing written), and a stalled one run again or failed."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.models import AuditAction, AuditEntry, ImportState, PaymentHistory, PaymentImport
from campaign_app.signups import payment_imports
from campaign_app.signups.payment_imports import (
    MAX_ATTEMPTS,
    STALLED_AFTER,
    next_waiting_import,
    queue_payment_import,
    report_of,
    run_payment_import,
    run_waiting_imports,
    stalled,
)
from campaign_app.signups.payment_status import PaymentStatusRefused
from tests.factories import SIGNUP_NOW, in_progress_visit, make_signup, nik_for, user_named

HEADER = "nik;status;periode_terakhir\n"
NOVEMBER = date(2026, 11, 1)
NOW = SIGNUP_NOW + timedelta(days=200)


@pytest.fixture(autouse=True)
def english(app_context):
    with force_locale("en"):
        yield


@pytest.fixture
def folder(tmp_path):
    return tmp_path


@pytest.fixture
def admin(app_context):
    return user_named("admin")


@pytest.fixture
def worker(app_context) -> tuple[int, str]:
    nik = nik_for()
    signup = make_signup(in_progress_visit(), nik=nik)
    db.session.commit()
    return signup.id, nik


def queue(text: str, admin, folder, key: str = "k" * 32, month: date = NOVEMBER, language: str = "en"):
    job = queue_payment_import(io.BytesIO(text.encode()), file_name="status.csv", month=month, actor=admin,
                               upload_key=key, language=language, folder=folder, now=NOW)
    db.session.commit()
    return job


def clock_at(moment):
    return lambda: moment


def audited() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == AuditAction.PAYMENT_STATUS_UPLOADED))


# --- queued -----------------------------------------------------------------------------------------

def test_an_upload_stores_the_file_privately_and_queues_a_pending_job(admin, folder, worker):
    data = f"{HEADER}{worker[1]};aktif;2026-11\n"
    job = queue(data, admin, folder)
    assert job.state == ImportState.PENDING and job.size_bytes == len(data) and len(job.digest) == 64
    stored = folder / job.stored_name
    assert stored.read_bytes() == data.encode() and stored.stat().st_mode & 0o777 == 0o600
    assert db.session.get(PaymentHistory, worker[0]) is None and audited() == 0


def test_the_same_form_sent_twice_finds_the_first_job(admin, folder, worker):
    first = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder)
    again = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder)
    assert again.id == first.id and len(list(folder.iterdir())) == 1


def test_the_same_file_while_its_job_waits_finds_that_job(admin, folder, worker):
    first = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder, key="a" * 32)
    again = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder, key="b" * 32)
    assert again.id == first.id and len(list(folder.iterdir())) == 1


@pytest.mark.parametrize(("data", "message"), [
    ("", "empty"), (HEADER, "no rows"), ("nama;status\nSiti;aktif\n", 'no column "nik"'),
    ("%PDF-1.4 ...", "PDF"),
])
def test_a_file_its_first_lines_refuse_is_refused_at_once_and_nothing_stored(admin, folder, data, message):
    before = db.session.scalar(select(func.count()).select_from(PaymentImport))
    with pytest.raises(PaymentStatusRefused, match=message):
        queue(data, admin, folder)
    assert db.session.scalar(select(func.count()).select_from(PaymentImport)) == before
    assert list(folder.iterdir()) == []


# --- run --------------------------------------------------------------------------------------------

def test_a_job_run_applies_the_file_reports_it_audits_once_and_deletes_the_file(admin, folder, worker):
    stranger = nik_for(serial=77)
    job = queue(f"{HEADER}{worker[1]};aktif;2026-11\n{stranger};aktif;2026-11\n1234;aktif;2026-11\n", admin,
                folder)
    ended = run_payment_import(job.id, folder, clock_at(NOW))
    assert ended is not None and ended.state == ImportState.DONE and ended.running_slot is None
    assert (ended.rows_read, ended.matched, ended.unknown_count, ended.invalid_count) == (3, 1, 1, 1)
    report = report_of(ended)
    assert [row.line for row in report.invalid] == [4] and "16 digits" in report.invalid[0].reason
    assert [row.nik for row in report.unknown] == ["************" + stranger[-4:]]
    assert db.session.get(PaymentHistory, worker[0]) is not None and audited() == 1
    assert not (folder / job.stored_name).exists()


def test_progress_is_committed_every_batch_while_the_job_runs(admin, folder, worker, monkeypatch):
    monkeypatch.setattr("campaign_app.signups.payment_status.BATCH", 2)
    seen: list[tuple] = []
    original = payment_imports._Progress.__call__

    def watch(self, phase, report):
        original(self, phase, report)
        # Read back on a session of its own: what the page's poll would see.
        reader = db.session.session_factory()
        row = reader.get(PaymentImport, self.job_id)
        seen.append((row.phase, row.rows_read, row.invalid_count))
        reader.close()

    monkeypatch.setattr(payment_imports._Progress, "__call__", watch)
    rows = "".join(f"{nik_for(serial=s)};aktif;2026-11\n" for s in range(80, 85)) + "x;aktif;2026-11\n"
    job = queue(HEADER + rows, admin, folder)
    run_payment_import(job.id, folder, clock_at(NOW))
    reading = [rows_read for phase, rows_read, _invalid in seen if phase == "reading"]
    assert reading == sorted(reading) and len(reading) >= 2 and reading[0] < 6
    assert ("matching", 6, 1) in seen


def test_a_file_refused_at_its_end_fails_the_job_with_the_reason_and_writes_nothing(admin, folder, worker,
                                                                                  monkeypatch):
    monkeypatch.setattr("campaign_app.signups.payment_status.MAX_ROWS", 2)
    monkeypatch.setattr("campaign_app.signups.payment_status.BATCH", 1)
    job = queue(f"{HEADER}{worker[1]};aktif;2026-11\n{nik_for(serial=5)};aktif;2026-11\n1;aktif;2026-11\n", admin,
                folder)
    ended = run_payment_import(job.id, folder, clock_at(NOW))
    assert ended.state == ImportState.FAILED and "more than 2 rows" in ended.error and "nothing changed" in ended.error
    assert ended.running_slot is None and db.session.get(PaymentHistory, worker[0]) is None and audited() == 0
    assert not (folder / job.stored_name).exists()


def test_a_job_speaks_the_language_of_the_administrator_who_uploaded_it(admin, folder, worker, monkeypatch):
    monkeypatch.setattr("campaign_app.signups.payment_status.MAX_ROWS", 1)
    job = queue(f"{HEADER}{worker[1]};aktif;2026-11\n1;aktif;2026-11\n", admin, folder, language="id")
    ended = run_payment_import(job.id, folder, clock_at(NOW))
    assert ended.state == ImportState.FAILED and "nothing changed" not in ended.error and "1" in ended.error


def test_an_error_of_the_server_fails_the_job_and_writes_nothing(admin, folder, worker, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("campaign_app.signups.payment_status.payment_batches.upsert_histories", broken)
    job = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder)
    ended = run_payment_import(job.id, folder, clock_at(NOW))
    assert ended.state == ImportState.FAILED and "error of the server" in ended.error and "disk" not in ended.error
    assert db.session.get(PaymentHistory, worker[0]) is None and audited() == 0


def test_a_missing_file_fails_the_job(admin, folder, worker):
    job = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder)
    (folder / job.stored_name).unlink()
    ended = run_payment_import(job.id, folder, clock_at(NOW))
    assert ended.state == ImportState.FAILED and "no longer stored" in ended.error


def test_an_ended_job_is_not_run_again(admin, folder, worker):
    job = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder)
    run_payment_import(job.id, folder, clock_at(NOW))
    assert run_payment_import(job.id, folder, clock_at(NOW)) is None and audited() == 1


def test_the_same_file_imported_again_by_a_new_job_changes_nothing(admin, folder, worker):
    data = f"{HEADER}{worker[1]};aktif;2026-11\n"
    run_payment_import(queue(data, admin, folder, key="a" * 32).id, folder, clock_at(NOW))
    again = run_payment_import(queue(data, admin, folder, key="b" * 32).id, folder, clock_at(NOW))
    assert (again.matched, again.unchanged) == (0, 1)


# --- one at a time, and stalled jobs --------------------------------------------------------------

def _running(job: PaymentImport, beat) -> None:
    db.session.execute(update(PaymentImport).where(PaymentImport.id == job.id)
                       .values(state=ImportState.RUNNING, running_slot=1, attempts=1, heartbeat_at=beat))
    db.session.commit()


def test_a_job_waits_while_another_runs(admin, folder, worker):
    first = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder, key="a" * 32)
    second = queue(f"{HEADER}{nik_for(serial=9)};aktif;2026-11\n", admin, folder, key="b" * 32)
    _running(first, NOW)
    assert run_payment_import(second.id, folder, clock_at(NOW)) is None
    assert db.session.get(PaymentImport, second.id, populate_existing=True).state == ImportState.PENDING
    assert next_waiting_import(NOW) is None


def test_a_stalled_job_is_run_again_from_its_file(admin, folder, worker):
    job = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder)
    _running(job, NOW - STALLED_AFTER - timedelta(seconds=1))
    assert stalled(db.session.get(PaymentImport, job.id, populate_existing=True), NOW)
    assert next_waiting_import(NOW) == job.id
    ended = run_payment_import(job.id, folder, clock_at(NOW))
    assert ended.state == ImportState.DONE and ended.attempts == 2 and ended.matched == 1


def test_a_job_still_beating_is_not_taken_over(admin, folder, worker):
    job = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder)
    _running(job, NOW - timedelta(seconds=30))
    assert run_payment_import(job.id, folder, clock_at(NOW)) is None


def test_a_job_stalled_too_often_fails_with_a_message(admin, folder, worker):
    job = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder)
    _running(job, NOW - STALLED_AFTER - timedelta(minutes=1))
    db.session.execute(update(PaymentImport).where(PaymentImport.id == job.id).values(attempts=MAX_ATTEMPTS))
    db.session.commit()
    ended = run_payment_import(job.id, folder, clock_at(NOW))
    assert ended.state == ImportState.FAILED and "stopped each time" in ended.error and ended.running_slot is None
    assert db.session.get(PaymentHistory, worker[0]) is None and not (folder / job.stored_name).exists()


def test_the_waiting_jobs_run_oldest_first(admin, folder, worker):
    first = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, folder, key="a" * 32)
    second = queue(f"{HEADER}{nik_for(serial=9)};aktif;2026-11\n", admin, folder, key="b" * 32)
    assert run_waiting_imports(folder, clock_at(NOW)) == [first.id, second.id]
    assert run_waiting_imports(folder, clock_at(NOW)) == []


# --- the worker's command ---------------------------------------------------------------------------

def test_the_worker_command_runs_the_waiting_jobs_and_says_what_each_did(app, admin, worker):
    from campaign_app.signups.payment_imports import current_folder

    job = queue(f"{HEADER}{worker[1]};aktif;2026-11\n", admin, current_folder())
    result = app.test_cli_runner().invoke(args=["payments", "work"])
    assert result.exit_code == 0, result.output
    assert f"Import {job.id} (status.csv, 2026-11): done, 1 rows, 1 matched, 0 unknown, 0 invalid." in result.output
    assert db.session.get(PaymentHistory, worker[0]) is not None
    assert app.test_cli_runner().invoke(args=["payments", "work"]).output == ""
