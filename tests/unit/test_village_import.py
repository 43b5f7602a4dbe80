"""Bulk update of village values from a CSV file: a good file applies whole, a bad one changes nothing."""

import io
import time
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from campaign_app.branches.service import get_or_create_branch
from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.models import District, Regency, Village, branch_regencies
from campaign_app.villages import importer
from campaign_app.villages.exporter import village_csv
from campaign_app.villages.importer import ImportRefused, import_villages
from tests.factories import FAR_VILLAGE, NEAR_VILLAGE, OTHER_NEAR_VILLAGE, branch_named
from tests.workbooks import xlsx_bytes

pytestmark = pytest.mark.usefixtures("app_context")

LUWUK_VILLAGE = "72.01.01.1008"
UNCOVERED_VILLAGE = "72.04.01.2001"  # Toli-Toli: no demo branch covers it


def palu() -> set[int]:
    return {branch_named().id}


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode()


def stored(code: str) -> tuple:
    village = db.session.get(Village, code)
    db.session.refresh(village)
    return (village.estimated_population, village.estimated_informal_workers, village.access_class,
            village.travel_hours, village.notes)


def refused(data: bytes, branch_ids=None) -> ImportRefused:
    with force_locale("en"), pytest.raises(ImportRefused) as caught:
        import_villages(data, palu() if branch_ids is None else branch_ids)
    return caught.value


def bad_rows(data: bytes) -> list[tuple[int, str]]:
    return [(p.line, p.code) for p in refused(data).problems]


# --- a good file -----------------------------------------------------------------------------------

def test_a_good_file_updates_the_villages_it_names():
    result = import_villages(csv_bytes(
        "code,estimated_population,estimated_informal_workers,access_class,travel_hours,notes",
        f"{NEAR_VILLAGE},5000,1200,rough_road,1.5,Jalan berlubang",
        f"{FAR_VILLAGE},3000,900,boat,2.5,",
    ), palu())
    assert (result.rows, result.changed) == (2, 2)
    assert stored(NEAR_VILLAGE) == (5000, 1200, "rough_road", Decimal("1.5"), "Jalan berlubang")
    assert stored(FAR_VILLAGE) == (3000, 900, "boat", Decimal("2.5"), None)


def test_semicolons_and_decimal_commas_are_read():
    import_villages(csv_bytes("code;travel_hours;estimated_population", f"{NEAR_VILLAGE};2,5;1.500"), palu())
    assert stored(NEAR_VILLAGE)[0] == 1500
    assert stored(NEAR_VILLAGE)[3] == Decimal("2.5")


def test_a_byte_order_mark_is_ignored():
    import_villages(csv_bytes("code,travel_hours", f"{NEAR_VILLAGE},3", bom=True), palu())
    assert stored(NEAR_VILLAGE)[3] == Decimal(3)


def test_header_names_are_read_whatever_their_case_and_spacing():
    import_villages(csv_bytes(" Code , Travel Hours ", f"{NEAR_VILLAGE},3"), palu())
    assert stored(NEAR_VILLAGE)[3] == Decimal(3)


def test_a_column_left_out_keeps_its_values():
    before = stored(NEAR_VILLAGE)
    import_villages(csv_bytes("code,notes", f"{NEAR_VILLAGE},Dekat kantor"), palu())
    assert stored(NEAR_VILLAGE) == (*before[:4], "Dekat kantor")


def test_an_empty_cell_clears_its_value():
    import_villages(csv_bytes("code,access_class,travel_hours", f"{NEAR_VILLAGE},,"), palu())
    assert stored(NEAR_VILLAGE)[2:4] == (None, None)


def test_only_villages_whose_values_change_are_counted():
    population = stored(NEAR_VILLAGE)[0]
    result = import_villages(csv_bytes("code,estimated_population", f"{NEAR_VILLAGE},{population}",
                                       f"{FAR_VILLAGE},{population + 1}"), palu())
    assert (result.rows, result.changed) == (2, 1)


