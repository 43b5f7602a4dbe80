"""Payment status files applied outside the upload's request: the upload stores the file and queues a job
(``models.imports.PaymentImport``); a runner applies it (``run_payment_import``) and commits its progress as it
goes; the upload's page polls that progress and ends on the report.

Who runs a job (``PAYMENT_IMPORT_RUNNER``): a thread the upload starts, with an app context of its own, for a
single-process deployment ("thread"); a separate process, ``flask payments work --watch``, for a deployment with a
worker ("worker"); or the upload's own request ("request", the tests). All three call ``run_payment_import``.

What a job promises is what the import promised in the request: the file is applied whole or not at all. The rows,
the histories, the retention roll-up, the audit entry and the job's report are committed together, once, at the
end; a refused file, a failure or a dead process leaves nothing written. The progress (rows read, matched, unknown,
invalid so far) is committed apart, in a short transaction of its own every batch (``payment_status.BATCH`` rows),
on a session of its own. On SQLite, a database of one writer, the progress of the writing phase is not committed
while the import holds the write lock (the page shows the phase and the counts read).

A job whose process died stops beating (``heartbeat_at``); after ``STALLED_AFTER`` it is stalled, and since nothing
of it was written it is run again from its stored file: by the worker, by the next job's thread, or by an
administrator's "resume" on its page. After ``MAX_ATTEMPTS`` starts it fails with a message that says so. One job runs
at a time (``running_slot``): two files applied at once would count the retention roll-up's changes twice.
"""

import hashlib
import logging
import os
import secrets
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaign_app.database import added_first
from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.i18n import gettext as _
from campaign_app.models import ImportPhase, ImportState, PaymentImport, User
from campaign_app.models.people import utcnow
from campaign_app.private_files import private_folder
from campaign_app.signups.activation import InvalidRow
from campaign_app.signups.payment_status import (
    PaymentStatusRefused,
    PaymentStatusReport,
    UnknownRow,
    apply_payment_status_file,
    check_payment_file,
)

log = logging.getLogger(__name__)

# A running job that has not beaten for this long is stalled: its process died (a restart, a crash).
STALLED_AFTER = timedelta(minutes=10)
# A job started this many times without ending is failed rather than started again.
MAX_ATTEMPTS = 3
# The bytes copied at a time when the upload is stored.
CHUNK = 1 << 20
WAITING = (ImportState.PENDING, ImportState.RUNNING)


def import_folder(app: Flask) -> Path:
    """The private folder (0700) where uploaded payment status files wait for their job: ``PAYMENT_IMPORT_FOLDER``,
    by default the instance folder's ``uploads/payment-status`` (shared with the worker, where one runs)."""
    configured = app.config.get("PAYMENT_IMPORT_FOLDER")
    folder = Path(configured) if configured else Path(app.instance_path) / "uploads" / "payment-status"
    private_folder(folder)
    return folder


# --- queueing ----------------------------------------------------------------------------------------

def queue_payment_import(upload: IO[bytes], *, file_name: str, month: date, actor: User, upload_key: str,
                         language: str, folder: Path, now: datetime) -> PaymentImport:
    """Store an uploaded payment status file in ``folder`` and queue the job that applies it; the job.

    A file whose first lines already show it cannot be imported is refused at once (``PaymentStatusRefused``):
    nothing is stored. The same form sent again (``upload_key``) finds the first job, as does the same file for the
    same month while its job is waiting or running: one job per file at a time. ``language`` is the one its report
    and messages are written in. Flushes, never commits.
    """
    first = _job_with_key(upload_key)
    if first is not None:
        return first
    check_payment_file(upload)
    stored_name, size, digest = _store(upload, folder)
    waiting = db.session.scalar(select(PaymentImport).where(PaymentImport.digest == digest,
                                                            PaymentImport.month == month,
                                                            PaymentImport.state.in_(WAITING)))
    if waiting is not None:
        (folder / stored_name).unlink(missing_ok=True)
        return waiting
    job = PaymentImport(upload_key=upload_key, month=month, file_name=_display_name(file_name),
                        stored_name=stored_name, size_bytes=size, digest=digest, language=language,
                        state=ImportState.PENDING, attempts=0, bytes_read=0, rows_read=0, matched=0, unchanged=0,
                        not_paid=0, unknown_count=0, invalid_count=0, created_by_id=actor.id, created_at=now)
    if not added_first(job):
        # The same form, sent twice at once: the other request stored its job first.
        (folder / stored_name).unlink(missing_ok=True)
        first = _job_with_key(upload_key)
        assert first is not None
        return first
    return job


