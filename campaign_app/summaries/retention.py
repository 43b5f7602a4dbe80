"""The retention roll-up: what the sign-ups of each visit did after signing up, counted from their payment
histories, so that a national dashboard never reads ten million histories.

Two tables, like the sign-up tallies and the monthly roll-up:

- ``retention_tallies``: one row per visit × recording officer × payer × cohort (the sign-up month): its live
  sign-ups with a payment history (``signups``), how many of them paid the month k months after their sign-up
  month (``paid_at_0`` … ``paid_at_24``: the survival curve, M+3, M+6 and M+12 among them), their
  contribution-months in their first 12 months, and ``reactivations`` (see below). The visit's columns are copied
  onto it, so that a selection filters it without a join. A selection naming an officer, district or village
  reads it.
- ``retention_results``: the same counts per campaign × branch × regency × visit month × payer × cohort (a few
  ten thousand rows at national scale), counted from the tallies; every other selection reads it.

Reactivations, detected when a payment file is imported (``follow_payment_histories``): a history whose months
paid (bits) show a paid month, then more than the lapse rule's months unpaid (the membership ended), then a paid
month again, restarted in that month. Each restart is stored once (``models.payments.Reactivation``) with the
latest done visit to the participant's village dated from the first month they were lapsed to the restart month,
if any: the visit it followed. A reactivation counts at that visit, in a row of officer key 0 (no officer recorded
it; an officer's selection counts the reactivations after the visits they were assigned to), with the
participant's payer and cohort. A restart with no visit before it is stored but counts nowhere.

Kept equal to a fresh count:

- a payment file's batch adds what each history it writes changes (``follow_payment_histories``: the old counts
  subtracted, the new added, as increments: a few statements per batch of rows, whatever the file's size);
- a flush that changes sign-ups or visits, and a bulk change, recount the retention tallies of the visits they
  touched (and of the visits their participants' reactivations count at), then the monthly cells of those visits,
  before and after (``recount``, from ``keeping`` and ``bulk``);
- ``rebuild`` counts both tables again (``flask summaries rebuild``), ``drift`` compares them with a fresh count
  (``flask summaries drift``).

The latest month a payment file reported (``latest_reported_month``) says which cohorts are old enough for a
measure: a cohort of month S counts in the measure at M+k only when S + k is at most that month.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache, lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    BindParameter,
    Column,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite

from campaign_app.extensions import Model, db
from campaign_app.models import (
    Branch,
    PaymentHistory,
    Reactivation,
    ReportedPaymentMonth,
    SignUp,
    SignUpStatus,
    Visit,
    VisitStatus,
)
from campaign_app.models.payments import month_start as month_of_number
from campaign_app.summaries import counting
from campaign_app.summaries.cells import month_after
from campaign_app.summaries.rollups import REGENCY_CODE_LENGTH, month_start, regency_of

# The survival curve's months after the sign-up month: M+0 to M+24 (two years, the agency's first agent period).
CURVE_MONTHS = 25
# Contribution-months are counted in the first 12 months (M+0 to M+11).
FIRST_YEAR = 12
# The officer key of a visit's reactivations: no officer recorded them.
NO_OFFICER = 0
reactivations = cast(Table, Reactivation.__table__)
reported_payment_months = cast(Table, ReportedPaymentMonth.__table__)


def paid_at(k: int) -> str:
    """The name of the count column of sign-ups paid up in the month k months after their sign-up month."""
    return f"paid_at_{k}"


COUNT_COLUMNS = ("signups", *(paid_at(k) for k in range(CURVE_MONTHS)), "contribution_months", "reactivations")
TALLY_KEY = ("visit_id", "officer_key", "payer", "signup_month")
# The visit's columns copied onto its retention tallies.
VISIT_COLUMNS = ("branch_id", "campaign_id", "village_code", "visit_date")
RESULT_KEY = ("branch_id", "campaign_id", "regency_code", "month", "payer", "signup_month")

retention_tallies = Table(
    "retention_tallies", db.metadata,
    Column("id", Integer, primary_key=True),
    Column("visit_id", ForeignKey("visits.id"), nullable=False),
    # The officer who recorded the sign-ups; 0 (NO_OFFICER) for the visit's reactivations.
    Column("officer_key", Integer, nullable=False),
    Column("payer", String(16), nullable=False),
    # The cohort: the sign-up month, as ``models.payments.month_number``.
    Column("signup_month", Integer, nullable=False),
    Column("branch_id", ForeignKey("branches.id"), nullable=False),
    Column("campaign_id", ForeignKey("campaigns.id"), nullable=False),
    Column("village_code", ForeignKey("villages.code"), nullable=False),
    Column("visit_date", Date, nullable=False),
    *(Column(name, Integer, nullable=False, server_default="0") for name in COUNT_COLUMNS),
    Index("uq_retention_tallies_key", *TALLY_KEY, unique=True),
    Index("ix_retention_tallies_campaign_date", "campaign_id", "visit_date"),
    Index("ix_retention_tallies_village", "village_code"),
    Index("ix_retention_tallies_officer", "officer_key"),
)

retention_results = Table(
    "retention_results", db.metadata,
    Column("id", Integer, primary_key=True),
    Column("branch_id", ForeignKey("branches.id"), nullable=False),
    Column("campaign_id", ForeignKey("campaigns.id"), nullable=False),
    Column("regency_code", String(REGENCY_CODE_LENGTH), nullable=False),
    # The visits' month (first day), as in the monthly roll-up.
    Column("month", Date, nullable=False),
    Column("payer", String(16), nullable=False),
    Column("signup_month", Integer, nullable=False),
    *(Column(name, Integer, nullable=False, server_default="0") for name in COUNT_COLUMNS),
    Index("uq_retention_results_key", "campaign_id", "month", "regency_code", "branch_id", "payer", "signup_month",
          unique=True),
    Index("ix_retention_results_branch_month", "branch_id", "month"),
)


class RetentionTally(Model):
    """One visit × recording officer × payer × cohort: its sign-ups with a payment history and what they paid."""

    __table__ = retention_tallies


class RetentionResult(Model):
    """One campaign × branch × regency × visit month × payer × cohort: the retention tallies summed."""

    __table__ = retention_results


# --- what one history counts ----------------------------------------------------------------------------------

def history_counts(paid_months: int) -> Counter:
    """The counts one sign-up's history adds to its retention tally: 1 sign-up, each month paid among M+0 to
    M+24, and its contribution-months in the first year."""
    counts = Counter(signups=1, contribution_months=(paid_months & ((1 << FIRST_YEAR) - 1)).bit_count())
    for k in range(CURVE_MONTHS):
        counts[paid_at(k)] = (paid_months >> k) & 1
    return counts


def restarts(paid_months: int, lapse: int) -> list[tuple[int, int]]:
    """Where a history restarted after a lapse, as (months after the sign-up month of the restart, of the first
    month lapsed): a paid month after more than ``lapse`` unpaid months that follow a paid month."""
    found = []
    last_paid = None
    for k in range(paid_months.bit_length()):
        if not (paid_months >> k) & 1:
            continue
        if last_paid is not None and k - last_paid - 1 > lapse:
            found.append((k, last_paid + lapse + 1))
        last_paid = k
    return found


# The columns of the survival curve, by months after the sign-up month; the bits they and the first year read.
PAID_AT = tuple(paid_at(k) for k in range(CURVE_MONTHS))
CURVE_BITS = (1 << CURVE_MONTHS) - 1
FIRST_YEAR_BITS = (1 << FIRST_YEAR) - 1


def _count_change(change: Counter, before: int | None, after: int) -> None:
    """Add to ``change`` what a history going from ``before`` (None: none yet) to ``after`` changes in its tally:
    ``history_counts(after) - history_counts(before)``, read from the bits that differ only (a file's row changes
    one or two months, and a million rows pass here)."""
    if before is None:
        change["signups"] += 1
        before = 0
    differ = (before ^ after) & CURVE_BITS
    while differ:
        bit = differ & -differ
        change[PAID_AT[bit.bit_length() - 1]] += 1 if after & bit else -1
        differ ^= bit
    first_year = (after & FIRST_YEAR_BITS).bit_count() - (before & FIRST_YEAR_BITS).bit_count()
    if first_year:
        change["contribution_months"] += first_year


def _may_restart(paid_months: int, lapse: int) -> bool:
    """Whether the months paid may show a restart (``restarts``): not when they are one unbroken run, nor when the
    unpaid months between the first and the last paid are fewer than a lapse needs."""
    if not paid_months:
        return False
    run = paid_months >> ((paid_months & -paid_months).bit_length() - 1)
    return run.bit_length() - run.bit_count() > lapse


def _bit(column, k: int):
    # Inline integers: PostgreSQL shifts a bigint by an int4 only (a bound k would be typed bigint).
    return column.op(">>")(literal_column(str(k), Integer)).op("&")(literal_column("1", Integer))


def _history_sums() -> list:
    """The SQL sums of ``COUNT_COLUMNS`` over a group of live sign-ups' histories (reactivations 0)."""
    paid = PaymentHistory.paid_months
    first_year = sum((_bit(paid, k) for k in range(1, FIRST_YEAR)), _bit(paid, 0))
    return [func.count().label("signups"), *(func.sum(_bit(paid, k)).label(paid_at(k)) for k in range(CURVE_MONTHS)),
            func.sum(first_year).label("contribution_months"), literal(0).label("reactivations")]


