"""What each role's home page shows."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.models import Regency, Review, SignUp, SignUpStatus, User, Village, Visit, VisitOfficer, VisitStatus
from campaign_app.officers.service import HOME_DAYS, HOME_LIMIT


def staff_by_role(user: User) -> dict[str, int]:
    """Active users per role in the branches ``user`` may see."""
    query = select(User.role, func.count()).where(User.active).group_by(User.role)
    visible = visible_branch_ids(user)
    if visible is not None:
        query = query.where(User.branch_id.in_(visible))
    return dict(db.session.execute(query).all())


def pending_review_count(user: User) -> int:
    """Sign-ups of the branches ``user`` may see that were flagged as near-duplicates and wait for a decision."""
    query = select(func.count()).select_from(SignUp).where(SignUp.review == Review.PENDING,
                                                           SignUp.status != SignUpStatus.VOID)
    visible = visible_branch_ids(user)
    if visible is not None:
        query = query.where(SignUp.branch_id.in_(visible))
    return db.session.execute(query).scalar_one()


def region_counts() -> dict[str, int]:
    """How many regencies and villages are loaded, to tell an admin whether `flask regions load` ran."""
    return {
        "regencies": db.session.execute(select(func.count()).select_from(Regency)).scalar_one(),
        "villages": db.session.execute(select(func.count()).select_from(Village)).scalar_one(),
    }


# --- the officer's home ---------------------------------------------------------------------------

@dataclass(frozen=True)
class OfficerDay:
    """An officer's visits for the home page: earlier ones still open, today's, and the next days'."""

    unfinished: list[Visit]
    today: list[Visit]
    upcoming: list[Visit]

    @property
    def empty(self) -> bool:
        return not (self.unfinished or self.today or self.upcoming)


def officer_day(officer: User, today: date, days: int = HOME_DAYS, limit: int = HOME_LIMIT) -> OfficerDay:
    """The officer's visits from ``today`` for ``days`` days (cancelled ones left out), soonest first, and
    any earlier visit still in progress (not closed yet: it comes first); at most ``limit`` in all, with
    their village and campaign. One statement."""
    visits = db.session.scalars(
        select(Visit)
        .join(VisitOfficer, and_(VisitOfficer.visit_id == Visit.id, VisitOfficer.officer_id == officer.id))
        .options(joinedload(Visit.village), joinedload(Visit.campaign))
        .where(or_(and_(Visit.visit_date.between(today, today + timedelta(days=days - 1)),
                        Visit.status != VisitStatus.CANCELLED),
                   and_(Visit.visit_date < today, Visit.status == VisitStatus.IN_PROGRESS)))
        .order_by(Visit.visit_date, Visit.start_time, Visit.id).limit(limit)
    ).all()
    return OfficerDay(unfinished=[v for v in visits if v.visit_date < today],
                      today=[v for v in visits if v.visit_date == today],
                      upcoming=[v for v in visits if v.visit_date > today])
