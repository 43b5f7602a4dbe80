"""What the participants did after signing up: the survival curves (/reports/survival), the active participants of a
month (/reports/active) and the comparison's curves and ranking, page and htmx fragment, on the demo data."""

import csv
import gzip
import html
import io
import re

import pytest
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry
from campaign_app.reports.charts import BOTTOM, HEIGHT, TOP
from tests.conftest import counting_statements
from tests.web.test_hostile_input import HOSTILE, hostile_variants

HTMX = {"HX-Request": "true"}
PAGE_BUDGET = 14 * 1024
FRAGMENT_BUDGET = 4 * 1024
BASELINE = HEIGHT - BOTTOM


def page(client, url: str, headers=None, **query) -> str:
    response = client.get(url, query_string=query or None, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text(cell: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())


def drawn_shares(svg: str) -> dict[int, float]:
    """The shares a curve's line passes through, by month since the sign-up month (its x: M+0 at the left, M+12
    at the right end of the axis), read back from the path's coordinates."""
    axis = re.search(r'd="M(\d+),\d+V\d+H(\d+)" class="axis"', svg)
    left, right = float(axis.group(1)), float(axis.group(2))
    line = re.search(r'<path d="([^"]+)" class="line"', svg)
    points = re.findall(r"[ML]([\d.]+),([\d.]+)", line.group(1)) if line else []
    return {round((float(x) - left) / (right - left) * 12): (BASELINE - float(y)) / (BASELINE - TOP)
            for x, y in points}


def table_shares(table: str) -> dict[int, str]:
    """A single curve's table: the text of each month's cell, by month since the sign-up month."""
    return {int(month): text(cell) for month, cell in
            re.findall(r'<th scope="row">M\+(\d+)</th><td class="num">(.*?)</td>', table, re.S)}


@pytest.mark.parametrize("url", ["/reports/survival", "/reports/active"])
def test_officers_may_not_open_the_participation_pages(auth, url):
    auth.login_as("officer")
    assert auth.client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["admin", "manager", "coordinator"])
@pytest.mark.parametrize("url", ["/reports/survival", "/reports/active"])
def test_staff_open_the_page_and_its_fragment_within_the_budgets(auth, role, url):
    client = auth.reading_english(role)
    whole, fragment = page(client, url), page(client, url, headers=HTMX)
    assert "<html" in whole and "<html" not in fragment and 'role="search"' in fragment
    print(f"\n{role} {url}: page {len(gzip.compress(whole.encode(), 6))} B gzip, "
          f"fragment {len(gzip.compress(fragment.encode(), 6))} B gzip")
    assert len(gzip.compress(whole.encode(), 6)) <= PAGE_BUDGET
    assert len(gzip.compress(fragment.encode(), 6)) <= FRAGMENT_BUDGET


def test_the_manager_s_menu_links_both_pages(auth):
    body = page(auth.reading_english("manager"), "/")
    assert 'href="/reports/survival"' in body and 'href="/reports/active"' in body


# --- survival curves ------------------------------------------------------------------------------------------

def test_each_campaign_s_curve_draws_the_shares_its_table_gives(auth):
    body = page(auth.reading_english("manager"), "/reports/survival")
    sections = re.findall(r'<section aria-labelledby="curve-\d+-h">(.*?)</section>', body, re.S)
    assert sections
    drawn_any = False
    for section in sections:
        cells = table_shares(section)
        assert sorted(cells) == list(range(13))
        svg = re.search(r"<svg.*?</svg>", section, re.S)
        drawn = drawn_shares(svg.group(0)) if svg else {}
        # Drawn: exactly the months the table gives as a percentage (30 sign-ups or more), at that percentage.
        percentages = {k: float(cell.rstrip("%")) / 100 for k, cell in cells.items() if cell.endswith("%")}
        assert sorted(drawn) == sorted(percentages)
        for k, share in drawn.items():
            assert share == pytest.approx(percentages[k], abs=0.0015)
        drawn_any = drawn_any or bool(drawn)
    assert drawn_any, "the demo data draws no share at all"


def test_months_no_cohort_is_old_enough_for_say_too_young_and_are_not_drawn(auth):
    body = page(auth.reading_english("manager"), "/reports/survival")
    cells = table_shares(re.search(r"<section.*?</section>", body, re.S).group(0))
    # The demo's payment files run to last month: a year after the sign-up month is not reported for anyone yet.
    assert cells[12] == "too young"


