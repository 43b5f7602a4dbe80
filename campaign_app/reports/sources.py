"""Where a dashboard statement reads from: the roll-ups when the selection allows it, the tallies otherwise.

A national view over two years reads about 13,000 monthly rows instead of 500,000 visits and 950,000 tallies.

- ``monthly_source`` serves a selection that names no officer, district or village (the roll-up has regencies,
  not smaller places, and no officers). A period that starts or ends inside a month reads those partial months
  from the visits and tallies, counted into rows of the same shape, and its whole months from the roll-up.
- ``daily_conditions`` serves a selection narrowed by branch and period only.
- ``place_totals`` serves a breakdown by district, village or officer of a selection narrowed by branch only.

Every monthly source is a subquery with the monthly roll-up's columns (``MONTHLY_KEY``, ``VISIT_SUMS`` and the
tallies' ``COUNT_COLUMNS``), or, for ``tally_source``, the tallies' columns, so that one statement reads either;
``place_totals`` names a totals table and the conditions on it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Subquery, Table, bindparam, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from campaign_app.models import Campaign
from campaign_app.reports.selection import (
    Selection,
    bound,
    ids_in,
    in_branches,
    shape,
    tally_conditions,
    template,
    visit_conditions,
)
from campaign_app.summaries import SignUpTally
from campaign_app.summaries.cells import first_of_month, month_after
from campaign_app.summaries.place_totals import officer_results, village_results
from campaign_app.summaries.rollups import daily_results, monthly_results, monthly_rows

# How many shapes each cache of statements built once keeps (the most recently used): a statement takes 0.1 to 1 MB,
# and a manager's views use a few dozen shapes. SQLAlchemy's compiled cache holds its latest 500 statements anyway.
SHAPES_KEPT = 64


def _is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def _rolled_up_conditions(selection: Selection) -> list[ColumnElement[bool]]:
    rows = monthly_results.c
    conditions = in_branches(rows.branch_id, selection)
    if selection.campaign_ids:
        conditions.append(ids_in(rows.campaign_id, selection.campaign_ids))
    if selection.channel is not None:
        conditions.append(rows.campaign_id.in_(select(Campaign.id).where(Campaign.channel == selection.channel)))
    if selection.regency_code is not None:
        conditions.append(rows.regency_code == selection.regency_code)
    return conditions


def _counted(selection: Selection):
    """Roll-up rows counted from the visits and tallies of ``selection`` (its own period)."""
    return monthly_rows(visit_conditions(selection), tally_conditions(selection))


def whole_months(selection: Selection) -> tuple[date | None, date | None] | None:
    """The whole months inside the selection's period, as (first month, month after the last); None for either
    end that is open. None altogether when the period holds no whole month."""
    start = selection.date_from
    if start is not None and start.day != 1:
        start = month_after(first_of_month(start))
    end = selection.date_to
    if end is not None:
        end = month_after(first_of_month(end)) if _is_month_end(end) else first_of_month(end)
    if start is not None and end is not None and start >= end:
        return None
    return start, end


@dataclass(frozen=True)
class MonthParts:
    """How a selection's period splits (``month_parts``): whether it holds a ``whole`` month, and then whether the
    whole months have a first (``start``, bound as ``month_from``) and an end (``end``, bound as ``month_to``), and
    whether partial months come before them (``head``: the period's start to ``head_date_to``) and after them
    (``tail``: ``tail_date_from`` to the period's end). A statement built once per parts takes those values."""

    whole: bool
    start: bool = False
    end: bool = False
    head: bool = False
    tail: bool = False


def month_parts(selection: Selection) -> tuple[MonthParts, dict]:
    """The parts of ``selection``'s period (``MonthParts``) and the values of their bound parameters."""
    months = whole_months(selection)
    if months is None:
        return MonthParts(whole=False), {}
    start, end = months
    head = start is not None and selection.date_from is not None and selection.date_from < start
    tail = end is not None and selection.date_to is not None and end <= selection.date_to
    values = {}
    if start is not None:
        values["month_from"] = start
    if end is not None:
        values["month_to"] = end
    if head:
        values["head_date_to"] = start - timedelta(days=1)
    if tail:
        values["tail_date_from"] = end
    return MonthParts(True, start is not None, end is not None, head, tail), values


def month_partial_selections(selection: Selection, parts: MonthParts) -> list[Selection]:
    """The selections of the partial months before and after the whole ones, their dates bound (``month_parts``)."""
    partial = []
    if parts.head:
        partial.append(selection.narrowed(date_to=bindparam("head_date_to")))
    if parts.tail:
        partial.append(selection.narrowed(date_from=bindparam("tail_date_from")))
    return partial


def month_conditions(month, parts: MonthParts) -> list[ColumnElement[bool]]:
    """The conditions on a roll-up's ``month`` column keeping the whole months of ``parts`` (bound)."""
    return [*([month >= bindparam("month_from")] if parts.start else []),
            *([month < bindparam("month_to")] if parts.end else [])]


def monthly_source(selection: Selection, parts: MonthParts) -> Subquery | None:
    """The monthly rows of ``selection`` (whole months from the roll-up, partial ones counted from the visits and
    tallies) split as ``parts`` (``month_parts``; their dates bound), or None for a selection the roll-up cannot
    serve (an officer, district or village filter)."""
    if selection.officer_id is not None or selection.district_code is not None or selection.village_code is not None:
        return None
    if not parts.whole:
        return _counted(selection).subquery("monthly")
    rows = monthly_results.c
    rolled_up = select(*(column for column in monthly_results.c if column.name != "id")).where(
        *_rolled_up_conditions(selection), *month_conditions(rows.month, parts))
    queries = [rolled_up, *(_counted(partial) for partial in month_partial_selections(selection, parts))]
    return (queries[0] if len(queries) == 1 else union_all(*queries)).subquery("monthly")


def shaped(selection: Selection) -> tuple[tuple, dict]:
    """The key of the statements built once for ``selection`` (its ``shape`` and ``MonthParts``) and the values of
    their bound parameters: a statement built from ``template_of(key)`` and run with the values reads what one built
    from ``selection`` itself would."""
    parts, values = month_parts(selection)
    return (shape(selection), parts), {**bound(selection), **values}


def template_of(key: tuple) -> tuple[Selection, MonthParts]:
    """The ``template`` selection and the month parts of a key of ``shaped``."""
    selection_shape, parts = key
    return template(selection_shape), parts


def tally_source(selection: Selection) -> Subquery:
    """The tallies of ``selection``: the same count columns, ``visit_done`` and ``programme_key`` as monthly rows."""
    return select(SignUpTally.__table__).where(*tally_conditions(selection)).subquery("tallies")


def daily_conditions(selection: Selection) -> list[ColumnElement[bool]] | None:
    """WHERE conditions on ``daily_results`` for ``selection``, or None when it narrows by more than branch and
    period (the daily roll-up knows neither campaigns nor places nor officers)."""
    if (selection.campaign_ids or selection.channel is not None or selection.officer_id is not None
            or selection.regency_code is not None or selection.district_code is not None
            or selection.village_code is not None):
        return None
    days = daily_results.c
    conditions = in_branches(days.branch_id, selection)
    if selection.date_from is not None:
        conditions.append(days.day >= selection.date_from)
    if selection.date_to is not None:
        conditions.append(days.day <= selection.date_to)
    return conditions


@dataclass(frozen=True)
class PlaceTotals:
    """The rows of an all-time totals table that a selection reads."""

    table: Table
    conditions: list[ColumnElement[bool]]
    # Every branch's rows: one per place, summed already.
    one_per_place: bool


def place_totals(selection: Selection, by: str) -> PlaceTotals | None:
    """The all-time totals of the villages (``by`` district or village) or officers (``by`` officer) of
    ``selection``: every branch's rows for a selection of every branch, else its branches' rows. None when the
    selection narrows by more than branch (the totals know no period, campaign, channel or region) or ``by`` is
    another breakdown."""
    if by not in ("district", "village", "officer") or (
            selection.campaign_ids or selection.date_from is not None or selection.date_to is not None
            or selection.channel is not None or selection.officer_id is not None
            or selection.regency_code is not None or selection.district_code is not None
            or selection.village_code is not None):
        return None
    table = officer_results if by == "officer" else village_results
    every_branch = selection.branch_ids is None
    return PlaceTotals(table, [table.c.branch_id.is_(None)] if every_branch else in_branches(table.c.branch_id,
                                                                                              selection),
                       one_per_place=every_branch)