def test_blank_lines_and_quoted_notes_over_several_lines_are_read():
    result = import_villages(csv_bytes("code,notes", "", f'{NEAR_VILLAGE},"Dua baris,', 'dengan koma"', "",
                                       f"{FAR_VILLAGE},Satu"), palu())
    assert result.rows == 2
    assert stored(NEAR_VILLAGE)[4] == "Dua baris,\ndengan koma"


def test_the_columns_the_export_adds_for_reading_are_ignored():
    import_villages(csv_bytes("code,name,district,regency,travel_hours", f"{NEAR_VILLAGE},Salah,X,Y,4"), palu())
    assert db.session.get(Village, NEAR_VILLAGE).name == "Besusu Barat"
    assert stored(NEAR_VILLAGE)[3] == Decimal(4)


def test_the_export_imports_again_without_changes():
    for decimal_comma in (True, False):
        data = "".join(village_csv(palu(), decimal_comma)).encode()
        assert import_villages(data, palu()).changed == 0


def test_a_good_file_is_applied_in_one_update_statement():
    updates = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE"):
            updates.append(executemany)

    lines = [f"{code},{n}" for n, code in enumerate(db.session.scalars(
        select(Village.code).where(Village.district_code == "72.10.01")), start=100)]
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = import_villages(csv_bytes("code,estimated_informal_workers", *lines), palu())
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert result.changed == len(lines) > 10
    assert updates == [True]


def test_workers_are_checked_against_the_stored_population_when_only_they_change():
    population = stored(NEAR_VILLAGE)[0]
    problems = refused(csv_bytes("code,estimated_informal_workers", f"{NEAR_VILLAGE},{population + 1}")).problems
    assert "outnumber" in problems[0].reason


def test_a_lower_population_with_fewer_workers_in_the_same_row_is_accepted():
    import_villages(csv_bytes("code,estimated_population,estimated_informal_workers", f"{NEAR_VILLAGE},100,50"),
                    palu())
    assert stored(NEAR_VILLAGE)[:2] == (100, 50)


# --- a file that cannot be read -------------------------------------------------------------------

def test_an_empty_file_is_refused():
    assert "empty" in refused(b"").message
    assert "empty" in refused(b"\xef\xbb\xbf \n\n").message


def test_a_header_without_rows_is_refused():
    assert "no village rows" in refused(csv_bytes("code,notes")).message


def test_a_file_in_another_encoding_is_refused_with_the_line():
    data = "code,notes\n72.71.01.1004,Jalan ke kebun\n72.10.01.2001,Caf\u00e9 di pinggir jalan\n".encode("cp1252")
    message = refused(data).message
    assert "UTF-8" in message and "line 3" in message
    assert stored(FAR_VILLAGE)[4] is None


def test_a_utf16_file_is_refused():
    assert "UTF-8" in refused("code,notes\n72.71.01.1004,x\n".encode("utf-16")).message


def test_a_file_without_a_code_column_is_refused():
    assert '"code"' in refused(csv_bytes("kode,notes", f"{NEAR_VILLAGE},x")).message


def test_a_file_without_a_header_is_refused():
    assert "first line" in refused(csv_bytes(f"{NEAR_VILLAGE},3000", f"{FAR_VILLAGE},4000")).message


def test_unknown_columns_are_refused_by_name():
    message = refused(csv_bytes("code,populasi,travel_hours", f"{NEAR_VILLAGE},1,2")).message
    assert "populasi" in message


def test_a_column_named_twice_is_refused():
    assert "twice" in refused(csv_bytes("code,notes,notes", f"{NEAR_VILLAGE},a,b")).message


def test_a_file_with_codes_only_is_refused():
    assert "at least one column" in refused(csv_bytes("code", NEAR_VILLAGE)).message


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    message = refused(csv_bytes("code,notes", f"{NEAR_VILLAGE},a", f"{FAR_VILLAGE},b", f"{OTHER_NEAR_VILLAGE},c"))
    assert "more than 2 rows" in message.message