def _counted(visit_ids: BindParameter | None):
    """A SELECT of retention tally rows counted from the histories of the live sign-ups of the visits bound to
    ``visit_ids`` (None: every visit), and the reactivations counted at them."""
    zero = literal(0)
    live = SignUp.status != SignUpStatus.VOID
    cohorts = (select(SignUp.visit_id, SignUp.officer_id.label("officer_key"), SignUp.payer,
                      PaymentHistory.signup_month, *_history_sums())
               .join(PaymentHistory, PaymentHistory.signup_id == SignUp.id)
               .where(live, *([] if visit_ids is None else [SignUp.visit_id.in_(visit_ids)]))
               .group_by(SignUp.visit_id, SignUp.officer_id, SignUp.payer, PaymentHistory.signup_month))
    returned = (select(Reactivation.visit_id, literal(NO_OFFICER), SignUp.payer, PaymentHistory.signup_month,
                       *(zero for _ in COUNT_COLUMNS[:-1]), func.count())
                .join(SignUp, SignUp.id == Reactivation.signup_id)
                .join(PaymentHistory, PaymentHistory.signup_id == SignUp.id)
                .where(live, Reactivation.visit_id.is_not(None),
                       *([] if visit_ids is None else [Reactivation.visit_id.in_(visit_ids)]))
                .group_by(Reactivation.visit_id, SignUp.payer, PaymentHistory.signup_month))
    both = union_all(cohorts, returned).subquery("facts")
    key = [both.c[name] for name in TALLY_KEY]
    return (select(*key, Visit.branch_id, Visit.campaign_id, Visit.village_code, Visit.visit_date,
                   *(func.sum(both.c[name]).label(name) for name in COUNT_COLUMNS))
            .join(Visit, Visit.id == both.c.visit_id)
            .group_by(*key, Visit.branch_id, Visit.campaign_id, Visit.village_code, Visit.visit_date))


