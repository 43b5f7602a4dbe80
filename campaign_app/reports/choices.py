"""What the dashboard's filters and the comparison offer to choose from, limited to what the viewer may see.

Knows nothing of the request: a route passes the viewer and the values its query string asked for (a
district, village or officer a drill-down links to is offered even where the lists would not hold it).
Choices are (value, label) pairs, labelled in the request's language.
"""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, func, or_, select

from campaign_app.access import visible_branch_ids
from campaign_app.campaigns.service import campaign_branches
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.ids import ID_MAX, parse_id
from campaign_app.labels import channel_label
from campaign_app.models import Branch, Campaign, Channel, Province, Regency, Role, User, branch_regencies
from campaign_app.reports.breakdowns import DIMENSIONS
from campaign_app.villages.scope import (
    bound_branches,
    branches_param,
    district_options,
    regency_options,
    visible_village,
)
from campaign_app.visits.queries import branch_officers

# Between a campaign's name and its branch's, when the viewer sees several branches.
BRANCH_SEPARATOR = " — "

Choice = tuple[str, str]
# A viewer of more branches than this is offered one branch's campaigns at a time, and the branches one province
# at a time: 267 branches are 2.5 KB of a page's gzip, 3,204 campaigns 40 KB.
CAMPAIGN_BRANCHES_AT_ONCE = 5
# The officer filter lists every officer of a viewer of this many branches or fewer (about forty a branch, 0.6 KB
# of gzip each: more would not fit the filter form's fragment); a viewer of more chooses a branch first.
OFFICER_BRANCHES_AT_ONCE = 3


# Whether there are two branches or more: built once.
_TWO_BRANCHES = select(func.count()).select_from(select(Branch.id).limit(2).subquery())


def dimension_labels() -> dict[str, str]:
    """The name of each breakdown dimension."""
    return {"branch": _("Branch"), "campaign": _("Campaign"), "regency": _("Regency"), "district": _("District"),
            "village": _("Village"), "officer": _("Officer"),
            "channel": _("Channel"), "occupation": _("Occupation"), "payer": _("Payer")}


def sees_several_branches(visible: set[int] | None) -> bool:
    """Whether the viewer whose branches are ``visible`` (None: every branch) sees more than one."""
    if visible is not None:
        return len(visible) > 1
    return db.session.scalar(_TWO_BRANCHES) > 1


def offered_branches(visible: set[int] | None, home_branch_id: int, branch_id: int | None) -> set[int] | None:
    """The branches whose campaigns a viewer of ``visible`` branches (None: every branch) is offered: all of them
    when they are few; otherwise the branch asked for (``branch_id``), or the viewer's own. Every campaign of
    the country would be thousands of checkboxes, far past a page's budget."""
    if visible is not None and len(visible) <= CAMPAIGN_BRANCHES_AT_ONCE:
        return visible
    wanted = branch_id if branch_id is not None else home_branch_id
    return {wanted} if visible is None or wanted in visible else set()


def campaign_options(visible: set[int] | None, several_branches: bool, offered: set[int] | None = None,
                     chosen=()) -> list[tuple[int, str]]:
    """(id, label) of the campaigns of the branches ``offered`` (None: all ``visible``; see ``offered_branches``),
    and of the campaigns ``chosen`` already, all within the branches ``visible`` (None: every branch), newest
    first.

    Branches name their campaigns alike ("Lapak Pasar Rakyat Palu" in Palu and in Luwuk), so a viewer of
    ``several_branches`` reads "Name — Branch"; a viewer of one branch reads the name alone. One statement.
    """
    values = bound_branches(visible)
    if offered is not None:
        values.update(offered=sorted(offered), chosen=sorted({id_ for id_ in chosen if 0 < id_ <= ID_MAX}))
    return [(id_, f"{name}{BRANCH_SEPARATOR}{branch}" if several_branches else name)
            for id_, name, branch in db.session.execute(_campaign_options_statement(visible is None, offered is None),
                                                        values)]


@cache
def _campaign_options_statement(every_branch: bool, every_offered: bool) -> Select:
    # Built once for each shape (whether the viewer sees every branch, whether all are offered), the values bound.
    statement = (select(Campaign.id, Campaign.name, Branch.name).join(Branch, Branch.id == Campaign.branch_id)
                 .order_by(Campaign.starts_on.desc(), Campaign.id.desc()))
    if not every_branch:
        statement = statement.where(Campaign.branch_id.in_(branches_param(every_branch)))
    if not every_offered:
        statement = statement.where(or_(Campaign.branch_id.in_(bindparam("offered", expanding=True)),
                                        Campaign.id.in_(bindparam("chosen", expanding=True))))
    return statement


