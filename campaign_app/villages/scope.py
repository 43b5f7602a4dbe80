"""Which regions a user may see: the regencies of the branches they may see.

Every function takes ``branch_ids`` as ``campaign_app.access.visible_branch_ids`` gives it: a set of
branch ids, or None for every branch. A region outside them is treated as missing (the page answers 404).
"""

from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import contains_eager

from campaign_app.extensions import db
from campaign_app.models import District, Province, Regency, Village, branch_regencies
from campaign_app.villages.values import is_village_code

BranchIds = set[int] | None
# The bound parameter the statements built once below take the branches in (``bound_branches`` gives its value).
BRANCH_IDS = "branch_ids"


def visible_regency_codes(branch_ids) -> Select:
    """A SELECT of the codes of the regencies these branches cover (every covered regency for None); ``branch_ids``
    may be an expanding bound parameter, for a statement built once."""
    statement = select(branch_regencies.c.regency_code)
    if branch_ids is not None:
        statement = statement.where(branch_regencies.c.branch_id.in_(branch_ids))
    return statement


def bound_branches(branch_ids: BranchIds) -> dict[str, list[int]]:
    """The parameters, for these branches, of a statement built once with ``branches_param``: none for every
    branch."""
    return {} if branch_ids is None else {BRANCH_IDS: sorted(branch_ids)}


def branches_param(every_branch: bool):
    """What a statement built once takes the branches as: None for every branch, else the bound list ``BRANCH_IDS``
    (an IN of as many values; ``bound_branches`` gives its value)."""
    return None if every_branch else bindparam(BRANCH_IDS, expanding=True)


def visible_village(branch_ids: BranchIds, code: str) -> Village | None:
    """The village with its district, regency and province loaded, if one of the branches covers it."""
    if not is_village_code(code):
        return None
    return db.session.scalar(_visible_village_statement(branch_ids is None),
                             {**bound_branches(branch_ids), "village_code": code})


@cache
def _visible_village_statement(every_branch: bool) -> Select:
    return (select(Village)
            .join(Village.district).join(District.regency).join(Regency.province)
            .options(contains_eager(Village.district).contains_eager(District.regency)
                     .contains_eager(Regency.province))
            .where(Village.code == bindparam("village_code"),
                   District.regency_code.in_(visible_regency_codes(branches_param(every_branch)))))


def visible_district(branch_ids: BranchIds, code: str) -> District | None:
    """The district with its regency and province loaded, if one of the branches covers it."""
    return db.session.scalar(_visible_district_statement(branch_ids is None),
                             {**bound_branches(branch_ids), "code": code})


@cache
def _visible_district_statement(every_branch: bool) -> Select:
    return (select(District).join(District.regency).join(Regency.province)
            .options(contains_eager(District.regency).contains_eager(Regency.province))
            .where(District.code == bindparam("code"),
                   District.regency_code.in_(visible_regency_codes(branches_param(every_branch)))))


def visible_regency(branch_ids: BranchIds, code: str) -> Regency | None:
    """The regency with its province loaded, if one of the branches covers it."""
    return db.session.scalar(_visible_regency_statement(branch_ids is None),
                             {**bound_branches(branch_ids), "code": code})


@cache
def _visible_regency_statement(every_branch: bool) -> Select:
    return (select(Regency).join(Regency.province).options(contains_eager(Regency.province))
            .where(Regency.code == bindparam("code"),
                   Regency.code.in_(visible_regency_codes(branches_param(every_branch)))))


def visible_province(branch_ids: BranchIds, code: str) -> Province | None:
    """The province, if one of the branches covers a regency in it."""
    return db.session.scalar(_visible_province_statement(branch_ids is None),
                             {**bound_branches(branch_ids), "code": code})


@cache
def _visible_province_statement(every_branch: bool) -> Select:
    return select(Province).where(Province.code == bindparam("code"), Province.code.in_(
        select(Regency.province_code).where(Regency.code.in_(visible_regency_codes(branches_param(every_branch))))))


@cache
def _regency_options_statement(every_branch: bool) -> Select:
    # Built once for each kind of viewer (every branch, or some), the branches bound: see ``bound_branches``.
    return (select(Regency.code, Regency.name)
            .where(Regency.code.in_(visible_regency_codes(branches_param(every_branch)))).order_by(Regency.code))


def regency_options(branch_ids: BranchIds) -> list[tuple[str, str]]:
    """(code, name) of every regency the branches cover, by code."""
    return [tuple(row) for row in db.session.execute(_regency_options_statement(branch_ids is None),
                                                     bound_branches(branch_ids))]


@cache
def _district_options_statement(every_branch: bool) -> Select:
    return (select(District.code, District.name)
            .where(District.regency_code == bindparam("regency_code"),
                   District.regency_code.in_(visible_regency_codes(branches_param(every_branch))))
            .order_by(District.name))


def district_options(branch_ids: BranchIds, regency_code: str) -> list[tuple[str, str]]:
    """(code, name) of the districts of a regency the branches cover, by name."""
    return [tuple(row) for row in db.session.execute(_district_options_statement(branch_ids is None),
                                                     {**bound_branches(branch_ids), "regency_code": regency_code})]
