"""A small, hand-built world for the dashboard's figures, with every number worked out below.

Branch "Cabang Uji Utara" covers Toli-Toli (72.04, 109 villages) and Buol (72.05, 115 villages): 224 villages
in scope, none of them touched by the demo data. Officers Ani, Budi and Citra. A subsidy programme with a
quota of 100.

Campaign Toli-Toli is a village meeting, Buol a market stall. Costs in thousands of Rupiah.

| visit | campaign  | village (district)        | date       | officers  | status      | women / men | cost |
|-------|-----------|---------------------------|------------|-----------|-------------|-------------|------|
| V1    | Toli-Toli | Kombo (Dampal Selatan)    | 2026-09-07 | Ani, Budi | done        | 12 / 8      | 500  |
| V2    | Toli-Toli | Tambun (Baolan)           | 2026-09-14 | Ani       | done        | 5 / 5       | 300  |
| V3    | Buol      | Momunu (Momunu)           | 2026-10-05 | Citra     | done        | 10 / 10     | 200  |
| V4    | Buol      | Pinamula (Momunu)         | 2026-10-06 | Citra     | in progress | —           | 150  |
| V5    | Toli-Toli | Soni (Dampal Selatan)     | 2026-09-16 | Budi      | cancelled   | —           | 100  |
| V6    | Toli-Toli | Tampiala (Dampal Selatan) | 2026-12-01 | Budi      | planned     | —           | 400  |

Sign-ups (P = woman, L = man; * = activated):
- V1 by Ani: P farmer self*, P farmer self, L fisher self, and one voided (never counted); by Budi: P trader subsidy.
- V2 by Ani: L farmer employer*, P farmer subsidy.
- V3 by Citra: L ojek driver self, P trader self*.
- V4 by Citra: L farmer self (its visit is not done: counted as a sign-up, not in per-visit rates).

Estimated informal workers: Kombo 400, Tambun 600, Momunu 1,000 (no other village of the branch has one).
Elsewhere, the Luwuk branch holds a done visit (attendance 50) with two sign-ups, one paid by the same programme.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, update

from campaign_app.branches.service import get_or_create_branch
from campaign_app.extensions import db
from campaign_app.fieldwork.service import close_visit, record_attendance, start_visit
from campaign_app.models import (
    Branch,
    Campaign,
    Channel,
    Occupation,
    Payer,
    SignUp,
    SignUpStatus,
    SubsidyProgramme,
    User,
    Village,
    Visit,
    VisitStatus,
)
from campaign_app.visits.service import change_status
from tests.factories import branch_named, make_campaign, make_officer, make_signup, make_visit, nik_for

D1, D2, D3 = date(2026, 9, 7), date(2026, 9, 14), date(2026, 10, 5)
TOLI_TOLI, BUOL = "72.04", "72.05"
DAMPAL_SELATAN, BAOLAN, MOMUNU_DISTRICT = "72.04.01", "72.04.07", "72.05.01"
KOMBO, SONI, TAMPIALA = "72.04.01.2001", "72.04.01.2003", "72.04.01.2002"
TAMBUN = "72.04.07.1001"
MOMUNU, PINAMULA = "72.05.01.2001", "72.05.01.2002"
LUWUK_VILLAGE = "72.01.01.1006"  # Bugis, Banggai


def at(day: date) -> datetime:
    """10:00 WITA on ``day``."""
    return datetime.combine(day, time(2, 0), tzinfo=UTC)


def visit_on(campaign: Campaign, village: str, day: date, officers: list[User], cost: int) -> Visit:
    return make_visit(campaign, village_code=village, on=day, officers=officers, today=day, planned_cost=cost)


def started(visit: Visit) -> Visit:
    return start_visit(visit, visit.officers[0], at(visit.visit_date))


def sign(visit: Visit, officer: User, sex: str = "P", occupation: str = Occupation.FARMER, payer: str = Payer.SELF,
         programme: SubsidyProgramme | None = None, activated: bool = False) -> SignUp:
    signup = make_signup(visit, officer, nik_for(sex=sex), occupation=occupation, payer=payer,
                         subsidy_programme_id=programme.id if programme else None,
                         today=visit.visit_date, now=at(visit.visit_date))
    if activated:
        # As the membership system's activation upload does.
        signup.status = SignUpStatus.ACTIVATED
        signup.first_payment_on = visit.visit_date + timedelta(days=30)
        db.session.flush()
    return signup


def void(signup: SignUp) -> SignUp:
    # Set directly: the void service is another page's (issue 5); only the status matters to the figures.
    signup.status = SignUpStatus.VOID
    signup.void_reason = "NIK salah ketik"
    db.session.flush()
    return signup


def closed(visit: Visit, women: int, men: int) -> Visit:
    officer = visit.officers[0]
    record_attendance(visit, officer, women, men, [], None)
    close_visit(visit, officer, at(visit.visit_date))
    return visit


@dataclass
class World:
    branch: Branch
    ani: User
    budi: User
    citra: User
    toli_toli: Campaign
    buol: Campaign
    programme: SubsidyProgramme
    visits: dict[str, Visit]
    luwuk: Branch
    luwuk_campaign: Campaign


def build_world() -> World:
    """The world of the module docstring, built through the services."""
    branch = get_or_create_branch("Cabang Uji Utara", [TOLI_TOLI, BUOL], home_regency_code=TOLI_TOLI)
    db.session.flush()
    db.session.execute(update(Village).where(or_(Village.code.like(f"{TOLI_TOLI}.%"), Village.code.like(f"{BUOL}.%")))
                       .values(estimated_informal_workers=None))
    for code, workers in ((KOMBO, 400), (TAMBUN, 600), (MOMUNU, 1000)):
        db.session.get(Village, code).estimated_informal_workers = workers
    ani, budi, citra = (make_officer(branch, name) for name in ("Ani", "Budi", "Citra"))
    programme = SubsidyProgramme(name="Subsidi Uji", payer="Pemerintah Kabupaten Toli-Toli",
                                 starts_on=date(2026, 8, 1), ends_on=date(2027, 7, 31), quota=100)
    db.session.add(programme)
    starts, ends = date(2026, 9, 1), date(2026, 12, 31)
    toli_toli = make_campaign(branch, "Toli-Toli", starts_on=starts, ends_on=ends, channel=Channel.VILLAGE_MEETING)
    buol = make_campaign(branch, "Buol", starts_on=starts, ends_on=ends, channel=Channel.MARKET_STALL)

    v1 = started(visit_on(toli_toli, KOMBO, D1, [ani, budi], 500_000))
    sign(v1, ani, "P", activated=True)
    sign(v1, ani, "P")
    sign(v1, ani, "L", Occupation.FISHER)
    void(sign(v1, ani, "L"))
    sign(v1, budi, "P", Occupation.TRADER, Payer.SUBSIDY, programme)
    closed(v1, 12, 8)

    v2 = started(visit_on(toli_toli, TAMBUN, D2, [ani], 300_000))
    sign(v2, ani, "L", payer=Payer.EMPLOYER, activated=True)
    sign(v2, ani, "P", payer=Payer.SUBSIDY, programme=programme)
    closed(v2, 5, 5)

    v3 = started(visit_on(buol, MOMUNU, D3, [citra], 200_000))
    sign(v3, citra, "L", Occupation.OJEK_DRIVER)
    sign(v3, citra, "P", Occupation.TRADER, activated=True)
    closed(v3, 10, 10)

    v4 = started(visit_on(buol, PINAMULA, D3 + timedelta(days=1), [citra], 150_000))
    sign(v4, citra, "L")

    v5 = visit_on(toli_toli, SONI, D2 + timedelta(days=2), [budi], 100_000)
    change_status(v5, VisitStatus.CANCELLED, "Jalan putus")
    v6 = visit_on(toli_toli, TAMPIALA, date(2026, 12, 1), [budi], 400_000)

    luwuk = branch_named("Kantor Cabang Luwuk")
    luwuk_officer = make_officer(luwuk, "Dewi")
    luwuk_campaign = make_campaign(luwuk, "Banggai", starts_on=starts, ends_on=ends)
    elsewhere = started(visit_on(luwuk_campaign, LUWUK_VILLAGE, D1, [luwuk_officer], 900_000))
    sign(elsewhere, luwuk_officer, "P")
    sign(elsewhere, luwuk_officer, "P", payer=Payer.SUBSIDY, programme=programme)
    closed(elsewhere, 30, 20)
    db.session.flush()
    return World(branch, ani, budi, citra, toli_toli, buol, programme,
                 {"V1": v1, "V2": v2, "V3": v3, "V4": v4, "V5": v5, "V6": v6}, luwuk, luwuk_campaign)


@dataclass(frozen=True)
class WorldKeys:
    """The world by ids: built once for a module's tests, read again in each test's own session."""

    branch: int
    ani: int
    budi: int
    citra: int
    toli_toli: int
    buol: int
    programme: int
    visits: dict[str, int]
    luwuk: int
    luwuk_campaign: int


def keys_of(world: World) -> WorldKeys:
    return WorldKeys(world.branch.id, world.ani.id, world.budi.id, world.citra.id, world.toli_toli.id, world.buol.id,
                     world.programme.id, {name: visit.id for name, visit in world.visits.items()}, world.luwuk.id,
                     world.luwuk_campaign.id)


def load_world(keys: WorldKeys) -> World:
    """The world of ``keys`` in the current session."""
    def get(model, key):
        return db.session.get(model, key)

    return World(get(Branch, keys.branch), get(User, keys.ani), get(User, keys.budi), get(User, keys.citra),
                 get(Campaign, keys.toli_toli), get(Campaign, keys.buol), get(SubsidyProgramme, keys.programme),
                 {name: get(Visit, key) for name, key in keys.visits.items()}, get(Branch, keys.luwuk),
                 get(Campaign, keys.luwuk_campaign))


TOLI_TOLI_VILLAGES = [KOMBO, TAMBUN, SONI, TAMPIALA, "72.04.01.2004", "72.04.01.2005"]
BUOL_VILLAGES = [MOMUNU, PINAMULA, "72.05.01.2003"]


def add_copies(world: World, copies: int, day: date = date(2026, 11, 9), campaign: Campaign | None = None,
               villages: list[str] = TOLI_TOLI_VILLAGES) -> None:
    """``copies`` more done visits (of the Toli-Toli campaign unless told), a day apart from ``day``, each by a
    new officer, with 7 women and 3 men attending and three sign-ups, one of them void: 2 live, 1 activated."""
    for n in range(copies):
        officer = make_officer(world.branch)
        visit = started(visit_on(campaign or world.toli_toli, villages[n % len(villages)], day + timedelta(days=n),
                                 [officer], 250_000))
        sign(visit, officer, "P", activated=True)
        sign(visit, officer, "L", Occupation.TRADER, Payer.SUBSIDY, world.programme)
        void(sign(visit, officer, "L", Occupation.FISHER))
        closed(visit, 7, 3)
    db.session.flush()