def officer_branches(visible: set[int] | None, branch_id: int | None) -> set[int] | None:
    """The branches whose officers the officer filter lists: the branch chosen (``branch_id``, one the viewer
    sees), else every branch ``visible`` when they are ``OFFICER_BRANCHES_AT_ONCE`` or fewer; None when they are
    more (the filter then asks for a branch first)."""
    if branch_id is not None:
        return {branch_id}
    if visible is not None and len(visible) <= OFFICER_BRANCHES_AT_ONCE:
        return visible
    return None


def _officer_options(visible: set[int] | None, branch_id: int | None, officer: int | None) -> list[tuple[int, str]]:
    # The officers of the branches in view (``officer_branches``), and an officer a drill-down links to.
    branches = officer_branches(visible, branch_id)
    officers = branch_officers(branches) if branches else []
    if officer is not None and officer not in {id_ for id_, _name in officers}:
        officers = [*officers, *db.session.execute(_officer_statement(visible is None),
                                                   {**bound_branches(visible), "officer": officer})]
    return officers


@cache
def _officer_statement(every_branch: bool) -> Select:
    statement = select(User.id, User.full_name).where(User.id == bindparam("officer"), User.role == Role.OFFICER)
    if not every_branch:
        statement = statement.where(User.branch_id.in_(branches_param(every_branch)))
    return statement


@dataclass(frozen=True)
class BranchPlace:
    """A branch and the province it is in: its office's (home regency's), else that of the first regency it
    covers; None for a branch that covers none."""

    id: int
    name: str
    province_code: str | None
    province_name: str | None


def branch_places(visible: set[int] | None) -> list[BranchPlace]:
    """The branches ``visible`` (None: every branch), by name, each with its province: one statement."""
    return [BranchPlace(*row) for row in db.session.execute(_branch_places_statement(visible is None),
                                                            bound_branches(visible))]


@cache
def _branch_places_statement(every_branch: bool) -> Select:
    # Built once for each kind of viewer, the branches bound: the filter form asks on every dashboard request.
    first_covered = (select(func.min(branch_regencies.c.regency_code))
                     .where(branch_regencies.c.branch_id == Branch.id).correlate(Branch).scalar_subquery())
    statement = (select(Branch.id, Branch.name, Province.code, Province.name).select_from(Branch)
                 .outerjoin(Regency, Regency.code == func.coalesce(Branch.home_regency_code, first_covered))
                 .outerjoin(Province, Province.code == Regency.province_code)
                 .order_by(Branch.name, Branch.id))
    if not every_branch:
        statement = statement.where(Branch.id.in_(branches_param(every_branch)))
    return statement


def listed_province(places: list[BranchPlace], asked: str, branch_id: int | None, home_branch_id: int) -> str | None:
    """The province whose branches are listed: the one ``asked`` for when the viewer has a branch there, else
    that of the branch asked for, else of the viewer's own branch, else the first."""
    provinces = [place.province_code for place in places if place.province_code]
    if asked in provinces:
        return asked
    for wanted in (branch_id, home_branch_id):
        place = next((place for place in places if place.id == wanted and place.province_code), None)
        if place:
            return place.province_code
    return provinces[0] if provinces else None


@dataclass(frozen=True)
class FilterChoices:
    """The choices of each of the dashboard's filters (``DashboardFilterForm``'s fields of the same names).

    ``province`` lists the provinces of the viewer's branches when they are too many to list at once (else it
    is empty), ``listed_province`` the one whose branches ``branch`` lists; ``several_branches`` whether the
    viewer sees more than one branch."""

    province: list[Choice]
    branch: list[Choice]
    campaign: list[Choice]
    regency: list[Choice]
    district: list[Choice]
    village: list[Choice]
    channel: list[Choice]
    officer: list[Choice]
    period: list[Choice]
    by: list[Choice]
    listed_province: str = ""
    several_branches: bool = False
    # Whether the officers are listed only once a branch is chosen (the viewer sees too many branches).
    officers_need_branch: bool = False


