"""The retention page: the measures of the dashboard's view (still paying at M+3, M+6, M+12, contribution-months,
cost per participant still paying, reactivations) and their breakdown, page and htmx fragment, and their exports.
Read from the demo data (its payment files reach November 2026: M+3 is measured, M+6 and M+12 are too young)."""

import csv
import gzip
import html
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry
from tests.conftest import counting_statements

HTMX = {"HX-Request": "true"}
PAGE_BUDGET = 14 * 1024
FRAGMENT_BUDGET = 4 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tile(body: str, label: str) -> str:
    """The text of the measure tile named ``label``."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", body)
    assert match, f"no tile {label!r}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def page(client, **query) -> str:
    response = client.get("/reports/retention", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def rows(body: str) -> list[str]:
    """The breakdown's rows as text."""
    tbody = body[body.index("<tbody>"):body.index("</tbody>")]
    return [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))).strip()
            for row in re.findall(r"<tr>(.*?)</tr>", tbody, re.S)]


# --- who may see it ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["manager", "coordinator", "admin"])
def test_staff_who_see_the_dashboard_see_the_retention_page_in_their_menu(auth, role):
    client = auth.reading_english(role)
    assert 'href="/reports/retention"' in client.get("/").get_data(as_text=True)
    assert "<h1>Retention</h1>" in page(client)


def test_officers_may_not_open_the_retention_page_or_its_exports(auth):
    auth.login_as("officer")
    assert auth.client.get("/reports/retention").status_code == 403
    assert auth.client.get("/reports/retention/summary", headers=HTMX).status_code == 403
    assert auth.client.get("/reports/export?table=retention&format=csv").status_code == 403


def test_a_coordinator_sees_only_their_branch(auth):
    assert len(rows(page(auth.reading_english("coordinator"), by="branch"))) == 1
    auth.logout()
    assert len(rows(page(auth.reading_english("admin"), by="branch"))) > 1


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/reports/retention")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


# --- what it shows ----------------------------------------------------------------------------------------------

def test_the_page_shows_each_measure_of_the_view(auth):
    body = page(auth.reading_english("manager"))
    assert int(tile(body, "Sign-ups followed")) > 0
    assert re.fullmatch(r"\d+(\.\d)?%|\d+ of \d+ too few to compare", tile(body, "Paid up at M+3"))
    for label in ("Paid up at M+6", "Paid up at M+12", "Contribution-months per 100 sign-ups (first 12 months)",
                  "Cost per participant paid up at M+6", "Reactivations after a visit"):
        assert tile(body, label)
    assert "Payment files reported up to November 2026" in body


def test_a_measure_no_cohort_is_old_enough_for_says_so(auth):
    body = page(auth.reading_english("manager"))
    assert tile(body, "Paid up at M+12") == "not 12 months yet"
    assert tile(body, "Cost per participant paid up at M+6") == "not 6 months yet"


def test_a_row_of_fewer_than_30_sign_ups_shows_its_counts(auth):
    shown = rows(page(auth.reading_english("manager"), by="branch"))
    assert shown and all(re.search(r"\d+ of \d+ too few to compare|%|not 3 months yet", row) for row in shown)
    assert any("too few to compare" in row for row in shown)


def test_the_page_speaks_indonesian_first(auth):
    auth.login_as("manager")
    body = auth.client.get("/reports/retention").get_data(as_text=True)
    assert "<h1>Retensi</h1>" in body and "belum 12 bulan" in body


def test_officers_of_too_many_branches_ask_for_a_narrower_view(auth, monkeypatch):
    monkeypatch.setattr("campaign_app.reports.retention_breakdowns.MAX_BRANCHES_FOR_OFFICERS", 1)
    body = page(auth.reading_english("admin"), by="officer")
    assert "Officers are ranked within at most" in body and "<tbody>" not in body
    assert "table=retention_breakdown" in body  # the export still holds the whole table


@pytest.mark.parametrize("by", ["campaign", "regency", "branch", "officer", "channel", "payer"])
def test_each_breakdown_has_a_row_per_key_headed_by_its_dimension(auth, by):
    body = page(auth.reading_english("admin"), by=by)
    assert re.search(r'<h2 id="retention-breakdown-h">By \w', body) and rows(body)


def test_a_payer_narrows_the_sign_ups_followed(auth):
    client = auth.reading_english("manager")
    every = int(tile(page(client), "Sign-ups followed"))
    own = int(tile(page(client, payer="self"), "Sign-ups followed"))
    assert 0 < own <= every
    assert tile(page(client, payer="self"), "Cost per participant paid up at M+12") == "—"


def test_the_dashboard_loads_the_retention_of_its_view_and_links_its_page(auth):
    client = auth.reading_english("admin")
    body = client.get("/reports/", query_string={"date_from": "2026-01-01"}).get_data(as_text=True)
    assert 'hx-get="/reports/retention/summary?date_from=2026-01-01"' in body
    assert 'href="/reports/retention?date_from=2026-01-01"' in body


