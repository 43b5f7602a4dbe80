"""Data factories that read like sentences, building through the services as the app does."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import count

from sqlalchemy import select

from campaign_app.campaigns.service import create_campaign
from campaign_app.demo.seed import DEMO_PASSWORD, PALU_BRANCH
from campaign_app.extensions import db
from campaign_app.models import (
    Branch,
    Campaign,
    Channel,
    Occupation,
    Payer,
    Role,
    Sector,
    SignUp,
    User,
    Village,
    Visit,
    VisitStatus,
)
from campaign_app.signups.consent import consent_text_on
from campaign_app.signups.service import record_signup
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


# --- sign-ups -------------------------------------------------------------------------------------

SIGNUP_NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 WITA on TODAY


def nik_for(birth_date: date = date(1995, 8, 5), sex: str = "P", district: str = "727101",
            serial: int | None = None) -> str:
    """A valid NIK registered in ``district`` (Palu Timur, Kota Palu, unless told): women's day is +40."""
    day = birth_date.day + (40 if sex == "P" else 0)
    serial = next(_serial) % 9999 + 1 if serial is None else serial
    return f"{district}{day:02d}{birth_date:%m%y}{serial:04d}"


def in_progress_visit(officer: User | None = None, **fields) -> Visit:
    """A visit of today with ``officer`` (a new one unless given) assigned, started."""
    visit = make_visit(officers=[officer or make_officer()], **fields)
    visit.status = VisitStatus.IN_PROGRESS
    db.session.flush()
    return visit


def signup_form(nik: str | None = None, **fields) -> dict:
    """What a filled-in sign-up form sends to ``record_signup`` (besides visit and officer), with a fresh key."""
    n = next(_serial)
    values = {"form_key": f"signup-form-{n}", "nik": nik_for() if nik is None else nik, "full_name": f"Pekerja Uji {n}",
              "sex": None, "birth_date": None, "phone": None, "occupation": Occupation.FARMER, "sector": Sector.BPU,
              "with_jht": False, "declared_income": 1_500_000, "payer": Payer.SELF, "subsidy_programme_id": None,
              "consent": True, "consent_version": consent_text_on(TODAY).version, "today": TODAY, "now": SIGNUP_NOW}
    values.update(fields)
    return values


def make_signup(visit: Visit | None = None, officer: User | None = None, nik: str | None = None,
                **fields) -> SignUp:
    """A worker signed up at ``visit`` (a started visit of a new officer unless given) through the service."""
    if visit is None:
        visit = in_progress_visit(officer)
    officer = officer or visit.officers[0]
    return record_signup(visit=visit, officer=officer, **signup_form(nik, **fields)).signup
