"""Which regions a user may see: the regencies of the branches they may see.

Every function takes ``branch_ids`` as ``campaign_app.access.visible_branch_ids`` gives it: a set of
branch ids, or None for every branch. A region outside them is treated as missing (the page answers 404).
"""

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from campaign_app.extensions import db
from campaign_app.models import District, Province, Regency, Village, branch_regencies
from campaign_app.villages.values import is_village_code

BranchIds = set[int] | None


def visible_regency_codes(branch_ids: BranchIds) -> Select:
    """A SELECT of the codes of the regencies these branches cover (every covered regency for None)."""
    statement = select(branch_regencies.c.regency_code)
    if branch_ids is not None:
        statement = statement.where(branch_regencies.c.branch_id.in_(branch_ids))
    return statement


def visible_village(branch_ids: BranchIds, code: str) -> Village | None:
    """The village with its district, regency and province loaded, if one of the branches covers it."""
    if not is_village_code(code):
        return None
    return db.session.scalar(
        select(Village)
        .join(Village.district).join(District.regency).join(Regency.province)
        .options(contains_eager(Village.district).contains_eager(District.regency)
                 .contains_eager(Regency.province))
        .where(Village.code == code, District.regency_code.in_(visible_regency_codes(branch_ids)))
    )


def visible_district(branch_ids: BranchIds, code: str) -> District | None:
    """The district with its regency and province loaded, if one of the branches covers it."""
    return db.session.scalar(
        select(District).join(District.regency).join(Regency.province)
        .options(contains_eager(District.regency).contains_eager(Regency.province))
        .where(District.code == code, District.regency_code.in_(visible_regency_codes(branch_ids)))
    )


def visible_regency(branch_ids: BranchIds, code: str) -> Regency | None:
    """The regency with its province loaded, if one of the branches covers it."""
    return db.session.scalar(
        select(Regency).join(Regency.province).options(contains_eager(Regency.province))
        .where(Regency.code == code, Regency.code.in_(visible_regency_codes(branch_ids)))
    )


def visible_province(branch_ids: BranchIds, code: str) -> Province | None:
    """The province, if one of the branches covers a regency in it."""
    return db.session.scalar(
        select(Province).where(Province.code == code, Province.code.in_(
            select(Regency.province_code).where(Regency.code.in_(visible_regency_codes(branch_ids)))))
    )


def regency_options(branch_ids: BranchIds) -> list[tuple[str, str]]:
    """(code, name) of every regency the branches cover, by code."""
    return [tuple(row) for row in db.session.execute(
        select(Regency.code, Regency.name).where(Regency.code.in_(visible_regency_codes(branch_ids)))
        .order_by(Regency.code)
    )]


def district_options(branch_ids: BranchIds, regency_code: str) -> list[tuple[str, str]]:
    """(code, name) of the districts of a regency the branches cover, by name."""
    return [tuple(row) for row in db.session.execute(
        select(District.code, District.name)
        .where(District.regency_code == regency_code, District.regency_code.in_(visible_regency_codes(branch_ids)))
        .order_by(District.name)
    )]
