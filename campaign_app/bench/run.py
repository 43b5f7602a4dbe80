"""``flask bench run``: the server time of each dashboard view, through the app's test client, signed in.

Each view is asked for a few times to warm up, then ``runs`` times; the table gives the median and 95th
percentile in milliseconds, the SQL statements a request sends (counted on the engine), their time and the
time of the slowest one (from execute to return, in the last run), and the size of the answer (the export's
whole body is read). Requests run outside any application context of their own, as a server's would: each
pushes its own, so nothing (user, session) is cached between them.
"""

import gc
import gzip
import os
import platform
import re
import resource
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, url_for
from sqlalchemy import event, func, select, text

from campaign_app.access import visible_branch_ids
from campaign_app.bench.presets import BENCH_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import Campaign, SignUp, User, Village, Visit
from campaign_app.models.payments import month_start
from campaign_app.reports.breakdowns import DIMENSIONS
from campaign_app.reports.retention_breakdowns import RETENTION_DIMENSIONS
from campaign_app.summaries.retention import latest_reported_month

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PERIOD_DAYS = 30


class CannotRun(RuntimeError):
    """No such viewer, a wrong password, or no data to look at; the message says which."""


@dataclass(frozen=True)
class View:
    name: str
    url: str
    htmx: bool = False


@dataclass
class Timing:
    """One view's samples (milliseconds) and what its last answer was."""

    view: View
    samples: list[float] = field(default_factory=list)
    statements: int = 0
    # Milliseconds the last request spent in its statements, from execute to return.
    sql_ms: float = 0.0
    # The longest statement of the last request: milliseconds from execute to its return, and its SQL.
    slowest: tuple[float, str] = (0.0, "")
    size: int = 0
    gzip_size: int = 0
    status: int = 0

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _branch_filter(column, visible: set[int] | None):
    return [] if visible is None else [column.in_(sorted(visible))]


def dashboard_views(username: str) -> list[View]:
    """The views to time, with filter values taken from what ``username`` sees: the regency and the two
    campaigns with the most visits. Needs an application context."""
    viewer = db.session.scalar(select(User).where(User.username == username))
    if viewer is None:
        raise CannotRun(f"There is no user {username!r}: load the data with flask bench seed first.")
    visible = visible_branch_ids(viewer)
    regency = func.substr(Visit.village_code, 1, 5)
    regency_code = db.session.scalar(select(regency).where(*_branch_filter(Visit.branch_id, visible))
                                     .group_by(regency).order_by(func.count().desc(), regency).limit(1))
    busiest = (select(Visit.campaign_id).where(*_branch_filter(Visit.branch_id, visible))
               .group_by(Visit.campaign_id).order_by(func.count().desc(), Visit.campaign_id).limit(2))
    campaigns = db.session.execute(select(Campaign.id, Campaign.starts_on).where(Campaign.id.in_(busiest))
                                   .order_by(Campaign.id)).all()
    if regency_code is None or len(campaigns) < 2:
        raise CannotRun(f"{username} sees fewer than two campaigns with visits: nothing to time.")
    (first, starts_on), (second, _starts) = campaigns
    views = [View("dashboard", url_for("reports.dashboard"))]
    views += [View(f"by {by}", url_for("reports.dashboard", by=by)) for by in DIMENSIONS]
    views += [
        View("regency filter", url_for("reports.dashboard", regency=regency_code)),
        View("campaign + period", url_for("reports.dashboard", campaign=first, date_from=starts_on.isoformat(),
                                          date_to=(starts_on + timedelta(days=PERIOD_DAYS)).isoformat())),
        View("htmx fragment", url_for("reports.dashboard"), htmx=True),
        View("compare 2 campaigns", url_for("reports.compare_campaigns", campaign=[first, second])),
        View("export csv by village", url_for("reports.export", format="csv", by="village")),
    ]
    # Retention (issue 17): what the sign-ups became, from the retention roll-up and the payment histories.
    reported = latest_reported_month()
    views += [View(f"retention by {by}", url_for("reports.retention_page", by=by)) for by in RETENTION_DIMENSIONS]
    views += [
        View("retention, regency filter", url_for("reports.retention_page", regency=regency_code)),
        View("retention of the dashboard (htmx)", url_for("reports.retention_summary"), htmx=True),
        View("survival curves", url_for("reports.survival")),
        View("active participants", url_for("reports.active")),
        View("active participants, regency", url_for("reports.active", regency=regency_code)),
        View("export retention by campaign", url_for("reports.export", format="csv", table="retention_breakdown",
                                                     by="campaign")),
        View("export active participants", url_for("reports.export", format="csv", table="active",
                                                   month=f"{month_start(reported):%Y-%m}" if reported else None)),
    ]
    return views


