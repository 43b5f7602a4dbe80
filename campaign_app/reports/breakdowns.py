"""The main figures of a selection per branch, campaign, regency, district, village, officer, channel, occupation
or payer.

One statement per breakdown, whatever the data: the visits of the selection grouped by the key and the
sign-ups grouped by the same key, stacked and summed per key (so a key with sign-ups but no visit left in the
selection still shows), or the same from the monthly roll-up or the all-time totals of villages and officers
(``summaries.place_totals``); sorted, cut to a page and labelled in SQL
(``breakdown``) or read whole, chunk by chunk, for an export (``all_rows``).

Regency and district keys are the first 5 and 8 characters of the village code (Kemendagri codes nest:
``72.71`` ⊂ ``72.71.01`` ⊂ ``72.71.01.1004``), which spares joining every visit and sign-up to the regions.
Cancelled visits are left out (a village whose only visit was cancelled gets no row).
Occupation and payer belong to sign-ups only: their rows carry no visits, attendance or cost. In the
officer breakdown a visit counts for each officer assigned to it (attendance and cost too), while a
sign-up counts for the officer who recorded it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Float, Integer, String, bindparam, case, cast, func, literal, null, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from campaign_app.extensions import db
from campaign_app.models import (
    Branch,
    Campaign,
    District,
    Occupation,
    Payer,
    Regency,
    User,
    Village,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.reports.metrics import SMALL_NUMBER_THRESHOLD, Rate, summed, summed_at_done_visits
from campaign_app.reports.selection import Selection, done, tally_conditions, visit_conditions
from campaign_app.reports.sources import (
    SHAPES_KEPT,
    MonthParts,
    PlaceTotals,
    monthly_source,
    place_totals,
    shaped,
    tally_source,
    template_of,
)
from campaign_app.summaries import SignUpTally
from campaign_app.summaries.rollups import regency_of
from campaign_app.summaries.tallies import occupation_column, payer_column

DIMENSIONS = ("branch", "campaign", "regency", "district", "village", "officer", "channel", "occupation", "payer")
SORTS = ("key", "label", "visits_done", "attendance", "signups", "conversion", "activation", "cost_per_signup")
# Sign-ups have these, visits do not: no visits, attendance or cost per occupation or payer.
SIGNUP_ONLY = ("occupation", "payer")
# The breakdowns the monthly roll-up can serve: it knows branches, campaigns and regencies, not smaller places or
# officers.
ROLLED_UP = ("branch", "campaign", "regency", "channel", *SIGNUP_ONLY)
# Breakdowns keyed by a column the visits, the tallies and the monthly roll-up all have.
OWN_COLUMNS = {"branch": "branch_id", "campaign": "campaign_id"}
# Sorts by a count need no names: the page is cut before its keys are named.
COUNT_SORTS = ("key", "visits_done", "attendance", "signups")
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# Where a row leads: the filter its key sets, and the breakdown to show next (None: the figures alone). A branch or
# campaign row sets a set of one (``Selection.branch_ids``, ``campaign_ids``).
DRILLS = {"branch": ("branch_ids", "campaign"), "campaign": ("campaign_ids", "regency"),
          "regency": ("regency_code", "district"), "district": ("district_code", "village"),
          "village": ("village_code", None), "officer": ("officer_id", "village"), "channel": ("channel", "regency")}


# Districts, villages and officers of a period or channel are ranked within at most this many branches (the
# largest province has 19): across the country they are 7,000 districts, 80,000 villages and 10,000 officers,
# too many to count from the visits and tallies per view within the dashboard's time budget. Without a period or
# channel their all-time totals rank them whatever the branches (``sources.place_totals``). A wider view with a
# period narrows first (a branch, regency or campaign); the export still gives the whole national table.
MAX_BRANCHES_FOR_PLACES = 20
PLACES = ("district", "village", "officer")


# How many branches there are: built once (``too_wide`` asks on every view of a viewer of every branch).
BRANCH_COUNT = select(func.count()).select_from(Branch)


class UnknownBreakdown(ValueError):
    """A dimension or sort column outside ``DIMENSIONS`` / ``SORTS``."""


@dataclass(frozen=True)
class Drill:
    """Where a breakdown row leads: its narrower selection, and the breakdown to show there (or None)."""

    selection: Selection
    by: str | None


@dataclass(frozen=True)
class BreakdownRow:
    """One key's figures. For occupation and payer, ``visits_done``, ``attendance`` and ``cost`` are None."""

    key: str | int
    # The region's or officer's name; for channels, occupations and payers the code, named by labels.py.
    label: str
    # The district of a village, the regency of a district, the branch of a campaign; None otherwise.
    parent_label: str | None
    visits_done: int | None
    attendance: int | None
    cost: int | None
    signups: int
    signups_at_done_visits: int
    activated: int
    drill: Drill | None

    @property
    def conversion(self) -> Rate | None:
        """Sign-ups ÷ attendance at done visits; None where there is no attendance to speak of."""
        return None if self.attendance is None else Rate(self.signups_at_done_visits, self.attendance)

    @property
    def activation(self) -> Rate:
        return Rate(self.activated, self.signups)

    @property
    def cost_per_signup(self) -> Rate | None:
        return None if self.cost is None else Rate(self.cost, self.signups_at_done_visits)


