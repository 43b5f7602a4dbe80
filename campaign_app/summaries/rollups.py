"""Roll-ups of visits and sign-ups by month and by day: what a national dashboard reads instead of half a million
visits and a million tallies.

- ``MonthlyResult``: one campaign's visits and live sign-ups in one regency in one month, split by whether the
  visit is done and by subsidy programme (about 13,000 rows at national scale). Figures and the regency,
  channel, occupation and payer breakdowns read it when the selection names no officer, district or village.
- ``DailyResult``: one branch's done visits, attendance, officer-days and live sign-ups on one day (about
  130,000 rows). The trend and the officer-days read it when the selection narrows by branch and dates only.

Both are kept in the same transaction as every change, like the tallies they are counted from. A change marks
the cells it touches (``cells``: a campaign's month, a branch's day, before and after the change) and each marked
cell is counted again from its visits and tallies (``recount``): a few rows each. The village and officer totals
(``place_totals``) are recounted with them. A recount first locks its branches' rows, so two transactions
touching one branch recount in turn and the second one sees the first one's rows (PostgreSQL's READ COMMITTED
takes a fresh snapshot per statement); SQLite has a single writer.
"""

from functools import cache

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    SQLColumnExpression,
    String,
    Table,
    bindparam,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from campaign_app.extensions import Model, db
from campaign_app.models.people import Branch
from campaign_app.models.visits import Visit, VisitOfficer, VisitStatus
from campaign_app.summaries import counting, place_totals
from campaign_app.summaries.cells import Cells, month_after
from campaign_app.summaries.place_totals import officer_results, village_results
from campaign_app.summaries.tallies import COUNT_COLUMNS, signup_tallies

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


class MonthlyResult(Model):
    """One campaign × regency × month × (visit done or not) × subsidy programme: its visits and sign-ups."""

    __table__ = monthly_results


class DailyResult(Model):
    """One branch × day: done visits, their attendance and officer-days, and live sign-ups."""

    __table__ = daily_results


def regency_of(village_code: SQLColumnExpression[str]) -> ColumnElement[str]:
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
            counting.counted_into(monthly_results, monthly_rows(in_months(Visit.campaign_id, Visit.visit_date),
                                                                in_months(t.campaign_id, t.visit_date))),
            daily_results.delete().where(days.branch_id.in_(_expanding("branch_ids")),
                                         tuple_(days.branch_id, days.day).in_(_expanding("days"))),
            counting.counted_into(daily_results, daily_rows(on_days(Visit.branch_id, Visit.visit_date),
                                                            on_days(t.branch_id, t.visit_date))))


def recount(connection: Connection, cells: Cells) -> None:
    """Count the marked cells again from their visits and tallies, after locking their branches' rows (in id
    order, so that two transactions lock in the same order): the monthly and daily rows, then the village and
    officer totals."""
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
    place_totals.recount(connection, cells.villages, cells.officers)


def rebuild(connection: Connection) -> tuple[int, int, int, int]:
    """Count every roll-up again from every visit and tally (after a bulk load, or to repair): returns the number
    of monthly, daily, village and officer rows written."""
    connection.execute(monthly_results.delete())
    connection.execute(daily_results.delete())
    connection.execute(counting.counted_into(monthly_results, monthly_rows([], [])))
    connection.execute(counting.counted_into(daily_results, daily_rows([], [])))
    monthly, daily = (counting.row_count(connection, table) for table in (monthly_results, daily_results))
    return monthly, daily, *place_totals.rebuild(connection)


def drift(connection: Connection) -> list[tuple]:
    """Roll-up rows (monthly, daily, village and officer) that differ from a fresh count of the visits and
    tallies (empty when every roll-up is true): what a test or an operator checks."""
    tables = (monthly_results, daily_results, village_results, officer_results)
    return counting.drift(connection, dict.fromkeys(tables, ()), rebuild)