def describe_data() -> str:
    """The database, the machine and the amount of data, in one line."""
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        version = "PostgreSQL " + db.session.execute(text("SHOW server_version")).scalar_one().split()[0]
    else:
        version = "SQLite " + sqlite3.sqlite_version
    counts = [db.session.scalar(select(func.count()).select_from(model)) for model in (Village, Visit, SignUp)]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{version}; {counts[0]:,} villages, {counts[1]:,} visits, {counts[2]:,} sign-ups; "
            f"{os.cpu_count()} CPUs, {memory:.0f} GB RAM, Python {platform.python_version()}")


def sign_in(client, username: str) -> None:
    """Sign ``client`` in through the login form (with its CSRF token when the app checks them)."""
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_INPUT.search(page)
    data = {"username": username, "password": BENCH_PASSWORD, **({"csrf_token": token.group(1)} if token else {})}
    if client.post("/login", data=data).status_code != 303:
        raise CannotRun(f"Could not sign in as {username} with the benchmark password.")


def run_bench(app: Flask, username: str, runs: int, warm_up: int,
              echo: Callable[[str], None] = lambda line: None) -> list[Timing]:
    """Time every dashboard view for ``username``: ``warm_up`` requests, then ``runs`` timed ones each. Raises
    ``CannotRun`` before timing anything when the viewer or the data is missing."""
    with app.app_context():
        engine = db.engine
        echo(describe_data())
    with app.test_request_context():
        views = dashboard_views(username)
    client = app.test_client()
    sign_in(client, username)
    statements: list[tuple[float, str]] = []
    started_at: list[float] = []

    def before(*_args):
        started_at.append(time.perf_counter())

    def after(_connection, _cursor, statement, *_args):
        statements.append(((time.perf_counter() - started_at.pop()) * 1000, statement))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    timings = []
    # As a gunicorn worker does once the app is loaded (gunicorn.conf.py, post_worker_init); undone after the
    # timing, so that a process running the bench among other work (the tests) collects as before.
    gc.freeze()
    try:
        for view in views:
            timing = Timing(view)
            headers = {"HX-Request": "true"} if view.htmx else {}
            for n in range(warm_up + runs):
                statements.clear()
                started = time.perf_counter()
                response = client.get(view.url, headers=headers)
                body = response.get_data()
                elapsed = (time.perf_counter() - started) * 1000
                response.close()
                if n >= warm_up:
                    timing.samples.append(elapsed)
                if response.status_code != 200 or n == warm_up + runs - 1:
                    timing.status, timing.statements, timing.size = response.status_code, len(statements), len(body)
                    timing.sql_ms = sum(duration for duration, _sql in statements)
                    timing.slowest = max(statements, default=(0.0, ""))
                if response.status_code != 200:
                    break
            timing.gzip_size = len(gzip.compress(body))
            timings.append(timing)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        gc.unfreeze()
    return timings


def table(timings: list[Timing], runs: int, show_sql: bool = False) -> list[str]:
    """The timings as lines of a table (with ``show_sql``, each view's slowest statement under it), then the
    process's peak memory."""
    lines = [f"{'view':<24}{'p50 ms':>9}{'p95 ms':>9}{'statements':>11}{'sql ms':>9}{'slowest':>9}{'bytes':>12}"
             f"{'gzip':>10}{'status':>7}"]
    for timing in timings:
        p50 = f"{timing.p50:9.1f}" if timing.samples else f"{'-':>9}"
        p95 = f"{timing.p95:9.1f}" if timing.samples else f"{'-':>9}"
        lines.append(f"{timing.view.name:<24}{p50}{p95}{timing.statements:>11}{timing.sql_ms:>9.1f}{timing.slowest[0]:>9.1f}"
                     f"{timing.size:>12,}{timing.gzip_size:>10,}{timing.status:>7}")
        if show_sql:
            lines.append("    " + " ".join(timing.slowest[1].split()))
    # Linux gives ru_maxrss in kilobytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"{runs} timed runs per view; peak RSS of this process {peak:.0f} MB.")
    return lines
