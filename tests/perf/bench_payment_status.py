"""Benchmark: import a monthly payment status file of N rows (all matched), then the same file again (unchanged);
then, through an import job as the upload's thread or ``flask payments work`` runs it (progress committed every
batch), the same file a third time (unchanged: the progress commits' cost, against the second) and the next
month's file (every row matched again).

    .venv/bin/python -m tests.perf.bench_payment_status postgresql://root@127.0.0.1:5432/test 1000000
    .venv/bin/python -m tests.perf.bench_payment_status sqlite 1000000
    .venv/bin/python -m tests.perf.bench_payment_status postgresql://… 100000 --memory   # tracemalloc's peak

Not a test: it prints, per import, the seconds (wall), the CPU seconds of this process and, on a local PostgreSQL, of
its server process (so that a busy machine's figures can be read), and the process's peak resident memory while
importing (VmHWM, reset before each import). With ``--memory`` the Python heap's peak too (tracemalloc slows the
import down, so time and memory come from separate runs).
"""

import os
import sys
import tempfile
import time
import tracemalloc
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, select, text

from campaign_app.demo.seed import seed_demo
from campaign_app.extensions import db
from campaign_app.models import SignUp, User
from campaign_app.regions.load import load_regions
from campaign_app.signups.payment_status import apply_payment_status_file
from campaign_app.signups.personal_data import encrypt_nik, nik_index
from campaign_app.summaries import rebuild_after
from tests.conftest import make_app
from tests.perf.scratch import scratch_database

CHUNK = 10_000


def _signups(count: int) -> list[str]:
    """``count`` sign-ups copied from a demo one, with NIKs of their own; their NIKs."""
    template = db.session.scalars(select(SignUp).limit(1)).one()
    columns = {c.key: getattr(template, c.key) for c in SignUp.__table__.columns if c.key != "id"}
    niks = [f"7271{n:012d}" for n in range(count)]
    # Loaded around the ORM and summarised once at the end: recounting the visit after each chunk (bulk_execute)
    # would read its growing sign-ups a hundred times.
    with rebuild_after(db.session.connection()):
        for start in range(0, count, CHUNK):
            db.session.execute(insert(SignUp), [
                {**columns, "form_key": f"bench-{n}", "nik_ciphertext": encrypt_nik(nik), "nik_index": nik_index(nik),
                 "nik_last4": nik[-4:], "status": "registered"}
                for n, nik in enumerate(niks[start:start + CHUNK], start)])
    db.session.commit()
    return niks


def _peak_rss_mb() -> float:
    """This process's peak resident memory since the last ``_reset_peak_rss`` (Linux's VmHWM)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def _reset_peak_rss() -> None:
    # Writing 5 to clear_refs resets VmHWM to the current resident size (Linux 4.0 and later).
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


def _server_cpu(pids: list[int]) -> float | None:
    """CPU seconds of the PostgreSQL server processes serving this database's connections, when they run on this
    machine."""
    total = None
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total = (total or 0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _as_job(data, month: date, admin: User, key: str):
    """Queue ``data`` as an upload would and run its job as its thread would (its progress committed every batch,
    on a connection of its own); the report."""
    from campaign_app.signups.payment_imports import queue_payment_import, report_of, run_payment_import

    with tempfile.TemporaryDirectory() as folder:
        job = queue_payment_import(data, file_name="bench.csv", month=month, actor=admin, upload_key=key,
                                   language="en", folder=Path(folder), now=datetime.now(UTC))
        db.session.commit()
        ended = run_payment_import(job.id, Path(folder))
        assert ended is not None and ended.state == "done", ended and ended.error
        return report_of(ended)


def _backends() -> list[int]:
    """The server processes of this database's connections (the pool's, opened beforehand)."""
    if db.engine.dialect.name != "postgresql":
        return []
    return list(db.session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                        "AND backend_type = 'client backend'")))


def _open_pool() -> None:
    # The job's progress takes a second connection: open it now, so that its server process is counted too.
    connections = [db.engine.connect() for _ in range(3)]
    for connection in connections:
        connection.close()


def run(url: str, rows: int, memory: bool) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade()
        load_regions(["72"])
        seed_demo()
        db.session.commit()
        niks = _signups(rows)
        admin = db.session.scalars(select(User).where(User.username == "admin")).one()
        month = date(2026, 12, 1)
        with ExitStack() as stack:
            upload = stack.enter_context(tempfile.TemporaryFile())
            for nik in ["nik;status;periode_terakhir"] + [f"{nik};aktif;2026-12" for nik in niks]:
                upload.write(f"{nik}\n".encode())
            size = upload.tell()
            _open_pool()
            backends = _backends()
            next_month = stack.enter_context(tempfile.TemporaryFile())
            for nik in ["nik;status;periode_terakhir"] + [f"{nik};aktif;2027-01" for nik in niks]:
                next_month.write(f"{nik}\n".encode())
            attempts = [("first upload (all matched)", upload, month, False),
                        ("same file again (unchanged)", upload, month, False),
                        ("job: same file (unchanged)", upload, month, True),
                        ("job: next month (all matched)", next_month, date(2027, 1, 1), True)]
            for attempt, data, file_month, as_job in attempts:
                data.seek(0)
                if memory:
                    tracemalloc.start()
                _reset_peak_rss()
                rss_before = _peak_rss_mb()
                server_before = _server_cpu(backends)
                started, cpu_started = time.perf_counter(), time.process_time()
                if as_job:
                    report = _as_job(data, file_month, admin, f"bench-{len(attempt)}-{file_month:%Y%m}")
                else:
                    report = apply_payment_status_file(data, file_month, admin, datetime.now(UTC))
                    db.session.commit()
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
                server = _server_cpu(backends)
                server_cpu = f" + server {server - server_before:6.2f}" if server is not None else ""
                peak = tracemalloc.get_traced_memory()[1] / 2**20 if memory else None
                tracemalloc.stop()
                print(f"{db.engine.dialect.name:<10} {rows:>9,} rows ({size / 2**20:.1f} MB) {attempt:<28} "
                      f"{seconds:7.2f} s (CPU: app {cpu:6.2f}{server_cpu})  "
                      f"RSS {rss_before:.0f} → peak {_peak_rss_mb():.0f} MB  "
                      f"matched {report.matched:,} unchanged {report.unchanged:,}"
                      + (f"  heap peak {peak:.1f} MB" if peak is not None else ""), flush=True)
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    server = arguments[0] if arguments and arguments[0] != "sqlite" else None
    rows = int(arguments[1]) if len(arguments) > 1 else 100_000
    with scratch_database(server) as url:
        run(url, rows, "--memory" in sys.argv)


if __name__ == "__main__":
    main()