def test_the_dashboard_s_retention_is_the_measures_alone_with_a_link_to_their_breakdown(auth):
    response = auth.reading_english("manager").get("/reports/retention/summary?date_from=2026-01-01", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "<table" not in body
    assert tile(body, "Paid up at M+12") == "not 12 months yet"
    assert 'href="/reports/retention?date_from=2026-01-01"' in body
    assert len(gzip.compress(response.get_data(), 6)) <= FRAGMENT_BUDGET


def test_the_dashboard_s_retention_without_javascript_is_the_retention_page(auth):
    response = auth.reading_english("manager").get("/reports/retention/summary?date_from=2026-01-01")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/reports/retention?date_from=2026-01-01")


def test_the_page_links_the_survival_curves_and_active_participants_of_its_view(auth):
    body = page(auth.reading_english("manager"), date_from="2026-01-01")
    assert 'href="/reports/survival?date_from=2026-01-01"' in body
    assert 'href="/reports/active?date_from=2026-01-01"' in body


def test_an_htmx_request_gets_only_the_results_block(auth):
    response = auth.reading_english("manager").get("/reports/retention?by=regency", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "By Regency" in body
    assert body.count('<form id="filters"') == 1  # the dashboard's filters, swapped with the results


def test_bad_query_values_are_named_and_left_out_not_a_500(auth):
    client = auth.reading_english("manager")
    body = page(client, by="nonsense", payer="nobody\x00", branch="abc", date_from="2026-13-45", page="-3")
    assert "Choose one of the breakdowns listed." in body and "Choose one of the payers listed." in body
    assert "Choose one of the branches listed." in body and "Enter a real date" in body and "By Campaign" in body


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_the_page_and_its_fragment_fit_the_budgets(auth, role):
    client = auth.reading_english(role)
    for by in ("campaign", "officer"):
        full = client.get(f"/reports/retention?by={by}").get_data()
        fragment = client.get(f"/reports/retention?by={by}", headers=HTMX).get_data()
        assert len(gzip.compress(full, 6)) <= PAGE_BUDGET and len(gzip.compress(fragment, 6)) <= FRAGMENT_BUDGET


def test_the_statement_count_does_not_depend_on_the_rows(app, auth):
    client = auth.reading_english("admin")
    client.get("/reports/retention")  # warm up
    counts = {}
    for name, query in (("many", {}), ("fewer", {"date_from": "2026-10-01"})):
        for by in ("campaign", "officer", "channel"):
            with counting_statements(app) as statements:
                body = client.get("/reports/retention", query_string={**query, "by": by}).get_data(as_text=True)
            counts[(name, by)] = (len(statements), len(rows(body)))
    for by in ("campaign", "officer", "channel"):
        (many, many_rows), (fewer, fewer_rows) = counts[("many", by)], counts[("fewer", by)]
        assert many == fewer and many_rows >= fewer_rows > 0, counts


# --- exports ----------------------------------------------------------------------------------------------------

def test_both_tables_link_their_csv_and_xlsx_with_the_view_s_filters(auth):
    body = page(auth.reading_english("admin"), payer="employer", by="regency", date_from="2026-01-01")
    links = {html.unescape(href) for href in re.findall(r'href="(/reports/export\?[^"]*)"', body)}
    assert len(links) == 4
    for href in links:
        assert "payer=employer" in href and "date_from=2026-01-01" in href
    assert any("table=retention_breakdown" in href and "by=regency" in href for href in links)


def test_the_measures_export_as_csv_one_a_row_with_their_counts(auth):
    response = auth.reading_english("manager").get("/reports/export?table=retention&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "jangkau-retention-" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["Measure", "Value", "Numerator", "Denominator", "Note"]
    named = {row[0]: row for row in table[1:]}
    assert int(named["Sign-ups followed (with a payment history)"][1]) > 0
    assert named["Paid up at M+12"][4] == "too young: no cohort old enough yet"


def test_the_breakdown_exports_as_xlsx_with_a_row_per_key(auth):
    response = auth.reading_english("manager").get("/reports/export?table=retention_breakdown&by=campaign&format=xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "jangkau-retention-campaign-" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    cells = list(sheet.values)
    assert cells[0][:4] == ("Code", "Name", "Branch", "Sign-ups followed") and cells[0][-1] == "Note"
    assert len(cells) > 1 and isinstance(cells[1][0], int) and cells[1][3] > 0


@pytest.mark.parametrize(("query", "message"), [
    ("table=retention_breakdown&by=village", "Choose a breakdown: campaign, regency"),
    ("table=figures&payer=self", "Only the retention tables can be narrowed to a payer."),
    ("table=retention&payer=nobody", "Choose one of the payers listed."),
])
def test_a_bad_retention_export_is_refused_with_a_message(auth, query, message):
    response = auth.reading_english("manager").get(f"/reports/export?format=csv&{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_retention_export_is_audited_with_its_filters(app, auth):
    auth.reading_english("manager").get("/reports/export?table=retention_breakdown&by=payer&payer=self&format=csv")
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT_DOWNLOADED))
        assert entry.details == {"table": "retention_breakdown", "by": "payer", "format": "csv",
                                 "filters": {"payer": "self"}}