def result_rows(conditions: Sequence = ()):
    """A SELECT of ``retention_results`` rows (``RESULT_KEY``, ``COUNT_COLUMNS``) summed from the retention tallies
    meeting the conditions: what a cell holds, or a period's partial months."""
    t = retention_tallies.c
    # Keyed in a subquery first: PostgreSQL does not match a GROUP BY expression whose parameters are bound apart.
    keyed = select(t.branch_id, t.campaign_id, regency_of(t.village_code).label("regency_code"),
                   month_start(t.visit_date).label("month"), t.payer, t.signup_month,
                   *(t[name] for name in COUNT_COLUMNS)).where(*conditions).subquery("keyed")
    key = [keyed.c[name] for name in RESULT_KEY]
    return select(*key, *(func.sum(keyed.c[name]).label(name) for name in COUNT_COLUMNS)).group_by(*key)


# --- recounting ------------------------------------------------------------------------------------------------

@cache
def _tally_statements():
    """DELETE and INSERT of the retention tallies of the visits given as the bound ``visit_ids``: built once, for a
    statement of some forty sums costs more to build in Python (~30 ms) than to run on a visit."""
    visit_ids: BindParameter[int] = bindparam("visit_ids", expanding=True)
    return (retention_tallies.delete().where(retention_tallies.c.visit_id.in_(visit_ids)),
            counting.counted_into(retention_tallies, _counted(visit_ids)))


