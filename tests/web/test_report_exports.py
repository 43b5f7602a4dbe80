"""GET /reports/export: the dashboard's tables (figures, trend, breakdown) and the comparison, with the view's
filters, as CSV or XLSX, read back; who may export what; the audit entry; bad parameters refused with a message."""

import csv
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, Campaign, Role
from campaign_app.users.service import create_user
from campaign_app.villages.scope import visible_regency_codes
from tests.factories import NEAR_VILLAGE, branch_named, make_campaign, make_officer
from tests.reports_data import D1, build_world, closed, sign, started, visit_on
from tests.web.test_hostile_input import HOSTILE, hostile_variants

KOTA_PALU, TOLI_TOLI, BUOL = "72.71", "72.04", "72.05"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_export_world() -> dict:
    """The reports' hand-built world (Cabang Uji Utara, and Luwuk's Banggai visit) and a done Palu visit, by ids."""
    world = build_world()
    palu = branch_named()
    officer = make_officer(palu, "Eka")
    visit = started(visit_on(make_campaign(palu, "Palu Kota", starts_on=date(2026, 9, 1)), NEAR_VILLAGE, D1,
                             [officer], 400_000))
    sign(visit, officer, "P")
    sign(visit, officer, "L", activated=True)
    closed(visit, 6, 4)
    db.session.flush()
    return {"toli_toli": world.toli_toli.id, "buol": world.buol.id, "banggai": world.luwuk_campaign.id,
            "palu_kota": visit.campaign_id, "branch": world.branch.id, "luwuk": world.luwuk.id,
            "palu": palu.id, "palu_regencies": set(db.session.scalars(visible_regency_codes([palu.id]))),
            "luwuk_regencies": set(db.session.scalars(visible_regency_codes([world.luwuk.id])))}


@pytest.fixture(scope="module")
def export_world(isolation):
    with isolation.kept(build_export_world) as ids:
        yield ids


@pytest.fixture
def world(app, export_world):
    """The export world, for a test of its own (its writes undone)."""
    return export_world


@pytest.fixture
def palu_manager(app, auth, client):
    """A client signed in as a manager of Palu only, reading English."""
    with app.app_context():
        create_user(username="manajerpalu", full_name="Manajer Palu Saja", password=DEMO_PASSWORD,
                    role=Role.MANAGER, branch=branch_named())
        db.session.commit()
    auth.login("manajerpalu")
    client.post("/language", data={"language": "en"})
    return client


def csv_rows(response, delimiter: str = ",") -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.data)).active
    return list(sheet.iter_rows(values_only=True))


def by_name(rows) -> dict[str, list]:
    """The rows after the header, by their first cell."""
    return {row[0]: list(row[1:]) for row in rows[1:]}


def codes(rows) -> set[str]:
    return {row[0] for row in rows[1:]}


def entries(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT_DOWNLOADED)))


# --- the files ------------------------------------------------------------------------------------------

def test_a_csv_export_is_the_breakdown_with_its_figures(admin, world):
    response = admin.get(f"/reports/export?by=regency&format=csv&branch={world['branch']}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv_rows(response)
    assert rows[0][:3] == ["Code", "Name", "Part of"]
    toli_toli = next(row for row in rows if row[0] == TOLI_TOLI)
    assert toli_toli[1:9] == ["Kabupaten Toli-Toli", "", "2", "30", "800000", "6", "6", "2"]
    assert toli_toli[10] == "33.3"  # activation 2 of 6, in percent
    assert codes(rows) == {TOLI_TOLI, BUOL}


def test_a_csv_export_in_indonesian_uses_semicolons_and_decimal_commas(auth, client, world):
    auth.login_as("admin")
    rows = csv_rows(client.get(f"/reports/export?by=regency&branch={world['branch']}"), delimiter=";")
    assert next(row for row in rows if row[0] == TOLI_TOLI)[10] == "33,3"


def test_an_xlsx_export_has_numbers_and_percentages(admin, world):
    response = admin.get(f"/reports/export?by=regency&format=xlsx&branch={world['branch']}")
    assert response.status_code == 200 and response.mimetype == XLSX
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows())
    assert rows[0][0].value == "Code"
    toli_toli = next(row for row in rows if row[0].value == TOLI_TOLI)
    assert [cell.value for cell in toli_toli[3:9]] == [2, 30, 800_000, 6, 6, 2]
    assert toli_toli[10].value == pytest.approx(2 / 6) and toli_toli[10].number_format == "0.0%"


