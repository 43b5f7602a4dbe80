"""All-time totals of each branch's villages and officers: what a breakdown by district, village or officer across
many branches reads instead of half a million visits and a million tallies (about 80,000 village rows and
10,000 officer rows at national scale).

They serve a selection narrowed by branches alone (no period, campaign, channel, region or officer): a national
or regional manager's first look. Each place has a row per branch and a row of every branch (branch_id NULL), so
that a national ranking sorts 80,000 rows as they are instead of grouping them first (75 ms of a 90 ms
statement). Like the other roll-ups they are kept in the same transaction as every change
(``rollups.recount``): a change marks the villages and officers of its visits and sign-ups, before and after, and
their rows are counted again from their visits and tallies (the indexes by village and officer find them).

As in the breakdowns read from visits and tallies: a visit counts for each officer assigned to it, attendance
and cost too, while a sign-up counts for the officer who recorded it; cost is the planned cost of done visits.
"""

from functools import cache

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    Table,
    bindparam,
    case,
    func,
    literal,
    null,
    select,
    union_all,
)

from campaign_app.extensions import Model, db
from campaign_app.models.visits import Visit, VisitOfficer, VisitStatus
from campaign_app.summaries.counting import counted_into, row_count
from campaign_app.summaries.tallies import signup_tallies

# Visits not cancelled (a row is kept for a place with any), then what the breakdowns show.
PLACE_SUMS = ("visits", "visits_done", "attendance", "cost", "signups", "signups_at_done_visits", "activated")


def _totals_table(name: str, key: Column) -> Table:
    return Table(
        name, db.metadata,
        Column("id", Integer, primary_key=True),
        # NULL: the place's totals across every branch.
        Column("branch_id", ForeignKey("branches.id")),
        key,
        *(Column(total, BigInteger if total == "cost" else Integer, nullable=False, server_default="0")
          for total in PLACE_SUMS),
        Index(f"uq_{name}_key", key.name, "branch_id", unique=True),
        Index(f"ix_{name}_branch", "branch_id"),
    )


village_results = _totals_table("village_results", Column("village_code", ForeignKey("villages.code"),
                                                          nullable=False))
officer_results = _totals_table("officer_results", Column("officer_id", ForeignKey("users.id"), nullable=False))


class VillageResult(Model):
    """One branch's visits and live sign-ups in one village, all time."""

    __table__ = village_results


class OfficerResult(Model):
    """One branch's visits and live sign-ups of one officer, all time."""

    __table__ = officer_results


def key_of(table: Table):
    """The column a totals table is keyed by (besides its branch)."""
    return table.c.village_code if table is village_results else table.c.officer_id


def place_rows(table: Table, visit_conditions: list, tally_conditions: list):
    """A SELECT of ``table``'s rows (branch_id, its key, ``PLACE_SUMS``) counted from the visits, their officers
    and the tallies meeting the conditions."""
    zero = literal(0)
    is_done = Visit.status == VisitStatus.DONE
    attendance = func.coalesce(Visit.attendance_women, 0) + func.coalesce(Visit.attendance_men, 0)
    by_officer = table is officer_results
    visit_key = VisitOfficer.officer_id if by_officer else Visit.village_code
    visits = select(Visit.branch_id, visit_key.label("key"), func.count().label("visits"),
                    func.count(case((is_done, 1))).label("visits_done"),
                    func.coalesce(func.sum(case((is_done, attendance))), 0).label("attendance"),
                    func.coalesce(func.sum(case((is_done, Visit.planned_cost))), 0).label("cost"),
                    zero.label("signups"), zero.label("signups_at_done_visits"), zero.label("activated"))
    if by_officer:
        visits = visits.join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
    visits = visits.where(Visit.status != VisitStatus.CANCELLED, *visit_conditions).group_by(Visit.branch_id,
                                                                                              visit_key)
    t = signup_tallies.c
    tally_key = t.officer_id if by_officer else t.village_code
    tallies = (select(t.branch_id, tally_key, zero, zero, zero, zero, func.sum(t.signups),
                      func.sum(case((t.visit_done, t.signups), else_=0)), func.sum(t.activated))
               .where(*tally_conditions).group_by(t.branch_id, tally_key))
    both = union_all(visits, tallies).subquery("facts")
    return (select(both.c.branch_id, both.c.key.label(key_of(table).name),
                   *(func.sum(both.c[name]).label(name) for name in PLACE_SUMS))
            .group_by(both.c.branch_id, both.c.key))


def _every_branch_into(table: Table, conditions: list):
    """INSERT INTO ``table`` the every-branch rows of its places meeting the conditions, summed from their branch
    rows."""
    key = key_of(table)
    rows = (select(null().label("branch_id"), key, *(func.sum(table.c[name]).label(name) for name in PLACE_SUMS))
            .where(table.c.branch_id.is_not(None), *conditions).group_by(key))
    return counted_into(table, rows)


@cache
def _recount_statements(table: Table):
    """DELETE and INSERTs of the rows of the places given as the bound parameter ``keys``, built once."""
    keys: BindParameter[str | int] = bindparam("keys", expanding=True)  # village codes or officer ids
    if table is officer_results:
        conditions = [VisitOfficer.officer_id.in_(keys)], [signup_tallies.c.officer_id.in_(keys)]
    else:
        conditions = [Visit.village_code.in_(keys)], [signup_tallies.c.village_code.in_(keys)]
    return (table.delete().where(key_of(table).in_(keys)), counted_into(table, place_rows(table, *conditions)),
            _every_branch_into(table, [key_of(table).in_(keys)]))


def recount(connection: Connection, village_codes: set[str], officer_ids: set[int]) -> None:
    """Count the rows of these villages and officers again from their visits and tallies (the caller holds the
    locks of their branches)."""
    for table, keys in ((village_results, village_codes), (officer_results, officer_ids)):
        if keys:
            for statement in _recount_statements(table):
                connection.execute(statement, {"keys": sorted(keys)})


def rebuild(connection: Connection) -> tuple[int, int]:
    """Count both totals tables again from every visit and tally: returns their numbers of rows (a branch's and
    every branch's)."""
    written = []
    for table in (village_results, officer_results):
        connection.execute(table.delete())
        connection.execute(counted_into(table, place_rows(table, [], [])))
        connection.execute(_every_branch_into(table, []))
        written.append(row_count(connection, table))
    return written[0], written[1]
