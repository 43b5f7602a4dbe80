"""The figures of a selection: visits, attendance, sign-ups, rates, cost, coverage, subsidy use and mixes.

``figures`` issues five aggregate statements whatever the data (visits; officer-days; sign-ups; subsidy
programmes; villages in scope) and folds their few rows in Python. Where the roll-ups serve the selection
(``campaign_app.reports.sources``) they are read instead of the visits and tallies.

Which sign-ups count: every live one (not void) recorded at a visit of the selection. Rates that compare
sign-ups with what visits achieved (per visit, per officer-day, per attendee, per rupiah) count only the
sign-ups of done visits, so that a visit still in progress, with sign-ups but no attendance yet, does not
inflate them.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import case, func, select
from sqlalchemy.sql.elements import ColumnElement

from campaign_app.extensions import db
from campaign_app.models import (
    Campaign,
    Occupation,
    Payer,
    SubsidyProgramme,
    Village,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.reports.selection import (
    Selection,
    done,
    ids_in,
    in_branches,
    village_scope_conditions,
    visit_conditions,
)
from campaign_app.reports.sources import (
    SHAPES_KEPT,
    daily_conditions,
    monthly_source,
    place_totals,
    shaped,
    tally_source,
    template_of,
)
from campaign_app.summaries import DailyResult, MonthlyResult
from campaign_app.summaries.tallies import occupation_column, payer_column

# A rate resting on fewer cases than this (attendees, sign-ups, visits, officer-days...) is shown as a count
# ("12 of 20") and marked not comparable rather than ranked: with so few cases, chance alone moves it by
# more than the differences a manager would act on (at 30, one case is over 3 points of a percentage).
SMALL_NUMBER_THRESHOLD = 30


@dataclass(frozen=True)
class Rate:
    """``numerator`` ÷ ``denominator``, honest about small numbers.

    ``value`` is None when the denominator is 0; ``comparable`` is False when the denominator is below
    ``threshold``, and then a page shows the two counts instead of ranking the rate.
    """

    numerator: int | float
    denominator: int | float
    threshold: int = SMALL_NUMBER_THRESHOLD

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def comparable(self) -> bool:
        return bool(self.denominator) and self.denominator >= self.threshold


@dataclass(frozen=True)
class ProgrammeUse:
    """A subsidy programme's sign-ups: in the selection, and in all (its quota is used by every branch)."""

    programme_id: int
    name: str
    quota: int
    used_in_selection: int
    used_overall: int

    @property
    def quota_used(self) -> Rate:
        # A quota is not a sample: no small-number rule.
        return Rate(self.used_overall, self.quota, threshold=0)


@dataclass
class Figures:
    """What the selection achieved. Counts are plain numbers; ratios are ``Rate`` properties."""

    visits_planned: int = 0  # every visit of the selection but the cancelled ones
    visits_done: int = 0
    attendance_women: int = 0  # at done visits
    attendance_men: int = 0
    officer_days: int = 0  # distinct (officer, date) among the assignments of done visits
    # The planned cost of done visits: visits record no actual cost yet; when they do, this becomes it.
    cost: int = 0
    villages_visited: int = 0  # distinct villages of done visits
    # The target villages of the selection's campaigns (``Campaign.target_villages``, summed): what
    # ``villages_visited`` is measured against; 0 when no campaign of the selection sets one.
    village_target: int = 0
    # Estimated informal workers of the villages visited (villages without an estimate add 0).
    workers_in_villages_visited: int = 0
    villages_in_scope: int = 0
    villages_with_estimate: int = 0  # villages in scope with an estimate of informal workers
    informal_workers: int = 0  # estimated, in the villages in scope (villages without an estimate add 0)
    signups: int = 0  # live (not void) sign-ups, at visits done or in progress
    signups_at_done_visits: int = 0
    activated: int = 0
    activated_at_done_visits: int = 0
    women: int = 0  # sign-ups of women
    subsidised: int = 0  # sign-ups paid by a subsidy programme
    occupations: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Occupation, 0))
    payers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Payer, 0))
    programmes: list[ProgrammeUse] = field(default_factory=list)

    @property
    def attendance(self) -> int:
        return self.attendance_women + self.attendance_men

    @property
    def signups_per_visit(self) -> Rate:
        return Rate(self.signups_at_done_visits, self.visits_done)

    @property
    def signups_per_officer_day(self) -> Rate:
        return Rate(self.signups_at_done_visits, self.officer_days)

    @property
    def conversion(self) -> Rate:
        """Sign-ups ÷ attendance, at done visits."""
        return Rate(self.signups_at_done_visits, self.attendance)

    @property
    def activation(self) -> Rate:
        """Activated ÷ sign-ups."""
        return Rate(self.activated, self.signups)

    @property
    def cost_per_signup(self) -> Rate:
        return Rate(self.cost, self.signups_at_done_visits)

    @property
    def cost_per_activated(self) -> Rate:
        return Rate(self.cost, self.activated_at_done_visits)

    @property
    def village_coverage(self) -> Rate:
        """Villages visited ÷ the campaigns' target villages. A target is not a sample: no small-number rule.
        (Against every village the branches cover, a campaign reaching its 6 villages read 0.3%.)"""
        return Rate(self.villages_visited, self.village_target, threshold=0)

    @property
    def worker_coverage(self) -> Rate:
        """Sign-ups at done visits ÷ estimated informal workers of the villages visited. (Over every village the
        branches cover, a few hundred sign-ups among hundreds of thousands of workers read 0.0% everywhere.)"""
        return Rate(self.signups_at_done_visits, self.workers_in_villages_visited)

    @property
    def women_share(self) -> Rate:
        return Rate(self.women, self.signups)