def test_an_export_is_an_attachment_named_for_its_breakdown(admin, world):
    response = admin.get("/reports/export?by=district&format=xlsx")
    assert re.fullmatch(r'attachment; filename="jangkau-district-\d{4}-\d{2}-\d{2}\.xlsx"',
                        response.headers["Content-Disposition"])


def test_an_export_has_the_filters_of_the_view(admin, world):
    rows = csv_rows(admin.get(f"/reports/export?by=regency&campaign={world['toli_toli']}"))
    assert codes(rows) == {TOLI_TOLI}


def test_an_export_by_officer_names_the_officers(admin, world):
    rows = csv_rows(admin.get(f"/reports/export?by=officer&branch={world['branch']}&sort=label&desc=0"))
    assert [row[1] for row in rows[1:]] == ["Ani", "Budi", "Citra"]


def test_an_export_notes_rates_that_are_not_comparable(admin, world):
    rows = csv_rows(admin.get(f"/reports/export?by=regency&branch={world['branch']}"))
    assert "not comparable" in next(row for row in rows if row[0] == BUOL)[12]


def test_an_export_holds_no_nik(admin, world):
    queries = [*(f"by={by}" for by in ("village", "officer", "occupation", "payer")), "table=figures",
               "table=trend", f"table=comparison&campaign={world['toli_toli']}&campaign={world['buol']}"]
    for query in queries:
        for kind in ("csv", "xlsx"):
            response = admin.get(f"/reports/export?{query}&format={kind}")
            assert response.status_code == 200, (query, kind)
            cells = [str(cell) for row in (xlsx_rows(response) if kind == "xlsx" else csv_rows(response))
                     for cell in row]
            assert not [cell for cell in cells if re.search(r"(?<![\d.,])\d{16}(?!\d)", cell)], (query, kind)


# --- the figures -------------------------------------------------------------------------------------------

