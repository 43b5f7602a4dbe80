"""``flask demo seed``: the Palu branch with a demo user for each role, on real villages, with campaigns,
visits, and the workers signed up at the visits already done.

Safe to run again: existing demo records are found by name and kept, nothing is duplicated.
"""

from dataclasses import dataclass

from faker import Faker
from sqlalchemy import select

from campaign_app import clock
from campaign_app.branches.service import get_or_create_branch
from campaign_app.demo.campaigns import ensure_visit_today, estimate_villages, seed_campaigns
from campaign_app.demo.payments import seed_payment_histories
from campaign_app.demo.signups import NEAR_DUPLICATES, palu_programme, seed_fieldwork
from campaign_app.extensions import db
from campaign_app.models import Regency, Role, User
from campaign_app.summaries import rebuild_after
from campaign_app.users.service import create_user

DEMO_PASSWORD = "jangkau-demo"
PALU_BRANCH = "Kantor Cabang Palu"
# Kota Palu, Sigi, Donggala and Parigi Moutong: the regencies the Palu office reaches by road.
PALU_REGENCIES = ["72.71", "72.10", "72.03", "72.08"]
OTHER_BRANCHES = {"Kantor Cabang Luwuk": ["72.01", "72.07"], "Kantor Cabang Poso": ["72.02", "72.09"]}

DEMO_LOGINS = [
    ("admin", Role.ADMIN),
    ("koordinator", Role.COORDINATOR),
    ("petugas", Role.OFFICER),
    ("manajer", Role.MANAGER),
]


class RegionsMissing(RuntimeError):
    """The regions of Sulawesi Tengah are not loaded yet."""


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str


def seed_demo(scale: int = 1, seed: int = 72) -> list[DemoLogin]:
    """Create (or keep) the demo branches, users, campaigns, visits and sign-ups; ``scale`` multiplies staff,
    visits and so sign-ups. The demo officer always has a planned visit today in Kota Palu: the same one, moved
    when the seed runs on a later day.

    Returns the demo logins, one per role. The summaries are counted once, at the end, rather than after each of
    the seed's flushes: twice as quick, and the sign-ups it makes are the same either way.
    """
    if db.session.get(Regency, PALU_REGENCIES[0]) is None:
        raise RegionsMissing()
    with rebuild_after(db.session.connection()):
        return _seed(scale, seed)


def _seed(scale: int, seed: int) -> list[DemoLogin]:
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    palu = get_or_create_branch(PALU_BRANCH, PALU_REGENCIES, home_regency_code="72.71")
    others = [get_or_create_branch(name, codes, codes[0]) for name, codes in OTHER_BRANCHES.items()]

    existing = set(db.session.scalars(select(User.username)))
    for username, role in DEMO_LOGINS:
        if username not in existing:
            create_user(username=username, full_name=fake.name(), password=DEMO_PASSWORD, role=role,
                        branch=palu, covered_branches=others if role == Role.MANAGER else None)
    # Extra staff, so that lists and counts look like a working office.
    staff_plan = [(Role.OFFICER, 6), (Role.COORDINATOR, 1)]
    for branch_index, branch in enumerate([palu, *others]):
        for role, per_scale in staff_plan:
            for n in range(per_scale * scale):
                username = f"{role.value[:3]}{branch_index}{n:03d}"
                if username not in existing:
                    create_user(username=username, full_name=fake.name(), password=DEMO_PASSWORD,
                                role=role, branch=branch)
    db.session.flush()
    day = clock.today()
    # Every village loaded, not only the branches': no regency shows zero estimated workers.
    estimate_villages()
    seed_campaigns(palu, day, scale=scale)
    # Another branch's campaign, so that what one branch may not see is there to be hidden.
    seed_campaigns(others[0], day, scale=1, with_leave=False)
    ensure_visit_today(palu, "petugas", "72.71", day)
    seed_fieldwork(palu, day, palu_programme(day), near_duplicates=NEAR_DUPLICATES)
    seed_fieldwork(others[0], day)
    seed_payment_histories(day)
    return demo_logins()


def demo_logins() -> list[DemoLogin]:
    """The demo logins, one per role."""
    return [DemoLogin(username, DEMO_PASSWORD, role.value) for username, role in DEMO_LOGINS]
