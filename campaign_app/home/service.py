"""What each role's home page shows."""

from sqlalchemy import func, select

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.models import Regency, User, Village


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
