"""Demo campaigns: village estimates, campaigns over the last months, visits with officers, and leave.

Built through the services, relative to today, so that the demo always has past and upcoming visits.
Existing records are found by name and kept: running the seed again adds nothing.
"""

import random
import zlib
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from campaign_app.campaigns.service import create_campaign
from campaign_app.extensions import db
from campaign_app.models import (
    AccessClass,
    Branch,
    Campaign,
    CampaignStatus,
    Channel,
    District,
    OfficerLeave,
    Role,
    User,
    Village,
    Visit,
    VisitOfficer,
    VisitStatus,
    branch_regencies,
)
from campaign_app.validation import Refused
from campaign_app.visits.assignments import record_leave
from campaign_app.visits.service import reschedule_visit, schedule_visit

# Per regency: the ways in, and the travel hours from the office (Palu); farther regencies are harder.
REGENCY_PROFILE = {
    "72.71": ([AccessClass.ROAD], (0.2, 1.0)),  # Kota Palu
    "72.10": ([AccessClass.ROAD, AccessClass.ROUGH_ROAD, AccessClass.ON_FOOT], (0.8, 6.0)),  # Sigi
    "72.03": ([AccessClass.ROAD, AccessClass.ROUGH_ROAD, AccessClass.BOAT], (0.8, 6.5)),  # Donggala
    "72.08": ([AccessClass.ROAD, AccessClass.ROUGH_ROAD, AccessClass.BOAT, AccessClass.ON_FOOT], (2.0, 9.0)),
}
DEFAULT_PROFILE = ([AccessClass.ROAD, AccessClass.ROUGH_ROAD], (1.0, 5.0))

# (name, channel, start offset from today in days, length in days, target sign-ups, target villages, budget)
CAMPAIGN_PLAN = [
    ("Bulan K3 Desa Sigi", Channel.VILLAGE_MEETING, -130, 60, 400, 12, 45_000_000),
    ("Nelayan Terlindungi Donggala", Channel.DOOR_TO_DOOR, -50, 110, 600, 15, 60_000_000),
    ("Lapak Pasar Rakyat Palu", Channel.MARKET_STALL, -20, 90, 300, 6, 25_000_000),
    ("Petani Parigi Moutong Bekerja Tanpa Cemas", Channel.PARTNER_EVENT, 7, 100, 500, 14, 55_000_000),
]
CAMPAIGN_REGENCIES = ["72.10", "72.03", "72.71", "72.08"]
# Other branches' campaigns, line by line as CAMPAIGN_PLAN's: named after their own places (a regency or a district,
# by its code) and held there. Luwuk is the seat of Banggai; Peling is the main island of Banggai Kepulauan.
BRANCH_CAMPAIGNS = {
    "Kantor Cabang Luwuk": [
        ("Bulan K3 Desa Toili", "72.01.09"),
        ("Nelayan Terlindungi Banggai Kepulauan", "72.07"),
        ("Lapak Pasar Rakyat Luwuk", "72.01.04"),
        ("Petani Batui Bekerja Tanpa Cemas", "72.01.01"),
    ],
}
ACTIVITIES = [
    "Sosialisasi di balai desa", "Pendaftaran dari rumah ke rumah", "Lapak di hari pasar",
    "Pertemuan kelompok tani", "Sosialisasi di tempat pelelangan ikan", "Pertemuan dengan aparat desa",
]
VISITS_PER_CAMPAIGN = 8


def _rng(*parts) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


def _branch_villages(branch: Branch) -> list[Village]:
    return list(db.session.scalars(
        select(Village).join(District, District.code == Village.district_code)
        .join(branch_regencies, branch_regencies.c.regency_code == District.regency_code)
        .where(branch_regencies.c.branch_id == branch.id).order_by(Village.code)
    ))


