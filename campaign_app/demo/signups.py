"""Demo fieldwork: what happened at the visits already done, and the workers who signed up there.

For each past visit that is done: check-in and close times, attendance, sometimes an obstacle and a
note, then 5–15 sign-ups recorded through ``record_signup`` as an officer's form would (valid NIKs of
the village's district, names of Central Sulawesi, the usual occupations and incomes); some of them
activated. Kota Palu's subsidy programme pays for part of the Palu sign-ups, and a few near-duplicates
wait for a coordinator's review. Deterministic (seeded per visit); a visit whose check-in is recorded
is left as it is, so running the seed again adds nothing.
"""

import random
import zlib
from copy import copy
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from campaign_app.clock import WITA
from campaign_app.extensions import db
from campaign_app.models import (
    Branch,
    Channel,
    Obstacle,
    Occupation,
    Payer,
    Review,
    Sector,
    SignUp,
    SignUpStatus,
    SubsidyProgramme,
    User,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.signups.consent import consent_text_on
from campaign_app.signups.service import DuplicateNik, record_signup
from campaign_app.validation import Refused

PALU_PROGRAMME = "Subsidi Pekerja Rentan Kota Palu"
PALU_PAYER = "Pemerintah Kota Palu"
PALU_QUOTA = 15_000
KOTA_PALU = "72.71"
NEAR_DUPLICATES = 3
SIGNUPS_PER_VISIT = (5, 15)
# A village meeting gathers the village at once: more sign-ups a visit; enough, too, that the oldest campaign's
# cohorts pass the 30 cases retention is compared on (with 5 to 15, 27 to 30 of its sign-ups were paying).
SIGNUPS_PER_VISIT_BY_CHANNEL = {Channel.VILLAGE_MEETING: (8, 18)}

# Given names common in Palu and the valleys around it (Kaili, Bugis, Mandar, Pamona, Javanese settlers).
WOMEN = [
    "Nurhayati", "Hasnah", "Sitti Aminah", "Rosmini", "Fatmawati", "Jumriani", "Hariani", "Masita",
    "Rahmawati", "Sri Wahyuni", "Nurlela", "Marlina", "Haslinda", "Sumarni", "Rukmini", "Asnawati",
    "Rosdiana", "Besse", "Nirwana", "Kartini", "Nurjannah", "Irmawati", "Mardiana", "Yuliana",
    "Sitti Rahma", "Andi Nurhaedah", "Hadijah", "Nurbaya", "Megawati", "Ratna", "Salmawati", "Yohana",
]
MEN = [
    "Muhammad Rizal", "Abdul Rahman", "Rahmat", "Hasanuddin", "Syamsul Bahri", "Ardiansyah", "Irwan",
    "Jamaluddin", "Amran", "Sudirman", "Arifin", "Muhammad Yusuf", "Ismail", "Baharuddin", "Rusli",
    "Hamzah", "Andi Baso", "Firman", "Herman", "Asrul", "Zainal", "Salim", "Nasrun", "Mulyadi",
    "Yohanis", "Frans", "Abdul Kadir", "Moh. Nur", "Sahrul", "Agus Salim", "Ridwan", "Saiful",
]
# Family names of Kaili houses and others long settled in Central Sulawesi; many workers use none.
FAMILY_NAMES = [
    "Lamakarate", "Tombolotutu", "Pettalolo", "Lamadjido", "Djanggola", "Lasahido", "Labolo", "Towaha",
    "Lapasere", "Tanjumbulu", "Masyhuddin", "Lamarauna", "Daeng Matona", "Rangga", "Tobondo", "Laitupa",
]
WITH_FAMILY_NAME = 0.55

# Occupation weights: farmers and fishers most; the city has more traders and ojek drivers.
RURAL_OCCUPATIONS = {Occupation.FARMER: 40, Occupation.FISHER: 20, Occupation.TRADER: 10, Occupation.OJEK_DRIVER: 6,
                     Occupation.DAY_LABOURER: 10, Occupation.LIVESTOCK_KEEPER: 7, Occupation.CRAFTSPERSON: 5,
                     Occupation.OTHER: 2}
COASTAL_OCCUPATIONS = {**RURAL_OCCUPATIONS, Occupation.FISHER: 40, Occupation.FARMER: 22}
# Sigi lies in the Palu valley and its hills, away from the sea: farmers and livestock, few fishers.
INLAND_OCCUPATIONS = {**RURAL_OCCUPATIONS, Occupation.FISHER: 2, Occupation.FARMER: 50, Occupation.LIVESTOCK_KEEPER: 12}
CITY_OCCUPATIONS = {Occupation.FARMER: 8, Occupation.FISHER: 12, Occupation.TRADER: 30, Occupation.OJEK_DRIVER: 22,
                    Occupation.DAY_LABOURER: 16, Occupation.LIVESTOCK_KEEPER: 2, Occupation.CRAFTSPERSON: 7,
                    Occupation.OTHER: 3}
OCCUPATIONS_BY_REGENCY = {"72.71": CITY_OCCUPATIONS, "72.10": INLAND_OCCUPATIONS, "72.03": COASTAL_OCCUPATIONS,
                          "72.01": COASTAL_OCCUPATIONS, "72.07": COASTAL_OCCUPATIONS}
# Share of women among the workers of each occupation who sign up.
WOMEN_SHARE = {Occupation.FARMER: 0.4, Occupation.FISHER: 0.15, Occupation.TRADER: 0.65, Occupation.OJEK_DRIVER: 0.05,
               Occupation.DAY_LABOURER: 0.3, Occupation.LIVESTOCK_KEEPER: 0.35, Occupation.CRAFTSPERSON: 0.7,
               Occupation.OTHER: 0.5}
# Wage workers (PU) are few at village events: shop hands and labourers, some paid for by their employer.
WAGE_WORKER_OCCUPATIONS = {Occupation.TRADER, Occupation.DAY_LABOURER, Occupation.OTHER}
PHONE_PREFIXES = ["0812", "0813", "0821", "0822", "0823", "0852", "0853", "0857", "0878", "0895"]
NOTES = [
    "Warga antusias setelah penjelasan manfaat JKK dan JKM.",
    "Banyak warga belum membawa KTP; dijadwalkan pendaftaran susulan.",
    "Kepala desa membantu mengumpulkan warga di balai desa.",
    "Sebagian nelayan masih melaut; sosialisasi diulang sore hari.",
    "Warga menanyakan cara membayar iuran lewat agen bank.",
]
OBSTACLE_NOTES = {
    Obstacle.ROAD: "Jalan licin setelah hujan; tim tiba terlambat satu jam.",
    Obstacle.WEATHER: "Hujan deras, peserta sedikit.",
    Obstacle.PARTNER_ABSENT: "Mitra dari dinas berhalangan hadir.",
    Obstacle.OTHER: "Bersamaan dengan acara adat di desa.",
}


def _rng(*parts) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


def palu_programme(today: date) -> SubsidyProgramme:
    """Kota Palu's subsidy programme for this year (created once): it pays for 15,000 vulnerable workers."""
    programme = db.session.scalar(select(SubsidyProgramme).where(SubsidyProgramme.name == PALU_PROGRAMME))
    if programme is None:
        # Recorded directly: the demo seeds what an administrator would enter on the programme form.
        programme = SubsidyProgramme(name=PALU_PROGRAMME, payer=PALU_PAYER, starts_on=date(today.year, 1, 1),
                                     ends_on=date(today.year, 12, 31), quota=PALU_QUOTA)
        db.session.add(programme)
        db.session.flush()
    return programme


def _wita(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=WITA).astimezone(UTC)


def _nik(district_code: str, sex: str, birth_date: date, serial: int) -> str:
    """District code without dots, birth date as DDMMYY (a woman's day plus 40), and a 4-digit serial."""
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{district_code.replace('.', '')}{day:02d}{birth_date:%m%y}{serial:04d}"


def _phone(rng: random.Random) -> str | None:
    if rng.random() < 0.25:
        return None  # not every worker has a phone, or wants to give it
    return rng.choice(PHONE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(rng.choice((7, 8))))


def _income(rng: random.Random) -> int:
    """Rp800.000 to Rp4.000.000 a month, most near Rp1.500.000, rounded to Rp50.000."""
    return int(round(rng.triangular(800_000, 4_000_000, 1_500_000) / 50_000)) * 50_000


class _Worker:
    """One worker's answers on the sign-up form."""

    def __init__(self, rng: random.Random, regency_code: str, visit_date: date):
        weights = OCCUPATIONS_BY_REGENCY.get(regency_code, RURAL_OCCUPATIONS)
        self.occupation = rng.choices(list(weights), weights=list(weights.values()))[0]
        self.sex = "P" if rng.random() < WOMEN_SHARE[self.occupation] else "L"
        given = rng.choice(WOMEN if self.sex == "P" else MEN)
        self.full_name = f"{given} {rng.choice(FAMILY_NAMES)}" if rng.random() < WITH_FAMILY_NAME else given
        # Between 18 and 60 years old on the day of the visit.
        self.birth_date = visit_date - timedelta(days=rng.randrange(18 * 365 + 5, 60 * 365))
        self.phone = _phone(rng)
        self.sector = Sector.PU if self.occupation in WAGE_WORKER_OCCUPATIONS and rng.random() < 0.15 else Sector.BPU
        self.income = _income(rng)
        self.with_jht = rng.random() < (0.35 if self.income >= 2_500_000 else 0.15)


def _payer(rng: random.Random, worker: _Worker, programme: SubsidyProgramme | None) -> tuple[str, int | None]:
    if worker.sector == Sector.PU and rng.random() < 0.6:
        return Payer.EMPLOYER, None
    if programme is not None and worker.sector == Sector.BPU and worker.income <= 2_500_000 and rng.random() < 0.45:
        return Payer.SUBSIDY, programme.id
    return Payer.SELF, None


def _attendance(rng: random.Random, signups: int) -> tuple[int, int, list[str], str | None]:
    """Women and men who came (at least as many as signed up), an obstacle now and then, and a note."""
    women = rng.randrange(6, 40)
    men = max(rng.randrange(8, 45), signups - women)
    obstacles = []
    if rng.random() < 0.25:
        obstacles = [rng.choice([Obstacle.ROAD, Obstacle.ROAD, Obstacle.WEATHER, Obstacle.PARTNER_ABSENT,
                                 Obstacle.OTHER])]
    notes = [OBSTACLE_NOTES[o] for o in obstacles]
    if rng.random() < 0.4:
        notes.append(rng.choice(NOTES))
    return women, men, [o.value for o in obstacles], " ".join(notes) or None


def _activate(signup: SignUp, rng: random.Random, visit_date: date, today: date) -> None:
    days_since = (today - visit_date).days
    chance = 0.7 if signup.payer == Payer.SUBSIDY else 0.45
    if days_since < 3 or signup.review is not None or rng.random() >= chance:
        return
    # Set as an activation upload would (signups/activation.py); the demo has no membership-system file to upload.
    signup.status = SignUpStatus.ACTIVATED
    signup.first_payment_on = visit_date + timedelta(days=rng.randrange(3, min(days_since, 35) + 1))


def _sign_up(visit: Visit, officer: User, form_key: str, nik_of, worker: _Worker, payer: str,
             programme_id: int | None, now: datetime) -> SignUp | None:
    """One worker through the sign-up service; ``nik_of()`` gives a NIK, and another when that one is taken."""
    for _attempt in range(5):
        try:
            return record_signup(
                visit=visit, officer=officer, form_key=form_key, nik=nik_of(), full_name=worker.full_name,
                sex=worker.sex, birth_date=worker.birth_date, phone=worker.phone, occupation=worker.occupation,
                sector=worker.sector, with_jht=worker.with_jht, declared_income=worker.income, payer=payer,
                subsidy_programme_id=programme_id, consent=True,
                consent_version=consent_text_on(visit.visit_date).version, today=visit.visit_date, now=now,
            ).signup
        except DuplicateNik:
            continue  # the serial is taken in this district for this birth date: another one
        except Refused:
            return None  # no rate table in force on a long-past visit, say: this worker is left out
    return None


def _record_signups(visit: Visit, rng: random.Random, count: int, programme: SubsidyProgramme | None,
                    today: date, near_duplicate: bool) -> list[SignUp]:
    """``count`` workers signed up at ``visit`` (in progress), and with ``near_duplicate`` one of them again
    under another NIK (a mistyped serial), which the service flags for review."""
    running = programme if (programme is not None and visit.village_code.startswith(KOTA_PALU + ".")
                            and programme.starts_on <= visit.visit_date <= programme.ends_on) else None
    officers = [a.officer for a in visit.assignments]
    district = visit.village.district_code
    recorded = []
    now = visit.checked_in_at + timedelta(minutes=20)  # after the opening talk
    for n in range(count):
        worker = _Worker(rng, visit.village_code[:5], visit.visit_date)
        payer, programme_id = _payer(rng, worker, running)
        now += timedelta(minutes=rng.randrange(6, 14))
        signup = _sign_up(visit, officers[n % len(officers)], f"demo-{visit.id}-{n}",
                          lambda w=worker: _nik(district, w.sex, w.birth_date, rng.randrange(1, 10_000)),
                          worker, payer, programme_id, now)
        if signup is not None:
            if not recorded:
                first_worker = worker
            recorded.append(signup)
            _activate(signup, rng, visit.visit_date, today)
    if near_duplicate and recorded:
        # The sign-up keeps only the birth year: the twin's birth date is the first worker's as drawn.
        first = recorded[0]
        twin = copy(worker)
        twin.full_name, twin.sex, twin.birth_date, twin.occupation, twin.income, twin.sector = (
            first.full_name, first.sex, first_worker.birth_date, first.occupation, first.declared_income,
            first.sector)
        again = _sign_up(visit, officers[-1], f"demo-{visit.id}-again",
                         lambda: _nik(district, first.sex, twin.birth_date, rng.randrange(1, 10_000)),
                         twin, Payer.SELF, None, now + timedelta(minutes=30))
        if again is not None:
            recorded.append(again)
    return recorded


def _visits_to_record(branch: Branch, today: date) -> list[Visit]:
    return list(db.session.scalars(
        select(Visit)
        .where(Visit.branch_id == branch.id, Visit.status == VisitStatus.DONE, Visit.visit_date < today,
               Visit.checked_in_at.is_(None))
        .options(selectinload(Visit.assignments).selectinload(VisitOfficer.officer), selectinload(Visit.village))
        .order_by(Visit.visit_date, Visit.id)
    ))


def _pending_reviews(branch: Branch) -> int:
    return db.session.scalar(select(func.count()).select_from(SignUp)
                             .where(SignUp.branch_id == branch.id, SignUp.review == Review.PENDING))


def signups_per_visit(channel: Channel) -> tuple[int, int]:
    """The fewest and the most sign-ups the demo records at a done visit of a campaign of ``channel``."""
    return SIGNUPS_PER_VISIT_BY_CHANNEL.get(channel, SIGNUPS_PER_VISIT)


def seed_fieldwork(branch: Branch, today: date, programme: SubsidyProgramme | None = None,
                   near_duplicates: int = 0) -> int:
    """Record what happened at the branch's done visits before ``today`` that have no check-in yet, through
    the officers' services: check-in, sign-ups (some activated), attendance, obstacles, notes, close.

    Kota Palu's villages may have ``programme`` pay. The last visits recorded each get a near-duplicate,
    until the branch has ``near_duplicates`` waiting for review. Returns how many sign-ups were recorded.
    """
    # Imported here: the fieldwork service imports the visits blueprint, whose routes import it back.
    from campaign_app.fieldwork.service import close_visit, record_attendance, start_visit

    visits = [v for v in _visits_to_record(branch, today) if v.assignments]  # nobody there, nothing recorded
    hosts = {v.id for v in visits[len(visits) - max(near_duplicates - _pending_reviews(branch), 0):]}
    recorded = 0
    for visit in visits:
        # Not seeded by the visit's date, which moves with the day the demo is seeded: the same figures every day.
        rng = _rng("fieldwork", visit.id, visit.village_code)
        officer = visit.assignments[0].officer
        count = rng.randint(*signups_per_visit(visit.campaign.channel))
        checked_in_at = _wita(visit.visit_date, visit.start_time or time(9)) + timedelta(minutes=rng.randrange(40))
        # The campaign seed marked the visit done; the officers' services record how it went.
        visit.status = VisitStatus.PLANNED
        db.session.flush()
        start_visit(visit, officer, checked_in_at)
        signups = _record_signups(visit, rng, count, programme, today, near_duplicate=visit.id in hosts)
        women, men, obstacles, notes = _attendance(rng, len(signups))
        record_attendance(visit, officer, women, men, obstacles, notes)
        last = max((s.consent_at for s in signups), default=checked_in_at)
        close_visit(visit, officer, last + timedelta(minutes=rng.randrange(20, 90, 5)))
        recorded += len(signups)
    return recorded
