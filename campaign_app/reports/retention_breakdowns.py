"""The retention measures of a selection per branch, campaign, regency, officer, channel or payer.

Three statements per breakdown, whatever the data: the measures grouped by the key (from the same rows as
``retention.retention``: the retention roll-up, or its tallies for an officer breakdown), the planned cost of the
keys' done visits old enough to be priced, and the keys' names. An officer counts the sign-ups they recorded and
the reactivations after the visits they were assigned to (a reactivation counts for each officer of the visit), as
the officer filter does; their cost is that of the visits they were assigned to, as in the dashboard's breakdown.
A payer's rows have no cost: visits are not paid for per payer.
"""

from dataclasses import dataclass
from functools import cache, lru_cache

from sqlalchemy import Integer, Subquery, bindparam, case, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from campaign_app.extensions import db
from campaign_app.models import Branch, Campaign, Regency, User, Visit, VisitOfficer
from campaign_app.reports.breakdowns import BRANCH_COUNT
from campaign_app.reports.metrics import summed
from campaign_app.reports.retention import (
    COSTED_MONTHS,
    Retention,
    latest_values,
    measure_columns,
    measures_from,
    retention_source,
    tally_conditions,
)
from campaign_app.reports.selection import Selection, done, visit_conditions
from campaign_app.reports.sources import SHAPES_KEPT, MonthParts, monthly_source, shaped, template_of
from campaign_app.summaries.retention import COUNT_COLUMNS, NO_OFFICER, latest_reported_month, retention_tallies
from campaign_app.summaries.rollups import month_start, regency_of

RETENTION_DIMENSIONS = ("campaign", "regency", "branch", "officer", "channel", "payer")
# Officers are ranked from the retention tallies: within at most this many branches unless a campaign or a place
# narrows the view (as the dashboard's breakdown of a period does, ``breakdowns.MAX_BRANCHES_FOR_PLACES``).
MAX_BRANCHES_FOR_OFFICERS = 20


class UnknownRetentionBreakdown(ValueError):
    """A dimension outside ``RETENTION_DIMENSIONS``."""


@dataclass(frozen=True)
class RetentionRow:
    """One key's retention measures: ``key`` is the branch, campaign or officer id, the regency code, the channel or
    the payer; ``parent_label`` names what a campaign belongs to (its branch)."""

    key: int | str
    label: str
    parent_label: str | None
    measures: Retention


@dataclass(frozen=True)
class RetentionBreakdown:
    """A page of rows, largest first (by sign-ups followed), and whether more follow it."""

    by: str
    rows: list[RetentionRow]
    has_more: bool


def officers_too_wide(selection: Selection) -> bool:
    """Whether an officer breakdown would rank the officers of more than ``MAX_BRANCHES_FOR_OFFICERS`` branches:
    no campaign, officer or place narrows it and the branches are too many (counted, one statement, only for a
    selection of every branch)."""
    if selection.campaign_ids or selection.officer_id is not None or any(
            (selection.regency_code, selection.district_code, selection.village_code)):
        return False
    if selection.branch_ids is not None:
        return len(selection.branch_ids) > MAX_BRANCHES_FOR_OFFICERS
    return db.session.scalar(BRANCH_COUNT) > MAX_BRANCHES_FOR_OFFICERS


def _keyed(selection: Selection, parts: MonthParts, by: str) -> Subquery:
    """The selection's retention rows with their key (``key``), visit month and cohort, and the counts."""
    if by == "officer":
        t = retention_tallies.c
        counts = [t[name] for name in COUNT_COLUMNS]
        recorded = (select(t.officer_key.label("key"), month_start(t.visit_date).label("month"), t.signup_month,
                           *counts).where(*tally_conditions(selection), t.officer_key != NO_OFFICER))
        returned = (select(VisitOfficer.officer_id, month_start(t.visit_date), t.signup_month, *counts)
                    .join(VisitOfficer, VisitOfficer.visit_id == t.visit_id)
                    .where(*tally_conditions(selection), t.officer_key == NO_OFFICER))
        if selection.officer_id is not None:
            returned = returned.where(VisitOfficer.officer_id == selection.officer_id)
        return union_all(recorded, returned).subquery("keyed")
    source = retention_source(selection, parts)
    c = source.c
    key = {"campaign": c.campaign_id, "regency": c.regency_code, "branch": c.branch_id, "payer": c.payer,
           "channel": Campaign.channel}[by]
    statement = select(key.label("key"), c.month, c.signup_month, *(c[name] for name in COUNT_COLUMNS))
    if by == "channel":
        statement = statement.select_from(source).join(Campaign, Campaign.id == c.campaign_id)
    return statement.subquery("keyed")


def _priced(when, cost) -> list[ColumnElement]:
    # Bound: the first month not priced at M+k (``retention.latest_values``).
    return [summed(case((when < bindparam(f"priced_before_{k}"), cost), else_=0)) for k in COSTED_MONTHS]