@cache
def _month_statements():
    """DELETE and INSERT of the monthly cells given as the bound ``months`` (campaign, first of month) pairs."""
    t, r = retention_tallies.c, retention_results.c
    campaigns: BindParameter[int] = bindparam("campaign_ids", expanding=True)
    months: BindParameter[tuple] = bindparam("months", expanding=True)
    cells = [t.campaign_id.in_(campaigns), t.visit_date >= bindparam("first"), t.visit_date < bindparam("end"),
             tuple_(t.campaign_id, month_start(t.visit_date)).in_(months)]
    return (retention_results.delete().where(r.campaign_id.in_(campaigns), tuple_(r.campaign_id, r.month).in_(months)),
            counting.counted_into(retention_results, result_rows(cells)))


def _lock_branches(connection: Connection, visit_ids: Iterable[int]) -> None:
    """On PostgreSQL, lock the visits' branches' rows as every roll-up write does (``rollups.recount``)."""
    if connection.dialect.name == "postgresql":
        for ids in counting.chunks(visit_ids):
            connection.execute(select(Branch.id).where(Branch.id.in_(select(Visit.branch_id).where(Visit.id.in_(ids))))
                               .order_by(Branch.id).with_for_update(key_share=True))


def _months_of(connection: Connection, visit_ids: Iterable[int]) -> set[tuple[int, date]]:
    """The (campaign, month) cells of these visits as they are now."""
    return {(campaign_id, day.replace(day=1)) for ids in counting.chunks(visit_ids)
            for campaign_id, day in connection.execute(select(Visit.campaign_id, Visit.visit_date)
                                                       .where(Visit.id.in_(ids)))}


def recount_months(connection: Connection, months: set[tuple[int, date]]) -> None:
    """Count these (campaign, month) cells of ``retention_results`` again from the retention tallies."""
    if not months:
        return
    cells = sorted(months)
    dates = [month for _campaign, month in cells]
    delete, insert = _month_statements()
    parameters = {"campaign_ids": sorted({campaign for campaign, _month in cells}), "months": cells,
                  "first": min(dates), "end": month_after(max(dates))}
    connection.execute(delete, parameters)
    connection.execute(insert, parameters)


def recount(connection: Connection, visit_ids: Iterable[int], months: Iterable[tuple[int, date]] = ()) -> None:
    """Count the retention tallies of these visits again (with the visits their participants' reactivations count
    at), then their monthly cells and ``months`` (cells the visits were in before a change): what a flush or a bulk
    change of sign-ups or visits does. A few statements per ten thousand visits."""
    visits = set(visit_ids)
    if not visits:
        if months:
            recount_months(connection, set(months))
        return
    for ids in counting.chunks(visits):
        visits.update(v for v in connection.scalars(
            select(Reactivation.visit_id).distinct().join(SignUp, SignUp.id == Reactivation.signup_id)
            .where(SignUp.visit_id.in_(ids), Reactivation.visit_id.is_not(None))) if v is not None)
    _lock_branches(connection, visits)
    delete, insert = _tally_statements()
    for ids in counting.chunks(visits):
        connection.execute(delete, {"visit_ids": list(ids)})
        connection.execute(insert, {"visit_ids": list(ids)})
    recount_months(connection, set(months) | _months_of(connection, visits))


def rebuild(connection: Connection) -> int:
    """Count both retention tables again from every history and reactivation: returns the tallies written."""
    connection.execute(retention_results.delete())
    connection.execute(retention_tallies.delete())
    connection.execute(counting.counted_into(retention_tallies, _counted(None)))
    connection.execute(counting.counted_into(retention_results, result_rows()))
    return counting.row_count(connection, retention_tallies)


def _counting(table: Table) -> list:
    return [or_(table.c.signups != 0, table.c.reactivations != 0)]


# The stored rows a fresh count is compared with: a row left counting nothing is no drift.
DRIFT_CONDITIONS = {retention_tallies: _counting(retention_tallies), retention_results: _counting(retention_results)}


def drift(connection: Connection) -> list[tuple]:
    """Rows of both retention tables that differ from a fresh count (empty when they are true)."""
    return counting.drift(connection, DRIFT_CONDITIONS, rebuild)


# --- following a payment file ----------------------------------------------------------------------------------

