"""What each role's home page shows."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.models import Regency, Review, SignUp, SignUpStatus, User, Village, Visit, VisitOfficer, VisitStatus
from campaign_app.officers.service import HOME_DAYS, HOME_LIMIT
from campaign_app.reports.metrics import Rate
from campaign_app.reports.trend import TrendPoint
from campaign_app.summaries.cells import first_of_month, month_after
from campaign_app.summaries.rollups import monthly_results

# The manager's home charts this many months, the current one last.
MANAGER_MONTHS = 12


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


# --- the manager's home ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ManagerOverview:
    """What a manager's branches achieved: sign-ups per month (``MANAGER_MONTHS``, the current one last), and
    activation and cost per sign-up over those months."""

    months: list[TrendPoint]
    cost: int  # the planned cost of done visits
    signups_at_done_visits: int

    @property
    def this_month(self) -> int:
        return self.months[-1].signups

    @property
    def last_month(self) -> int:
        return self.months[-2].signups

    @property
    def activation(self) -> Rate:
        return Rate(sum(point.activated for point in self.months), sum(point.signups for point in self.months))

    @property
    def cost_per_signup(self) -> Rate:
        return Rate(self.cost, self.signups_at_done_visits)


def manager_overview(user: User, today: date, months: int = MANAGER_MONTHS) -> ManagerOverview:
    """Sign-ups and activated sign-ups per month of the branches ``user`` may see, for the ``months`` months up to
    ``today``'s, and the planned cost of their done visits over the sign-ups at them: one statement on the monthly
    roll-up (kept with every change), whatever the data."""
    starts = [first_of_month(today)]
    while len(starts) < months:
        starts.insert(0, first_of_month(starts[0] - timedelta(days=1)))
    rows = monthly_results.c
    done = rows.visit_done
    statement = (select(rows.month, func.sum(rows.signups), func.sum(rows.activated),
                        func.sum(case((done, rows.cost), else_=0)), func.sum(case((done, rows.signups), else_=0)))
                 .where(rows.month >= starts[0], rows.month < month_after(starts[-1])).group_by(rows.month))
    visible = visible_branch_ids(user)
    if visible is not None:
        statement = statement.where(rows.branch_id.in_(sorted(visible)))
    totals = {month: (int(signups), int(activated), int(cost), int(at_done))
              for month, signups, activated, cost, at_done in db.session.execute(statement)}
    points = [TrendPoint(start, signups=totals.get(start, (0, 0))[0], activated=totals.get(start, (0, 0))[1])
              for start in starts]
    return ManagerOverview(points, cost=sum(row[2] for row in totals.values()),
                           signups_at_done_visits=sum(row[3] for row in totals.values()))


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
