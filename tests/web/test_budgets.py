"""Every page and fragment a role can reach stays within the budgets of the design note.

The crawl (``tests/crawler.py``) starts at each role's home page, or at the login page for an anonymous
visitor, so a new page is checked as soon as something links to it. Run with ``-s`` to see the figures.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

import pytest
from faker import Faker
from flask import url_for
from sqlalchemy import func, select, update

from campaign_app.branches.service import get_or_create_branch
from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import (
    Branch,
    Campaign,
    Channel,
    District,
    Occupation,
    Payer,
    Regency,
    Role,
    User,
    Village,
    Visit,
    branch_regencies,
)
from campaign_app.offline.service import SHELL_FILES
from campaign_app.regions.load import available_province_codes, load_regions
from campaign_app.reports.choices import CAMPAIGN_BRANCHES_AT_ONCE
from campaign_app.reports.routes import TREND_ROWS
from campaign_app.reports.trend import MAX_POINTS
from campaign_app.subsidies.service import create_programme
from campaign_app.summaries import SignUpTally, rebuild_after, rollups
from campaign_app.summaries.tallies import COUNT_COLUMNS
from campaign_app.users.service import create_user
from tests.conftest import app_on_copy
from tests.crawler import FRAGMENT_HEADERS, Fetched, gzip_size, parse, sign_in
from tests.factories import branch_named, make_campaign, make_officer, user_named
from tests.reports_data import closed, sign, started, visit_on
from tests.web.conftest import ROLES

PAGE_BUDGET = 14 * 1024  # fits TCP's first round trip
FRAGMENT_BUDGET = 4 * 1024  # one small packet train on 2G
ASSET_BUDGET = 30 * 1024  # CSS + JS of a first visit
ONE_YEAR = 31536000


def _listing(responses: list[Fetched]) -> str:
    return "\n".join(f"  {r.gzip_size} B gzip: {r.describe()}" for r in responses)


def _figures(crawl) -> str:
    page, fragment = crawl.largest(crawl.pages), crawl.largest(crawl.fragments)
    page_text = f"{page.gzip_size} B gzip ({page.url})" if page else "none"
    fragment_text = f"{fragment.gzip_size} B gzip ({fragment.url})" if fragment else "none"
    capped = f" (stopped at the cap, {crawl.left_over} URLs left)" if crawl.left_over else ""
    return (f"{crawl.role}: {len(crawl.responses)} responses{capped}, largest page {page_text}, "
            f"largest fragment {fragment_text}")


@pytest.mark.parametrize("role", ROLES)
def test_no_response_is_a_server_error(demo_crawls, role):
    crawl = demo_crawls[role]
    errors = [r for r in crawl.responses if r.status >= 500]
    assert not errors, f"{role} crawl got server errors:\n" + "\n".join(
        f"  {r.status} {r.describe()}: {r.error}" for r in errors)


@pytest.mark.parametrize("role", ROLES)
def test_the_crawl_reaches_every_endpoint_it_finds(demo_crawls, role):
    # A crawl cut short by its cap would leave whole pages unchecked by every budget here.
    assert not demo_crawls[role].unreached, f"{role} crawl never fetched: {sorted(demo_crawls[role].unreached)}"


@pytest.mark.parametrize("role", ROLES)
def test_no_link_shown_to_a_role_is_refused_or_missing(demo_crawls, role):
    crawl = demo_crawls[role]
    refused = [r for r in crawl.responses if r.status in (401, 403, 404)]
    assert not refused, f"{role} was shown links it cannot open:\n" + "\n".join(
        f"  {r.status} {r.describe()}" for r in refused)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_the_first_round_trip(demo_crawls, role):
    crawl = demo_crawls[role]
    print(f"\n{_figures(crawl)}")
    assert crawl.pages, f"{role} crawl found no page"
    too_large = sorted((p for p in crawl.pages if p.gzip_size > PAGE_BUDGET), key=lambda p: -p.gzip_size)
    assert not too_large, (f"pages over {PAGE_BUDGET} B gzip for {role}:\n{_listing(too_large)}\n"
                           f"{_figures(crawl)}")


@pytest.mark.parametrize("role", ROLES)
def test_every_fragment_fits_a_small_packet_train(demo_crawls, role):
    crawl = demo_crawls[role]
    too_large = sorted((f for f in crawl.fragments if f.gzip_size > FRAGMENT_BUDGET), key=lambda f: -f.gzip_size)
    assert not too_large, (f"fragments over {FRAGMENT_BUDGET} B gzip for {role}:\n{_listing(too_large)}\n"
                           f"{_figures(crawl)}")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_a_title_and_a_language(demo_crawls, role):
    problems = []
    for page in demo_crawls[role].pages:
        document = parse(page.body)
        if not document.lang:
            problems.append(f"  no <html lang>: {page.describe()}")
        # base.html appends " · Jangkau": a title that starts with the separator lost its own block.
        if not document.title or document.title.startswith("·"):
            problems.append(f"  empty <title> {document.title!r}: {page.describe()}")
    assert not problems, f"pages of the {role} crawl without a title or language:\n" + "\n".join(problems)


def _asset(client, url: str) -> tuple[int, str, int]:
    response = client.get(url)
    try:
        body = response.get_data()
    finally:
        response.close()
    return response.status_code, response.headers.get("Cache-Control", ""), gzip_size(body)


def test_first_visit_css_and_js_fit_the_budget_and_are_cached_a_year(demo_site):
    """Each role's first visit loads the login page, then its home page; their CSS and JS are counted once, with
    those of the service worker's shell where a page registers it."""
    login_assets = parse(demo_site.test_client().get("/login").get_data()).assets
    with demo_site.test_request_context():
        shell_assets = [url_for("static", filename=name) for name in SHELL_FILES if name.endswith((".js", ".css"))]
    totals, problems, sizes = {}, [], {}
    for role in ROLES:
        client = demo_site.test_client()
        sign_in(client, role)
        home = client.get("/")
        assets = dict.fromkeys(login_assets + (parse(home.get_data()).assets if home.status_code == 200 else []))
        if any("/js/phone.js" in url for url in assets):
            # That page registers the service worker, which takes the whole shell at once: the offline code the
            # pages load only when needed is part of the first visit too.
            assets.update(dict.fromkeys(shell_assets))
        for url in assets:
            if url not in sizes:
                status, cache_control, size = _asset(client, url)
                sizes[url] = size
                if status != 200:
                    problems.append(f"{url}: status {status}")
                if "v=" not in url:
                    problems.append(f"{url}: not fingerprinted (no ?v=)")
                elif "immutable" not in cache_control or f"max-age={ONE_YEAR}" not in cache_control:
                    problems.append(f"{url}: Cache-Control {cache_control!r}, expected immutable, max-age={ONE_YEAR}")
        totals[role] = sum(sizes[url] for url in assets)
    figures = ", ".join(f"{role} {total} B" for role, total in totals.items())
    listing = ", ".join(f"{url} {size} B" for url, size in sizes.items())
    print(f"\nfirst-visit CSS + JS, gzip: {figures}\n  {listing}")
    problems += [f"CSS + JS of the {role} first visit: {total} B gzip, over {ASSET_BUDGET} B ({listing})"
                 for role, total in totals.items() if total > ASSET_BUDGET]
    assert not problems, "first-visit CSS and JS:\n  " + "\n  ".join(problems)


