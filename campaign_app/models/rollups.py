"""Roll-ups of visits and sign-ups by month and by day: what a national dashboard reads instead of half a million
visits and a million tallies.

- ``MonthlyResult``: one campaign's visits and live sign-ups in one regency in one month, split by whether the
  visit is done and by subsidy programme (about 13,000 rows at national scale). Figures and the regency,
  channel, occupation and payer breakdowns read it when the selection names no officer, district or village.
- ``DailyResult``: one branch's done visits, attendance, officer-days and live sign-ups on one day (about
  130,000 rows). The trend and the officer-days read it when the selection narrows by branch and dates only.

Both are kept in the same transaction as every change, like the tallies they are counted from. A change marks
the cells it touches (a campaign's month, a branch's day, before and after the change) and each marked cell is
counted again from its visits and tallies: a few rows each. A recount first locks its branches' rows, so two
transactions touching one branch recount in turn and the second one sees the first one's rows (PostgreSQL's
READ COMMITTED takes a fresh snapshot per statement); SQLite has a single writer.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    bindparam,
    func,
    literal,
    select,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from campaign_app.extensions import db
from campaign_app.models.people import Branch
from campaign_app.models.place_totals import officer_results, rebuild_places, recount_places, village_results
from campaign_app.models.tallies import COUNT_COLUMNS, signup_tallies
from campaign_app.models.visits import Visit, VisitOfficer, VisitStatus

REGENCY_CODE_LENGTH = 5  # "72.71": Kemendagri codes nest, so a village's regency is its code's first 5 characters


class month_start(FunctionElement):  # noqa: N801 (an SQL function, named as SQL names them)
    """The first day of the month of a date column, on SQLite and PostgreSQL."""

    type = Date()
    name = "month_start"
    inherit_cache = True


@compiles(month_start, "postgresql")
def _month_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


def first_of_month(day: date) -> date:
    return day.replace(day=1)


# Visit columns summed per cell: only on the programme-less row (programme_key 0), so each visit counts once.
VISIT_SUMS = ("visits", "attendance_women", "attendance_men", "cost")
MONTHLY_KEY = ("branch_id", "campaign_id", "regency_code", "month", "visit_done", "programme_key")

monthly_results = Table(
    "monthly_results", db.metadata,
    Column("id", Integer, primary_key=True),
    Column("branch_id", ForeignKey("branches.id"), nullable=False),
    Column("campaign_id", ForeignKey("campaigns.id"), nullable=False),
    Column("regency_code", String(REGENCY_CODE_LENGTH), nullable=False),
    Column("month", Date, nullable=False),
    Column("visit_done", Boolean, nullable=False),
    Column("programme_key", Integer, nullable=False),
    # Visits that are not cancelled, and what those visits recorded (planned cost until actual cost exists).
    Column("visits", Integer, nullable=False, server_default="0"),
    Column("attendance_women", Integer, nullable=False, server_default="0"),
    Column("attendance_men", Integer, nullable=False, server_default="0"),
    Column("cost", BigInteger, nullable=False, server_default="0"),
    *(Column(name, Integer, nullable=False, server_default="0") for name in COUNT_COLUMNS),
    Index("uq_monthly_results_key", "campaign_id", "month", "regency_code", "visit_done", "programme_key",
          "branch_id", unique=True),
    Index("ix_monthly_results_branch_month", "branch_id", "month"),
)

daily_results = Table(
    "daily_results", db.metadata,
    Column("id", Integer, primary_key=True),
    Column("branch_id", ForeignKey("branches.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("visits_done", Integer, nullable=False, server_default="0"),
    Column("attendance", Integer, nullable=False, server_default="0"),
    # Distinct officers assigned to the branch's done visits that day.
    Column("officer_days", Integer, nullable=False, server_default="0"),
    Column("signups", Integer, nullable=False, server_default="0"),
    Column("activated", Integer, nullable=False, server_default="0"),
    Index("uq_daily_results_key", "branch_id", "day", unique=True),
)
DAILY_SUMS = ("visits_done", "attendance", "officer_days", "signups", "activated")


class MonthlyResult(db.Model):
    """One campaign × regency × month × (visit done or not) × subsidy programme: its visits and sign-ups."""

    __table__ = monthly_results


class DailyResult(db.Model):
    """One branch × day: done visits, their attendance and officer-days, and live sign-ups."""

    __table__ = daily_results


@dataclass
class Cells:
    """The roll-up cells a change touched: (campaign, month) and (branch, day) pairs, villages and officers (their
    all-time totals, ``place_totals``), with their branches."""

    months: set[tuple[int, date]] = field(default_factory=set)
    days: set[tuple[int, date]] = field(default_factory=set)
    villages: set[str] = field(default_factory=set)
    officers: set[int] = field(default_factory=set)
    branches: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.months or self.days or self.villages or self.officers)

    def add(self, branch_id: int | None, campaign_id: int | None, visit_date: date | None,
            village_code: str | None) -> None:
        """Mark the cells of a visit with these columns (a visit not yet complete marks nothing)."""
        if branch_id is None or campaign_id is None or visit_date is None or village_code is None:
            return
        self.branches.add(branch_id)
        self.months.add((campaign_id, first_of_month(visit_date)))
        self.days.add((branch_id, visit_date))
        self.villages.add(village_code)

    def add_visits(self, connection, visit_ids: Iterable[int]) -> None:
        """Mark the cells of these visits as they are now in the database: one statement."""
        ids = sorted(set(visit_ids))
        if not ids:
            return
        rows = connection.execute(select(Visit.branch_id, Visit.campaign_id, Visit.visit_date, Visit.village_code)
                                  .where(Visit.id.in_(ids)))
        for branch_id, campaign_id, visit_date, village_code in rows:
            self.add(branch_id, campaign_id, visit_date, village_code)

    def add_officers_of(self, connection, visit_ids: Iterable[int]) -> None:
        """Mark every officer whose totals these visits count in (assigned, or who recorded a sign-up there): what
        a change to the visits themselves touches. One statement."""
        ids = sorted(set(visit_ids))
        if not ids:
            return
        officers = union(select(VisitOfficer.officer_id).where(VisitOfficer.visit_id.in_(ids)),
                         select(signup_tallies.c.officer_id).where(signup_tallies.c.visit_id.in_(ids)))
        self.officers.update(connection.execute(officers).scalars())


def regency_of(village_code) -> object:
    """SQL for the regency code of a village code column (its first characters: Kemendagri codes nest)."""
    return func.substr(village_code, 1, REGENCY_CODE_LENGTH)


def monthly_rows(visit_conditions: list, tally_conditions: list):
    """A SELECT of roll-up rows (``MONTHLY_KEY``, ``VISIT_SUMS``, ``COUNT_COLUMNS``) counted from the visits and
    tallies meeting the conditions: what a cell holds, or the rows of a period the roll-up does not cover."""
    zero = literal(0)
    done = Visit.status == VisitStatus.DONE
    visits = select(Visit.branch_id, Visit.campaign_id, regency_of(Visit.village_code).label("regency_code"),
                    month_start(Visit.visit_date).label("month"), done.label("visit_done"),
                    zero.label("programme_key"), literal(1).label("visits"),
                    func.coalesce(Visit.attendance_women, 0).label("attendance_women"),
                    func.coalesce(Visit.attendance_men, 0).label("attendance_men"),
                    Visit.planned_cost.label("cost"), *(zero.label(name) for name in COUNT_COLUMNS)
                    ).where(Visit.status != VisitStatus.CANCELLED, *visit_conditions)
    t = signup_tallies.c
    tallies = select(t.branch_id, t.campaign_id, regency_of(t.village_code), month_start(t.visit_date), t.visit_done,
                     t.programme_key, *(zero for _ in VISIT_SUMS), *(t[name] for name in COUNT_COLUMNS)
                     ).where(*tally_conditions)
    both = union_all(visits, tallies).subquery("facts")
    key = [both.c[name] for name in MONTHLY_KEY]
    return select(*key, *(func.sum(both.c[name]).label(name) for name in (*VISIT_SUMS, *COUNT_COLUMNS))
                  ).group_by(*key)


def daily_rows(visit_conditions: list, tally_conditions: list):
    """A SELECT of daily roll-up rows (branch_id, day, ``DAILY_SUMS``) counted from the visits, their officers and
    the tallies meeting the conditions."""
    zero = literal(0)
    done = [Visit.status == VisitStatus.DONE, *visit_conditions]
    attendance = func.coalesce(Visit.attendance_women, 0) + func.coalesce(Visit.attendance_men, 0)
    visits = (select(Visit.branch_id, Visit.visit_date.label("day"), func.count().label("visits_done"),
                     func.sum(attendance).label("attendance"), zero.label("officer_days"),
                     zero.label("signups"), zero.label("activated"))
              .where(*done).group_by(Visit.branch_id, Visit.visit_date))
    officers = (select(Visit.branch_id, Visit.visit_date, zero, zero,
                       func.count(VisitOfficer.officer_id.distinct()), zero, zero)
                .join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
                .where(*done).group_by(Visit.branch_id, Visit.visit_date))
    t = signup_tallies.c
    tallies = (select(t.branch_id, t.visit_date, zero, zero, zero, func.sum(t.signups), func.sum(t.activated))
               .where(*tally_conditions).group_by(t.branch_id, t.visit_date))
    both = union_all(visits, officers, tallies).subquery("facts")
    return (select(both.c.branch_id, both.c.day, *(func.sum(both.c[name]).label(name) for name in DAILY_SUMS))
            .group_by(both.c.branch_id, both.c.day))


def _counted_into(table: Table, rows):
    """INSERT INTO ``table`` the rows of a ``monthly_rows`` or ``daily_rows`` SELECT."""
    return table.insert().from_select([column.name for column in rows.selected_columns], rows)


def _expanding(name: str):
    return bindparam(name, expanding=True)


@cache
def _recount_statements():
    """The four statements of a recount, built once: their cells are bound parameters. Building the roll-ups'
    wide SELECTs anew took several times as long as running them."""
    t = signup_tallies.c

    def in_months(campaign_id, visit_date):
        return [campaign_id.in_(_expanding("campaign_ids")), visit_date >= bindparam("first"),
                visit_date < bindparam("end"), tuple_(campaign_id, month_start(visit_date)).in_(_expanding("months"))]

    def on_days(branch_id, visit_date):
        return [branch_id.in_(_expanding("branch_ids")), visit_date.in_(_expanding("dates")),
                tuple_(branch_id, visit_date).in_(_expanding("days"))]

    months, days = monthly_results.c, daily_results.c
    return (monthly_results.delete().where(months.campaign_id.in_(_expanding("campaign_ids")),
                                           tuple_(months.campaign_id, months.month).in_(_expanding("months"))),
            _counted_into(monthly_results, monthly_rows(in_months(Visit.campaign_id, Visit.visit_date),
                                                        in_months(t.campaign_id, t.visit_date))),
            daily_results.delete().where(days.branch_id.in_(_expanding("branch_ids")),
                                         tuple_(days.branch_id, days.day).in_(_expanding("days"))),
            _counted_into(daily_results, daily_rows(on_days(Visit.branch_id, Visit.visit_date),
                                                    on_days(t.branch_id, t.visit_date))))


def recount(connection, cells: Cells) -> None:
    """Count the marked cells again from their visits and tallies, after locking their branches' rows (in id
    order, so that two transactions lock in the same order)."""
    if not cells:
        return
    if connection.dialect.name == "postgresql":
        # FOR NO KEY UPDATE: it does not wait for the key-share locks that inserting a visit or sign-up takes.
        connection.execute(select(Branch.id).where(Branch.id.in_(sorted(cells.branches)))
                           .order_by(Branch.id).with_for_update(key_share=True))
    delete_months, count_months, delete_days, count_days = _recount_statements()
    if cells.months:
        months = sorted(cells.months)
        # The date window spans every marked month, whichever campaign it belongs to (the pairs sort by campaign).
        dates = [month for _campaign, month in months]
        cell = {"campaign_ids": sorted({campaign_id for campaign_id, _month in months}), "months": months,
                "first": min(dates), "end": month_after(max(dates))}
        connection.execute(delete_months, cell)
        connection.execute(count_months, cell)
    if cells.days:
        days = sorted(cells.days)
        cell = {"branch_ids": sorted({branch_id for branch_id, _day in days}), "days": days,
                "dates": sorted({day for _branch, day in days})}
        connection.execute(delete_days, cell)
        connection.execute(count_days, cell)
    recount_places(connection, cells.villages, cells.officers)


def month_after(month: date) -> date:
    """The first day of the month after ``month`` (a first of the month)."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def rebuild_rollups(connection) -> tuple[int, int, int, int]:
    """Count every roll-up again from every visit and tally (after a bulk load, or to repair): returns the number
    of monthly, daily, village and officer rows written."""
    connection.execute(monthly_results.delete())
    connection.execute(daily_results.delete())
    connection.execute(_counted_into(monthly_results, monthly_rows([], [])))
    connection.execute(_counted_into(daily_results, daily_rows([], [])))
    count = [connection.execute(select(func.count()).select_from(table)).scalar_one()
             for table in (monthly_results, daily_results)]
    return count[0], count[1], *rebuild_places(connection)


def rollups_drift(connection) -> list[tuple]:
    """Roll-up rows that differ from a fresh count (empty when every roll-up is true): what a test or an operator
    checks."""
    def stored():
        return {table.name: {tuple(row) for row in connection.execute(
            select(*(column for column in table.c if column.name != "id")))}
            for table in (monthly_results, daily_results, village_results, officer_results)}

    before = stored()
    savepoint = connection.begin_nested()
    try:
        rebuild_rollups(connection)
        fresh = stored()
    finally:
        savepoint.rollback()
    return sorted(((name, row) for name in before for row in before[name] ^ fresh[name]), key=repr)