def _insert(dialect: str, table: Table):
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@lru_cache(maxsize=8)
def _tally_upsert(dialect: str):
    """Add the bound counts to the retention tally of the bound key (inserted with its visit's columns if new)."""
    counts = [bindparam(f"add_{name}", type_=Integer) for name in COUNT_COLUMNS]
    row = select(bindparam("visit_id", type_=Integer), bindparam("officer_key", type_=Integer),
                 bindparam("payer", type_=String), bindparam("signup_month", type_=Integer),
                 Visit.branch_id, Visit.campaign_id, Visit.village_code, Visit.visit_date, *counts
                 ).where(Visit.id == bindparam("visit_id"))
    statement = _insert(dialect, retention_tallies).from_select([*TALLY_KEY, *VISIT_COLUMNS, *COUNT_COLUMNS], row)
    return statement.on_conflict_do_update(
        index_elements=list(TALLY_KEY),
        set_={name: retention_tallies.c[name] + statement.excluded[name] for name in COUNT_COLUMNS})


@lru_cache(maxsize=8)
def _result_upsert(dialect: str):
    """Add the bound counts to the monthly cell of the bound visit, payer and cohort (inserted if new)."""
    counts = [bindparam(f"add_{name}", type_=Integer) for name in COUNT_COLUMNS]
    row = select(Visit.branch_id, Visit.campaign_id, regency_of(Visit.village_code), month_start(Visit.visit_date),
                 bindparam("payer", type_=String), bindparam("signup_month", type_=Integer), *counts
                 ).where(Visit.id == bindparam("visit_id"))
    statement = _insert(dialect, retention_results).from_select([*RESULT_KEY, *COUNT_COLUMNS], row)
    return statement.on_conflict_do_update(
        index_elements=["campaign_id", "month", "regency_code", "branch_id", "payer", "signup_month"],
        set_={name: retention_results.c[name] + statement.excluded[name] for name in COUNT_COLUMNS})


def add(connection: Connection, changes: Mapping[tuple[int, int, str, int], Counter]) -> None:
    """Add count changes per retention tally key (visit, officer key, payer, cohort) to the tallies and to their
    monthly cells: two executemany statements, in key order."""
    rows: list[dict[str, Any]] = []
    for key in sorted(changes):
        counts = changes[key]
        if any(counts.values()):
            rows.append({**dict(zip(TALLY_KEY, key, strict=True)),
                         **{f"add_{name}": counts.get(name, 0) for name in COUNT_COLUMNS}})
    if not rows:
        return
    _lock_branches(connection, {row["visit_id"] for row in rows})
    dialect = connection.dialect.name
    connection.execute(_tally_upsert(dialect), rows)
    connection.execute(_result_upsert(dialect), rows)


def note_reported_month(connection: Connection, month: int) -> None:
    """Remember that a payment file reported ``month`` (``month_number``): once per month."""
    statement = _insert(connection.dialect.name, reported_payment_months).values(month=month)
    connection.execute(statement.on_conflict_do_nothing(index_elements=["month"]))


# Built once: every retention view asks for it, often more than once a request.
_LATEST_REPORTED = select(func.max(ReportedPaymentMonth.month))


def latest_reported_month(connection: Connection | None = None) -> int | None:
    """The latest month a payment file reported (``month_number``), None before any: one indexed look-up."""
    return (connection or db.session).scalar(_LATEST_REPORTED)


def latest_reported_day(connection: Connection | None = None) -> date | None:
    """The first day of the latest month a payment file reported, None before any."""
    month = latest_reported_month(connection)
    return None if month is None else month_of_number(month)


def _prompting_visits(connection: Connection, wanted: list[tuple[int, str, int, int]]
                      ) -> dict[tuple[int, int], int]:
    """For each (signup id, village code, first month lapsed, restart month), the latest done visit to the village
    dated in those months, by (sign-up id, restart month): one statement for them all."""
    if not wanted:
        return {}
    first = month_of_number(min(start for _id, _village, start, _month in wanted))
    end = month_after(month_of_number(max(month for _id, _village, _start, month in wanted)))
    visits: dict[str, list[tuple[date, int]]] = {}
    for visit_id, village, day in connection.execute(
            select(Visit.id, Visit.village_code, Visit.visit_date)
            .where(Visit.village_code.in_(sorted({village for _id, village, _s, _m in wanted})),
                   Visit.status == VisitStatus.DONE, Visit.visit_date >= first, Visit.visit_date < end)):
        visits.setdefault(village, []).append((day, visit_id))
    found = {}
    for signup_id, village, start, month in wanted:
        low, high = month_of_number(start), month_after(month_of_number(month))
        candidates = [visit for visit in visits.get(village, []) if low <= visit[0] < high]
        if candidates:
            found[signup_id, month] = max(candidates)[1]
    return found


