"""Export writers read back: CSV with the csv module, XLSX with openpyxl; and the breakdown as a table."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from campaign_app.reports.breakdowns import all_rows, breakdown
from campaign_app.reports.exports import Percent, Table, breakdown_table, csv_chunks, xlsx_chunks
from campaign_app.reports.selection import Selection
from tests.reports_data import KOMBO, TOLI_TOLI, add_copies, build_world

HEADER = ["Code", "Name", "Conversion", "Cost"]
ROWS = [["72.04", "Kabupaten Toli-Toli", Percent(0.125), 160_000],
        ["72.05", "=cmd|' /C calc'!A0", Percent(1 / 3), None],
        ["72.06", "+62 811", None, 7]]


def csv_text(table: Table, decimal_comma: bool = True) -> str:
    return "".join(csv_chunks(table, decimal_comma))


def csv_rows(text: str, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def workbook_of(table: Table):
    return load_workbook(io.BytesIO(b"".join(xlsx_chunks(table, title="regency"))))


# --- CSV --------------------------------------------------------------------------------------------

def test_csv_starts_with_a_byte_order_mark():
    assert csv_text(Table(HEADER, ROWS)).startswith("\ufeffCode;")


def test_csv_separates_cells_with_semicolons_and_writes_decimal_commas():
    rows = csv_rows(csv_text(Table(HEADER, ROWS)))
    assert rows[0] == HEADER
    assert rows[1] == ["72.04", "Kabupaten Toli-Toli", "12,5", "160000"]
    assert rows[2][2] == "33,3"


def test_csv_without_decimal_commas_uses_commas_and_points():
    rows = csv_rows(csv_text(Table(HEADER, ROWS), decimal_comma=False), delimiter=",")
    assert rows[1][2] == "12.5"


def test_csv_quotes_cells_that_look_like_formulas():
    rows = csv_rows(csv_text(Table(HEADER, ROWS)))
    assert rows[2][1] == "'=cmd|' /C calc'!A0"
    assert rows[3][1] == "'+62 811"


def test_csv_writes_empty_cells_for_missing_values():
    assert csv_rows(csv_text(Table(HEADER, ROWS)))[3][2] == ""


def test_csv_is_written_in_chunks_as_rows_are_read():
    def endless():
        n = 0
        while True:
            n += 1
            yield [str(n), "x", None, n]

    chunks = csv_chunks(Table(HEADER, endless()))
    header, first = next(chunks), next(chunks)
    assert header.startswith("\ufeff") and first.count("\r\n") == 500


# --- XLSX -------------------------------------------------------------------------------------------

def test_xlsx_has_a_bold_header_row():
    sheet = workbook_of(Table(HEADER, ROWS))["regency"]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert sheet["A1"].font.bold


def test_xlsx_writes_counts_as_numbers():
    sheet = workbook_of(Table(HEADER, ROWS)).active
    assert sheet["D2"].value == 160_000 and sheet["D2"].data_type == "n"
    assert sheet["D3"].value is None


def test_xlsx_writes_rates_as_numbers_with_a_percent_format():
    sheet = workbook_of(Table(HEADER, ROWS)).active
    assert sheet["C2"].value == pytest.approx(0.125)
    assert sheet["C2"].number_format == "0.0%"


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text():
    sheet = workbook_of(Table(HEADER, ROWS)).active
    assert sheet["B3"].value == "=cmd|' /C calc'!A0" and sheet["B3"].data_type == "s"


def test_xlsx_drops_characters_xml_cannot_hold():
    sheet = workbook_of(Table(HEADER, [["1", "Ani\x00\x07", None, 1]])).active
    assert sheet["B2"].value == "Ani"


# --- a breakdown as a table ----------------------------------------------------------------------------

@pytest.fixture
def world(app_context):
    return build_world()


def test_a_breakdown_table_has_codes_names_counts_and_rates(world):
    table = breakdown_table(breakdown(Selection(branch_ids={world.branch.id}), "district").rows, "district")
    rows = list(table.rows)
    assert len(table.header) == len(rows[0]) == 13
    dampal = next(row for row in rows if row[0] == "72.04.01")
    assert dampal[1:9] == ["Dampal Selatan", "Kabupaten Toli-Toli", 1, 20, 500_000, 4, 4, 1]
    assert dampal[9] == pytest.approx(0.2) and isinstance(dampal[9], Percent)
    assert dampal[11] == 125_000


def test_a_rate_on_too_few_cases_is_noted_not_comparable(world):
    rows = list(breakdown_table(breakdown(Selection(branch_ids={world.branch.id}), "village").rows, "village").rows)
    kombo = next(row for row in rows if row[0] == KOMBO)
    assert "30" in kombo[12]
    assert kombo[12].count(",") >= 2  # conversion, activation and cost per sign-up


def test_every_row_of_a_breakdown_is_read_in_the_breakdown_s_order(world):
    add_copies(world, 12, day=date(2026, 11, 9), villages=[f"{TOLI_TOLI}.01.{2001 + n}" for n in range(12)])
    selection = Selection(branch_ids={world.branch.id})
    paged = breakdown(selection, "village", "label", descending=False, limit=1000).rows
    streamed = list(all_rows(selection, "village", "label", descending=False, chunk=3))
    assert [row.key for row in streamed] == [row.key for row in paged] and len(streamed) > 6
