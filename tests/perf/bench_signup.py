"""Benchmark: the officer's hot path (the sign-up form GET and POST) against a yardstick, a minimal Flask route that
inserts one row and commits, on the same app, database and machine, in the same run; on the province preset, and
on a second database of the same server grown to the national volume of subsidy programmes and subsidised
sign-ups (``tests.perf.national_volume``).

    .venv/bin/python -m tests.perf.bench_signup                  # SQLite in a temporary file
    .venv/bin/python -m tests.perf.bench_signup postgresql://root@127.0.0.1:5432/test
    .venv/bin/python -m tests.perf.bench_signup sqlite 60        # fewer rounds (300 unless told)

About four minutes on two cores: the province preset loads in seconds, the growth to national volume takes one
to two minutes (PostgreSQL's databases are scratch ones, dropped afterwards). The output states the volume read.

Every request goes through Flask's test client. The sign-up POST does everything a real one does (session, access
rule, form, NIK check, blind index, encryption, duplicate and near-duplicate look-ups, contribution, insert, the
summaries kept after the flush, commit, redirect); the subsidised one also checks the programme's quota, before the
insert and again under the programme's row lock. The yardstick checks a connection out of the same pool, inserts
one row into a table of its own and commits. Each round sends every request of both scales in turn, so that a busy
moment of a shared machine falls on all of them alike: the ratios to the yardstick and the growth from province
to national volume compare requests timed side by side. Not a test: it prints p50/p95 in milliseconds, the
ratios, and the budgets of DESIGN.md.
"""

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Column, Integer, MetaData, Table, func, select
from sqlalchemy.engine import make_url

from campaign_app import clock
from campaign_app.bench.presets import PRESETS
from campaign_app.bench.seed import seed_bench
from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import (
    Branch,
    Campaign,
    District,
    Role,
    SubsidyProgramme,
    Village,
    VisitStatus,
    branch_regencies,
)
from campaign_app.signups.consent import consent_text_on
from campaign_app.subsidies.service import used_quota
from campaign_app.summaries import SignUpTally, drift
from campaign_app.users.service import create_user
from tests.conftest import make_app
from tests.factories import make_visit, nik_for
from tests.perf.national_volume import NATIONAL_PROGRAMMES, NATIONAL_SIGNUPS, NATIONAL_SUBSIDISED, grow_to_national
from tests.perf.national_volume import volume as hot_path_volume
from tests.perf.scratch import scratch_database

RUNS = 300
WARM_UP = 20
BUDGETS = {"form GET": 2.0, "sign-up POST": 4.0, "sign-up POST, subsidised": 4.0}
GROWTH_BUDGET = 1.2
YARDSTICK = "yardstick: insert one row, commit"
PROVINCE, NATIONAL = "province", "national volume"
yardstick_rows = Table("bench_yardstick", MetaData(), Column("id", Integer, primary_key=True),
                       Column("n", Integer, nullable=False))


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def add_routes(app: Flask) -> None:
    @app.post("/bench/bare")
    def bare():
        return "ok"

    @app.post("/bench/insert/<int:n>")
    def insert_one_row(n: int):
        db.session.execute(yardstick_rows.insert().values(n=n))
        db.session.commit()
        return "ok"


def bench_officer_at_work(today: date) -> tuple[str, int]:
    """A new officer of the first branch, on a visit of today in progress: (username, visit id)."""
    branch = db.session.scalar(select(Branch).order_by(Branch.id).limit(1))
    campaign = db.session.scalar(select(Campaign).where(
        Campaign.branch_id == branch.id, Campaign.starts_on <= today, Campaign.ends_on >= today).order_by(Campaign.id))
    village = db.session.scalar(
        select(Village.code).join(District, District.code == Village.district_code)
        .join(branch_regencies, branch_regencies.c.regency_code == District.regency_code)
        .where(branch_regencies.c.branch_id == branch.id).order_by(Village.code).limit(1))
    officer = create_user(username="bench-petugas", full_name="Petugas Bench", password=DEMO_PASSWORD,
                          role=Role.OFFICER, branch=branch)
    visit = make_visit(campaign=campaign, village_code=village, on=today, officers=[officer], today=today)
    visit.status = VisitStatus.IN_PROGRESS
    db.session.commit()
    return officer.username, visit.id