def _job_with_key(upload_key: str) -> PaymentImport | None:
    return db.session.scalar(select(PaymentImport).where(PaymentImport.upload_key == upload_key))


def _display_name(file_name: str) -> str:
    name = "".join(ch for ch in os.path.basename(file_name or "") if ch.isprintable()).strip()
    return name[:200] or "-"


def _store(upload: IO[bytes], folder: Path) -> tuple[str, int, str]:
    """Copy the upload into ``folder`` under a random name (0600); its name, size and SHA-256."""
    stored_name = secrets.token_hex(16)
    digest, size = hashlib.sha256(), 0
    partial = folder / f"{stored_name}.part"
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        while chunk := upload.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    partial.rename(folder / stored_name)
    return stored_name, size, digest.hexdigest()


# --- running -----------------------------------------------------------------------------------------

def stalled(job: PaymentImport, now: datetime) -> bool:
    """Whether ``job`` waits or runs but nothing has moved it for ``STALLED_AFTER`` (its process died)."""
    if job.state not in WAITING:
        return False
    last = job.heartbeat_at or job.created_at
    return _aware(last) < now - STALLED_AFTER


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes (stored in UTC).
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=utcnow().tzinfo)


def run_payment_import(job_id: int, folder: Path, clock=utcnow) -> PaymentImport | None:
    """Apply the job ``job_id`` if it waits, or runs stalled; the job as it ended, or None when it was not this
    call's to run (ended, running elsewhere, or another job holds the running slot).

    The function the upload's thread, the worker and the tests call. Commits: the claim, the progress every batch
    (on a session of its own), and the file's changes with the job's report, together, at the end; on a refusal or
    a failure everything of the file is rolled back and the job is failed with the reason, in its language.
    """
    job = db.session.get(PaymentImport, job_id)
    if job is None or job.ended:
        return None
    with force_locale(job.language):
        now = clock()
        if job.state == ImportState.RUNNING and stalled(job, now) and job.attempts >= MAX_ATTEMPTS:
            _fail(job_id, _("The import was started %(times)d times and stopped each time before its end (the "
                            "process running it stopped). Nothing was written. Split the file into smaller files "
                            "and upload them.", times=job.attempts), now, expected=ImportState.RUNNING)
            _discard_file(folder, job)
            return db.session.get(PaymentImport, job_id)
        progress = _Progress(job_id)
        try:
            if not _claim(job_id, now, progress.live):
                return None
            db.session.refresh(job)
            _apply(job, folder, clock, progress)
        finally:
            progress.close()
        _discard_file(folder, job)
        return db.session.get(PaymentImport, job_id)


def run_waiting_imports(folder: Path, clock=utcnow) -> list[int]:
    """Run the jobs that wait (and the stalled ones), oldest first, until none is left; the ids of those run."""
    done: list[int] = []
    while (job_id := next_waiting_import(clock())) is not None and job_id not in done:
        if run_payment_import(job_id, folder, clock) is None:
            break
        done.append(job_id)
    return done


