"""The number of SQL statements a page issues does not grow with the data.

Every role crawls two sites: the demo database (``seed_demo(scale=1)``) and a copy grown tenfold
(``seed_demo(scale=10)``, plus a branch with staff on every regency no branch covers yet). For every
endpoint, the most statements any of its requests issued on the big site must not exceed the most on
the small one: a page whose count grows with the data has an N+1 query. Run with ``-s`` for the counts.
"""

import pytest
from sqlalchemy import func, select

from campaign_app.demo.seed import seed_demo
from campaign_app.extensions import db
from campaign_app.models import Regency, Role, User, branch_regencies
from campaign_app.users.service import create_user
from tests.web.conftest import CRAWLED_SITE, ROLES, Crawls, app_on_copy

SCALE = 10
# Per extra branch, at SCALE: like seed_demo's staff plan.
EXTRA_STAFF = [(Role.OFFICER, 6 * SCALE), (Role.COORDINATOR, SCALE), (Role.MANAGER, 1)]



def grow_tenfold() -> None:
    """Seed at scale 10 and open a branch, with its staff, on every regency that no branch covers."""
    from campaign_app.branches.service import get_or_create_branch

    seed_demo(scale=SCALE)
    covered = select(branch_regencies.c.regency_code)
    uncovered = db.session.scalars(
        select(Regency).where(Regency.province_code == "72", Regency.code.not_in(covered)).order_by(Regency.code)
    ).all()
    extra = []
    for index, regency in enumerate(uncovered):
        branch = get_or_create_branch(f"Kantor Cabang Uji {regency.name}", [regency.code], regency.code)
        extra.append(branch)
        for role, count in EXTRA_STAFF:
            for n in range(count):
                create_user(username=f"uji{index:02d}{role.value[:3]}{n:03d}", full_name=f"Petugas Uji {index} {n}",
                            password="not-used-by-tests", role=role, branch=branch)
    if extra:
        create_user(username="ujiregional", full_name="Manajer Regional Uji", password="not-used-by-tests",
                    role=Role.MANAGER, branch=extra[0], covered_branches=extra)
    db.session.flush()


@pytest.fixture(scope="module")
def big_site(databases, demo_site):
    with app_on_copy(databases, databases.fresh_url(), **CRAWLED_SITE) as app:
        with app.app_context():
            grow_tenfold()
            db.session.commit()
            big_users = db.session.scalar(select(func.count()).select_from(User))
        with demo_site.app_context():
            small_users = db.session.scalar(select(func.count()).select_from(User))
        assert big_users >= 5 * small_users, f"the big site is not much bigger: {big_users} users, {small_users}"
        yield app


@pytest.fixture(scope="module")
def big_crawls(big_site) -> Crawls:
    return Crawls(big_site)


def most_statements(crawl) -> dict[str, int]:
    """The most SQL statements any request of each endpoint issued in ``crawl``."""
    counts: dict[str, int] = {}
    for response in crawl.responses:
        endpoint = response.endpoint or "(no endpoint)"
        counts[endpoint] = max(counts.get(endpoint, 0), response.statements)
    return counts


@pytest.mark.parametrize("role", ROLES)
def test_statements_per_page_do_not_grow_with_the_data(demo_crawls, big_crawls, role):
    small, big = most_statements(demo_crawls[role]), most_statements(big_crawls[role])
    both = sorted(small.keys() & big.keys())
    print(f"\n{role}: statements per endpoint, small → big: "
          + ", ".join(f"{endpoint} {small[endpoint]}→{big[endpoint]}" for endpoint in both))
    assert both, f"the {role} crawls share no endpoint"
    grown = [f"  {endpoint}: {small[endpoint]} statements on the demo data, {big[endpoint]} on ten times as much"
             for endpoint in both if big[endpoint] > small[endpoint]]
    assert not grown, f"SQL statements grow with the data for {role} (an N+1 query?):\n" + "\n".join(grown)