# --- the dashboard at national scale ------------------------------------------------------------------------

WEEKS = MAX_POINTS  # five years of weekly visits: the longest trend the dashboard draws
FIRST_MONDAY = date(2021, 11, 8)
THEMES = ("Bekerja Tanpa Cemas", "Perempuan Pekerja Terlindungi", "Petani Sejahtera", "Nelayan Terlindungi",
          "Ojek Aman", "Desa Sadar Jaminan Sosial", "Bulan K3 Desa", "Pasar Rakyat Terlindungi")
HIGHEST_PROVINCE_BRANCHES = "35"  # Jawa Timur: 38 regencies, the most branches of any province
NATION_PASSWORD = "tidak-dipakai-1"


def _short(regency_name: str) -> str:
    return regency_name.removeprefix("Kabupaten ").removeprefix("Kota ")



@dataclass
class Nation:
    """Who looks at the national data set, and where its busiest branch works."""

    regional: str  # a manager of every branch of Jawa Timur
    regional_few: str  # a manager of as many branches as are listed at once
    branch_manager: str  # the manager of the busiest branch
    busy_regency: str
    busy_district: str


def _staff(branch: Branch, count: int, fake: Faker) -> list[User]:
    return [make_officer(branch, fake.name()) for _n in range(count)]


def _campaigns(branch: Branch, regency: str, count: int) -> list[Campaign]:
    """``count`` campaigns back to back over the weeks of visits, named as a branch would."""
    span = -(-WEEKS * 7 // count)  # rounded up: the last campaign runs to the last week
    campaigns = []
    for n in range(count):
        starts = FIRST_MONDAY + timedelta(days=n * span)
        campaigns.append(make_campaign(branch, f"{THEMES[n % len(THEMES)]} {_short(regency)} {starts.year} {n + 1}",
                                       starts_on=starts, ends_on=starts + timedelta(days=span - 1),
                                       channel=list(Channel)[n % len(Channel)]))
    return campaigns


def build_nation() -> Nation:
    """Every province's regions and about 260 branches of two neighbouring regencies, as the national benchmark has
    them; forty officers and twelve campaigns in each branch whose lists are shown; a done visit a week with
    sign-ups in the busiest branch for five years (the longest trend drawn), a done visit in twenty other
    branches, forty subsidy programmes paying; then the done visits' sign-ups and attendance scaled up to national
    numbers (tens of thousands a week), whose longer digits are what makes the pages heavy."""
    # Loaded through the services, their summaries counted once at the end (8 s instead of 14 s).
    with rebuild_after(db.session.connection()):
        fake = Faker("id_ID")
        fake.seed_instance(72)
        load_regions(available_province_codes())
        branches_by_province: dict[str, list[Branch]] = {}
        # A regency is covered by one branch: those of the demo's branches stay theirs.
        uncovered = select(Regency.province_code, Regency.code, Regency.name).where(
            Regency.code.not_in(select(branch_regencies.c.regency_code))).order_by(Regency.code)
        for province, codes in groupby(db.session.execute(uncovered), key=lambda row: row[0]):
            regencies = [(code, name) for _province, code, name in codes]
            for n in range(0, len(regencies), 2):
                pair = regencies[n:n + 2]
                branches_by_province.setdefault(province, []).append(get_or_create_branch(
                    f"Kantor Cabang {pair[0][1].removeprefix('Kabupaten ')}", [code for code, _name in pair],
                    home_regency_code=pair[0][0]))
        east_java = branches_by_province[HIGHEST_PROVINCE_BRANCHES]
        busy, few = east_java[0], east_java[:CAMPAIGN_BRANCHES_AT_ONCE]
        palu = branch_named()
        for branch in [*few, palu]:
            _staff(branch, 40, fake)
        campaigns = {branch.id: _campaigns(branch, branch.regencies[0].name, 12) for branch in [*few, palu]}
        admin = user_named("admin")
        programmes = [create_programme(name=f"Subsidi Pekerja Rentan Pemerintah {fake.city()} {n + 1}",
                                       payer=f"Pemerintah Kabupaten {fake.city()}", starts_on=date(2021, 1, 1),
                                       ends_on=date(2026, 12, 31), quota=20_000 + 37 * n, created_by=admin)
                      for n in range(40)]
        officers = list(db.session.scalars(select(User).where(User.branch_id == busy.id, User.role == Role.OFFICER)))
        villages = list(db.session.scalars(
            select(Village.code).join(District).where(District.regency_code.in_([r.code for r in busy.regencies]))
            .order_by(Village.code)))
        occupations, payers = list(Occupation), [Payer.SELF, Payer.EMPLOYER]
        for week in range(WEEKS):
            day = FIRST_MONDAY + timedelta(days=7 * week + week % 5)
            campaign = next(c for c in campaigns[busy.id] if c.starts_on <= day <= c.ends_on)
            pair = [officers[week % len(officers)], officers[(week + 7) % len(officers)]]
            village = villages[(week * 37) % len(villages)]
            visit = started(visit_on(campaign, village, day, pair, 150_000 + 2_500 * week))
            for n in range(2):
                subsidised = (week + n) % 3 == 0
                programme = programmes[week % len(programmes)] if subsidised else None
                sign(visit, pair[n], "PL"[n], occupations[(week + n) % len(occupations)],
                     Payer.SUBSIDY if subsidised else payers[n], programme, activated=(week + n) % 2 == 0)
            closed(visit, 800 + (week * 131) % 3000, 700 + (week * 89) % 2000)
        elsewhere = [branches[0] for province, branches in sorted(branches_by_province.items())
                     if province not in (HIGHEST_PROVINCE_BRANCHES, "72")][:20]
        for n, branch in enumerate(elsewhere):
            officer = make_officer(branch, fake.name())
            campaign = make_campaign(branch, f"Bekerja Tanpa Cemas {_short(branch.regencies[0].name)} 2026",
                                     starts_on=date(2026, 1, 5), ends_on=date(2026, 12, 31))
            village = db.session.scalar(select(Village.code).join(District)
                                        .where(District.regency_code == branch.regencies[0].code)
                                        .order_by(Village.code))
            visit = started(visit_on(campaign, village, date(2026, 3, 2) + timedelta(days=7 * n), [officer], 400_000))
            sign(visit, officer, "P", programme=programmes[n], payer=Payer.SUBSIDY)
            closed(visit, 1200 + 97 * n, 900 + 53 * n)
        db.session.flush()
    # National numbers: each tally of a done visit counts a thousand to ten thousand times what the services
    # recorded, and as many attend as a few hundred village meetings. The tallies are scaled around the ORM, then
    # the attendance through it, so that whatever is counted from visits and tallies is counted again.
    done = db.session.scalars(select(Visit).where(Visit.attendance_women.is_not(None))).all()
    tallies = SignUpTally.__table__
    factor = 1000 + (tallies.c.visit_id * 7919) % 8999
    db.session.execute(update(tallies).where(tallies.c.visit_id.in_([visit.id for visit in done]))
                       .values({tallies.c[name]: tallies.c[name] * factor for name in COUNT_COLUMNS}))
    for visit in done:
        visit.attendance_women, visit.attendance_men = visit.attendance_women * 37, visit.attendance_men * 41
    db.session.flush()
    regional = create_user(username="wilayah35", full_name="Manajer Wilayah Jawa Timur", password=NATION_PASSWORD,
                           role=Role.MANAGER, branch=busy, covered_branches=east_java)
    regional_few = create_user(username="wilayah35a", full_name="Manajer Lima Cabang", password=NATION_PASSWORD,
                               role=Role.MANAGER, branch=busy, covered_branches=few)
    manager = create_user(username="kc-sibuk", full_name="Manajer Cabang Sibuk", password=NATION_PASSWORD,
                          role=Role.MANAGER, branch=busy)
    busy_district = db.session.get(Village, villages[0]).district_code
    return Nation(regional.username, regional_few.username, manager.username, busy.regencies[0].code, busy_district)


@pytest.fixture(scope="module")
def nation(databases):
    """An app on the national data set of ``build_nation``, and who looks at it."""
    with app_on_copy(databases, databases.fresh_url()) as app:
        with app.app_context():
            built = build_nation()
            db.session.commit()
        yield app, built


VIEWS = ("", "?by=village", "?by=officer", "?by=channel", "?period=month", "?regency={regency}&by=district",
         "?regency={regency}&district={district}&by=village&sort=label&desc=0&page=2")


def _signed_in(app, username: str):
    client = app.test_client()
    password = DEMO_PASSWORD if username == "admin" else NATION_PASSWORD
    assert client.post("/login", data={"username": username, "password": password}).status_code == 303
    return client


def _sizes(client, url: str, **headers) -> tuple[int, int]:
    """The gzip size of ``url`` as a page, and as the htmx fragment sent with ``headers``."""
    page = client.get(url)
    fragment = client.get(url, headers={**FRAGMENT_HEADERS, **headers})
    assert page.status_code == fragment.status_code == 200, url
    return gzip_size(page.get_data()), gzip_size(fragment.get_data())


@pytest.mark.parametrize("viewer", ["admin", "regional", "regional_few", "branch_manager"])
def test_the_dashboard_fits_the_budgets_at_national_scale(nation, viewer):
    """Every dashboard view of a viewer of the national data set: the page, the results an htmx request swaps in
    (after a link on the same view, and after a drill-down from the unfiltered view, which also loads the
    filters), the filter form those load, and the trend's numbers (the page of all of them, and the two years
    at a time that htmx loads)."""
    app, built = nation
    username = "admin" if viewer == "admin" else getattr(built, viewer)
    client = _signed_in(app, username)
    sizes = {}
    for view in VIEWS:
        query = view.format(regency=built.busy_regency, district=built.busy_district)
        url = f"/reports/{query}"
        sizes[url] = _sizes(client, url, **{"X-Filters-For": query.lstrip("?")})
        sizes[f"{url} (drilled into)"] = _sizes(client, url, **{"X-Filters-For": ""})
        sizes[f"/reports/filters{query}"] = _sizes(client, f"/reports/filters{query}")
    oldest_shown = (FIRST_MONDAY + timedelta(weeks=WEEKS - TREND_ROWS)).isoformat()
    # The trend's page lists every week; htmx loads them two years at a time.
    for url in ("/reports/trend", "/reports/trend?period=month"):
        sizes[url] = _sizes(client, url)[0], None
    sizes[f"/reports/trend?before={oldest_shown}"] = _sizes(client, f"/reports/trend?before={oldest_shown}")
    listing = "\n".join(f"  page {page:6} B, fragment {fragment or '-':>5} B gzip: {url}"
                        for url, (page, fragment) in sizes.items())
    print(f"\n{username} on the national data set:\n{listing}")
    assert max(page for page, _fragment in sizes.values()) <= PAGE_BUDGET, listing
    assert max(fragment or 0 for _page, fragment in sizes.values()) <= FRAGMENT_BUDGET, listing


def test_the_national_data_set_is_the_worst_case_it_claims(nation):
    app, built = nation
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Branch)) >= 260
        # Its attendance changed in one flush across 21 branches: the roll-ups the pages read stayed true.
        assert rollups.drift(db.session.connection()) == []
    admin = _signed_in(app, "admin").get("/reports/").get_data(as_text=True)
    provinces = re.search(r'<select[^>]*name="province".*?</select>', admin, re.S).group(0)
    assert provinces.count("<option") == 38
    manager = _signed_in(app, built.branch_manager)
    manager.post("/language", data={"language": "en"})
    body = manager.get("/reports/").get_data(as_text=True)
    # Five years of weeks in the chart, the latest in the table, then a link to the earlier ones.
    assert re.search(r'<path d="M-\.5,154[^"]*"', body).group(0).count("m1,-") == WEEKS
    table = re.search(r"<details>.*?</details>", body, re.S).group(0)
    assert table.count("<tr>") == 1 + TREND_ROWS + 1 and "Show earlier weeks" in table