def busiest_running_programme(today: date, places_needed: int) -> tuple[int, int]:
    """(id, tallies) of the running programme with the most tallies and ``places_needed`` places left: the most a
    subsidised sign-up's quota check reads."""
    tallies = func.count(SignUpTally.id)
    for programme_id, count in db.session.execute(
            select(SubsidyProgramme.id, tallies).join(SignUpTally, SignUpTally.programme_key == SubsidyProgramme.id)
            .where(SubsidyProgramme.starts_on <= today, SubsidyProgramme.ends_on >= today)
            .group_by(SubsidyProgramme.id).order_by(tallies.desc(), SubsidyProgramme.id)):
        programme = db.session.get(SubsidyProgramme, programme_id)
        if programme.quota - used_quota(programme) >= places_needed:
            return programme_id, count
    raise RuntimeError("no running programme has places left for the benchmark")


class Officer:
    """The benchmark officer's requests, each asserting its answer."""

    def __init__(self, app: Flask, username: str, visit_id: int):
        self.client = app.test_client()
        response = self.client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 303, "the benchmark officer could not sign in"
        self.url = f"/signups/visits/{visit_id}/new"
        self.serial = 0
        self.programme_id: int | None = None
        # The consent text the form shows today, as its hidden field posts it.
        self.consent_version = str(consent_text_on(clock.today()).version)

    def form(self) -> None:
        response = self.client.get(self.url)
        assert response.status_code == 200 and b'name="form_key"' in response.data, "the form did not open"

    def sign_up(self, subsidised: bool = False) -> None:
        self.serial += 1
        serial = self.serial
        response = self.client.post(self.url, data={
            # One birth date per worker: every NIK differs, and no two are near-duplicates.
            "form_key": f"bench{serial:027d}",  # the shape of the keys the form makes
            "nik": nik_for(birth_date=date(1970, 1, 1) + timedelta(days=serial), serial=1),
            "full_name": f"Pekerja Bench {serial}", "phone": "0812 3456 7890", "occupation": "farmer",
            "sector": "bpu", "declared_income": "1.500.000", "payer": "subsidy" if subsidised else "self",
            "subsidy_programme": str(self.programme_id) if subsidised else "", "consent": "y",
            "consent_version": self.consent_version,
        })
        assert response.status_code == 303, f"sign-up {serial} was not saved: {response.get_data(as_text=True)}"


class Yardstick:
    """Requests to the routes of ``add_routes``, from a client that is not signed in."""

    def __init__(self, app: Flask):
        self.client = app.test_client()
        self.rows = 0

    def insert_one_row(self) -> None:
        self.rows += 1
        assert self.client.post(f"/bench/insert/{self.rows}").status_code == 200

    def bare(self) -> None:
        assert self.client.post("/bench/bare").status_code == 200


def timed_rounds(requests: dict[tuple[str, str], Callable[[], None]], runs: int) -> dict[tuple[str, str], list]:
    """Each request once a round, ``runs`` rounds after ``WARM_UP``: milliseconds per request."""
    samples = {key: [] for key in requests}
    for round_ in range(WARM_UP + runs):
        for key, request in requests.items():
            started = time.perf_counter()
            request()
            if round_ >= WARM_UP:
                samples[key].append((time.perf_counter() - started) * 1000)
    return samples


def report(scale: str, samples: dict[str, list[float]]) -> dict[str, float]:
    """Print p50/p95 of each request and its ratio to the yardstick's; returns the medians."""
    base = samples[YARDSTICK]
    base_p50, base_p95 = statistics.median(base), percentile(base, 0.95)
    print(f"\n{scale}:")
    print(f"  {'request':<34}{'p50 ms':>9}{'p95 ms':>9}{'p50/yard':>10}{'p95/yard':>10}  budget (p50)")
    medians = {}
    for label, values in samples.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        medians[label] = p50
        budget = BUDGETS.get(label)
        verdict = "" if budget is None else f"≤ {budget:.0f}×: {'met' if p50 / base_p50 <= budget else 'NOT met'}"
        print(f"  {label:<34}{p50:9.2f}{p95:9.2f}{p50 / base_p50:9.1f}×{p95 / base_p95:9.1f}×  {verdict}")
    return medians