def filter_choices(viewer: User, *, province: str = "", branch: str = "", regency: str = "", district: str = "",
                   village: str = "", officer: str = "", campaigns: tuple[str, ...] = ()) -> FilterChoices:
    """The dashboard's filter choices for ``viewer``, given the values asked for (query-string text, unchecked).

    Branches are all the viewer's when they are few (``CAMPAIGN_BRANCHES_AT_ONCE``); otherwise those of one
    province (``listed_province``) and the one asked for, with the provinces to choose from. Regencies are those
    the viewer covers; for a viewer of many branches, those of ``offered_branches`` and the one asked for.
    Districts are those of the regency asked for, or of the regency a district asked for belongs to; the
    village list holds only the village asked for (a drill-down's), when the viewer covers it. Officers are those
    of the branches in view (``officer_branches``: the one asked for, else all the viewer's when they are few;
    else none until a branch is chosen), and the officer asked for, when the viewer sees them. Campaigns are
    those of ``offered_branches`` and those asked for (``campaigns``), labelled with their branch when the viewer
    sees several (``campaign_options``).
    """
    visible = visible_branch_ids(viewer)
    places = branch_places(visible)
    branches = [(place.id, place.name) for place in places]
    branch_id = parse_id(branch)
    offered = offered_branches(visible, viewer.branch_id, branch_id)
    regencies = regency_options(visible)
    regency = regency or district[:5]
    districts = district_options(visible, regency) if regency in {code for code, _name in regencies} else []
    if offered != visible:
        # Like campaigns, a viewer of many branches is offered one branch's regencies (and the one asked for).
        listed = {code for code, _name in regency_options(offered)} | {regency}
        regencies = [(code, name) for code, name in regencies if code in listed]
    found = visible_village(visible, village)
    chosen_branch = branch_id if branch_id in {id_ for id_, _name in branches} else None
    if len(branches) == 1:
        # A viewer of every branch where there is only one: its officers, with no branch to choose.
        chosen_branch = branches[0][0]
    officers = _officer_options(visible, chosen_branch, parse_id(officer))
    labels = dimension_labels()
    provinces, listed, shown = [], "", places
    if len(places) > CAMPAIGN_BRANCHES_AT_ONCE:
        provinces = list(dict.fromkeys((place.province_code, place.province_name) for place in
                                       sorted(places, key=lambda place: place.province_code or "")
                                       if place.province_code))
        listed = listed_province(places, province, branch_id, viewer.branch_id) or ""
        # A branch without a province (it covers no regency) is listed whatever the province.
        shown = [place for place in places if place.province_code in (listed, None) or place.id == branch_id]
    return FilterChoices(
        province=provinces,
        branch=[("", _("All branches")), *((str(place.id), place.name) for place in shown)],
        campaign=[(str(id_), label) for id_, label in campaign_options(
            visible, len(branches) > 1, offered,
            [id_ for id_ in map(parse_id, campaigns) if id_ is not None])],
        regency=[("", _("All regencies")), *regencies],
        district=[("", _("All districts")), *districts],
        village=[("", _("All villages")), *([(found.code, found.name)] if found else [])],
        channel=[("", _("All channels")), *((channel.value, channel_label(channel)) for channel in Channel)],
        officer=[("", _("All officers")), *((str(id_), name) for id_, name in officers)],
        period=[("week", _("Weeks")), ("month", _("Months"))],
        by=[(name, labels[name]) for name in DIMENSIONS],
        listed_province=listed,
        several_branches=len(branches) > 1,
        officers_need_branch=officer_branches(visible, chosen_branch) is None,
    )


@dataclass(frozen=True)
class CompareChoices:
    """What the comparison offers: the campaigns, and the branches to list them from (empty when every campaign
    the viewer may see is listed at once)."""

    branch: list[Choice]
    campaign: list[tuple[int, str]]
    # The branch whose campaigns are listed, when they are listed one branch at a time.
    listed_branch: str = ""


def compare_choices(viewer: User, *, branch: str = "", campaigns: tuple[str, ...] = ()) -> CompareChoices:
    """The comparison's choices for ``viewer``: the campaigns of ``offered_branches`` (the branch asked for, or
    the viewer's own, when the viewer sees many) and those asked for already, so that a comparison can span
    branches one branch at a time."""
    visible = visible_branch_ids(viewer)
    branches = campaign_branches(viewer)
    branch_id = parse_id(branch)
    offered = offered_branches(visible, viewer.branch_id, branch_id)
    chosen = [id_ for id_ in map(parse_id, campaigns) if id_ is not None]
    options = campaign_options(visible, len(branches) > 1, offered, chosen)
    listed_at_once = visible is not None and len(visible) <= CAMPAIGN_BRANCHES_AT_ONCE
    if listed_at_once:
        return CompareChoices(branch=[], campaign=options)
    return CompareChoices(branch=[(str(id_), name) for id_, name in branches], campaign=options,
                          listed_branch=str(next(iter(offered))) if offered else "")
