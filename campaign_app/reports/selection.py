"""What a dashboard looks at: the viewer's branches narrowed by the filters, and the SQL conditions they make.

Visits are selected on their own columns; sign-ups through their tallies (``SignUpTally``), which carry their
visit's columns (a sign-up's officer is the one who recorded it, not the visit's assigned officers). Regions
are matched on exact codes through ``villages.district_code`` and ``districts.regency_code`` (both indexed),
never with LIKE, whose prefix search uses an index only under some collations.
"""

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Select, bindparam, false, select
from sqlalchemy.sql.elements import ColumnElement

from campaign_app.models import (
    Campaign,
    District,
    Village,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.summaries import SignUpTally
from campaign_app.villages.scope import visible_regency_codes


class BoundIds(frozenset):
    """A non-empty set of ids that a statement built once takes as the expanding bound parameter ``name``: what a
    ``template`` selection holds where a selection holds ids (see ``ids_in``)."""

    name: str

    def __new__(cls, name: str) -> "BoundIds":
        ids = super().__new__(cls, (0,))
        ids.name = name
        return ids


def _frozen(ids) -> frozenset[int] | None:
    return None if ids is None else ids if isinstance(ids, BoundIds) else frozenset(ids)


@dataclass(frozen=True)
class Selection:
    """The dashboard's filters. ``branch_ids`` are the branches the viewer may see (None: every branch, as
    ``campaign_app.access.visible_branch_ids`` gives it) and are always applied; every other filter is
    optional and narrows further. Dates are inclusive and apply to the visit date."""

    branch_ids: frozenset[int] | None
    campaign_ids: frozenset[int] = field(default_factory=frozenset)
    date_from: date | None = None
    date_to: date | None = None
    regency_code: str | None = None
    district_code: str | None = None
    # Not a dashboard filter of its own: where a village row of a breakdown drills down to.
    village_code: str | None = None
    channel: str | None = None
    officer_id: int | None = None
    # Who pays the sign-ups' contributions (``models.Payer``): narrows what is counted per sign-up (the retention
    # measures); visits have no payer, so visit counts and cost are not narrowed by it.
    payer: str | None = None

    def __post_init__(self):
        # Sets and lists given by callers become frozensets, so that a Selection is hashable and immutable.
        object.__setattr__(self, "branch_ids", _frozen(self.branch_ids))
        object.__setattr__(self, "campaign_ids", _frozen(self.campaign_ids or ()))

    @classmethod
    def for_viewer(cls, visible_branch_ids, branch_id: int | None = None, **filters) -> "Selection":
        """A selection of what the viewer may see, narrowed to ``branch_id`` when given (a branch the viewer
        may not see selects nothing)."""
        branch_ids = _frozen(visible_branch_ids)
        if branch_id is not None:
            branch_ids = frozenset({branch_id}) if branch_ids is None else branch_ids & {branch_id}
        return cls(branch_ids=branch_ids, **filters)

    def narrowed(self, **changes) -> "Selection":
        """The same selection with ``changes`` (field=value) applied: what a drill-down links to."""
        return replace(self, **changes)


# The filters of a selection that hold one value (``BoundIds`` stand for the two sets of ids).
SCALARS = ("date_from", "date_to", "regency_code", "district_code", "village_code", "channel", "officer_id", "payer")


def shape(selection: Selection) -> tuple:
    """What a statement built for ``selection`` depends on but its values: which filters it has (every branch, none,
    or some; campaigns or none; each of ``SCALARS`` given or not). ``template`` makes a selection of the shape."""
    branches = None if selection.branch_ids is None else bool(selection.branch_ids)
    return (branches, bool(selection.campaign_ids), *(getattr(selection, name) is not None for name in SCALARS))


def template(selection_shape: tuple) -> Selection:
    """A selection of ``selection_shape`` whose values are bound parameters named after its fields (``bound`` gives
    their values): what a statement built once per shape is built from."""
    branches, campaigns, *given = selection_shape
    return Selection(branch_ids=None if branches is None else BoundIds("branch_ids") if branches else frozenset(),
                     campaign_ids=BoundIds("campaign_ids") if campaigns else frozenset(),
                     **{name: bindparam(name) for name, here in zip(SCALARS, given, strict=True) if here})


def bound(selection: Selection) -> dict:
    """The values of the bound parameters of a statement built from the ``template`` of ``selection``'s shape."""
    values: dict = {name: value for name in SCALARS if (value := getattr(selection, name)) is not None}
    if selection.branch_ids:
        values["branch_ids"] = sorted(selection.branch_ids)
    if selection.campaign_ids:
        values["campaign_ids"] = sorted(selection.campaign_ids)
    return values


def ids_in(column, ids) -> ColumnElement[bool]:
    """``column`` IN the ids: the bound list of a ``BoundIds``, else the ids themselves."""
    if isinstance(ids, BoundIds):
        return column.in_(bindparam(ids.name, expanding=True))
    return column.in_(sorted(ids))


def in_branches(column, selection: Selection) -> list[ColumnElement[bool]]:
    """WHERE conditions keeping the rows of ``column`` (a branch id) in the selection's branches."""
    if selection.branch_ids is None:
        return []
    if not selection.branch_ids:
        return [false()]
    return [ids_in(column, selection.branch_ids)]


def village_codes_in_region(selection: Selection) -> Select | None:
    """A SELECT of the codes of the villages in the selection's regency and district, or None without either."""
    if selection.regency_code is None and selection.district_code is None:
        return None
    statement = select(Village.code)
    if selection.district_code is not None:
        statement = statement.where(Village.district_code == selection.district_code)
    if selection.regency_code is not None:
        statement = statement.where(Village.district_code.in_(
            select(District.code).where(District.regency_code == selection.regency_code)))
    return statement


def _in_region(village_code_column, selection: Selection) -> list[ColumnElement[bool]]:
    conditions = []
    codes = village_codes_in_region(selection)
    if codes is not None:
        conditions.append(village_code_column.in_(codes))
    if selection.village_code is not None:
        conditions.append(village_code_column == selection.village_code)
    return conditions


def _visit_filters(selection: Selection, campaign_id, visit_date) -> list[ColumnElement[bool]]:
    """The conditions on a visit's campaign and date shared by visits and tallies: campaign, period and channel."""
    conditions = []
    if selection.campaign_ids:
        conditions.append(ids_in(campaign_id, selection.campaign_ids))
    if selection.date_from is not None:
        conditions.append(visit_date >= selection.date_from)
    if selection.date_to is not None:
        conditions.append(visit_date <= selection.date_to)
    if selection.channel is not None:
        conditions.append(campaign_id.in_(select(Campaign.id).where(Campaign.channel == selection.channel)))
    return conditions


def visit_filters(selection: Selection, campaign_id, visit_date) -> list[ColumnElement[bool]]:
    """The conditions on a summary's copied visit columns (campaign and date) for the selection's campaigns, period
    and channel: what any table carrying its visit's columns is filtered by."""
    return _visit_filters(selection, campaign_id, visit_date)


def in_region(village_code_column, selection: Selection) -> list[ColumnElement[bool]]:
    """The conditions on a village code column for the selection's regency, district and village."""
    return _in_region(village_code_column, selection)


def visit_conditions(selection: Selection) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``Visit`` for the visits of the selection, whatever their status.

    The officer filter keeps the visits the officer was assigned to.
    """
    conditions = [*in_branches(Visit.branch_id, selection),
                  *_visit_filters(selection, Visit.campaign_id, Visit.visit_date),
                  *_in_region(Visit.village_code, selection)]
    if selection.officer_id is not None:
        conditions.append(Visit.id.in_(
            select(VisitOfficer.visit_id).where(VisitOfficer.officer_id == selection.officer_id)))
    return conditions


def tally_conditions(selection: Selection) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``SignUpTally`` for the live sign-ups of the selection, counted in their tallies (the
    same sign-ups as ``signup_conditions``, without joining a row per sign-up).

    The officer filter keeps the sign-ups the officer recorded.
    """
    conditions = [*in_branches(SignUpTally.branch_id, selection),
                  *_visit_filters(selection, SignUpTally.campaign_id, SignUpTally.visit_date),
                  *_in_region(SignUpTally.village_code, selection)]
    if selection.officer_id is not None:
        conditions.append(SignUpTally.officer_id == selection.officer_id)
    return conditions


def done() -> ColumnElement[bool]:
    """The condition a visit that happened meets: it is done."""
    return Visit.status == VisitStatus.DONE


def village_scope_conditions(selection: Selection) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``Village`` for the villages in scope: those of the regencies the branches cover,
    narrowed by the regency, district and village filters. Campaign, date, channel and officer filters do not
    narrow it: coverage is of the area, not of the effort."""
    branch_ids = selection.branch_ids
    if isinstance(branch_ids, BoundIds):
        branch_ids = bindparam(branch_ids.name, expanding=True)
    elif branch_ids is not None:
        branch_ids = sorted(branch_ids)
    conditions = [Village.district_code.in_(
        select(District.code).where(District.regency_code.in_(visible_regency_codes(branch_ids))))]
    return conditions + _in_region(Village.code, selection)
