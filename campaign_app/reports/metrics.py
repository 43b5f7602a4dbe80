"""The figures of a selection: visits, attendance, sign-ups, rates, cost, coverage, subsidy use and mixes.

``figures`` issues five aggregate statements whatever the data (visits; officer-days; sign-ups summed from
their tallies; subsidy programmes; villages in scope) and folds their few rows in Python.

Which sign-ups count: every live one (not void) recorded at a visit of the selection. Rates that compare
sign-ups with what visits achieved (per visit, per officer-day, per attendee, per rupiah) count only the
sign-ups of done visits, so that a visit still in progress, with sign-ups but no attendance yet, does not
inflate them.
"""

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from campaign_app.extensions import db
from campaign_app.models import (
    Occupation,
    Payer,
    SignUpTally,
    SubsidyProgramme,
    Village,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.models.tallies import occupation_column, payer_column
from campaign_app.reports.selection import (
    Selection,
    done,
    tally_conditions,
    village_scope_conditions,
    visit_conditions,
)

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
        """Villages visited ÷ villages in scope."""
        return Rate(self.villages_visited, self.villages_in_scope)

    @property
    def worker_coverage(self) -> Rate:
        """Sign-ups ÷ estimated informal workers of the villages in scope."""
        return Rate(self.signups, self.informal_workers)

    @property
    def women_share(self) -> Rate:
        return Rate(self.women, self.signups)


def summed(expression) -> ColumnElement:
    """SUM(expression), 0 rather than NULL over no rows."""
    return func.coalesce(func.sum(expression), 0)


def summed_at_done_visits(tally_column) -> ColumnElement:
    """The sum of a ``SignUpTally`` count column over the tallies of done visits only."""
    return summed(case((SignUpTally.visit_done, tally_column), else_=0))


def _count_visits(figures: Figures, selection: Selection) -> None:
    """Visits planned and done, attendance, cost and villages visited: one statement."""
    is_done = done()
    # Grouped, not count(DISTINCT ...): PostgreSQL hashes a GROUP BY, but sorts for a DISTINCT aggregate.
    visited = select(Visit.village_code).where(is_done, *visit_conditions(selection)).group_by(Visit.village_code)
    visited = visited.subquery("visited")
    row = db.session.execute(
        select(func.count(case((Visit.status != VisitStatus.CANCELLED, 1))),
               func.count(case((is_done, 1))),
               summed(case((is_done, Visit.attendance_women))),
               summed(case((is_done, Visit.attendance_men))),
               summed(case((is_done, Visit.planned_cost))),
               select(func.count()).select_from(visited).scalar_subquery())
        .where(*visit_conditions(selection))
    ).one()
    (figures.visits_planned, figures.visits_done, figures.attendance_women, figures.attendance_men,
     figures.cost, figures.villages_visited) = (int(value) for value in row)


def _count_officer_days(figures: Figures, selection: Selection) -> None:
    """Distinct (officer, date) pairs of done visits' assignments: one statement."""
    pairs = (select(VisitOfficer.officer_id, Visit.visit_date).distinct()
             .join(Visit, Visit.id == VisitOfficer.visit_id)
             .where(done(), *visit_conditions(selection)))
    if selection.officer_id is not None:
        # The officer's own days, not those of colleagues at the same visits.
        pairs = pairs.where(VisitOfficer.officer_id == selection.officer_id)
    figures.officer_days = db.session.scalar(select(func.count()).select_from(pairs.subquery()))


def _count_signups(figures: Figures, selection: Selection) -> None:
    """Sign-ups, activated, women, and the occupation and payer mix, summed from the tallies: one statement."""
    columns = SignUpTally.__table__.c
    mixes = [*((occupation, "occupations", occupation_column(occupation)) for occupation in Occupation),
             *((payer, "payers", payer_column(payer)) for payer in Payer)]
    row = db.session.execute(
        select(summed(SignUpTally.signups), summed_at_done_visits(SignUpTally.signups),
               summed(SignUpTally.activated), summed_at_done_visits(SignUpTally.activated),
               summed(SignUpTally.women), *(summed(columns[column]) for _value, _mix, column in mixes))
        .where(*tally_conditions(selection))
    ).one()
    (figures.signups, figures.signups_at_done_visits, figures.activated, figures.activated_at_done_visits,
     figures.women) = (int(value) for value in row[:5])
    for (value, mix, _column), count in zip(mixes, row[5:], strict=True):
        getattr(figures, mix)[value] = int(count)
    figures.subsidised = figures.payers[Payer.SUBSIDY]


def _count_programmes(figures: Figures, selection: Selection) -> None:
    """Each subsidy programme paying for sign-ups of the selection, with its quota and overall use: one statement."""
    anywhere = aliased(SignUpTally)
    used_overall = (select(summed(anywhere.signups)).where(anywhere.programme_key == SubsidyProgramme.id)
                    .scalar_subquery())
    in_selection = func.sum(SignUpTally.signups)
    rows = db.session.execute(
        select(SubsidyProgramme.id, SubsidyProgramme.name, SubsidyProgramme.quota, in_selection, used_overall)
        .select_from(SignUpTally)
        .join(SubsidyProgramme, SubsidyProgramme.id == SignUpTally.programme_key)
        .where(*tally_conditions(selection))
        .group_by(SubsidyProgramme.id, SubsidyProgramme.name, SubsidyProgramme.quota)
        .having(in_selection > 0)
        .order_by(SubsidyProgramme.name)
    )
    figures.programmes = [ProgrammeUse(id_, name, quota, int(used), int(overall))
                          for id_, name, quota, used, overall in rows]


def _count_villages(figures: Figures, selection: Selection) -> None:
    """Villages in scope and their estimated informal workers: one statement."""
    row = db.session.execute(
        select(func.count(Village.code), summed(Village.estimated_informal_workers),
               func.count(Village.estimated_informal_workers))
        .where(*village_scope_conditions(selection))
    ).one()
    figures.villages_in_scope, figures.informal_workers, figures.villages_with_estimate = (int(v) for v in row)


def figures(selection: Selection) -> Figures:
    """The figures of ``selection``, in five aggregate statements whatever the amount of data.

    An empty selection gives zeros and rates whose ``value`` is None. ``cost`` is the planned cost of the
    done visits until visits record what they actually cost.
    """
    result = Figures()
    _count_visits(result, selection)
    _count_officer_days(result, selection)
    _count_signups(result, selection)
    _count_programmes(result, selection)
    _count_villages(result, selection)
    return result
