"""Data factories that read like sentences, building through the services as the app does."""

from datetime import date, time, timedelta
from decimal import Decimal
from itertools import count

from sqlalchemy import select

from campaign_app.campaigns.service import create_campaign
from campaign_app.demo.seed import DEMO_PASSWORD, PALU_BRANCH
from campaign_app.extensions import db
from campaign_app.models import Branch, Campaign, Channel, Role, User, Village, Visit
from campaign_app.users.service import create_user
from campaign_app.visits.service import schedule_visit

_serial = count(1)
# Villages of Kota Palu (72.71), near the office, and of Sigi (72.10).
NEAR_VILLAGE = "72.71.01.1004"  # Besusu Barat, Palu Timur
OTHER_NEAR_VILLAGE = "72.71.01.1009"  # Lolu Selatan, Palu Timur
FAR_VILLAGE = "72.10.01.2001"  # Sidondo II, Sigi Biromaru
TODAY = date(2026, 11, 2)  # a Monday, a working day


def branch_named(name: str = PALU_BRANCH) -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == name))


def user_named(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def make_officer(branch: Branch | None = None, name: str | None = None) -> User:
    n = next(_serial)
    return create_user(username=f"officer{n}", full_name=name or f"Petugas Uji {n}", password=DEMO_PASSWORD,
                       role=Role.OFFICER, branch=branch or branch_named())


def make_campaign(branch: Branch | None = None, name: str | None = None, starts_on: date = TODAY,
                  ends_on: date = TODAY + timedelta(days=120), **fields) -> Campaign:
    fields.setdefault("channel", Channel.VILLAGE_MEETING)
    return create_campaign(branch=branch or branch_named(), created_by=None,
                           name=name or f"Kampanye Uji {next(_serial)}", starts_on=starts_on, ends_on=ends_on,
                           **fields)


def set_travel_hours(village_code: str, hours: str | None) -> Village:
    village = db.session.get(Village, village_code)
    village.travel_hours = Decimal(hours) if hours is not None else None
    db.session.flush()
    return village


def make_visit(campaign: Campaign | None = None, village_code: str = NEAR_VILLAGE, on: date = TODAY,
               officers: list[User] = (), today: date = TODAY, **fields) -> Visit:
    fields.setdefault("planned_activity", "Sosialisasi di balai desa")
    fields.setdefault("planned_cost", 500_000)
    fields.setdefault("start_time", time(9, 0))
    return schedule_visit(campaign=campaign or make_campaign(), village_code=village_code, visit_date=on,
                          officer_ids=[o.id for o in officers], created_by=None, today=today, **fields)