def next_waiting_import(now: datetime) -> int | None:
    """The job to run next: a stalled running one first (it holds the running slot), else the oldest pending one
    while no job runs."""
    job = PaymentImport.__table__.c
    stalled_running = db.session.scalar(select(job.id).where(job.state == ImportState.RUNNING,
                                                             job.heartbeat_at < now - STALLED_AFTER)
                                        .order_by(job.id).limit(1))
    if stalled_running is not None:
        return stalled_running
    if db.session.scalar(select(job.id).where(job.state == ImportState.RUNNING).limit(1)) is not None:
        return None
    return db.session.scalar(select(job.id).where(job.state == ImportState.PENDING).order_by(job.id).limit(1))


def _claim(job_id: int, now: datetime, live: bool) -> bool:
    """Take the job and the running slot, in a short transaction of its own; False when another run has it. Without
    ``live`` progress the job shows no phase while it runs."""
    job = PaymentImport.__table__.c
    claim = (update(PaymentImport.__table__)
             .where(job.id == job_id, or_(job.state == ImportState.PENDING,
                                          and_(job.state == ImportState.RUNNING,
                                               job.heartbeat_at < now - STALLED_AFTER)))
             .values(state=ImportState.RUNNING, running_slot=1, attempts=job.attempts + 1,
                     phase=ImportPhase.READING if live else None, started_at=now, heartbeat_at=now, bytes_read=0,
                     rows_read=0, matched=0, unchanged=0, not_paid=0, unknown_count=0, invalid_count=0))
    try:
        with db.session.begin_nested():
            claimed = db.session.execute(claim).rowcount == 1
    except IntegrityError:
        # Another job holds the running slot: this one waits for it (its runner takes the next one).
        db.session.rollback()
        return False
    db.session.commit()
    return claimed


def _apply(job: PaymentImport, folder: Path, clock, progress: "_Progress") -> None:
    job_id, started = job.id, clock()
    progress.size = job.size_bytes
    try:
        with open(folder / job.stored_name, "rb") as upload:
            progress.upload = upload
            report = apply_payment_status_file(upload, job.month, job.created_by, started, progress=progress)
        _finish(job, report, clock())
        db.session.commit()
    except PaymentStatusRefused as refused:
        db.session.rollback()
        _fail(job_id, _("The file was refused; nothing changed.") + " " + refused.message, clock())
    except FileNotFoundError:
        db.session.rollback()
        _fail(job_id, _("The uploaded file is no longer stored; nothing changed. Upload it again."), clock())
    except Exception:
        db.session.rollback()
        log.exception("payment status import %s failed", job_id)
        _fail(job_id, _("The import stopped on an error of the server; nothing changed. Upload the file again; "
                        "if it fails again, tell the person who runs Jangkau."), clock())


def _finish(job: PaymentImport, report: PaymentStatusReport, now: datetime) -> None:
    """The job's report, written with the file's changes (one commit)."""
    job.state, job.running_slot, job.phase = ImportState.DONE, None, None
    job.rows_read, job.matched, job.unchanged, job.not_paid = report.rows, report.matched, report.unchanged, \
        report.not_paid
    job.unknown_count, job.invalid_count = report.unknown_count, report.invalid_count
    job.bytes_read, job.finished_at, job.heartbeat_at = job.size_bytes, now, now
    job.listed = {"invalid": [[row.line, row.nik, row.reason] for row in report.invalid],
                  "unknown": [[row.line, row.nik] for row in report.unknown]}


def _fail(job_id: int, message: str, now: datetime, expected: str = ImportState.RUNNING) -> None:
    job = PaymentImport.__table__.c
    db.session.execute(update(PaymentImport.__table__).where(job.id == job_id, job.state == expected)
                       .values(state=ImportState.FAILED, running_slot=None, phase=None, error=message,
                               finished_at=now, heartbeat_at=now))
    db.session.commit()


def _discard_file(folder: Path, job: PaymentImport) -> None:
    """An ended job's file is deleted: it holds every participant's NIK, and nothing reads it again."""
    db.session.refresh(job)
    if job.ended:
        (folder / job.stored_name).unlink(missing_ok=True)


