"""Retention: what a selection's sign-ups did after signing up, read from the retention roll-up
(``summaries.retention``), never from the payment histories themselves.

For any dashboard ``Selection`` (branch, campaign, period, region, village, officer, channel, payer):

- ``retention``: the share of sign-ups still paid up at M+3, M+6 and M+12 (the month 3, 6 or 12 months after
  their sign-up month), contribution-months per 100 sign-ups in their first 12 months, the cost per participant
  still paid up at M+6 and M+12, and the reactivations after the selection's visits. Two statements.
- ``survival_curve``: per campaign (or for the whole selection), for each k from 0 to 24, the sign-ups old enough
  (eligible) and those paid up at M+k. One statement.
- ``active_by_place``: the participants paid up in a calendar month per branch, regency, district or village, and
  the monthly trend before it. Two statements.

Which sign-ups count: the live sign-ups of the selection's visits that a payment file listed (they have a payment
history); the officer filter keeps those the officer recorded, and the reactivations after visits the officer was
assigned to. Honesty as in the figures (``metrics.Rate``): a rate on fewer than 30 cases is shown as its counts;
and a measure at M+k counts only the cohorts whose sign-up month + k is at most the latest month a payment file
reported (``summaries.retention.latest_reported_month``): a cohort younger than that is not yet measurable, and a
measure with no such cohort is "too young".

Which rows are read: the monthly retention roll-up (``retention_results``) when the selection names no officer,
district or village (a period starting or ending inside a month reads those months from the retention tallies),
the retention tallies otherwise, as ``sources.monthly_source`` does for the figures.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import Integer, Subquery, and_, bindparam, case, func, literal, literal_column, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from campaign_app.extensions import db
from campaign_app.models import Branch, Campaign, District, Regency, Village, Visit, VisitOfficer
from campaign_app.models.payments import month_number
from campaign_app.models.payments import month_start as month_of_number
from campaign_app.reports.metrics import Rate, summed
from campaign_app.reports.selection import (
    Selection,
    done,
    ids_in,
    in_branches,
    in_region,
    visit_conditions,
    visit_filters,
)
from campaign_app.reports.sources import (
    SHAPES_KEPT,
    MonthParts,
    month_conditions,
    month_partial_selections,
    monthly_source,
    shaped,
    template_of,
)
from campaign_app.signups.active import CODE_LENGTH, Place
from campaign_app.summaries.retention import (
    COUNT_COLUMNS,
    CURVE_MONTHS,
    FIRST_YEAR,
    NO_OFFICER,
    latest_reported_month,
    paid_at,
    result_rows,
    retention_results,
    retention_tallies,
)

# The months after the sign-up month the dashboard measures, and those it prices.
MEASURED_MONTHS = (3, 6, 12)
COSTED_MONTHS = (6, 12)
# The months of a trend of active participants: the month asked for and the twelve before it.
TREND_MONTHS = 13


# --- what the measures are ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PaidUp:
    """Sign-ups paid up at M+``months``, among those old enough to tell (``eligible``): none is "too young"."""

    months: int
    paid_up: int
    eligible: int

    @property
    def too_young(self) -> bool:
        """No cohort of the selection is old enough for this measure yet."""
        return self.eligible == 0

    @property
    def share(self) -> Rate:
        """Paid up ÷ eligible: a count below 30 eligible sign-ups."""
        return Rate(self.paid_up, self.eligible)


@dataclass(frozen=True)
class CostPerPaidUp:
    """The planned cost of the selection's done visits old enough for M+``months``, per participant of those visits
    still paid up then. ``cost`` is None when the selection names a payer (visits are not paid for per payer)."""

    months: int
    cost: int | None
    paid_up: int
    eligible: int

    @property
    def too_young(self) -> bool:
        """No visit of the selection is old enough for this measure yet."""
        return self.eligible == 0

    @property
    def per_participant(self) -> Rate | None:
        """Cost ÷ participants still paid up (rupiah): their counts below 30 participants; None without a cost."""
        return None if self.cost is None else Rate(self.cost, self.paid_up)


@dataclass(frozen=True)
class Retention:
    """The retention measures of a selection (see the module's docstring)."""

    # The latest month a payment file reported (first day); None: no file yet, every measure is too young.
    latest_month: date | None
    signups: int  # live sign-ups of the selection with a payment history
    paid_up: dict[int, PaidUp] = field(default_factory=dict)  # by months after the sign-up month: 3, 6, 12
    contribution_months: int = 0  # in the first 12 months, of the sign-ups old enough
    contribution_eligible: int = 0  # sign-ups old enough for their first 12 months
    costs: dict[int, CostPerPaidUp] = field(default_factory=dict)  # 6, 12
    reactivations: int = 0

    @property
    def contributions_too_young(self) -> bool:
        """No sign-up of the selection has had its first 12 months reported yet."""
        return self.contribution_eligible == 0

    @property
    def contribution_months_per_100(self) -> Rate:
        """Contribution-months in the first 12 months per 100 sign-ups old enough: counts below 30 sign-ups."""
        return Rate(self.contribution_months * 100, self.contribution_eligible)


# A point of a survival curve is the same measure at M+k: those paid up among those old enough to tell.
CurvePoint = PaidUp


@dataclass(frozen=True)
class SurvivalCurve:
    """The share paid up by months since the sign-up month (M+0 to M+24) of one campaign (``campaign_id`` None: the
    whole selection)."""

    campaign_id: int | None
    name: str | None
    signups: int
    points: tuple[CurvePoint, ...]


@dataclass(frozen=True)
class PlaceActive:
    """One place's participants paid up in the month: ``key`` is the branch's id or the region's code."""

    key: int | str
    name: str
    paid_up: int


@dataclass(frozen=True)
class MonthActive:
    """Participants paid up in one calendar month (its first day)."""

    month: date
    paid_up: int


@dataclass(frozen=True)
class ActivePlaces:
    """Participants paid up in ``month`` per place, largest first, and the trend of the months before it."""

    month: date
    place: Place
    places: list[PlaceActive]
    trend: list[MonthActive]
    # The latest month a payment file reported: a later month is not reported yet (only months paid ahead count).
    latest_month: date | None


# --- where the counts are read ------------------------------------------------------------------------------------

def tally_conditions(selection: Selection) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``retention_tallies`` for the selection. The officer filter keeps the sign-ups the officer
    recorded and the reactivations after visits the officer was assigned to."""
    t = retention_tallies.c
    conditions = [*in_branches(t.branch_id, selection), *visit_filters(selection, t.campaign_id, t.visit_date),
                  *in_region(t.village_code, selection)]
    if selection.officer_id is not None:
        assigned = select(VisitOfficer.visit_id).where(VisitOfficer.officer_id == selection.officer_id)
        conditions.append(or_(t.officer_key == selection.officer_id,
                              and_(t.officer_key == NO_OFFICER, t.visit_id.in_(assigned))))
    if selection.payer is not None:
        conditions.append(t.payer == selection.payer)
    return conditions


def _result_conditions(selection: Selection, parts: MonthParts) -> list[ColumnElement[bool]]:
    r = retention_results.c
    conditions = in_branches(r.branch_id, selection)
    if selection.campaign_ids:
        conditions.append(ids_in(r.campaign_id, selection.campaign_ids))
    if selection.channel is not None:
        conditions.append(r.campaign_id.in_(select(Campaign.id).where(Campaign.channel == selection.channel)))
    if selection.regency_code is not None:
        conditions.append(r.regency_code == selection.regency_code)
    if selection.payer is not None:
        conditions.append(r.payer == selection.payer)
    return [*conditions, *month_conditions(r.month, parts)]


def retention_source(selection: Selection, parts: MonthParts) -> Subquery:
    """The selection's retention rows with the monthly roll-up's columns (branch, campaign, regency, visit month,
    payer, cohort and the counts): whole months from ``retention_results`` when the selection names no officer,
    district or village, the rest counted from the retention tallies. The period is split as ``parts``
    (``sources.month_parts``, their dates bound)."""
    if selection.officer_id is not None or selection.district_code is not None or selection.village_code is not None:
        return result_rows(tally_conditions(selection)).subquery("retention")
    if not parts.whole:
        return result_rows(tally_conditions(selection)).subquery("retention")
    queries = [select(*(column for column in retention_results.c if column.name != "id"))
               .where(*_result_conditions(selection, parts)),
               *(result_rows(tally_conditions(partial)) for partial in month_partial_selections(selection, parts))]
    return (queries[0] if len(queries) == 1 else union_all(*queries)).subquery("retention")


def _months_before(k: int):
    # The latest month reported less k months: bound (``latest_values``), so that a statement is built once.
    return bindparam(f"latest_less_{k}")


def _priced_before(k: int):
    return bindparam(f"priced_before_{k}")


def latest_values(latest: int | None) -> dict:
    """The bound values of the statements built once for the latest month reported: that month less each k
    (``latest_less_k``), the first month not priced at M+k (``priced_before_k``), the month itself (``latest``)."""
    if latest is None:
        return {}
    return {"latest": latest, **{f"latest_less_{k}": latest - k for k in range(CURVE_MONTHS)},
            **{f"priced_before_{k}": priced_before(latest, k) for k in COSTED_MONTHS}}


def _old_enough(source: Subquery, latest_known: bool, months: int) -> ColumnElement[bool]:
    """Rows of cohorts whose sign-up month + ``months`` has been reported (none before any file)."""
    if not latest_known:
        return literal(False)
    return source.c.signup_month <= _months_before(months)


def _when(condition, column) -> ColumnElement:
    return summed(case((condition, column), else_=0))


# --- the measures --------------------------------------------------------------------------------------------------

def priced_before(latest: int, months: int) -> date:
    """The first day of the month after the last visit month old enough for M+``months``."""
    return month_of_number(latest - months + 1)


def _costs_statement(selection: Selection, parts: MonthParts, latest_known: bool):
    """The planned cost of the selection's done visits of months old enough for M+6 and M+12, as the figures count
    cost (``metrics.figures``): one statement, None for a payer's selection or before any file."""
    if selection.payer is not None or not latest_known:
        return None
    monthly = monthly_source(selection, parts)
    if monthly is not None:
        columns = [summed(case((monthly.c.month < _priced_before(k), case((monthly.c.visit_done, monthly.c.cost),
                                                                         else_=0)), else_=0))
                   for k in COSTED_MONTHS]
        return select(*columns).select_from(monthly)
    columns = [summed(case((and_(done(), Visit.visit_date < _priced_before(k)), Visit.planned_cost)))
               for k in COSTED_MONTHS]
    return select(*columns).where(*visit_conditions(selection))


def measure_columns(source: Subquery, latest: int | None) -> list[ColumnElement]:
    """The SQL sums of the retention measures over rows of ``source`` (the retention roll-up's columns): sign-ups,
    reactivations, then per ``MEASURED_MONTHS`` the sign-ups old enough and those paid up, the first year's sign-ups
    old enough and their contribution-months, and per ``COSTED_MONTHS`` those of visits old enough to be priced.
    ``measures_from`` reads them back. Only whether ``latest`` is None matters: the months are bound
    (``latest_values``)."""
    c = source.c
    known = latest is not None
    columns = [summed(c.signups), summed(c.reactivations)]
    for k in MEASURED_MONTHS:
        old_enough = _old_enough(source, known, k)
        columns += [_when(old_enough, c.signups), _when(old_enough, c[paid_at(k)])]
    first_year = _old_enough(source, known, FIRST_YEAR - 1)
    columns += [_when(first_year, c.signups), _when(first_year, c.contribution_months)]
    for k in COSTED_MONTHS:
        priced = and_(_old_enough(source, known, k), c.month < _priced_before(k)) if known else literal(False)
        columns += [_when(priced, c.signups), _when(priced, c[paid_at(k)])]
    return columns


def measures_from(values, latest: int | None, costs: dict[int, int | None]) -> Retention:
    """The ``Retention`` of one row of ``measure_columns``' sums, priced with ``costs`` (by ``COSTED_MONTHS``)."""
    row = [int(value) for value in values]
    signups, reactivations, rest = row[0], row[1], row[2:]
    paid_up = {}
    for k in MEASURED_MONTHS:
        eligible, paid, rest = rest[0], rest[1], rest[2:]
        paid_up[k] = PaidUp(k, paid, eligible)
    contribution_eligible, contribution_months, rest = rest[0], rest[1], rest[2:]
    priced_rows = {}
    for k in COSTED_MONTHS:
        eligible, paid, rest = rest[0], rest[1], rest[2:]
        priced_rows[k] = CostPerPaidUp(k, costs.get(k), paid, eligible)
    return Retention(latest_month=None if latest is None else month_of_number(latest), signups=signups,
                     paid_up=paid_up, contribution_months=contribution_months,
                     contribution_eligible=contribution_eligible, costs=priced_rows, reactivations=reactivations)


def retention(selection: Selection) -> Retention:
    """The retention measures of ``selection``: three statements whatever the data (the latest month reported, the
    retention counts, the cost of the visits old enough).

    A measure at M+k counts the cohorts whose sign-up month + k is at most the latest month a payment file
    reported; ``PaidUp.too_young`` when there is none. The cost per participant still paid up at M+k is the planned
    cost of the done visits of months old enough for it, divided by the participants of those visits paid up then.
    """
    latest = latest_reported_month()
    key, values = shaped(selection)
    measures, costs = _retention_statements(key, latest is not None)
    values.update(latest_values(latest))
    row = db.session.execute(measures, values).one()
    priced = dict.fromkeys(COSTED_MONTHS) if costs is None else {
        k: int(value) for k, value in zip(COSTED_MONTHS, db.session.execute(costs, values).one(), strict=True)}
    return measures_from(row, latest, priced)


@lru_cache(maxsize=SHAPES_KEPT)
def _retention_statements(key: tuple, latest_known: bool) -> tuple:
    """The measures' statement and the costs' (None where there is no cost) for a selection of ``key``
    (``sources.shaped``), built once: their sums took longer to build in Python than to run."""
    selection, parts = template_of(key)
    source = retention_source(selection, parts)
    # measure_columns wants the latest month only to know whether there is one: its values are bound.
    columns = measure_columns(source, 0 if latest_known else None)
    return select(*columns).select_from(source), _costs_statement(selection, parts, latest_known)


def _curves(selection: Selection, by_campaign: bool):
    """The key, bound values and latest month of ``_curves_statement`` for ``selection``."""
    latest = latest_reported_month()
    key, values = shaped(selection)
    values.update(latest_values(latest))
    return _curves_statement(key, latest is not None, by_campaign), values


@lru_cache(maxsize=SHAPES_KEPT)
def _curves_statement(key: tuple, latest_known: bool, by_campaign: bool):
    """A row per curve: its campaign (None: the whole selection), its sign-ups followed, then for each k from 0 to 24
    the sign-ups whose month + k has been reported and, after them, those paid up at M+k. The database sums each k
    over the cohorts old enough for it (a country's campaigns have 80,000 cohorts). Built once per ``key``
    (``sources.shaped``), the months bound (``latest_values``)."""
    selection, parts = template_of(key)
    source = retention_source(selection, parts)
    c = source.c

    def reported(k: int, column) -> ColumnElement:
        # The column summed over the cohorts whose month + k a payment file has reported.
        if not latest_known:
            return literal(0, Integer)
        return summed(case((c.signup_month <= bindparam(f"latest_less_{k}", type_=Integer), column), else_=0))

    sums = [summed(c.signups).label("signups"), *(reported(k, c.signups) for k in range(CURVE_MONTHS)),
            *(reported(k, c[paid_at(k)]) for k in range(CURVE_MONTHS))]
    if not by_campaign:
        return select(literal(None, Integer), literal(None), *sums).select_from(source).having(func.count() > 0)
    return (select(Campaign.id, Campaign.name, *sums).select_from(source).join(Campaign, Campaign.id == c.campaign_id)
            .group_by(Campaign.id, Campaign.name))


def _curve(campaign_id: int | None, name: str | None, signups: int, *counts: int) -> SurvivalCurve:
    eligible, paid_up = counts[:CURVE_MONTHS], counts[CURVE_MONTHS:]
    return SurvivalCurve(campaign_id, name, int(signups),
                         tuple(CurvePoint(k, int(paid_up[k]), int(eligible[k])) for k in range(CURVE_MONTHS)))


def survival_curve(selection: Selection, by_campaign: bool = True) -> list[SurvivalCurve]:
    """The survival curve of ``selection``: for each k from 0 to 24, the sign-ups whose sign-up month + k has been
    reported (eligible) and those of them paid up at M+k. Per campaign (by name) when ``by_campaign``, else one curve
    for the whole selection. One statement (two before any payment file: nothing is eligible then)."""
    statement, values = _curves(selection, by_campaign)
    if by_campaign:
        statement = _by_name(statement)
    return [_curve(*row) for row in db.session.execute(statement, values)]


@lru_cache(maxsize=SHAPES_KEPT)
def _by_name(statement):
    # The curves' statement ordered by campaign, once per statement built.
    return statement.order_by(Campaign.name, Campaign.id)


@lru_cache(maxsize=SHAPES_KEPT)
def _most_followed(statement, most: int):
    # The curves' statement cut to the ``most`` followed campaigns, with their number, once per statement built.
    return (statement.add_columns(func.count().over().label("campaigns"))
            .order_by(literal_column("signups").desc(), Campaign.name, Campaign.id).limit(most))


def most_followed_curves(selection: Selection, most: int) -> tuple[list[SurvivalCurve], int]:
    """The survival curves of the ``most`` campaigns of ``selection`` with the most sign-ups followed (then by name),
    and how many campaigns it has in all: one statement (two before any payment file)."""
    statement, values = _curves(selection, by_campaign=True)
    rows = db.session.execute(_most_followed(statement, most), values).all()
    return [_curve(*row[:-1]) for row in rows], rows[0][-1] if rows else 0


def _paid_in(source: Subquery, target) -> ColumnElement:
    """SQL for a row's sign-ups paid up in calendar month ``target`` (a bound month number): its ``paid_at`` column of
    that month."""
    offset = target - source.c.signup_month
    return case(*((offset == k, source.c[paid_at(k)]) for k in range(CURVE_MONTHS)), else_=0)


def _place_source(selection: Selection, parts: MonthParts, place: Place) -> Subquery:
    """Retention rows with the place's key (``place_key``): the monthly rows for branches and regencies where they
    serve, the retention tallies for districts and villages."""
    if place in (Place.BRANCH, Place.REGENCY):
        source = retention_source(selection, parts)
        key = source.c.branch_id if place == Place.BRANCH else source.c.regency_code
        return select(key.label("place_key"), source.c.signup_month,
                      *(source.c[paid_at(k)] for k in range(CURVE_MONTHS))).subquery("placed")
    t = retention_tallies.c
    return select(func.substr(t.village_code, 1, CODE_LENGTH[place]).label("place_key"), t.signup_month,
                  *(t[paid_at(k)] for k in range(CURVE_MONTHS))).where(*tally_conditions(selection)).subquery("placed")


def _name_of(place: Place):
    """The table and name column a place key is looked up in."""
    return {Place.BRANCH: (Branch, Branch.id, Branch.name), Place.REGENCY: (Regency, Regency.code, Regency.name),
            Place.DISTRICT: (District, District.code, District.name),
            Place.VILLAGE: (Village, Village.code, Village.name)}[place]


@lru_cache(maxsize=SHAPES_KEPT)
def _active_statements(shape_key: tuple, place: Place) -> tuple:
    """The two statements of ``active_by_place`` for a selection of ``shape_key`` (``sources.shaped``), built once,
    the months bound: ``target``, ``target_less_curve`` and ``first_less_curve``."""
    selection, parts = template_of(shape_key)
    target = bindparam("target", type_=Integer)
    placed = _place_source(selection, parts, place)
    paid = summed(_paid_in(placed, target))
    table, key, name = _name_of(place)
    by_place = (select(placed.c.place_key, func.max(name), paid).select_from(placed)
                .outerjoin(table, key == placed.c.place_key)
                .where(placed.c.signup_month <= bindparam("target"),
                       placed.c.signup_month > bindparam("target_less_curve"))
                .group_by(placed.c.place_key).having(paid > 0).order_by(paid.desc(), placed.c.place_key))
    source = retention_source(selection, parts)
    by_cohort = (select(source.c.signup_month, *(summed(source.c[paid_at(k)]) for k in range(CURVE_MONTHS)))
                 .where(source.c.signup_month <= bindparam("target"),
                        source.c.signup_month > bindparam("first_less_curve"))
                 .group_by(source.c.signup_month))
    return by_place, by_cohort


def active_by_place(month: date, place: Place, selection: Selection) -> ActivePlaces:
    """Participants of ``selection`` paid up in ``month`` (any day of it) per ``place`` (branch, regency, district,
    village), largest first, and the trend: paid up in each of the 12 months before it and in it. Two statements.

    Read from the retention roll-up, which follows each sign-up for 25 months from its sign-up month (M+0 to M+24):
    a participant who signed up longer ago than that does not count (``signups.active`` counts from the histories
    themselves, and the members in arrears).
    """
    target = month_number(month)
    latest = latest_reported_month()
    shape_key, values = shaped(selection)
    by_place, by_cohort = _active_statements(shape_key, place)
    first = target - TREND_MONTHS + 1
    values.update(target=target, target_less_curve=target - CURVE_MONTHS, first_less_curve=first - CURVE_MONTHS)
    rows = db.session.execute(by_place, values)
    places = [PlaceActive(place_key, place_name or str(place_key), int(count)) for place_key, place_name, count in rows]
    cohorts = db.session.execute(by_cohort, values)
    trend = dict.fromkeys(range(first, target + 1), 0)
    for cohort, *paid_at_k in cohorts:
        for k, count in enumerate(paid_at_k):
            if cohort + k in trend:
                trend[cohort + k] += int(count)
    return ActivePlaces(month_of_number(target), place, places,
                        [MonthActive(month_of_number(m), count) for m, count in trend.items()],
                        None if latest is None else month_of_number(latest))


__all__ = ["COSTED_MONTHS", "COUNT_COLUMNS", "MEASURED_MONTHS", "ActivePlaces", "CostPerPaidUp", "CurvePoint",
           "MonthActive", "PaidUp", "PlaceActive", "Retention", "SurvivalCurve", "active_by_place", "latest_values",
           "measure_columns",
           "measures_from", "retention", "retention_source", "survival_curve", "tally_conditions"]
