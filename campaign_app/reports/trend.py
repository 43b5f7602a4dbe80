"""Sign-ups and attendance of a selection per ISO week or per month, for the dashboard's trend chart.

Portable on SQLite and PostgreSQL: SQL groups by visit date (from the daily roll-up when the selection narrows
by branch and period only; otherwise two statements: done visits, and live sign-ups from their tallies), and
Python folds the dates, a few hundred at most, into weeks or months. Sign-ups are dated by their visit.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import Visit
from campaign_app.reports.selection import Selection, bound, done, shape, tally_conditions, template, visit_conditions
from campaign_app.reports.sources import SHAPES_KEPT, daily_conditions
from campaign_app.summaries import DailyResult, SignUpTally

PERIODS = ("week", "month")
# The chart's widest span; a longer period (a hostile or careless URL) is cut to the dates with data.
MAX_POINTS = 260


@dataclass(frozen=True)
class TrendPoint:
    """One week (starting on its Monday) or one month (starting on its first day)."""

    starts_on: date
    visits_done: int = 0
    attendance: int = 0
    signups: int = 0
    activated: int = 0

    @property
    def iso_week(self) -> tuple[int, int]:
        """(ISO year, ISO week number) of a weekly point."""
        year, week, _ = self.starts_on.isocalendar()
        return year, week


def bucket_start(day: date, period: str) -> date:
    """The first day of the week (Monday) or month ``day`` falls in."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=7)
    return (start + timedelta(days=32)).replace(day=1)


def _buckets(first: date, last: date, period: str) -> list[date]:
    starts, current, end = [], bucket_start(first, period), bucket_start(last, period)
    while current <= end and len(starts) <= MAX_POINTS:
        starts.append(current)
        try:
            current = _next(current, period)
        except OverflowError:  # the last week or month before the year 10000
            break
    return starts


@lru_cache(maxsize=SHAPES_KEPT)
def _per_day_statements(selection_shape: tuple, rolled_up: bool) -> tuple:
    """The statements of ``_per_day`` for a selection of ``selection_shape``, built once: (the daily roll-up's, None)
    or (the visits', the tallies')."""
    selection = template(selection_shape)
    conditions = daily_conditions(selection) if rolled_up else None
    if conditions is not None:
        return (select(DailyResult.day, func.sum(DailyResult.visits_done), func.sum(DailyResult.attendance),
                       func.sum(DailyResult.signups), func.sum(DailyResult.activated))
                .where(*conditions).group_by(DailyResult.day)), None
    return (select(Visit.visit_date, func.count(Visit.id),
                   func.coalesce(func.sum(func.coalesce(Visit.attendance_women, 0)
                                          + func.coalesce(Visit.attendance_men, 0)), 0))
            .where(done(), *visit_conditions(selection)).group_by(Visit.visit_date),
            select(SignUpTally.visit_date, func.sum(SignUpTally.signups), func.sum(SignUpTally.activated))
            .where(*tally_conditions(selection)).group_by(SignUpTally.visit_date))


def _per_day(selection: Selection, rolled_up: bool) -> tuple[list, list]:
    """(date, visits done, attendance) and (date, sign-ups, activated) rows of the selection per visit date: from
    the daily roll-up where it serves the selection (one statement), else from the visits and tallies (two)."""
    daily_or_visits, tallies = _per_day_statements(shape(selection), rolled_up)
    values = bound(selection)
    if tallies is None:
        rows = db.session.execute(daily_or_visits, values).all()
        return [(day, visits, attendance) for day, visits, attendance, _s, _a in rows if visits], \
            [(day, signups, activated) for day, _v, _at, signups, activated in rows if signups]
    return db.session.execute(daily_or_visits, values).all(), db.session.execute(tallies, values).all()


def trend(selection: Selection, period: str = "week", rolled_up: bool = True) -> list[TrendPoint]:
    """Visits done, attendance, sign-ups and activated sign-ups of ``selection`` per ``period`` ("week" or
    "month"), every week or month of the selection's dates included (with zeros where nothing happened): one or
    two statements. Without dates, the span of the data; empty when there is none. Raises ValueError for another
    period."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    visits, signups = _per_day(selection, rolled_up)
    days = [row[0] for row in visits] + [row[0] for row in signups]
    if not days and (selection.date_from is None or selection.date_to is None):
        return []
    first = selection.date_from or min(days)
    last = selection.date_to or max(days)
    starts = _buckets(first, last, period)
    if len(starts) > MAX_POINTS:
        if not days:
            return []
        starts = _buckets(min(days), max(days), period)[:MAX_POINTS]
    totals = {start: [0, 0, 0, 0] for start in starts}
    for day, count, attendance in visits:
        point = totals.get(bucket_start(day, period))
        if point is not None:
            point[0] += count
            point[1] += int(attendance)
    for day, count, activated in signups:
        point = totals.get(bucket_start(day, period))
        if point is not None:
            point[2] += int(count)
            point[3] += int(activated)
    return [TrendPoint(start, *values) for start, values in totals.items()]