def test_the_campaign_filter_narrows_to_its_curve(auth):
    client = auth.reading_english("manager")
    first = re.search(r'<section aria-labelledby="curve-(\d+)-h">', page(client, "/reports/survival")).group(1)
    body = page(client, "/reports/survival", campaign=first)
    assert re.findall(r'<section aria-labelledby="curve-(\d+)-h">', body) == [first]


@pytest.mark.parametrize(("query", "message"), [
    ({"campaign": "abc"}, "Choose campaigns from the list."),
    ({"date_from": "2026-02-30"}, "Enter a real date"),
    ({"regency": "72.7\x00"}, "Choose one of the regencies listed."),
])
def test_a_bad_filter_on_the_survival_page_is_refused_beside_its_field(auth, query, message):
    body = page(auth.reading_english("manager"), "/reports/survival", **query)
    assert message in body and "<section" in body


def test_the_survival_page_s_statements_do_not_depend_on_the_campaigns_shown(app, auth):
    client = auth.reading_english("admin")
    first = re.search(r'<section aria-labelledby="curve-(\d+)-h">', page(client, "/reports/survival")).group(1)
    with counting_statements(app) as one:
        page(client, "/reports/survival", campaign=first)
    with counting_statements(app) as every:
        page(client, "/reports/survival")
    assert len(every) == len(one)


# --- active participants -----------------------------------------------------------------------------------------

def test_the_branches_open_their_regencies_then_districts_then_villages(auth):
    client = auth.reading_english("manager")
    body = page(client, "/reports/active")
    assert "By Branch" in body
    branch = html.unescape(re.search(r'<td><a href="(/reports/active\?[^"]*branch=[^"]*)"', body).group(1))
    body = page(client, branch)
    assert "By Regency" in body
    regency = html.unescape(re.search(r'<td><a href="(/reports/active\?[^"]*regency=[^"]*)"', body).group(1))
    body = page(client, regency)
    assert "By District" in body
    district = html.unescape(re.search(r'<td><a href="(/reports/active\?[^"]*district=[^"]*)"', body).group(1))
    body = page(client, district)
    assert "By Village" in body and "Estimated informal workers" in body


def test_a_village_s_participants_are_a_share_of_its_estimated_informal_workers(app, auth):
    client = auth.reading_english("manager")
    body = page(client, "/reports/active")
    branch = html.unescape(re.search(r'<td><a href="(/reports/active\?[^"]*)"', body).group(1))
    regency = html.unescape(re.search(r'<td><a href="(/reports/active\?[^"]*)"', page(client, branch)).group(1))
    district = html.unescape(re.search(r'<td><a href="(/reports/active\?[^"]*)"', page(client, regency)).group(1))
    row = re.search(r'<tr><td>[^<]+</td><td class="num"[^>]*>([\d,]+)</td><td class="num"[^>]*>(.*?)</td>'
                    r'<td class="num"[^>]*>(.*?)</td></tr>', page(client, district))
    paid_up, estimate, share = int(row.group(1).replace(",", "")), text(row.group(2)), text(row.group(3))
    if estimate == "no estimate":
        assert share == "—"
    else:
        workers = int(estimate.replace(",", ""))
        expected = f"{paid_up / workers:.1%}" if workers >= 30 else f"{paid_up} of {workers} too few to compare"
        assert share == expected


def test_the_trend_draws_the_months_its_table_lists(auth):
    body = page(auth.reading_english("manager"), "/reports/active")
    svg = re.search(r'<svg[^>]*aria-labelledby="active-trend-title[^"]*".*?</svg>', body, re.S).group(0)
    bars = re.search(r'<path d="M-\.5,\d+((?:m1,-\d+V\d+)*)" transform', svg).group(1)
    heights = [int(h) for h in re.findall(r"m1,-(\d+)V", bars)]
    top = int(re.search(r'text-anchor="end">([\d,]+)</text>', svg).group(1).replace(",", ""))
    table = re.search(r"<details>.*?</details>", body, re.S).group(0)
    counts = [int(c.replace(",", "")) for c in re.findall(r'<td class="num">([\d,]+)</td>', table)][::-1]
    assert len(heights) == len(counts) == 13
    plot = 120 - TOP - BOTTOM
    assert heights == [round(plot * count / top) for count in counts]


@pytest.mark.parametrize("month", ["2026-13", "1999-01", "x\x00", "9" * 40])
def test_a_month_not_offered_is_refused_beside_its_field(auth, month):
    body = page(auth.reading_english("manager"), "/reports/active", month=month)
    assert "Choose one of the months listed." in body and "participants paid up in" in body


