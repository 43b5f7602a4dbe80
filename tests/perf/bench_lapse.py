"""Benchmark: the pages that act on lapses, on a database loaded by ``flask bench seed`` (province or national).

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 DATA_KEY=… .venv/bin/python -m tests.perf.bench_lapse [runs]

As one branch's coordinator (the branch with the most participants lapsing): where next, the village page with the
most participants lapsing, its list (htmx), the subsidies page and the home page. The bench seed notes no month a
payment file reported, so last month is noted first (as a file of it would). Not a test: it prints p50 / p95 ms and
the SQL statements of each page.
"""

import os
import statistics
import sys
import time
from datetime import date

from sqlalchemy import Integer, event, func, literal, select

from campaign_app.bench.presets import BENCH_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import Branch, PaymentHistory, Role, SignUp, SignUpStatus, User
from campaign_app.models.payments import month_number
from campaign_app.summaries.retention import latest_reported_month, note_reported_month
from campaign_app.villages.lapsing import lapse_standing
from tests.conftest import make_app


def _busiest_village() -> tuple[int, str, int]:
    """The branch and village with the most participants on the list, and how many."""
    standing = lapse_standing()
    assert standing is not None
    row = db.session.execute(
        select(SignUp.branch_id, SignUp.village_code, func.count().label("lapsing"))
        .join(PaymentHistory, PaymentHistory.signup_id == SignUp.id)
        .where(SignUp.status != SignUpStatus.VOID,
               PaymentHistory.paid_through <= literal(standing.month - standing.first_listed, Integer))
        .group_by(SignUp.branch_id, SignUp.village_code).order_by(func.count().desc()).limit(1)).one()
    return row[0], row[1], row[2]


def run(runs: int) -> None:
    app = make_app(os.environ["DATABASE_URL"], DATA_KEY=os.environ.get("DATA_KEY", "test-data-key"))
    with app.app_context():
        if latest_reported_month() is None:
            note_reported_month(db.session.connection(), month_number(date.today()) - 1)
            db.session.commit()
        branch_id, village, lapsing = _busiest_village()
        coordinator = db.session.scalar(select(User.username).where(User.branch_id == branch_id,
                                                                    User.role == Role.COORDINATOR).limit(1))
        branch = db.session.get(Branch, branch_id).name
    print(f"{branch}: {coordinator}; village {village} has {lapsing} participants lapsing")
    client = app.test_client()
    assert client.post("/login", data={"username": coordinator, "password": BENCH_PASSWORD}).status_code == 303
    pages = [("where next", "/villages/where-next", {}), ("village page", f"/villages/{village}", {}),
             ("its list (htmx)", f"/villages/{village}/lapsing", {"HX-Request": "true"}),
             ("subsidies", "/subsidies/", {}), ("home", "/", {})]
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for name, url, headers in pages:
        timings = []
        for attempt in range(runs + 2):
            statements.clear()
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if attempt >= 2:  # two warm-up requests
                timings.append(elapsed)
        p95 = statistics.quantiles(timings, n=20)[18] if len(timings) >= 20 else max(timings)
        print(f"{name:18} p50 {statistics.median(timings):7.1f} ms  p95 {p95:7.1f} ms  "
              f"{len(statements)} statements  {len(response.get_data())} B")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