@dataclass(frozen=True)
class Breakdown:
    """A page of rows; ``has_more`` says whether rows follow after ``offset + len(rows)``."""

    by: str
    sort: str
    descending: bool
    rows: list[BreakdownRow]
    offset: int
    has_more: bool


def _region_key(column, by: str) -> ColumnElement:
    if by == "regency":
        # The same key as the monthly roll-up's regency_code.
        return regency_of(column)
    if by == "district":
        return func.substr(column, 1, 8)
    return column


def _visit_side(by: str, selection: Selection):
    """Visits of the selection grouped by the key: (key, visits_done, attendance, cost, and zero sign-ups)."""
    is_done = done()
    attendance = func.coalesce(Visit.attendance_women, 0) + func.coalesce(Visit.attendance_men, 0)
    columns = (func.count(case((is_done, 1))).label("visits_done"),
               summed(case((is_done, attendance))).label("attendance"),
               summed(case((is_done, Visit.planned_cost))).label("cost"),
               *(literal(0).label(name) for name in ("signups", "signups_at_done_visits", "activated")))
    # A place, officer or channel whose only visits were cancelled has nothing to show.
    conditions = [*visit_conditions(selection), Visit.status != VisitStatus.CANCELLED]
    if by == "officer":
        key = VisitOfficer.officer_id
        statement = select(key.label("key"), *columns).join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
        if selection.officer_id is not None:
            conditions.append(VisitOfficer.officer_id == selection.officer_id)
    elif by == "channel":
        key = Campaign.channel
        statement = select(key.label("key"), *columns).join(Campaign, Campaign.id == Visit.campaign_id)
    elif by in OWN_COLUMNS:
        key = getattr(Visit, OWN_COLUMNS[by])
        statement = select(key.label("key"), *columns)
    else:
        key = _region_key(Visit.village_code, by)
        statement = select(key.label("key"), *columns)
    return statement.select_from(Visit).where(*conditions).group_by(key)


def _signup_side(by: str, selection: Selection):
    """Live sign-ups of the selection grouped by the key, from their tallies: (key, zero visits, attendance and
    cost, signups, signups_at_done_visits, activated)."""
    columns = (*(literal(0).label(name) for name in ("visits_done", "attendance", "cost")),
               summed(SignUpTally.signups).label("signups"),
               summed_at_done_visits(SignUpTally.__table__, "signups").label("signups_at_done_visits"),
               summed(SignUpTally.activated).label("activated"))
    if by == "officer":
        key = SignUpTally.officer_id
    elif by == "channel":
        key = Campaign.channel
    elif by in OWN_COLUMNS:
        key = getattr(SignUpTally, OWN_COLUMNS[by])
    else:
        key = _region_key(SignUpTally.village_code, by)
    statement = select(key.label("key"), *columns).select_from(SignUpTally)
    if by == "channel":
        statement = statement.join(Campaign, Campaign.id == SignUpTally.campaign_id)
    return statement.where(*tally_conditions(selection)).group_by(key)