def test_a_csv_export_of_the_figures_has_every_figure_with_its_counts(admin, world):
    response = admin.get(f"/reports/export?table=figures&format=csv&branch={world['branch']}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv_rows(response)
    assert rows[0] == ["Figure", "Value", "Numerator", "Denominator", "Note"]
    figures = by_name(rows)
    assert figures["Visits done"] == ["3", "", "", ""]
    assert figures["Sign-ups"] == ["9", "", "", ""]
    assert figures["Conversion"] == ["16.0", "8", "50", ""]
    assert figures["Occupation: Farmer"] == ["55.6", "5", "9", ""]
    assert figures["Subsidy quota used: Subsidi Uji"] == ["3.0", "3", "100", ""]


def test_a_figures_export_marks_the_rates_on_too_few_cases(admin, world):
    figures = by_name(csv_rows(admin.get(f"/reports/export?table=figures&format=csv&branch={world['branch']}")))
    assert figures["Activation"] == ["33.3", "3", "9", "too few to compare"]
    assert figures["Cost per sign-up"] == ["125000", "1000000", "8", "too few to compare"]
    assert figures["Sign-ups per visit"] == ["2.7", "8", "3", "too few to compare"]


def test_an_xlsx_export_of_the_figures_has_numbers_and_percentages(admin, world):
    response = admin.get(f"/reports/export?table=figures&format=xlsx&branch={world['branch']}")
    assert response.status_code == 200 and response.mimetype == XLSX
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = {row[0].value: row[1:] for row in sheet.iter_rows(min_row=2)}
    assert [cell.value for cell in rows["Conversion"]] == [pytest.approx(0.16), 8, 50, None]
    assert rows["Conversion"][0].number_format == "0.0%"
    assert [cell.value for cell in rows["Cost per activated"]] == [333_333, 1_000_000, 3, "too few to compare"]


def test_a_figures_export_has_the_filters_of_the_view(admin, world):
    figures = by_name(csv_rows(admin.get(f"/reports/export?table=figures&campaign={world['toli_toli']}")))
    assert figures["Sign-ups"][0] == "6"


# --- the trend -------------------------------------------------------------------------------------------

def test_a_csv_export_of_the_trend_has_a_row_per_month(admin, world):
    rows = csv_rows(admin.get(f"/reports/export?table=trend&period=month&format=csv&branch={world['branch']}"))
    assert rows == [["Month", "Visits done", "Attendance", "Sign-ups", "Activated"],
                    ["2026-09-01", "2", "30", "6", "2"], ["2026-10-01", "1", "20", "3", "1"]]


def test_an_xlsx_export_of_the_trend_has_a_dated_row_per_week(admin, world):
    rows = xlsx_rows(admin.get(f"/reports/export?table=trend&period=week&format=xlsx&branch={world['branch']}"))
    assert rows[0] == ("Week of", "Visits done", "Attendance", "Sign-ups", "Activated")
    assert [row[0] for row in rows[1:]] == [datetime(2026, 9, day) for day in (7, 14, 21, 28)] + [
        datetime(2026, 10, 5)]
    assert rows[1] == (datetime(2026, 9, 7), 1, 20, 4, 1)
    assert rows[3][1:] == (0, 0, 0, 0)


def test_a_trend_export_has_the_filters_of_the_view(admin, world):
    rows = csv_rows(admin.get(f"/reports/export?table=trend&period=month&campaign={world['buol']}"
                              f"&date_from=2026-10-01"))
    assert rows[1:] == [["2026-10-01", "1", "20", "3", "1"]]


# --- the comparison --------------------------------------------------------------------------------------

def test_a_csv_export_of_the_comparison_has_each_campaign_and_its_difference_to_the_first(admin, world):
    response = admin.get(f"/reports/export?table=comparison&format=csv&campaign={world['toli_toli']}"
                         f"&campaign={world['buol']}")
    assert response.status_code == 200
    rows = csv_rows(response)
    # In the comparison's order (newest first: Buol), each named with its branch, as an administrator sees them.
    assert rows[0] == ["Figure", "Buol — Cabang Uji Utara", "Toli-Toli — Cabang Uji Utara",
                       "Difference to Buol — Cabang Uji Utara", "Note"]
    figures = by_name(rows)
    assert figures["Visits planned"] == ["2", "3", "1", ""]
    assert figures["Sign-ups"] == ["3", "6", "3", ""]
    assert figures["Conversion"] == ["10.0", "20.0", "", "not comparable, fewer than 30 cases: Buol — Cabang Uji Utara"]


def test_an_xlsx_export_of_the_comparison_writes_negative_differences_as_numbers(admin, world):
    rows = by_name(xlsx_rows(admin.get(f"/reports/export?table=comparison&format=xlsx&campaign={world['buol']}"
                                       f"&campaign={world['banggai']}")))
    # Banggai (Luwuk) first: 50 attendees, 2 sign-ups; Buol: 20 attendees, 3 sign-ups.
    assert rows["Attendance"] == [50, 20, -30, None]
    assert rows["Sign-ups"] == [2, 3, 1, None]


def test_a_csv_export_of_the_comparison_writes_negative_differences_as_numbers(admin, world):
    rows = by_name(csv_rows(admin.get(f"/reports/export?table=comparison&format=csv&campaign={world['buol']}"
                                      f"&campaign={world['banggai']}")))
    assert rows["Attendance"] == ["50", "20", "-30", ""]


def test_a_viewer_of_one_branch_reads_campaign_names_alone_in_the_comparison(palu_manager, world):
    with palu_manager.application.app_context():
        other = db.session.scalar(select(Campaign.id).where(Campaign.branch_id == world["palu"],
                                                            Campaign.id != world["palu_kota"]).limit(1))
    rows = csv_rows(palu_manager.get(f"/reports/export?table=comparison&campaign={world['palu_kota']}"
                                     f"&campaign={other}"))
    assert "Palu Kota" in rows[0] and not [name for name in rows[0] if " — " in name]


@pytest.mark.parametrize(("campaigns", "message"), [
    (["palu_kota"], "Choose at least 2 campaigns."),
    ([], "Choose at least 2 campaigns."),
    (["palu_kota", "banggai"], "Choose campaigns from the list."),
])
def test_a_comparison_export_of_campaigns_the_viewer_cannot_compare_is_refused(app, palu_manager, world, campaigns,
                                                                                message):
    query = "".join(f"&campaign={world[name]}" for name in campaigns)
    response = palu_manager.get(f"/reports/export?table=comparison{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert entries(app) == []


def test_a_comparison_export_of_five_campaigns_is_refused(app, admin, world):
    with app.app_context():
        ids = db.session.scalars(select(Campaign.id).order_by(Campaign.id).limit(5)).all()
    response = admin.get("/reports/export?table=comparison" + "".join(f"&campaign={id_}" for id_ in ids))
    assert response.status_code == 400 and "Choose at most 4 campaigns." in response.get_data(as_text=True)


# --- who exports what ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_palu_manager_s_export_never_holds_luwuk_rows(palu_manager, world, kind):
    response = palu_manager.get(f"/reports/export?by=regency&format={kind}")
    rows = xlsx_rows(response) if kind == "xlsx" else csv_rows(response)
    assert KOTA_PALU in codes(rows) and codes(rows) <= world["palu_regencies"]
    assert not codes(rows) & world["luwuk_regencies"]
    assert not [row for row in rows if "Banggai" in str(row)]


def test_a_palu_manager_asking_for_luwuk_is_not_found(palu_manager, world):
    assert palu_manager.get(f"/reports/export?branch={world['luwuk']}").status_code == 404


def test_a_coordinator_exports_their_branch(coordinator, world):
    rows = csv_rows(coordinator.get("/reports/export?by=regency"))
    assert KOTA_PALU in codes(rows) and codes(rows) <= world["palu_regencies"]


def test_officers_may_not_export(auth, client, world):
    auth.login_as("officer")
    assert client.get("/reports/export?by=regency").status_code == 403


# --- the audit log -----------------------------------------------------------------------------------------

def test_an_export_is_written_to_the_audit_log(app, admin, world):
    admin.get(f"/reports/export?by=district&format=xlsx&branch={world['branch']}&date_from=2026-09-01"
              f"&campaign={world['toli_toli']}")
    [entry] = entries(app)
    assert entry.branch_id == world["branch"]
    assert entry.details == {"table": "breakdown", "by": "district", "format": "xlsx",
                             "filters": {"branch": world["branch"], "campaign": [world["toli_toli"]],
                                         "date_from": "2026-09-01"}}


def test_a_figures_export_is_audited_with_its_table(app, admin, world):
    admin.get(f"/reports/export?table=figures&branch={world['branch']}&channel=market_stall")
    [entry] = entries(app)
    assert entry.details == {"table": "figures", "format": "csv",
                             "filters": {"branch": world["branch"], "channel": "market_stall"}}


def test_a_trend_export_is_audited_with_its_table_and_period(app, admin, world):
    admin.get(f"/reports/export?table=trend&period=month&format=xlsx&campaign={world['buol']}")
    [entry] = entries(app)
    assert entry.details == {"table": "trend", "period": "month", "format": "xlsx",
                             "filters": {"campaign": [world["buol"]]}}


def test_a_comparison_export_is_audited_with_its_campaigns(app, coordinator, world):
    with app.app_context():
        other = db.session.scalar(select(Campaign.id).where(Campaign.branch_id == world["palu"],
                                                            Campaign.id != world["palu_kota"]).limit(1))
    coordinator.get(f"/reports/export?table=comparison&campaign={other}&campaign={world['palu_kota']}")
    [entry] = entries(app)
    assert entry.branch_id == world["palu"]
    assert entry.details == {"table": "comparison", "format": "csv",
                             "filters": {"campaign": sorted([other, world["palu_kota"]])}}


@pytest.mark.parametrize(("query", "name"), [
    ("table=figures", "figures"), ("table=trend&period=month", "trend-month"), ("table=trend", "trend-week"),
    ("by=village", "village"),
])
def test_an_export_is_an_attachment_named_for_its_table(admin, world, query, name):
    response = admin.get(f"/reports/export?{query}&format=csv")
    assert re.fullmatch(rf'attachment; filename="jangkau-{name}-\d{{4}}-\d{{2}}-\d{{2}}\.csv"',
                        response.headers["Content-Disposition"])


def test_an_export_of_several_branches_is_audited_without_a_branch(app, admin, world):
    admin.get("/reports/export?by=regency")
    assert [entry.branch_id for entry in entries(app)] == [None]


def test_a_coordinator_s_export_is_audited_under_their_branch(app, coordinator, world):
    coordinator.get("/reports/export")
    assert [entry.branch_id for entry in entries(app)] == [world["palu"]]


# --- bad parameters ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "message"), [
    ("by=nik", "Choose a breakdown"),
    ("table=people", "Choose a table"),
    ("table=trend&period=year", "Choose weeks or months"),
    ("format=pdf", "Choose a file format"),
    ("sort=nik", "Choose one of the columns"),
    ("date_from=2026-02-30", "Enter a real date"),
    ("date_to=1850-01-01", "between 2000 and 2099"),
    ("date_from=2026-10-01&date_to=2026-09-01", "The end comes before the start"),
    ("officer=99999999999", "Choose one of the officers"),
    ("campaign=1&campaign=x", "Choose campaigns from the list"),
    ("branch=-1", "Choose one of the branches"),
    ("regency=72%25", "Choose one of the regencies"),
    ("channel=%00", "control"),
    ("desc=maybe", "ascending or descending"),
])
def test_a_bad_parameter_is_refused_with_a_message(app, admin, query, message):
    response = admin.get(f"/reports/export?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert entries(app) == []


TABLE_URLS = [
    "/reports/export?table=figures&format=csv&branch={branch}&campaign={toli_toli}&date_from=2026-09-01"
    "&date_to=2026-12-31&regency=72.04&district=72.04.01&channel=village_meeting",
    "/reports/export?table=trend&format=xlsx&period=month&branch={branch}&campaign={buol}&officer=1"
    "&village=72.05.01.2001",
    "/reports/export?table=breakdown&format=csv&by=village&sort=label&desc=0&branch={branch}",
    "/reports/export?table=comparison&format=xlsx&campaign={toli_toli}&campaign={buol}",
]


@pytest.mark.parametrize("url", TABLE_URLS, ids=["figures", "trend", "breakdown", "comparison"])
def test_hostile_values_in_any_parameter_of_any_table_never_cause_a_server_error(admin, world, url):
    url = url.format(**world)
    assert admin.get(url).status_code == 200
    failures = []
    for variant in hostile_variants(url):
        status = admin.get(variant).status_code
        if status not in (200, 400, 404):
            failures.append(f"{status} {variant[:200]}")
    assert len(HOSTILE) and not failures, "\n".join(failures)