def settle() -> None:
    """After a bulk load, what a database in service would have done by itself meanwhile. SQLite: move the
    write-ahead log into the database (commits that find a log of hundreds of megabytes each try to checkpoint it,
    and the yardstick would time that instead of an insert). PostgreSQL: ANALYZE, as autovacuum would after
    hundreds of thousands of new rows (the planner would otherwise plan on the empty tables' statistics)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)" if db.engine.dialect.name == "sqlite"
                                   else "ANALYZE")


def summaries_consistent() -> str:
    connection = db.session.connection()
    drifted = drift(connection)
    db.session.rollback()
    assert not drifted, f"the summaries drifted: {drifted[:3]}"
    return "summaries.drift() empty"


def commit() -> str:
    """The checked-out commit, marked when the working tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + (" with changes" if dirty.stdout.strip() else "")


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def site(url: str, scale: str, runs: int, today: date) -> tuple[Flask, dict[str, Callable[[], None]]]:
    """An app on ``url`` loaded with the province preset (and, for national volume, grown), with the benchmark
    officer at work: the app and its requests."""
    app = make_app(url)
    add_routes(app)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        seed_bench(PRESETS["province"], today=today)
        print(f"{scale}: province preset seeded in {time.perf_counter() - started:.1f} s")
        yardstick_rows.create(db.engine)
        username, visit_id = bench_officer_at_work(today)
        if scale == NATIONAL:
            started = time.perf_counter()
            spared_branch_id = db.session.scalar(select(Branch.id).order_by(Branch.id).limit(1))
            grow_to_national(db.session, spared_branch_id, today)
            print(f"{scale}: grown in {time.perf_counter() - started:.1f} s (the national preset has "
                  f"{NATIONAL_PROGRAMMES} programmes and {NATIONAL_SUBSIDISED:,} subsidised sign-ups of "
                  f"{NATIONAL_SIGNUPS:,})")
        officer = Officer(app, username, visit_id)
        officer.programme_id, tallies = busiest_running_programme(today, 2 * (WARM_UP + runs))
        print(f"{scale}: {hot_path_volume(db.session, today).describe()}; the subsidised POSTs name programme "
              f"{officer.programme_id} ({tallies:,} tallies)")
        db.session.rollback()
        settle()
    yardstick = Yardstick(app)
    return app, {YARDSTICK: yardstick.insert_one_row, "bare Flask route (POST, constant)": yardstick.bare,
                 "form GET": officer.form, "sign-up POST": officer.sign_up,
                 "sign-up POST, subsidised": lambda: officer.sign_up(subsidised=True)}


def bench(urls: dict[str, str], runs: int) -> None:
    """Time both scales in the same rounds, each on its own database of the same server."""
    backend = make_url(next(iter(urls.values()))).get_backend_name()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit()}, {backend}, "
          f"{os.cpu_count()} cores, {load()}")
    today = clock.today()
    sites = {scale: site(url, scale, runs, today) for scale, url in urls.items()}
    requests = {(scale, label): request for scale, (_app, labelled) in sites.items()
                for label, request in labelled.items()}
    print(f"\n{runs} rounds after {WARM_UP} to warm up, each round every request of both scales in turn; {load()}")
    samples = timed_rounds(requests, runs)
    medians = {scale: report(scale, {label: values for (of, label), values in samples.items() if of == scale})
               for scale in sites}
    print(f"\ngrowth from province to national volume (p50 / p95), budget ≤ {GROWTH_BUDGET}× for the form and the "
          "POSTs:")
    for label, province in medians[PROVINCE].items():
        p95 = percentile(samples[(NATIONAL, label)], 0.95) / percentile(samples[(PROVINCE, label)], 0.95)
        print(f"  {label:<34}{medians[NATIONAL][label] / province:6.2f}× / {p95:.2f}×")
    for scale, (app, _requests) in sites.items():
        with app.app_context():
            print(f"{scale}, after the timed requests: {summaries_consistent()}")
            db.engine.dispose()
    print(load())


def main() -> None:
    server = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "sqlite" else None
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else RUNS
    with scratch_database(server) as province, scratch_database(server) as national:
        bench({PROVINCE: province, NATIONAL: national}, runs)


if __name__ == "__main__":
    main()