def _rolled_up_side(by: str, source):
    """Visits and sign-ups of monthly rows grouped by branch, campaign, regency or channel, both sides at once: (key,
    visits_done, attendance, cost, signups, signups_at_done_visits, activated)."""
    rows = source.c
    key = rows[OWN_COLUMNS.get(by, "regency_code")] if by != "channel" else Campaign.channel
    statement = select(key.label("key"), summed_at_done_visits(source, "visits").label("visits_done"),
                       (summed_at_done_visits(source, "attendance_women")
                        + summed_at_done_visits(source, "attendance_men")).label("attendance"),
                       summed_at_done_visits(source, "cost").label("cost"),
                       summed(rows.signups).label("signups"),
                       summed_at_done_visits(source, "signups").label("signups_at_done_visits"),
                       summed(rows.activated).label("activated")).select_from(source)
    if by == "channel":
        statement = statement.join(Campaign, Campaign.id == rows.campaign_id)
    # As on the visits: a place or channel with only cancelled visits (and no sign-ups) has no row.
    return statement.group_by(key).having((func.sum(rows.visits) > 0) | (func.sum(rows.signups) > 0)).cte("sides")


def _place_side(by: str, places: PlaceTotals):
    """Visits and sign-ups of the all-time totals of villages or officers per key, both sides at once: the rows as
    they are where there is one per key, else grouped by the key."""
    rows = places.table.c
    key = rows.officer_id if by == "officer" else _region_key(rows.village_code, by)
    names = ("visits_done", "attendance", "cost", "signups", "signups_at_done_visits", "activated")
    if places.one_per_place and by != "district":
        return select(key.label("key"), *(rows[name] for name in names)).where(*places.conditions).cte("sides")
    return (select(key.label("key"), *(summed(rows[name]).label(name) for name in names))
            .where(*places.conditions).group_by(key).cte("sides"))


def _mix_side(by: str, source):
    """Sign-ups per occupation or payer: the columns of each value in ``source`` (tallies or monthly rows) summed
    once, then turned into one row per value (a value no sign-up has gets no row)."""
    values = list(Occupation if by == "occupation" else Payer)
    name_of = occupation_column if by == "occupation" else payer_column
    columns = source.c
    sums = []
    for value in values:
        sums += [summed(columns[name_of(value)]).label(f"{value}_signups"),
                 summed_at_done_visits(source, name_of(value)).label(f"{value}_at_done"),
                 summed(columns[name_of(value, activated=True)]).label(f"{value}_activated")]
    # A CTE referenced by every branch of the union: PostgreSQL computes it once.
    totals = select(*sums).cte("totals")
    rows = [select(literal(value, String).label("key"), totals.c[f"{value}_signups"].label("signups"),
                   totals.c[f"{value}_at_done"].label("signups_at_done_visits"),
                   totals.c[f"{value}_activated"].label("activated"))
            .where(totals.c[f"{value}_signups"] > 0) for value in values]
    return union_all(*rows).cte("signup_side")


def _labelled(by: str, statement, key):
    """``statement`` joined to what names the key: (label, parent label) columns and the joined statement."""
    if by == "regency":
        return Regency.name, null(), statement.outerjoin(Regency, Regency.code == key)
    if by == "district":
        statement = (statement.outerjoin(District, District.code == key)
                     .outerjoin(Regency, Regency.code == District.regency_code))
        return District.name, Regency.name, statement
    if by == "village":
        statement = (statement.outerjoin(Village, Village.code == key)
                     .outerjoin(District, District.code == Village.district_code))
        return Village.name, District.name, statement
    if by == "officer":
        return User.full_name, null(), statement.outerjoin(User, User.id == key)
    if by == "branch":
        return Branch.name, null(), statement.outerjoin(Branch, Branch.id == key)
    if by == "campaign":
        statement = (statement.outerjoin(Campaign, Campaign.id == key)
                     .outerjoin(Branch, Branch.id == Campaign.branch_id))
        return Campaign.name, Branch.name, statement
    return key, null(), statement