def estimate_villages(branch: Branch | None = None) -> int:
    """Give the branch's villages (every village loaded, without a branch) plausible estimates where none is
    recorded; returns how many changed."""
    changed = 0
    villages = _branch_villages(branch) if branch is not None else db.session.scalars(select(Village))
    for village in villages:
        if village.estimated_population is not None:
            continue
        rng = _rng("village", village.code)
        classes, (low, high) = REGENCY_PROFILE.get(village.code[:5], DEFAULT_PROFILE)
        population = rng.randrange(700, 7000, 10)
        village.estimated_population = population
        village.estimated_informal_workers = int(population * rng.uniform(0.22, 0.42))
        village.access_class = rng.choice(classes)
        village.travel_hours = Decimal(str(round(rng.uniform(low, high), 1)))
        changed += 1
    db.session.flush()
    return changed


def _officers(branch: Branch) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.branch_id == branch.id, User.role == Role.OFFICER, User.active).order_by(User.id)
    ))


def _villages_of(branch: Branch, place_code: str) -> list[Village]:
    """The branch's villages in a regency or a district (``place_code``)."""
    return [v for v in _branch_villages(branch) if v.code.startswith(place_code + ".")]


def _seed_campaign(branch: Branch, plan, regency_code: str, suffix: str, today: date, officers: list[User],
                   coordinator: User | None, visits: int) -> None:
    name, channel, start, length, target_signups, target_villages, budget = plan
    full_name = f"{name}{suffix}"
    if db.session.scalar(select(Campaign.id).where(Campaign.branch_id == branch.id, Campaign.name == full_name)):
        return
    starts_on = today + timedelta(days=start)
    campaign = create_campaign(
        branch=branch, created_by=coordinator, name=full_name, channel=channel, starts_on=starts_on,
        ends_on=starts_on + timedelta(days=length), target_signups=target_signups,
        target_villages=target_villages, budget=budget,
        partner="Dinas Tenaga Kerja" if channel == Channel.PARTNER_EVENT else None,
        description=f"Kampanye {name.lower()} untuk pekerja bukan penerima upah.",
    )
    rng = _rng("campaign", branch.id, full_name)
    villages = _villages_of(branch, regency_code) or _branch_villages(branch)
    for n in range(visits):
        # Spread over the campaign's period, on working days.
        day = starts_on + timedelta(days=int(length * (n + 0.5) / visits))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        crew = rng.sample(officers, k=min(len(officers), rng.choice((1, 2, 2))))
        try:
            visit = schedule_visit(
                campaign=campaign, village_code=rng.choice(villages).code, visit_date=day,
                start_time=time(rng.choice((8, 9, 10, 13))), planned_activity=rng.choice(ACTIVITIES),
                planned_cost=rng.randrange(300_000, 2_500_000, 50_000), officer_ids=[o.id for o in crew],
                created_by=coordinator, today=min(day, today),
            )
        except Refused:
            continue  # the crew clashes with another visit: a real coordinator would pick others
        if day < today:
            visit.status = VisitStatus.DONE if rng.random() > 0.12 else VisitStatus.POSTPONED
            if visit.status == VisitStatus.POSTPONED:
                visit.status_reason = "Jalan tertutup longsor"
    if campaign.ends_on < today:
        campaign.status = CampaignStatus.CLOSED
    db.session.flush()


def _seed_leave(officers: list[User], today: date, coordinator: User | None) -> None:
    for index, officer in enumerate(officers[:3]):
        if db.session.scalar(select(OfficerLeave.id).where(OfficerLeave.officer_id == officer.id)):
            continue
        starts_on = today + timedelta(days=3 + 9 * index)
        record_leave(officer, starts_on, starts_on + timedelta(days=1 + index), "Cuti tahunan",
                     recorded_by=coordinator)


def seed_campaigns(branch: Branch, today: date, scale: int = 1, with_leave: bool = True) -> None:
    """The branch's demo campaigns with visits (``scale`` times as many) and leave."""
    officers = _officers(branch)
    if not officers:
        return
    coordinator = db.session.scalar(
        select(User).where(User.branch_id == branch.id, User.role == Role.COORDINATOR).order_by(User.id)
    )
    if with_leave:
        _seed_leave(officers, today, coordinator)
    for copy in range(scale):
        suffix = "" if copy == 0 else f" (gelombang {copy + 1})"
        for plan, (name, place_code) in zip(CAMPAIGN_PLAN, campaign_places(branch), strict=True):
            _seed_campaign(branch, (name, *plan[1:]), place_code, suffix, today, officers, coordinator,
                           VISITS_PER_CAMPAIGN)