def test_a_bad_filter_on_the_active_page_is_refused_beside_its_field(auth):
    body = page(auth.reading_english("manager"), "/reports/active", branch="99999999999999999999")
    assert "Choose one of the branches listed." in body


def test_the_active_page_s_statements_do_not_depend_on_the_places_listed(app, auth):
    client = auth.reading_english("admin")
    page(client, "/reports/active")  # warm up
    with counting_statements(app) as one_month:
        body = page(client, "/reports/active", branch="1")
    # The oldest month offered, two years back: no one paid up then, in no place.
    oldest = re.findall(r'<option value="(\d{4}-\d{2})"', body)[-1]
    with counting_statements(app) as another:
        empty = page(client, "/reports/active", branch="1", month=oldest)
    assert "By Regency" in body and "No participant paid up in this month" in empty
    assert len(another) == len(one_month)


# --- the active participants' export ----------------------------------------------------------------------------

def test_the_active_participants_export_holds_the_rows_the_page_lists(auth):
    client = auth.reading_english("manager")
    body = page(client, "/reports/active")
    href = html.unescape(re.search(r'href="(/reports/export\?[^"]*table=active[^"]*format=csv[^"]*)"', body).group(1))
    listed = [(text(name), int(count.replace(",", ""))) for name, count in re.findall(
        r'<tr><td>(.*?)</td><td class="num" data-label="Paid up">([\d,]+)</td>', body)]
    response = client.get(href)
    assert response.status_code == 200 and "jangkau-active-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Code", "Name", "Paid up"]
    assert [(name, int(count)) for _code, name, count in rows[1:]] == listed and listed


def test_the_active_participants_export_is_audited_with_its_month(app, auth):
    client = auth.reading_english("admin")
    client.get("/reports/export?table=active&month=2026-10&branch=1")
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT_DOWNLOADED))
        assert entry.details == {"table": "active", "month": "2026-10", "format": "csv", "filters": {"branch": 1}}


@pytest.mark.parametrize("query", ["table=active", "table=active&month=2026-13", "table=active&month=26-1"])
def test_an_active_participants_export_without_a_real_month_is_refused(auth, query):
    response = auth.reading_english("admin").get(f"/reports/export?{query}")
    assert response.status_code == 400 and "Choose one of the months listed." in response.get_data(as_text=True)


def test_hostile_values_in_the_active_participants_export_never_cause_a_server_error(auth):
    client = auth.reading_english("admin")
    url = "/reports/export?table=active&format=csv&month=2026-10&branch=1&regency=72.71&district=72.71.01"
    assert client.get(url).status_code == 200
    failures = [f"{status} {variant[:200]}" for variant in hostile_variants(url)
                if (status := client.get(variant).status_code) not in (200, 400, 404)]
    assert len(HOSTILE) and not failures, "\n".join(failures)


# --- the comparison ------------------------------------------------------------------------------------------

def compared(client, headers=None) -> str:
    ids = re.findall(r'name="campaign" type="checkbox" value="(\d+)"', page(client, "/reports/compare"))[:4]
    return page(client, "/reports/compare", headers=headers, campaign=ids)


def test_the_comparison_ranks_campaigns_by_participants_still_paid_up_and_by_sign_ups(auth):
    body = compared(auth.reading_english("admin"))
    table = re.search(r'<caption id="ranking-h">.*?</table>', body, re.S).group(0)
    rows = [[text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table)]
    assert len(rows) == 4
    kept = [int(row[0].replace(",", "")) for row in rows]
    assert kept == sorted(kept, reverse=True) and rows[0][1] == "1"
    assert all(1 + sum(other > value for other in kept) == int(row[1]) for value, row in zip(kept, rows, strict=True))


def test_the_comparison_draws_each_campaign_s_curve_from_its_table(auth):
    body = compared(auth.reading_english("admin"))
    assert '<svg role="img" aria-labelledby="compare-curves-title compare-curves-desc"' in body
    table = re.search(r'<caption id="compare-curves-h">.*?</table>', body, re.S).group(0)
    assert table.count('<th scope="row">M+') == 13 and table.count('<th scope="col" class="num">') == 4


def test_the_comparison_with_its_curves_fits_the_fragment_budget(auth):
    fragment = compared(auth.reading_english("admin"), headers=HTMX)
    assert "<html" not in fragment and 'id="kept-h"' in fragment
    assert len(gzip.compress(fragment.encode(), 6)) <= FRAGMENT_BUDGET