def _order(sort: str, descending: bool, columns: dict[str, ColumnElement], key) -> list:
    """ORDER BY for ``sort``: rates resting on small numbers go after the comparable ones, unranked."""
    if sort in ("conversion", "activation", "cost_per_signup"):
        if columns[sort] is None:
            return [columns["label"], key]
        numerator, denominator = columns[sort]
        small = case((denominator < SMALL_NUMBER_THRESHOLD, 1), else_=0)
        # Small-number rows get no value: they keep the label order below, unranked.
        value = case((denominator < SMALL_NUMBER_THRESHOLD, null()),
                     else_=cast(numerator, Float) / func.nullif(denominator, 0))
        return [small, value.desc() if descending else value.asc(), columns["label"], key]
    column = columns[sort]
    return [column.desc() if descending else column.asc(), key]


def too_wide(selection: Selection, by: str) -> bool:
    """Whether a breakdown by ``by`` would rank the districts, villages or officers of more than
    ``MAX_BRANCHES_FOR_PLACES`` branches from the visits and tallies (a region, campaign or officer filter
    narrows it enough; without a period or channel the all-time totals serve it). Counts the branches (one
    statement) only for a selection of every branch."""
    if by not in PLACES or selection.campaign_ids or selection.officer_id is not None or any(
            (selection.regency_code, selection.district_code, selection.village_code)):
        return False
    if place_totals(selection, by) is not None:
        return False
    if selection.branch_ids is not None:
        return len(selection.branch_ids) > MAX_BRANCHES_FOR_PLACES
    return db.session.scalar(BRANCH_COUNT) > MAX_BRANCHES_FOR_PLACES