def _costs(selection: Selection, by: str, keys: list, latest: int | None, shape_key: tuple, values: dict) -> dict:
    """The planned cost of the done visits old enough for each ``COSTED_MONTHS`` per key: one statement (none for a
    payer, a selection naming a payer, no key, or before any payment file)."""
    if by == "payer" or selection.payer is not None or latest is None or not keys:
        return {}
    rows = db.session.execute(_costs_statement(shape_key, by), {**values, "keys": keys})
    return {row[0]: dict(zip(COSTED_MONTHS, (int(value) for value in row[1:]), strict=True)) for row in rows}


@lru_cache(maxsize=SHAPES_KEPT)
def _costs_statement(shape_key: tuple, by: str):
    """``_costs``' statement for a selection of ``shape_key`` (``sources.shaped``), built once; the keys bound."""
    selection, parts = template_of(shape_key)
    monthly = monthly_source(selection, parts) if by != "officer" else None
    if monthly is not None:
        key = {"campaign": monthly.c.campaign_id, "regency": monthly.c.regency_code, "branch": monthly.c.branch_id,
               "channel": Campaign.channel}[by]
        statement = (select(key, *_priced(monthly.c.month, case((monthly.c.visit_done, monthly.c.cost), else_=0)))
                     .select_from(monthly))
        if by == "channel":
            statement = statement.join(Campaign, Campaign.id == monthly.c.campaign_id)
    else:
        key = {"campaign": Visit.campaign_id, "regency": regency_of(Visit.village_code), "branch": Visit.branch_id,
               "channel": Campaign.channel, "officer": VisitOfficer.officer_id}[by]
        statement = (select(key, *_priced(Visit.visit_date, case((done(), Visit.planned_cost), else_=0)))
                     .where(*visit_conditions(selection)))
        if by == "channel":
            statement = statement.join(Campaign, Campaign.id == Visit.campaign_id)
        if by == "officer":
            statement = statement.join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
    return statement.where(key.in_(bindparam("keys", expanding=True))).group_by(key)


def _labels(by: str, keys: list) -> dict:
    """The names of the keys (and a campaign's branch) from the database: one statement for a branch, campaign,
    regency or officer; channels and payers are named by the page in its language."""
    if not keys or by in ("channel", "payer"):
        return {}
    rows = db.session.execute(_labels_statement(by), {"keys": keys})
    if by == "campaign":
        return {key: (name, branch) for key, name, branch in rows}
    return {key: (label, None) for key, label in rows}


@cache
def _labels_statement(by: str):
    keys = bindparam("keys", expanding=True)
    if by == "campaign":
        return select(Campaign.id, Campaign.name, Branch.name).join(Branch, Branch.id == Campaign.branch_id).where(
            Campaign.id.in_(keys))
    table_key, name = {"branch": (Branch.id, Branch.name), "regency": (Regency.code, Regency.name),
                       "officer": (User.id, User.full_name)}[by]
    return select(table_key, name).where(table_key.in_(keys))


@lru_cache(maxsize=SHAPES_KEPT)
def _measures_statement(shape_key: tuple, by: str, latest_known: bool, paged: bool):
    """The measures per key for a selection of ``shape_key`` (``sources.shaped``), built once: the months bound
    (``retention.latest_values``), and the page (``limit``, ``offset``) when ``paged``."""
    selection, parts = template_of(shape_key)
    keyed = _keyed(selection, parts, by)
    columns = measure_columns(keyed, 0 if latest_known else None)
    statement = select(keyed.c.key, *columns).group_by(keyed.c.key).order_by(columns[0].desc(), keyed.c.key)
    if paged:
        statement = statement.limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))
    return statement


def retention_breakdown(selection: Selection, by: str, limit: int | None = None, offset: int = 0) -> RetentionBreakdown:
    """The retention measures of ``selection`` per ``by`` (``RETENTION_DIMENSIONS``), the keys with the most sign-ups
    followed first (then by key); ``limit`` rows from ``offset`` (None: all of them, for an export). Four statements
    whatever the data: the latest month reported, the measures, the cost and the names."""
    if by not in RETENTION_DIMENSIONS:
        raise UnknownRetentionBreakdown(by)
    latest = latest_reported_month()
    shape_key, values = shaped(selection)
    values.update(latest_values(latest))
    statement = _measures_statement(shape_key, by, latest is not None, limit is not None)
    if limit is not None:
        values.update(limit=limit + 1, offset=offset)
    found = db.session.execute(statement, values).all()
    has_more = limit is not None and len(found) > limit
    found = found[:limit] if limit is not None else found
    keys = [row[0] for row in found]
    costs, labels = _costs(selection, by, keys, latest, shape_key, values), _labels(by, keys)
    # A key with no done visit priced costs nothing; a payer's rows have no cost at all.
    unpriced = dict.fromkeys(COSTED_MONTHS, None if by == "payer" or selection.payer is not None else 0)
    rows = [RetentionRow(key, *labels.get(key, (str(key), None)),
                         measures_from(values, latest, costs.get(key, unpriced))) for key, *values in found]
    return RetentionBreakdown(by, rows, has_more)


__all__ = ["MAX_BRANCHES_FOR_OFFICERS", "RETENTION_DIMENSIONS", "RetentionBreakdown", "RetentionRow",
           "UnknownRetentionBreakdown", "officers_too_wide", "retention_breakdown"]
