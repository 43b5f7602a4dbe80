"""New sign-ups added to the roll-ups as increments, instead of counting their cells again.

A flush that only adds sign-ups (an officer's sign-up, the hot path) changes its roll-up rows by exactly what the
tallies gained: the counts of each (visit, officer, programme) key go to the visit's monthly row of that
programme, to the branch's day, and to the village's and officer's totals (their branch's row and their
every-branch row). Four statements, each reading its visit by id, instead of the eleven of a recount that
groups a whole month of a campaign. Anything else a flush does (a sign-up corrected, voided or moved, a visit
changed, an officer put on a visit) is counted again (``rollups.recount``): a decrement could leave a row a
recount would drop.

Like a recount, the increments run after the branch's row is locked (PostgreSQL), so every roll-up write in a
branch happens in turn; and a place row that is not there (an officer recording at a visit of a branch they
were never counted in) is counted again rather than guessed. On PostgreSQL, the sign-ups of one visit (the
officer's form) lock its branch and add to the four roll-ups in one statement (``_at_once_statement``): one round
trip instead of five.
"""

from collections import Counter
from collections.abc import Mapping
from functools import lru_cache

from sqlalchemy import BindParameter, Connection, Integer, Table, bindparam, case, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from campaign_app.models.people import Branch
from campaign_app.models.visits import Visit, VisitStatus
from campaign_app.summaries import place_totals
from campaign_app.summaries.place_totals import officer_results, village_results
from campaign_app.summaries.rollups import MONTHLY_KEY, daily_results, month_start, monthly_results, regency_of

DAILY_COUNTS = ("signups", "activated")
# Every roll-up key is a visit's: a place has its branch's row and its every-branch row.
ROWS_PER_PLACE = 2


def _insert(dialect: str, table: Table):
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _adding(table: Table, statement, names: tuple[str, ...]) -> dict:
    return {name: table.c[name] + statement.excluded[name] for name in names}


def _monthly_upsert(dialect: str, names: tuple[str, ...], *conditions):
    """Add the bound counts ``names`` to the visit's monthly row of the bound programme (inserted if new); the visit
    read under ``conditions`` too."""
    counts = (bindparam(f"add_{name}", type_=Integer) for name in names)
    row = select(Visit.branch_id, Visit.campaign_id, regency_of(Visit.village_code), month_start(Visit.visit_date),
                 Visit.status == VisitStatus.DONE, bindparam("programme_key", type_=Integer), *counts
                 ).where(Visit.id == bindparam("visit_id"), *conditions)
    statement = _insert(dialect, monthly_results).from_select([*MONTHLY_KEY, *names], row)
    return statement.on_conflict_do_update(index_elements=list(MONTHLY_KEY),
                                           set_=_adding(monthly_results, statement, names))


def _daily_upsert(dialect: str, *conditions):
    """Add the bound sign-ups and activations to the visit's branch and day (inserted if new); the visit read under
    ``conditions`` too."""
    counts = (bindparam(f"add_{name}", type_=Integer) for name in DAILY_COUNTS)
    row = select(Visit.branch_id, Visit.visit_date, *counts).where(Visit.id == bindparam("visit_id"), *conditions)
    statement = _insert(dialect, daily_results).from_select(["branch_id", "day", *DAILY_COUNTS], row)
    return statement.on_conflict_do_update(index_elements=["branch_id", "day"],
                                           set_=_adding(daily_results, statement, DAILY_COUNTS))


@lru_cache(maxsize=256)
def _monthly_statement(dialect: str, names: tuple[str, ...]):
    return _monthly_upsert(dialect, names)


@lru_cache(maxsize=8)
def _daily_statement(dialect: str):
    return _daily_upsert(dialect)