def summed(expression) -> ColumnElement:
    """SUM(expression), 0 rather than NULL over no rows."""
    return func.coalesce(func.sum(expression), 0)


def summed_at_done_visits(source, name: str) -> ColumnElement:
    """The sum of a count column of ``source`` (tallies or monthly rows) over its rows of done visits only."""
    return summed(case((source.c.visit_done, source.c[name]), else_=0))


def _visit_counts(selection: Selection):
    """Visits planned and done, attendance, cost and villages visited, from the visits: one statement."""
    is_done = done()
    visited = _villages_visited(selection, rolled_up=False)
    return (select(func.count(case((Visit.status != VisitStatus.CANCELLED, 1))),
                   func.count(case((is_done, 1))),
                   summed(case((is_done, Visit.attendance_women))),
                   summed(case((is_done, Visit.attendance_men))),
                   summed(case((is_done, Visit.planned_cost))),
                   select(visited.c.villages).scalar_subquery(), select(visited.c.workers).scalar_subquery())
            .where(*visit_conditions(selection)))


def _read_visits(figures: Figures, row) -> None:
    (figures.visits_planned, figures.visits_done, figures.attendance_women, figures.attendance_men,
     figures.cost, figures.villages_visited, figures.workers_in_villages_visited) = (int(value) for value in row)


def _villages_visited(selection: Selection, rolled_up: bool):
    """A CTE of one row: the number of distinct villages with a done visit in the selection (``villages``) and their
    estimated informal workers (``workers``), from the villages' all-time totals when ``rolled_up`` and they serve
    the selection. Referenced twice, PostgreSQL computes it once."""
    totals = place_totals(selection, "village") if rolled_up else None
    if totals is not None:
        # Narrowed by branch alone: the villages' all-time totals know which were visited (80,000 rows for the whole
        # country, where its 420,000 done visits took 60-100 ms to group).
        t = totals.table.c
        visited = select(t.village_code).where(*totals.conditions, t.visits_done > 0)
        visited = (visited if totals.one_per_place else visited.group_by(t.village_code)).subquery("visited")
    else:
        # Grouped, not DISTINCT: PostgreSQL reads the grouped villages in order from ix_visits_done_village.
        visited = (select(Visit.village_code).where(done(), *visit_conditions(selection))
                   .group_by(Visit.village_code).subquery("visited"))
    return (select(func.count().label("villages"), summed(Village.estimated_informal_workers).label("workers"))
            .select_from(visited).outerjoin(Village, Village.code == visited.c.village_code)
            .cte("villages_visited"))


def _village_target(selection: Selection):
    """SELECT the target villages of the selection's campaigns: those of its branches, campaigns and channel whose
    period meets the selection's dates."""
    conditions = in_branches(Campaign.branch_id, selection)
    if selection.campaign_ids:
        conditions.append(ids_in(Campaign.id, selection.campaign_ids))
    if selection.channel is not None:
        conditions.append(Campaign.channel == selection.channel)
    if selection.date_from is not None:
        conditions.append(Campaign.ends_on >= selection.date_from)
    if selection.date_to is not None:
        conditions.append(Campaign.starts_on <= selection.date_to)
    return select(summed(Campaign.target_villages)).where(*conditions)


def _rolled_up_visit_counts(selection: Selection, source):
    """The same figures as ``_visit_counts``, summed from monthly rows (villages visited from the villages' totals or
    the visits, since a village visited in two months counts once): one statement."""
    rows = source.c
    visited = _villages_visited(selection, rolled_up=True)
    return select(summed(rows.visits), summed_at_done_visits(source, "visits"),
                  summed_at_done_visits(source, "attendance_women"), summed_at_done_visits(source, "attendance_men"),
                  summed_at_done_visits(source, "cost"), select(visited.c.villages).scalar_subquery(),
                  select(visited.c.workers).scalar_subquery())


