"""The village registry: browse and search the villages of the branches a user may see, and what the
campaign knows of each village."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, SQLColumnExpression, func, or_, select
from sqlalchemy.orm import joinedload

from campaign_app.extensions import db
from campaign_app.models import District, Province, Regency, Village, Visit, VisitStatus
from campaign_app.paging import Page, paginate
from campaign_app.validation import Refused
from campaign_app.villages.scope import BranchIds, visible_regency_codes
from campaign_app.villages.signups import signups_in
from campaign_app.villages.values import check_values, clean_notes

SEARCH_MAX = 120


@dataclass
class Area:
    """A province, regency or district, with how many villages and estimated informal workers it holds."""

    code: str
    name: str
    # Regencies of a province, districts of a regency; None for a district.
    parts: int | None
    villages: int
    workers: int


@dataclass
class VillageRow:
    """A village as the registry lists it."""

    code: str
    name: str
    district: str
    regency: str
    workers: int | None
    access_class: str | None
    travel_hours: Decimal | None
    last_done: date | None
    today: date

    @property
    def days_since_visit(self) -> int | None:
        return (self.today - self.last_done).days if self.last_done else None


@dataclass
class VillageProgress:
    """How far the campaign has come in one village."""

    signups: int
    workers: int | None
    last_done: date | None
    days_since_visit: int | None

    @property
    def coverage(self) -> float | None:
        """Sign-ups per estimated informal worker; None without an estimate."""
        if not self.workers:
            return None
        return self.signups / self.workers


def _area_totals():
    return func.count(Village.code), func.coalesce(func.sum(Village.estimated_informal_workers), 0)


def regency_areas(branch_ids: BranchIds, province_code: str | None = None) -> list[tuple[str, str, Area]]:
    """Each visible regency as (province code, province name, Area), by code: one statement."""
    villages, workers = _area_totals()
    statement = (
        select(Province.code, Province.name, Regency.code, Regency.name, func.count(func.distinct(District.code)),
               villages, workers)
        .select_from(Village).join(Village.district).join(District.regency).join(Regency.province)
        .where(Regency.code.in_(visible_regency_codes(branch_ids)))
        .group_by(Province.code, Province.name, Regency.code, Regency.name)
        .order_by(Regency.code)
    )
    if province_code is not None:
        statement = statement.where(Regency.province_code == province_code)
    return [(p_code, p_name, Area(code, name, parts, count, total))
            for p_code, p_name, code, name, parts, count, total in db.session.execute(statement)]


def province_areas(regencies: list[tuple[str, str, Area]]) -> list[Area]:
    """The provinces of ``regencies`` (as ``regency_areas`` gives them), with their totals."""
    provinces: dict[str, Area] = {}
    for code, name, regency in regencies:
        area = provinces.setdefault(code, Area(code, name, 0, 0, 0))
        assert area.parts is not None  # a province's parts are its regencies, counted here from 0
        area.parts += 1
        area.villages += regency.villages
        area.workers += regency.workers
    return list(provinces.values())


def district_areas(branch_ids: BranchIds, regency_code: str) -> list[Area]:
    """The districts of a visible regency, by name: one statement."""
    villages, workers = _area_totals()
    rows = db.session.execute(
        select(District.code, District.name, villages, workers)
        .select_from(Village).join(Village.district)
        .where(District.regency_code == regency_code,
               District.regency_code.in_(visible_regency_codes(branch_ids)))
        .group_by(District.code, District.name).order_by(District.name)
    )
    return [Area(code, name, None, count, total) for code, name, count, total in rows]


def last_done_visit(village_code: SQLColumnExpression[str], today: date):
    """The date of the village's last visit that was done (on or before ``today``), as a scalar subquery."""
    return (
        select(func.max(Visit.visit_date))
        .where(Visit.village_code == village_code, Visit.status == VisitStatus.DONE, Visit.visit_date <= today)
        .scalar_subquery()
    )


def _village_rows(branch_ids: BranchIds, today: date) -> Select:
    return (
        select(Village.code, Village.name, District.name, Regency.name, Village.estimated_informal_workers,
               Village.access_class, Village.travel_hours, last_done_visit(Village.code, today))
        .join(Village.district).join(District.regency)
        .where(District.regency_code.in_(visible_regency_codes(branch_ids)))
    )


def search_villages(branch_ids: BranchIds, *, today: date, query: str = "", regency_code: str | None = None,
                    district_code: str | None = None, page: int = 1, per_page: int = 25) -> Page:
    """A page of ``VillageRow`` of the visible villages whose name contains ``query`` or whose code starts
    with it, optionally within a regency or district, by name. Two statements whatever the data."""
    statement = _village_rows(branch_ids, today)
    term = (query or "").strip().lower()[:SEARCH_MAX]
    if term:
        statement = statement.where(or_(func.lower(Village.name).contains(term, autoescape=True),
                                        Village.code.startswith(term, autoescape=True)))
    if district_code is not None:
        statement = statement.where(Village.district_code == district_code)
    elif regency_code is not None:
        statement = statement.where(District.regency_code == regency_code)
    result = paginate(statement.order_by(Village.name, Village.code), page, per_page)
    result.items = [VillageRow(code, name, district, regency, workers, access_class, travel_hours, last_done, today)
                    for code, name, district, regency, workers, access_class, travel_hours, last_done in result.items]
    return result


def village_progress(village: Village, today: date) -> VillageProgress:
    """Sign-ups so far (not void), estimated informal workers and the last done visit of ``village``: one
    statement."""
    last, signups = db.session.execute(
        select(last_done_visit(Village.code, today), signups_in(Village.code)).where(Village.code == village.code)
    ).one()
    return VillageProgress(signups=signups, workers=village.estimated_informal_workers,
                           last_done=last, days_since_visit=(today - last).days if last else None)


def village_visits(branch_ids: BranchIds, village_code: str, page: int = 1, per_page: int = 10) -> Page:
    """The village's visits of the visible branches, latest first, with their campaigns: two statements."""
    statement = (
        select(Visit).options(joinedload(Visit.campaign))
        .where(Visit.village_code == village_code)
        .order_by(Visit.visit_date.desc(), Visit.id.desc())
    )
    if branch_ids is not None:
        statement = statement.where(Visit.branch_id.in_(branch_ids))
    return paginate(statement, page, per_page, scalars=True)


def update_village(village: Village, *, estimated_population: int | None, estimated_informal_workers: int | None,
                   access_class: str | None, travel_hours: Decimal | None, notes: str | None) -> Village:
    """Record what the campaign knows of ``village``; None clears a value.

    Refuses (``Refused``, messages per field) numbers out of range, more informal workers than people,
    an unknown access class, travel hours outside 0–72 or with more than one decimal, and over-long
    notes or notes with control characters; then nothing changes.
    """
    values = {
        "estimated_population": estimated_population,
        "estimated_informal_workers": estimated_informal_workers,
        "access_class": access_class or None,
        "travel_hours": travel_hours,
        "notes": clean_notes(notes),
    }
    errors = check_values(values)
    if errors:
        raise Refused(errors)
    for name, value in values.items():
        setattr(village, name, value)
    db.session.flush()
    return village