def breakdown(selection: Selection, by: str, sort: str = "signups", descending: bool = True,
              limit: int = DEFAULT_LIMIT, offset: int = 0, rolled_up: bool = True) -> Breakdown:
    """The main figures of ``selection`` per ``by`` (one of ``DIMENSIONS``), sorted by ``sort`` (one of
    ``SORTS``), ``limit`` rows (at most ``MAX_LIMIT``) from ``offset``: one statement.

    Rows whose sort rate rests on fewer than ``SMALL_NUMBER_THRESHOLD`` cases come after the others, by
    label, whatever the direction. Each row carries its drill-down (``Drill``) where there is one. Regencies,
    channels, occupations and payers are read from the monthly roll-up where it serves the selection, districts,
    villages and officers from their all-time totals where they serve it (``rolled_up=False``: from the visits
    and tallies). Raises ``UnknownBreakdown`` for a dimension or sort
    outside the lists.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    if by not in DIMENSIONS or sort not in SORTS:
        raise UnknownBreakdown(f"no breakdown by {by!r} sorted by {sort!r}")
    key, values = shaped(selection)
    statement = _statement(key, by, sort, descending, rolled_up, paged=True)
    rows = [_row(by, selection, *row) for row in db.session.execute(statement, {**values, "limit": limit + 1,
                                                                                 "offset": offset})]
    return Breakdown(by=by, sort=sort, descending=descending, rows=rows[:limit], offset=offset,
                     has_more=len(rows) > limit)


def all_rows(selection: Selection, by: str, sort: str = "signups", descending: bool = True,
             chunk: int = MAX_LIMIT) -> Iterator[BreakdownRow]:
    """Every row of the breakdown, in ``breakdown``'s order, read ``chunk`` rows at a time from one statement
    (a server-side cursor on PostgreSQL): what an export streams, whatever the number of rows.

    The statement runs when the first row is asked for (and raises ``UnknownBreakdown`` then); closing the
    iterator early, as a download cut short does, closes the cursor.
    """
    if by not in DIMENSIONS or sort not in SORTS:
        raise UnknownBreakdown(f"no breakdown by {by!r} sorted by {sort!r}")
    key, values = shaped(selection)
    statement = _statement(key, by, sort, descending, rolled_up=True, paged=False)
    result = db.session.execute(statement.execution_options(yield_per=chunk), values)
    try:
        for part in result.partitions():
            for row in part:
                yield _row(by, selection, *row)
    finally:
        result.close()


def _sides(selection: Selection, parts: MonthParts, by: str, rolled_up: bool):
    """(keys, visit side or None, sign-up side): one CTE is all three but for occupations and payers."""
    monthly = monthly_source(selection, parts) if rolled_up and by in ROLLED_UP else None
    if by in SIGNUP_ONLY:
        signups = _mix_side(by, monthly if monthly is not None else tally_source(selection))
        return signups, None, signups
    if monthly is not None:
        both = _rolled_up_side(by, monthly)
        return both, both, both
    places = place_totals(selection, by) if rolled_up else None
    if places is not None:
        both = _place_side(by, places)
        return both, both, both
    # Both sides in one pass: their rows stacked and summed per key (a key with sign-ups but no visit left shows).
    sides = union_all(_visit_side(by, selection), _signup_side(by, selection)).subquery("sides")
    names = ("visits_done", "attendance", "cost", "signups", "signups_at_done_visits", "activated")
    both = (select(sides.c.key, *(func.sum(sides.c[name]).label(name) for name in names))
            .group_by(sides.c.key).cte("both"))
    return both, both, both


@lru_cache(maxsize=2 * SHAPES_KEPT)
def _statement(shape_key: tuple, by: str, sort: str, descending: bool, rolled_up: bool, paged: bool):
    """The breakdown's one statement for a selection of ``shape_key`` (``sources.shaped``), sorted, cut to a page
    (the bound ``limit`` and ``offset``) when ``paged``: built once per shape, breakdown and sort.

    Sorted by a count, the page is cut before its rows are named: only its few keys are joined to the regions
    or officers (a national breakdown by village would otherwise name 80,000 villages to show 15)."""
    selection, parts = template_of(shape_key)
    page = (bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)) if paged else None
    keys, visits, signups = _sides(selection, parts, by, rolled_up)
    key = keys.c.key
    statement = select(key).select_from(keys)
    if visits is not None and visits is not keys:
        statement = statement.outerjoin(visits, visits.c.key == key)
    if visits is not None:
        visits_done = func.coalesce(visits.c.visits_done, 0)
        attendance = func.coalesce(visits.c.attendance, 0)
        cost = func.coalesce(visits.c.cost, 0)
    else:
        visits_done = attendance = cost = null()
    if keys is not signups:
        statement = statement.outerjoin(signups, signups.c.key == key)
    numbers = {"visits_done": visits_done, "attendance": attendance, "cost": cost,
               "signups": func.coalesce(signups.c.signups, 0),
               "at_done": func.coalesce(signups.c.signups_at_done_visits, 0),
               "activated": func.coalesce(signups.c.activated, 0)}
    if page is not None and sort in COUNT_SORTS:
        statement = statement.add_columns(*(value.label(name) for name, value in numbers.items()))
        cut = (statement.order_by(*_order(sort, descending, _sort_columns(key, numbers, visits is None), key))
               .limit(page[0]).offset(page[1]).subquery("page"))
        key, numbers = cut.c.key, {name: cut.c[name] for name in numbers}
        statement, page = select(key).select_from(cut), None
    label, parent, statement = _labelled(by, statement, key)
    columns = {**_sort_columns(key, numbers, visits is None), "label": label}
    statement = statement.add_columns(label, parent, *numbers.values()).order_by(
        *_order(sort, descending, columns, key))
    return statement if page is None else statement.limit(page[0]).offset(page[1])


def _sort_columns(key, numbers: dict, signup_only: bool) -> dict:
    """What each sort ranks by; occupation and payer have no visits, attendance or cost: those sorts fall back to
    the key."""
    count, at_done, attendance = numbers["signups"], numbers["at_done"], numbers["attendance"]
    columns = {"key": key, "visits_done": numbers["visits_done"], "attendance": attendance, "signups": count,
               "conversion": (at_done, attendance), "activation": (numbers["activated"], count),
               "cost_per_signup": (numbers["cost"], at_done)}
    if signup_only:
        columns.update(visits_done=key, attendance=key, conversion=None, cost_per_signup=None)
    return columns


def _row(by: str, selection: Selection, key, label, parent, visits_done, attendance, cost, signups, at_done,
         activated) -> BreakdownRow:
    drill = None
    if by in DRILLS:
        field, next_by = DRILLS[by]
        drill = Drill(selection.narrowed(**{field: frozenset({key}) if by in OWN_COLUMNS else key}), next_by)
    counts = [None if value is None else int(value) for value in (visits_done, attendance, cost)]
    return BreakdownRow(key=key, label=label if label is not None else str(key), parent_label=parent,
                        visits_done=counts[0], attendance=counts[1], cost=counts[2], signups=int(signups),
                        signups_at_done_visits=int(at_done), activated=int(activated), drill=drill)
