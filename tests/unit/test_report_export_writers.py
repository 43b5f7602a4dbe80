"""Export writers read back: CSV with the csv module, XLSX with openpyxl; and the dashboard's tables (breakdown,
figures, trend, comparison) as tables of cells, on the hand-built world of tests/reports_data.py."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from campaign_app.i18n import force_locale
from campaign_app.reports.breakdowns import all_rows, breakdown
from campaign_app.reports.comparison import compare
from campaign_app.reports.exports import (
    Percent,
    Table,
    breakdown_table,
    comparison_table,
    csv_chunks,
    figures_table,
    trend_table,
    xlsx_chunks,
)
from campaign_app.reports.metrics import figures
from campaign_app.reports.selection import Selection
from campaign_app.reports.trend import trend
from tests.reports_data import KOMBO, TOLI_TOLI, add_copies, load_world

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


def test_csv_writes_a_negative_count_as_a_number_not_as_quoted_text():
    rows = csv_rows(csv_text(Table(["Difference", "Points"], [[-30, Percent(-0.029)], [-1.5, None]])))
    assert rows[1] == ["-30", "-2,9"] and rows[2][0] == "-1,5"


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


def test_xlsx_keeps_a_header_that_looks_like_a_formula_as_text():
    sheet = workbook_of(Table(["Figure", "=HYPERLINK(\"x\")"], [["Sign-ups", 3]])).active
    assert sheet["B1"].value == '=HYPERLINK("x")' and sheet["B1"].data_type == "s" and sheet["B1"].font.bold


def test_xlsx_writes_a_negative_count_as_a_number():
    sheet = workbook_of(Table(["Difference"], [[-30]])).active
    assert sheet["A2"].value == -30 and sheet["A2"].data_type == "n"


def test_xlsx_drops_characters_xml_cannot_hold():
    sheet = workbook_of(Table(HEADER, [["1", "Ani\x00\x07", None, 1]])).active
    assert sheet["B2"].value == "Ani"


# --- a breakdown as a table ----------------------------------------------------------------------------

@pytest.fixture
def world(app_context, world_keys):
    """The hand-built world, with labels in English so that tests can read them."""
    with force_locale("en"):
        yield load_world(world_keys)


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


# --- the figures as a table ------------------------------------------------------------------------------

def figure_rows(world, **filters) -> dict[str, list]:
    table = figures_table(figures(Selection(branch_ids={world.branch.id}, **filters)))
    assert table.header == ["Figure", "Value", "Numerator", "Denominator", "Note"]
    return {row[0]: row[1:] for row in table.rows}


def test_the_figures_table_has_every_count(world):
    rows = figure_rows(world)
    assert rows["Visits planned"] == [5, None, None, None]
    assert rows["Visits done"] == [3, None, None, None]
    assert rows["Attendance"] == [50, None, None, None]
    assert rows["Sign-ups"] == [9, None, None, None]


def test_the_figures_table_gives_each_rate_with_its_numerator_and_denominator(world):
    world.toli_toli.target_villages, world.buol.target_villages = 4, 2
    rows = figure_rows(world)
    assert rows["Conversion"] == [Percent(0.16), 8, 50, None] and isinstance(rows["Conversion"][0], Percent)
    assert rows["Workers signed up"] == [Percent(8 / 2000), 8, 2000, None]
    assert rows["Villages visited"] == [Percent(3 / 6), 3, 6, None]


def test_villages_visited_without_a_target_have_no_share(world):
    assert figure_rows(world)["Villages visited"] == [None, 3, 0, None]


def test_the_figures_table_marks_rates_on_too_few_cases(world):
    rows = figure_rows(world)
    assert rows["Activation"] == [Percent(3 / 9), 3, 9, "too few to compare"]
    assert rows["Sign-ups per visit"] == [pytest.approx(8 / 3), 8, 3, "too few to compare"]
    assert rows["Sign-ups per officer-day"] == [2.0, 8, 4, "too few to compare"]
    assert rows["Women"] == [Percent(5 / 9), 5, 9, "too few to compare"]


def test_the_figures_table_gives_costs_in_whole_rupiah(world):
    rows = figure_rows(world)
    assert rows["Cost per sign-up"] == [125_000, 1_000_000, 8, "too few to compare"]
    assert rows["Cost per activated"] == [333_333, 1_000_000, 3, "too few to compare"]


def test_the_figures_table_has_the_occupation_and_payer_mix_and_the_subsidy_quota(world):
    rows = figure_rows(world)
    assert rows["Occupation: Farmer"] == [Percent(5 / 9), 5, 9, None]
    assert rows["Occupation: Day labourer"] == [Percent(0), 0, 9, None]
    assert rows["Paid by: Subsidy programme"] == [Percent(2 / 9), 2, 9, None]
    # Luwuk's sign-up uses the quota too: 3 of 100 overall, 2 in this view.
    assert rows["Subsidy quota used: Subsidi Uji"] == [Percent(0.03), 3, 100, None]
    assert rows["Sign-ups paid by Subsidi Uji in this view"] == [2, None, None, None]


def test_an_empty_selection_gives_zero_counts_and_no_rates(world):
    rows = figure_rows(world, date_from=date(2001, 1, 1), date_to=date(2001, 1, 31))
    assert rows["Sign-ups"] == [0, None, None, None]
    assert rows["Conversion"] == [None, 0, 0, None]


# --- the trend as a table --------------------------------------------------------------------------------

def test_the_trend_table_has_a_row_per_month(world):
    table = trend_table(trend(Selection(branch_ids={world.branch.id}), "month"), "month")
    assert table.header == ["Month", "Visits done", "Attendance", "Sign-ups", "Activated"]
    assert list(table.rows) == [[date(2026, 9, 1), 2, 30, 6, 2], [date(2026, 10, 1), 1, 20, 3, 1]]


def test_the_trend_table_has_a_row_per_week_quiet_weeks_included(world):
    table = trend_table(trend(Selection(branch_ids={world.branch.id}), "week"), "week")
    rows = list(table.rows)
    assert table.header[0] == "Week of"
    assert [row[0] for row in rows] == [date(2026, 9, 7), date(2026, 9, 14), date(2026, 9, 21), date(2026, 9, 28),
                                        date(2026, 10, 5)]
    assert rows[2] == [date(2026, 9, 21), 0, 0, 0, 0]
    assert rows[4] == [date(2026, 10, 5), 1, 20, 3, 1]


# --- the comparison as a table ---------------------------------------------------------------------------

def comparison_of(world, *campaigns, labels=None) -> Table:
    return comparison_table(*compare({world.branch.id, world.luwuk.id}, [c.id for c in campaigns], labels))


def test_the_comparison_table_has_a_column_per_campaign_and_the_differences(world):
    table = comparison_of(world, world.buol, world.toli_toli)
    assert table.header == ["Figure", "Buol", "Toli-Toli", "Difference to Buol", "Note"]
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["Visits planned"] == [2, 3, 1, None]
    assert rows["Sign-ups"] == [3, 6, 3, None]


def test_the_comparison_table_names_the_campaigns_by_their_labels(world):
    table = comparison_of(world, world.buol, world.toli_toli, labels={world.buol.id: "Buol — Cabang Uji Utara"})
    assert table.header[:4] == ["Figure", "Buol — Cabang Uji Utara", "Toli-Toli",
                                "Difference to Buol — Cabang Uji Utara"]


def test_the_comparison_table_leaves_no_difference_for_a_rate_on_too_few_cases(world):
    rows = {row[0]: row[1:] for row in comparison_of(world, world.buol, world.toli_toli).rows}
    # Buol: 2 sign-ups at its done visit over 20 attendees (too few); Toli-Toli: 6 over 30.
    assert rows["Conversion"] == [Percent(0.1), Percent(0.2), None,
                                  "not comparable, fewer than 30 cases: Buol"]


def test_the_comparison_table_gives_negative_differences_and_differences_of_rates(world):
    rows = {row[0]: row[1:] for row in comparison_of(world, world.luwuk_campaign, world.buol, world.toli_toli).rows}
    # Banggai: 50 attendees; Buol 20; Toli-Toli 30.
    assert rows["Attendance"] == [50, 20, -30, 30, -20, None]
    # Villages visited, of each campaign's target of one village: 1, 1 and 2, all comparable.
    world.luwuk_campaign.target_villages = world.buol.target_villages = world.toli_toli.target_villages = 1
    rows = {row[0]: row[1:] for row in comparison_of(world, world.luwuk_campaign, world.buol, world.toli_toli).rows}
    banggai, buol, buol_difference, toli_toli, toli_toli_difference, note = rows["Villages visited"]
    assert buol == banggai and toli_toli == pytest.approx(2 * banggai) and note is None
    assert buol_difference == 0 and toli_toli_difference == pytest.approx(banggai)
    assert isinstance(toli_toli_difference, Percent)
