"""Active participants, the number a branch reports, as the reports show it: the participants of a selection paid up
in a month per branch, regency, district or village (``retention.active_by_place``), each level drilling into the
next, with the months before it, and per village the share of its estimated informal workers they are."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select

from campaign_app.extensions import db
from campaign_app.models import Village
from campaign_app.reports.metrics import Rate
from campaign_app.reports.retention import ActivePlaces, active_by_place
from campaign_app.reports.selection import Selection
from campaign_app.signups.active import Place

# The filter each level's rows narrow to when opened, and the level shown then (villages open nothing).
DRILLS = {Place.BRANCH: ("branch", Place.REGENCY), Place.REGENCY: ("regency", Place.DISTRICT),
          Place.DISTRICT: ("district", Place.VILLAGE)}


@dataclass(frozen=True)
class ActiveRow:
    """One place's participants paid up in the month; for a village, its estimated informal workers (None: no
    estimate)."""

    key: int | str
    name: str
    paid_up: int
    estimated_workers: int | None = None

    @property
    def worker_share(self) -> Rate | None:
        """Participants paid up ÷ the village's estimated informal workers; None without an estimate."""
        return None if not self.estimated_workers else Rate(self.paid_up, self.estimated_workers)


@dataclass(frozen=True)
class ActiveView:
    """The month's participants paid up per ``place`` (``rows``, largest first), their total, and the trend."""

    active: ActivePlaces
    rows: list[ActiveRow]

    @property
    def place(self) -> Place:
        return self.active.place

    @property
    def total(self) -> int:
        return sum(row.paid_up for row in self.rows)


# The villages' estimated informal workers, of the bound ``codes``: built once.
_ESTIMATES = select(Village.code, Village.estimated_informal_workers).where(
    Village.code.in_(bindparam("codes", expanding=True)))


def place_for(selection: Selection) -> Place:
    """The level a selection's participants are listed by: the villages of a district, the districts of a regency,
    the regencies of one branch, else the branches."""
    if selection.district_code is not None:
        return Place.VILLAGE
    if selection.regency_code is not None:
        return Place.DISTRICT
    if selection.branch_ids is not None and len(selection.branch_ids) == 1:
        return Place.REGENCY
    return Place.BRANCH


def active_view(month: date, selection: Selection) -> ActiveView:
    """The participants of ``selection`` paid up in ``month`` per place (``place_for``) and the twelve months before
    it; for villages, their estimated informal workers. Three statements whatever the data (four by village)."""
    place = place_for(selection)
    active = active_by_place(month, place, selection)
    estimates: dict[str, int | None] = {}
    # Asked even for no village, so that the statements a view issues never depend on its rows.
    if place == Place.VILLAGE:
        codes = sorted(str(row.key) for row in active.places)
        estimates = dict(db.session.execute(_ESTIMATES, {"codes": codes}).all())
    return ActiveView(active, [ActiveRow(row.key, row.name, row.paid_up, estimates.get(str(row.key)))
                               for row in active.places])
