"""What each role's home page shows."""

from dataclasses import dataclass

from sqlalchemy import func, select

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.models import Branch, Regency, User, Village, branch_regencies
from campaign_app.models.regions import District


@dataclass
class BranchSummary:
    id: int
    name: str
    regencies: int
    villages: int
    staff: int


def branch_summaries(user: User) -> list[BranchSummary]:
    """The branches ``user`` may see, each with its regency, village and staff counts (three queries)."""
    visible = visible_branch_ids(user)
    branches = select(Branch.id, Branch.name).order_by(Branch.name)
    if visible is not None:
        branches = branches.where(Branch.id.in_(visible))
    rows = db.session.execute(branches.limit(50)).all()
    ids = [row.id for row in rows]
    regency_counts = dict(db.session.execute(
        select(branch_regencies.c.branch_id, func.count())
        .where(branch_regencies.c.branch_id.in_(ids)).group_by(branch_regencies.c.branch_id)
    ).all())
    village_counts = dict(db.session.execute(
        select(branch_regencies.c.branch_id, func.count(Village.code))
        .join(District, District.regency_code == branch_regencies.c.regency_code)
        .join(Village, Village.district_code == District.code)
        .where(branch_regencies.c.branch_id.in_(ids)).group_by(branch_regencies.c.branch_id)
    ).all())
    staff_counts = dict(db.session.execute(
        select(User.branch_id, func.count()).where(User.branch_id.in_(ids), User.active)
        .group_by(User.branch_id)
    ).all())
    return [
        BranchSummary(row.id, row.name, regency_counts.get(row.id, 0), village_counts.get(row.id, 0),
                      staff_counts.get(row.id, 0))
        for row in rows
    ]


def staff_by_role(user: User) -> dict[str, int]:
    """Active users per role in the branches ``user`` may see."""
    query = select(User.role, func.count()).where(User.active).group_by(User.role)
    visible = visible_branch_ids(user)
    if visible is not None:
        query = query.where(User.branch_id.in_(visible))
    return dict(db.session.execute(query).all())


def region_counts() -> dict[str, int]:
    """How many regencies and villages are loaded, to tell an admin whether `flask regions load` ran."""
    return {
        "regencies": db.session.scalar(select(func.count()).select_from(Regency)),
        "villages": db.session.scalar(select(func.count()).select_from(Village)),
    }