@lru_cache(maxsize=4)
def _place_statement(table: Table):
    """Add the bound counts to the place's row of the visit's branch and its every-branch row."""
    c = table.c
    # The officer who recorded the sign-ups, or the visit's village.
    place = (c.officer_id == bindparam("recorded_by") if table is officer_results
             else c.village_code == Visit.village_code)
    added: BindParameter[int] = bindparam("add_signups")
    return (update(table)
            .where(Visit.id == bindparam("visit_id"), place, or_(c.branch_id == Visit.branch_id, c.branch_id.is_(None)))
            .values(signups=c.signups + added, activated=c.activated + bindparam("add_activated"),
                    signups_at_done_visits=c.signups_at_done_visits + case((Visit.status == VisitStatus.DONE, added),
                                                                           else_=0)))


@lru_cache(maxsize=256)
def _at_once_statement(names: tuple[str, ...]):
    """PostgreSQL: lock the visit's branch, then add to its monthly, daily, village and officer rows, in one
    statement that answers how many village and officer rows it changed.

    Every write reads the visit through the locked branch, so none can start before the lock is held: the writes
    of a branch stay in turn, as with a lock statement of their own (PostgreSQL runs a statement's parts in no
    set order, but a row cannot be written before the rows it is made from are read).
    """
    locked = (select(Branch.id).where(Branch.id == select(Visit.branch_id).where(Visit.id == bindparam("visit_id"))
                                      .scalar_subquery())
              .with_for_update(key_share=True).cte("locked_branch"))
    through_lock = Visit.branch_id.in_(select(locked.c.id))
    parts: dict = {"monthly": _monthly_upsert("postgresql", names, through_lock).returning(literal(1)),
                   "daily": _daily_upsert("postgresql", through_lock).returning(literal(1))}
    for name, table in (("villages", village_results), ("officers", officer_results)):
        parts[name] = _place_statement(table).where(through_lock).returning(literal(1))
    ctes = {name: part.cte(f"added_{name}") for name, part in parts.items()}
    # The rows each part wrote: the place rows tell one missing, and SQLAlchemy renders only the parts named.
    return select(*(select(func.count()).select_from(cte).scalar_subquery().label(name) for name, cte in ctes.items()))


def add(connection: Connection, increments: Mapping[tuple[int, int, int], Counter]) -> None:
    """Add what new sign-ups brought to each tally key (visit, officer, programme) to the roll-ups and totals."""
    dialect = connection.dialect.name
    visits = {visit_id for visit_id, _officer, _programme in increments}
    # The sign-ups of one visit (the officer's form) lock its branch in the statement that adds them.
    at_once = dialect == "postgresql" and len(visits) == 1
    if dialect == "postgresql" and not at_once:
        # FOR NO KEY UPDATE, in id order, as a recount takes it: see rollups.recount.
        branches = select(Visit.branch_id).where(Visit.id.in_(sorted(visits)))
        connection.execute(select(Branch.id).where(Branch.id.in_(branches)).order_by(Branch.id)
                           .with_for_update(key_share=True))
    # Visits whose village rows, and officers whose rows, were not all there.
    missing: dict[Table, set[int]] = {village_results: set(), officer_results: set()}
    for (visit_id, officer_id, programme_key), counts in sorted(increments.items()):
        names = tuple(sorted(name for name, value in counts.items() if value))
        if not names:
            continue
        parameters = {"visit_id": visit_id, "programme_key": programme_key, "recorded_by": officer_id,
                      **{f"add_{name}": counts[name] for name in {*names, *DAILY_COUNTS}}}
        if at_once:
            written = connection.execute(_at_once_statement(names), parameters).one()
            changed = {village_results: written.villages, officer_results: written.officers}
        else:
            connection.execute(_monthly_statement(dialect, names), parameters)
            connection.execute(_daily_statement(dialect), parameters)
            changed = {table: connection.execute(_place_statement(table), parameters).rowcount for table in missing}
        for table, rows in changed.items():
            if rows != ROWS_PER_PLACE:
                missing[table].add(visit_id if table is village_results else officer_id)
    if missing[village_results] or missing[officer_results]:
        villages = set(connection.scalars(select(Visit.village_code)
                                          .where(Visit.id.in_(sorted(missing[village_results])))))
        place_totals.recount(connection, villages, missing[officer_results])
