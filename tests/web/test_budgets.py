"""Every page and fragment a role can reach stays within the budgets of the design note.

The crawl (``tests/crawler.py``) starts at each role's home page, or at the login page for an anonymous
visitor, so a new page is checked as soon as something links to it. Run with ``-s`` to see the figures.
"""

import pytest

from tests.crawler import Fetched, gzip_size, parse, sign_in
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
    """Each role's first visit loads the login page, then its home page; their CSS and JS are counted once."""
    login_assets = parse(demo_site.test_client().get("/login").get_data()).assets
    totals, problems, sizes = {}, [], {}
    for role in ROLES:
        client = demo_site.test_client()
        sign_in(client, role)
        home = client.get("/")
        assets = dict.fromkeys(login_assets + (parse(home.get_data()).assets if home.status_code == 200 else []))
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