def campaign_places(branch: Branch) -> list[tuple[str, str]]:
    """The name and place (a regency or district code) of each of the branch's demo campaigns, by CAMPAIGN_PLAN."""
    return BRANCH_CAMPAIGNS.get(branch.name, [(plan[0], code) for plan, code in zip(CAMPAIGN_PLAN, CAMPAIGN_REGENCIES,
                                                                                      strict=True)])


def _today_key(branch: Branch, username: str) -> str:
    return f"demo-today-{branch.id}-{username}"


def ensure_visit_today(branch: Branch, username: str, regency_code: str, today: date) -> Visit | None:
    """A planned visit ``today`` in ``regency_code`` with the officer ``username`` assigned: the demo's one.

    The officer's day (and its browser test) needs one; it goes to the branch's open campaign in that
    regency (the market stalls of Palu). The visit is keyed (``form_key``), so seeding on a later day moves
    it to the new today instead of planning another (``dev.py serve`` seeds on every start). A visit someone
    has acted on (started, postponed, cancelled) is kept as it is without the key, and a new one is planned.
    Returns the visit, or None without such a campaign or officer, or once the campaign no longer runs today.
    """
    officer = db.session.scalar(select(User).where(User.username == username, User.branch_id == branch.id))
    if officer is None:
        return None
    key = _today_key(branch, username)
    visit = db.session.scalar(select(Visit).where(Visit.form_key == key))
    if visit is not None and (visit.status != VisitStatus.PLANNED or visit.checked_in_at is not None):
        visit.form_key = None  # what was recorded stays; the demo plans a fresh visit below
        db.session.flush()
        visit = None
    if visit is not None:
        return _move_to(visit, today)
    plan = CAMPAIGN_PLAN[CAMPAIGN_REGENCIES.index(regency_code)]
    campaign = db.session.scalar(
        select(Campaign).where(Campaign.branch_id == branch.id, Campaign.name == plan[0],
                               Campaign.status == CampaignStatus.OPEN, Campaign.starts_on <= today,
                               Campaign.ends_on >= today)
    )
    if campaign is None:
        return None
    rng = _rng("today", branch.id, username, today)
    # Not in Palu Timur, whose villages the tests of "where next" lay out by hand.
    villages = [v for v in _villages_of(branch, regency_code) if not v.code.startswith(regency_code + ".01.")]
    village = rng.choice(villages or _villages_of(branch, regency_code))
    visit_fields = {"campaign": campaign, "village_code": village.code, "visit_date": today, "start_time": time(9),
                    "planned_activity": "Lapak di hari pasar", "planned_cost": 750_000, "created_by": None,
                    "today": today, "form_key": key}
    try:
        return schedule_visit(officer_ids=[officer.id], **visit_fields)
    except Refused:
        # The officer travels to or from a far village around today: the demo's day in Palu still needs them here.
        visit = schedule_visit(officer_ids=[], **visit_fields)
        db.session.add(VisitOfficer(visit=visit, officer=officer))
        db.session.flush()
        return visit


def _move_to(visit: Visit, today: date) -> Visit | None:
    """The demo's visit moved to ``today`` (it stays where it is once its campaign has closed or ended)."""
    if visit.visit_date == today:
        return visit
    campaign = visit.campaign
    if not (campaign.is_open and campaign.starts_on <= today <= campaign.ends_on):
        return None
    try:
        return reschedule_visit(visit, visit_date=today, start_time=time(9), today=today)
    except Refused:
        # The officer is booked, travelling or on leave around today: as when it was planned, they are needed here.
        visit.visit_date = today
        db.session.flush()
        return visit
