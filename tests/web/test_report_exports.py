"""GET /reports/export: the breakdown table with the dashboard's filters as CSV or XLSX, read back; who may
export what; the audit entry; bad parameters refused with a message."""

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, Role
from campaign_app.users.service import create_user
from campaign_app.villages.scope import visible_regency_codes
from tests.factories import NEAR_VILLAGE, branch_named, make_campaign, make_officer
from tests.reports_data import D1, build_world, closed, sign, started, visit_on

KOTA_PALU, TOLI_TOLI, BUOL = "72.71", "72.04", "72.05"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(app):
    """The reports' hand-built world (Cabang Uji Utara, and Luwuk's Banggai visit) and a done Palu visit."""
    with app.app_context():
        world = build_world()
        palu = branch_named()
        officer = make_officer(palu, "Eka")
        visit = started(visit_on(make_campaign(palu, "Palu Kota", starts_on=date(2026, 9, 1)), NEAR_VILLAGE, D1,
                                 [officer], 400_000))
        sign(visit, officer, "P")
        sign(visit, officer, "L", activated=True)
        closed(visit, 6, 4)
        db.session.commit()
        return {"toli_toli": world.toli_toli.id, "branch": world.branch.id, "luwuk": world.luwuk.id,
                "palu": palu.id, "palu_regencies": set(db.session.scalars(visible_regency_codes([palu.id]))),
                "luwuk_regencies": set(db.session.scalars(visible_regency_codes([world.luwuk.id])))}


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
    for by in ("village", "officer", "occupation", "payer"):
        for kind in ("csv", "xlsx"):
            response = admin.get(f"/reports/export?by={by}&format={kind}")
            cells = [str(cell) for row in (xlsx_rows(response) if kind == "xlsx" else csv_rows(response))
                     for cell in row]
            assert not [cell for cell in cells if re.search(r"(?<![\d.,])\d{16}(?!\d)", cell)], (by, kind)


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
    assert entry.details == {"by": "district", "format": "xlsx",
                             "filters": {"branch": world["branch"], "campaign": [world["toli_toli"]],
                                         "date_from": "2026-09-01"}}


def test_an_export_of_several_branches_is_audited_without_a_branch(app, admin, world):
    admin.get("/reports/export?by=regency")
    assert [entry.branch_id for entry in entries(app)] == [None]


def test_a_coordinator_s_export_is_audited_under_their_branch(app, coordinator, world):
    coordinator.get("/reports/export")
    assert [entry.branch_id for entry in entries(app)] == [world["palu"]]


# --- bad parameters ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "message"), [
    ("by=nik", "Choose a breakdown"),
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
