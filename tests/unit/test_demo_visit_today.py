"""The demo officer's visit of today (``flask demo seed``, run on every ``dev.py serve``): one visit, moved
to the day the seed runs, never one more per day."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from campaign_app import clock
from campaign_app.clock import WITA
from campaign_app.demo.campaigns import CAMPAIGN_PLAN
from campaign_app.demo.seed import seed_demo
from campaign_app.extensions import db
from campaign_app.fieldwork.service import start_visit
from campaign_app.models import Campaign, User, Visit, VisitOfficer, VisitStatus

pytestmark = pytest.mark.usefixtures("app_context")
DAY = timedelta(days=1)
PALU_MARKETS = CAMPAIGN_PLAN[2][0]


def seed_on(monkeypatch, day) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)
    seed_demo()
    db.session.flush()


def officers_visits_on(day) -> list[Visit]:
    return list(db.session.scalars(
        select(Visit).join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
        .join(User, User.id == VisitOfficer.officer_id)
        .where(User.username == "petugas", Visit.visit_date == day, Visit.village_code.startswith("72.71."))
        .order_by(Visit.id)
    ))


def visit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit))


def test_seeding_on_later_days_moves_the_same_visit_along(monkeypatch):
    first_day = clock.today()
    seed_on(monkeypatch, first_day)
    [visit], count = officers_visits_on(first_day), visit_count()
    for later in (first_day + DAY, first_day + 2 * DAY, first_day + 9 * DAY):
        seed_on(monkeypatch, later)
        assert officers_visits_on(later) == [visit] and visit.status == VisitStatus.PLANNED
        assert visit_count() == count


def test_a_visit_the_officer_started_is_kept_and_the_next_day_gets_a_new_one(monkeypatch):
    first_day = clock.today()
    seed_on(monkeypatch, first_day)
    [started] = officers_visits_on(first_day)
    officer = db.session.scalar(select(User).where(User.username == "petugas"))
    start_visit(started, officer, datetime.combine(first_day, time(9, 30), tzinfo=WITA).astimezone(UTC))
    count = visit_count()

    seed_on(monkeypatch, first_day + DAY)
    [planned] = officers_visits_on(first_day + DAY)
    assert planned != started and planned.status == VisitStatus.PLANNED
    assert officers_visits_on(first_day) == [started] and started.status == VisitStatus.IN_PROGRESS
    assert visit_count() == count + 1
    seed_on(monkeypatch, first_day + DAY)
    assert visit_count() == count + 1


def test_after_the_campaign_ends_the_visit_stays_on_its_day(monkeypatch):
    first_day = clock.today()
    seed_on(monkeypatch, first_day)
    [visit] = officers_visits_on(first_day)
    ends_on = db.session.scalar(select(Campaign.ends_on).where(Campaign.name == PALU_MARKETS))
    count = visit_count()

    seed_on(monkeypatch, ends_on + DAY)
    assert visit.visit_date == first_day and officers_visits_on(ends_on + DAY) == []
    assert visit_count() == count