def _store_reactivations(connection: Connection, wanted: list[tuple[int, str, int, int]], cohorts: dict[int, int],
                         stored: Mapping, changes: dict[tuple[int, int, str, int], Counter]) -> None:
    """Store the restarts not stored yet, each with the visit it followed, and count those with one at it."""
    visits = _prompting_visits(connection, wanted)
    existing = {(row.signup_id, row.month) for row in connection.execute(
        select(Reactivation.signup_id, Reactivation.month)
        .where(Reactivation.signup_id.in_(sorted({signup_id for signup_id, _v, _s, _m in wanted}))))}
    fresh = [{"signup_id": signup_id, "month": month, "visit_id": visits.get((signup_id, month))}
             for signup_id, _village, _start, month in wanted if (signup_id, month) not in existing]
    if not fresh:
        return
    connection.execute(_insert(connection.dialect.name, reactivations), fresh)
    for row in fresh:
        visit_id, signup_id = row["visit_id"], row["signup_id"]
        if visit_id is not None and signup_id is not None:
            key = (visit_id, NO_OFFICER, stored[signup_id].payer, cohorts[signup_id])
            changes.setdefault(key, Counter())["reactivations"] += 1


def _among(connection: Connection, column, ids: list[int]):
    """``column IN ids``; on PostgreSQL as one array parameter unnested, which a batch of thousands of ids costs no
    more to send and plan than one (thousands of bound values took longer than the look-up itself)."""
    if connection.dialect.name == "postgresql":
        return column.in_(select(func.unnest(bindparam("among_ids", ids, type_=postgresql.ARRAY(Integer),
                                                       unique=True))))
    return column.in_(ids)


class SignUpFacts(NamedTuple):
    """What the roll-up needs of a sign-up whose history changes: where it is counted, and its history's months as
    they are (None: no history yet)."""

    id: int
    visit_id: int
    officer_id: int
    payer: str
    village_code: str
    status: str
    paid_months: int | None


def _signup_facts(connection: Connection, ids: list[int]) -> dict[int, SignUpFacts]:
    history = PaymentHistory.__table__
    return {row.id: SignUpFacts(*row) for row in connection.execute(
        select(SignUp.id, SignUp.visit_id, SignUp.officer_id, SignUp.payer, SignUp.village_code, SignUp.status,
               history.c.paid_months)
        .outerjoin(history, history.c.signup_id == SignUp.id).where(_among(connection, SignUp.id, ids))).all()}


def follow_payment_histories(connection: Connection, written: Sequence[Mapping], *, lapse: int,
                             file_month: int, known: Mapping[int, SignUpFacts] | None = None) -> None:
    """Keep the retention roll-up true for payment histories about to be written (call it before writing them):
    ``written`` holds each history's ``signup_id``, ``signup_month`` and new ``paid_months``; ``lapse`` is the lapse
    rule's months of arrears for the file of ``file_month`` (``month_number``).

    Reads the histories as they are, adds to the tallies and monthly cells what each changes (its old counts
    subtracted, the new added), stores the restarts after a lapse that the new months show (``Reactivation``, with
    the visit they followed; counted at it) and notes the file's month. About six statements per call, whatever
    the number of rows; writes on ``connection``, never commits. ``known``: the sign-ups' ``SignUpFacts`` when the
    caller has read them already (a payment file's join does), saving the look-up.
    """
    note_reported_month(connection, file_month)
    if not written:
        return
    stored = known if known is not None else _signup_facts(connection, sorted({row["signup_id"] for row in written}))
    changes: dict[tuple[int, int, str, int], Counter] = {}
    wanted = []
    for row in written:
        signup = stored.get(row["signup_id"])
        if signup is None or signup.status == SignUpStatus.VOID:
            continue
        key = (signup.visit_id, signup.officer_id, signup.payer, row["signup_month"])
        change = changes.get(key)
        if change is None:
            change = changes[key] = Counter()
        _count_change(change, signup.paid_months, row["paid_months"])
        if _may_restart(row["paid_months"], lapse):
            old = set(restarts(signup.paid_months or 0, lapse))
            for k, lapsed_from in restarts(row["paid_months"], lapse):
                if (k, lapsed_from) not in old:
                    wanted.append((signup.id, signup.village_code, row["signup_month"] + lapsed_from,
                                   row["signup_month"] + k))
    if wanted:
        _store_reactivations(connection, wanted, {row["signup_id"]: row["signup_month"] for row in written},
                             stored, changes)
    add(connection, changes)