def _officer_days(selection: Selection, rolled_up: bool):
    """Distinct (officer, date) pairs of done visits' assignments: one statement. Summed from the daily roll-up
    where it serves the selection: an officer's assignments are all in the officer's branch, so officer-days of
    different branches are different."""
    conditions = daily_conditions(selection) if rolled_up else None
    if conditions is not None:
        return select(summed(DailyResult.officer_days)).where(*conditions)
    pairs = (select(VisitOfficer.officer_id, Visit.visit_date).distinct()
             .join(Visit, Visit.id == VisitOfficer.visit_id)
             .where(done(), *visit_conditions(selection)))
    if selection.officer_id is not None:
        # The officer's own days, not those of colleagues at the same visits.
        pairs = pairs.where(VisitOfficer.officer_id == selection.officer_id)
    return select(func.count()).select_from(pairs.subquery())


# The occupation and payer mix: (value, the Figures attribute it is counted in, the count column).
_MIXES = [*((occupation, "occupations", occupation_column(occupation)) for occupation in Occupation),
          *((payer, "payers", payer_column(payer)) for payer in Payer)]


def _signup_counts(source):
    """Sign-ups, activated, women, and the occupation and payer mix, summed from ``source`` (tallies or monthly
    rows): one statement."""
    columns = source.c
    return select(summed(columns.signups), summed_at_done_visits(source, "signups"),
                  summed(columns.activated), summed_at_done_visits(source, "activated"),
                  summed(columns.women), *(summed(columns[column]) for _value, _mix, column in _MIXES))


def _read_signups(figures: Figures, row) -> None:
    (figures.signups, figures.signups_at_done_visits, figures.activated, figures.activated_at_done_visits,
     figures.women) = (int(value) for value in row[:5])
    for (value, mix, _column), count in zip(_MIXES, row[5:], strict=True):
        getattr(figures, mix)[value] = int(count)
    figures.subsidised = figures.payers[Payer.SUBSIDY]


def _programme_counts(source):
    """Each subsidy programme paying for sign-ups of ``source``, with its quota and its use by every branch (summed
    from the monthly roll-up, which holds every sign-up): one statement."""
    overall = (select(MonthlyResult.programme_key, func.sum(MonthlyResult.signups).label("used"))
               .where(MonthlyResult.programme_key != 0).group_by(MonthlyResult.programme_key).subquery("overall"))
    in_selection = func.sum(source.c.signups)
    return (select(SubsidyProgramme.id, SubsidyProgramme.name, SubsidyProgramme.quota, in_selection,
                   func.coalesce(func.max(overall.c.used), 0))
            .select_from(source)
            .join(SubsidyProgramme, SubsidyProgramme.id == source.c.programme_key)
            .outerjoin(overall, overall.c.programme_key == SubsidyProgramme.id)
            .group_by(SubsidyProgramme.id, SubsidyProgramme.name, SubsidyProgramme.quota)
            .having(in_selection > 0)
            .order_by(SubsidyProgramme.name))


def _village_counts(selection: Selection):
    """Villages in scope and their estimated informal workers, and the campaigns' target villages: one statement."""
    return (select(func.count(Village.code), summed(Village.estimated_informal_workers),
                   func.count(Village.estimated_informal_workers), _village_target(selection).scalar_subquery())
            .where(*village_scope_conditions(selection)))


@lru_cache(maxsize=SHAPES_KEPT)
def _figures_statements(key: tuple, rolled_up: bool) -> tuple:
    """The five statements of ``figures`` for a selection of ``key`` (``sources.shaped``), built once per key: a
    statement of some sixty sums took about as long to build in Python as to run on the province's data."""
    selection, parts = template_of(key)
    monthly = monthly_source(selection, parts) if rolled_up else None
    visits = _visit_counts(selection) if monthly is None else _rolled_up_visit_counts(selection, monthly)
    signups = monthly if monthly is not None else tally_source(selection)
    return (visits, _officer_days(selection, rolled_up), _signup_counts(signups), _programme_counts(signups),
            _village_counts(selection))


def figures(selection: Selection, rolled_up: bool = True) -> Figures:
    """The figures of ``selection``, in five aggregate statements whatever the amount of data.

    Read from the monthly and daily roll-ups where they serve the selection (``rolled_up=False`` counts from the
    visits and tallies alone: the same numbers, as the tests check). An empty selection gives zeros and rates
    whose ``value`` is None. ``cost`` is the planned cost of the done visits until visits record what they
    actually cost.
    """
    key, values = shaped(selection)
    visits, officer_days, signups, programmes, villages = _figures_statements(key, rolled_up)
    result = Figures()
    _read_visits(result, db.session.execute(visits, values).one())
    result.officer_days = int(db.session.scalar(officer_days, values))
    _read_signups(result, db.session.execute(signups, values).one())
    result.programmes = [ProgrammeUse(id_, name, quota, int(used), int(overall))
                         for id_, name, quota, used, overall in db.session.execute(programmes, values)]
    (result.villages_in_scope, result.informal_workers, result.villages_with_estimate,
     result.village_target) = (int(v) for v in db.session.execute(villages, values).one())
    return result