def test_a_malformed_csv_is_refused_not_crashed():
    assert refused(csv_bytes("code,notes", f'{NEAR_VILLAGE},"x' + "y" * 200_000)).message


def test_a_quote_left_open_is_refused_not_read_into_a_note():
    before = stored(FAR_VILLAGE)
    message = refused(csv_bytes("code,notes", f'{NEAR_VILLAGE},"Jalan rusak', f"{FAR_VILLAGE},Perahu")).message
    assert "quote opened on line 2 is never closed" in message
    assert stored(NEAR_VILLAGE)[4] is None and stored(FAR_VILLAGE) == before


def test_a_quote_closed_only_after_the_next_row_is_refused():
    data = csv_bytes("code,notes", f'{NEAR_VILLAGE},"Jalan rusak', f'{FAR_VILLAGE},Perahu"',
                     f"{OTHER_NEAR_VILLAGE},Dekat")
    assert "opened on line 2 is closed only on line 3" in refused(data).message
    assert stored(NEAR_VILLAGE)[4] is None


@pytest.mark.parametrize(("data", "words"), [
    (b"code,notes\n72.71.01.1004,x\x00\n", "NUL"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old Excel workbook"),
    (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
])
def test_a_file_that_is_not_a_table_is_named(data, words):
    assert words in refused(data).message


def test_an_excel_workbook_is_imported_like_its_csv():
    data = xlsx_bytes([["code", "estimated_population", "access_class", "travel_hours", "notes"],
                       [NEAR_VILLAGE, 5000, "boat", 2.5, "Dua baris\ndalam satu sel"],
                       [FAR_VILLAGE, 3000, None, 1, None]])
    result = import_villages(io.BytesIO(data), palu())
    assert (result.rows, result.changed) == (2, 2)
    assert stored(NEAR_VILLAGE) == (5000, stored(NEAR_VILLAGE)[1], "boat", Decimal("2.5"),
                                    "Dua baris\ndalam satu sel")
    assert stored(FAR_VILLAGE)[2:4] == (None, Decimal(1))


def test_bad_rows_of_a_workbook_are_named_by_their_row_number():
    data = xlsx_bytes([["code", "travel_hours"], [NEAR_VILLAGE, 3], [], ["72.71.01.9999", 2]])
    assert bad_rows(data) == [(4, "72.71.01.9999")]


# --- bad rows ---------------------------------------------------------------------------------------

def test_a_file_with_one_bad_row_changes_nothing():
    before = stored(NEAR_VILLAGE)
    assert bad_rows(csv_bytes("code,estimated_population", f"{NEAR_VILLAGE},4000", f"{FAR_VILLAGE},banyak")) == [
        (3, FAR_VILLAGE)]
    assert stored(NEAR_VILLAGE) == before


def test_an_unknown_code_is_named():
    [problem] = refused(csv_bytes("code,notes", "72.71.01.9999,x")).problems
    assert (problem.line, problem.code, problem.reason) == (2, "72.71.01.9999", "No village has this code.")


def test_another_branchs_village_is_refused_as_outside_the_branch():
    [problem] = refused(csv_bytes("code,notes", f"{LUWUK_VILLAGE},x")).problems
    assert "outside" in problem.reason


def test_a_village_of_no_branch_is_outside_too():
    assert "outside" in refused(csv_bytes("code,notes", f"{UNCOVERED_VILLAGE},x"), branch_ids={0}).problems[0].reason


def test_a_malformed_code_is_refused():
    assert "72.10.01.2001" in refused(csv_bytes("code,notes", "7271011004,x")).problems[0].reason


def test_a_code_given_twice_names_the_first_line():
    problems = refused(csv_bytes("code,notes", f"{NEAR_VILLAGE},a", f"{FAR_VILLAGE},b", f"{NEAR_VILLAGE},c")).problems
    assert [(p.line, p.code) for p in problems] == [(4, NEAR_VILLAGE)]
    assert "line 2" in problems[0].reason


@pytest.mark.parametrize(("column", "value", "words"), [
    ("estimated_population", "-5", "whole number"),
    ("estimated_population", "2000000", "from 0 to"),
    ("estimated_population", "9" * 30, "from 0 to"),
    ("estimated_informal_workers", "12,5", "whole number"),
    ("access_class", "helicopter", "Use one of"),
    ("travel_hours", "100", "0 to 72"),
    ("travel_hours", "2,25", "one decimal"),
    ("notes", "a\x07b", "control"),
    ("notes", "x" * 2001, "2000"),
])
def test_bad_values_are_refused_with_the_column_and_why(column, value, words):
    [problem] = refused(csv_bytes(f"code,{column}", f'{NEAR_VILLAGE},"{value}"')).problems
    assert problem.reason.startswith(column) and words in problem.reason


def test_a_row_with_the_wrong_number_of_values_is_refused():
    problems = refused(csv_bytes("code,notes,travel_hours", f"{NEAR_VILLAGE},x", f"{FAR_VILLAGE},y,1,extra")).problems
    assert [(p.line, p.code) for p in problems] == [(2, NEAR_VILLAGE), (3, FAR_VILLAGE)]
    assert "2 values where the header has 3" in problems[0].reason


def test_empty_cells_that_spreadsheets_add_at_the_end_are_ignored():
    import_villages(csv_bytes("code;travel_hours;;", f"{NEAR_VILLAGE};4;;"), palu())
    assert stored(NEAR_VILLAGE)[3] == Decimal(4)


def test_every_bad_row_is_listed_and_the_first_hundred_are_shown():
    lines = [f"72.71.01.{9000 + n},x" for n in range(130)]
    problem = refused(csv_bytes("code,notes", *lines))
    assert len(problem.problems) == 130
    assert (len(problem.shown), problem.more) == (100, 30)
    assert [p.line for p in problem.shown[:3]] == [2, 3, 4]


def test_line_numbers_count_blank_lines_before_the_header():
    assert bad_rows(b"\n\ncode,notes\n72.71.01.9999,x\n") == [(4, "72.71.01.9999")]


def test_bad_rows_come_in_file_order_whatever_went_wrong():
    problems = refused(csv_bytes("code,travel_hours", "72.71.01.9999,1", f"{NEAR_VILLAGE},x", "bad,1")).problems
    assert [p.line for p in problems] == [2, 3, 4]


# --- a large file ------------------------------------------------------------------------------------

def cover_the_whole_province() -> None:
    covered = select(branch_regencies.c.regency_code)
    rest = db.session.scalars(select(Regency.code).where(Regency.province_code == "72", Regency.code.not_in(covered)))
    get_or_create_branch("Kantor Cabang Uji Impor", list(rest))


def test_a_file_of_two_thousand_villages_is_checked_and_applied_quickly():
    cover_the_whole_province()
    codes = db.session.scalars(select(Village.code).join(District).order_by(Village.code).limit(2000)).all()
    assert len(codes) == 2000
    data = csv_bytes("code;estimated_population;estimated_informal_workers;access_class;travel_hours;notes",
                     *(f"{code};{4000 + n};{1000 + n % 500};{('road', 'boat')[n % 2]};{n % 70},5;Baris {n}"
                       for n, code in enumerate(codes)))
    started = time.perf_counter()
    result = import_villages(data, None)
    db.session.flush()
    elapsed = time.perf_counter() - started
    print(f"\nimport of 2,000 villages ({len(data)} bytes): checked and applied in {elapsed * 1000:.0f} ms")
    assert result.changed == 2000
    assert stored(codes[-1])[4] == "Baris 1999"
    assert elapsed < 10
