"""The cells of the roll-ups a change touches, marked before they are counted again.

A visit marks its campaign's month, its branch's day and its village; a sign-up marks those of its visit and
the officer who recorded it; an officer put on or taken off a visit marks that officer and the visit's cells.
Marking is cheap and may mark too much (a marked cell is only counted again); marking too little is drift.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, select, union

from campaign_app.models.visits import Visit, VisitOfficer
from campaign_app.summaries import counting
from campaign_app.summaries.tallies import signup_tallies

# A visit's columns that decide its cells, in ``Cells.mark``'s order.
CELL_COLUMNS = ("branch_id", "campaign_id", "visit_date", "village_code")
# A visit's columns that decide its cells or what it adds to them: a change to any other touches no summary.
ROLLED_UP_VISIT_COLUMNS = ("branch_id", "campaign_id", "village_code", "visit_date", "status", "attendance_women",
                           "attendance_men", "planned_cost")


def first_of_month(day: date) -> date:
    """The first day of ``day``'s month: how a month cell is named."""
    return day.replace(day=1)


def month_after(month: date) -> date:
    """The first day of the month after ``month`` (a first of the month)."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass
class Cells:
    """The roll-up cells a change touched: (campaign, month) and (branch, day) pairs, villages and officers (their
    all-time totals, ``place_totals``), with their branches."""

    months: set[tuple[int, date]] = field(default_factory=set)
    days: set[tuple[int, date]] = field(default_factory=set)
    villages: set[str] = field(default_factory=set)
    officers: set[int] = field(default_factory=set)
    branches: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.months or self.days or self.villages or self.officers)

    def mark(self, branch_id: int | None, campaign_id: int | None, visit_date: date | None,
             village_code: str | None) -> None:
        """Mark the cells of a visit with these columns (a visit not yet complete marks nothing)."""
        if branch_id is None or campaign_id is None or visit_date is None or village_code is None:
            return
        self.branches.add(branch_id)
        self.months.add((campaign_id, first_of_month(visit_date)))
        self.days.add((branch_id, visit_date))
        self.villages.add(village_code)

    def mark_visits(self, connection: Connection, visit_ids: Iterable[int]) -> None:
        """Mark the cells of these visits as they are now in the database: one statement (per ten thousand)."""
        for ids in counting.chunks(visit_ids):
            rows = connection.execute(select(*(getattr(Visit, name) for name in CELL_COLUMNS))
                                      .where(Visit.id.in_(ids)))
            for row in rows:
                self.mark(*row)

    def mark_officers_of(self, connection: Connection, visit_ids: Iterable[int]) -> None:
        """Mark every officer whose totals these visits count in (assigned, or who recorded a sign-up there): what
        a change to the visits themselves touches. One statement (per ten thousand visits)."""
        for ids in counting.chunks(visit_ids):
            officers = union(select(VisitOfficer.officer_id).where(VisitOfficer.visit_id.in_(ids)),
                             select(signup_tallies.c.officer_id).where(signup_tallies.c.visit_id.in_(ids)))
            self.officers.update(connection.execute(officers).scalars())
