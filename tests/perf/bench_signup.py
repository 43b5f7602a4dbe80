"""Benchmark: the server time of a sign-up POST against a bare Flask route, on the same app and machine.

    .venv/bin/python -m tests.perf.bench_signup                  # SQLite in a temporary file
    .venv/bin/python -m tests.perf.bench_signup postgresql://root@127.0.0.1:5432/test

The sign-up POST does everything a real one does (session, access rule, form, NIK check, blind index,
encryption, duplicate and near-duplicate look-ups, contribution, insert, commit, redirect); the bare
route returns a constant. Both go through Flask's test client, so the ratio is the app's own cost.
Not a test: it prints p50/p95 in milliseconds and the ratio of the medians for the README.
"""

import statistics
import sys
import time
from datetime import date, timedelta

from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from campaign_app.demo.seed import DEMO_PASSWORD, seed_demo
from campaign_app.extensions import db
from campaign_app.regions.load import load_regions
from tests.conftest import make_app
from tests.factories import in_progress_visit, make_officer, nik_for
from tests.perf.scratch import scratch_database

RUNS = 300
WARM_UP = 20


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(label: str, request, runs: int) -> float:
    for n in range(WARM_UP):
        request(-n - 1)
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        request(n)
        samples.append((time.perf_counter() - started) * 1000)
    median = statistics.median(samples)
    print(f"{label:<34} p50 {median:7.2f} ms   p95 {percentile(samples, 0.95):7.2f} ms   ({runs} runs)")
    return median


def bench(url: str) -> None:
    app = make_app(url)

    @app.post("/bench/bare")
    def bare():
        return "ok"

    with app.app_context():
        upgrade()
        load_regions(["72"])
        seed_demo()
        officer = make_officer()
        visit = in_progress_visit(officer)
        db.session.commit()
        username, visit_id = officer.username, visit.id

    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 303, "the benchmark officer could not sign in"

    def sign_up(n: int) -> None:
        serial = n + WARM_UP + 1
        response = client.post(f"/signups/visits/{visit_id}/new", data={
            # One birth date per worker: every NIK differs, and no two are near-duplicates.
            "form_key": f"bench{serial:027d}",  # the shape of the keys the form makes
            "nik": nik_for(birth_date=date(1960, 1, 1) + timedelta(days=serial), serial=1),
            "full_name": f"Pekerja Bench {serial}", "phone": "0812 3456 7890", "occupation": "farmer",
            "sector": "bpu", "declared_income": "1.500.000", "payer": "self", "consent": "y",
        })
        assert response.status_code == 303, f"sign-up {serial} was not saved: {response.get_data(as_text=True)}"

    def bare_post(n: int) -> None:
        assert client.post("/bench/bare").status_code == 200

    print(f"database: {make_url(url).get_backend_name()}")
    bare_median = timed("bare Flask route (POST)", bare_post, RUNS)
    signup_median = timed("sign-up POST (saved, 303)", sign_up, RUNS)
    print(f"ratio of medians: {signup_median / bare_median:.1f}x")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    with scratch_database(sys.argv[1] if len(sys.argv) > 1 else None) as url:
        bench(url)


if __name__ == "__main__":
    main()