class _Progress:
    """Commits a running job's counts and heartbeat, each batch, on a session of its own (short transactions).

    Not on SQLite with connections of their own (``live`` false): a write there would end the import (a transaction
    that read before another connection committed may not write: SQLITE_BUSY_SNAPSHOT), so the page shows the job
    running, without counts, until its report. In the tests' one shared connection it is live."""

    def __init__(self, job_id: int):
        self.job_id, self.size = job_id, 0
        self.upload: IO[bytes] | None = None
        self.session: Session = db.session.session_factory()
        self.live = db.engine.dialect.name != "sqlite"
        if not self.live:
            main = db.session.connection().connection.dbapi_connection
            self.live = self.session.connection().connection.dbapi_connection is main
            self.session.rollback()
            db.session.rollback()

    def __call__(self, phase: str, report: PaymentStatusReport) -> None:
        if not self.live:
            return
        job = PaymentImport.__table__.c
        bytes_read = self.size if phase != ImportPhase.READING else self._position()
        self.session.execute(update(PaymentImport.__table__)
                             .where(job.id == self.job_id, job.state == ImportState.RUNNING)
                             .values(phase=phase, bytes_read=bytes_read, rows_read=report.rows,
                                     matched=report.matched, unchanged=report.unchanged, not_paid=report.not_paid,
                                     unknown_count=report.unknown_count, invalid_count=report.invalid_count,
                                     heartbeat_at=utcnow()))
        self.session.commit()

    def _position(self) -> int:
        try:
            return min(self.upload.tell(), self.size) if self.upload is not None else 0
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        self.session.close()


# --- the runners -------------------------------------------------------------------------------------

def start_payment_import(app: Flask, job_id: int) -> None:
    """Have ``job_id`` run as ``PAYMENT_IMPORT_RUNNER`` says: in a thread of this process with its own app context
    (which then runs whatever else waits), in this request's thread (the tests), or not here at all (a worker's
    ``flask payments work`` takes it)."""
    runner = app.config["PAYMENT_IMPORT_RUNNER"]
    if runner == "worker":
        return
    if runner == "request":
        _run_in_app(app, job_id)
        return
    threading.Thread(target=_run_in_app, args=(app, job_id), name=f"payment-import-{job_id}", daemon=True).start()


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            folder = import_folder(app)
            run_payment_import(job_id, folder)
            run_waiting_imports(folder)
        except Exception:
            log.exception("payment status import %s could not run", job_id)
        finally:
            db.session.remove()


# --- reading a job -----------------------------------------------------------------------------------

def payment_import(job_id: int) -> PaymentImport | None:
    """The job ``job_id`` as stored now (its runner commits from elsewhere), or None."""
    return db.session.get(PaymentImport, job_id, populate_existing=True)


def recent_imports(limit: int = 5) -> list[PaymentImport]:
    """The latest jobs, newest first, for the upload page to list (each links its progress or report)."""
    return list(db.session.scalars(select(PaymentImport).order_by(PaymentImport.id.desc()).limit(limit)))


def report_of(job: PaymentImport) -> PaymentStatusReport:
    """A done job's report, as the import made it: the counts and the rows it lists."""
    listed = job.listed or {}
    report = PaymentStatusReport(month=job.month, rows=job.rows_read, matched=job.matched, unchanged=job.unchanged,
                                 not_paid=job.not_paid, unknown_count=job.unknown_count,
                                 invalid_count=job.invalid_count)
    report.invalid = [InvalidRow(line, nik, reason) for line, nik, reason in listed.get("invalid", [])]
    report.unknown = [UnknownRow(line, nik) for line, nik in listed.get("unknown", [])]
    return report


def share_read(job: PaymentImport) -> int:
    """How much of the file has been read, in percent (0 to 100)."""
    if job.ended or job.phase in (ImportPhase.MATCHING, ImportPhase.WRITING):
        return 100
    return min(100, job.bytes_read * 100 // job.size_bytes) if job.size_bytes else 0


def current_folder() -> Path:
    """The upload folder of the running app."""
    return import_folder(current_app._get_current_object())  # type: ignore[attr-defined]
