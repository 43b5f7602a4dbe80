"""Reading an uploaded table: what a file is, CSV read strictly and as a stream, Excel workbooks read as tables."""

import io
import re
import tracemalloc
import zipfile
from datetime import date, datetime

import pytest

from campaign_app.i18n import force_locale
from campaign_app.uploads import UnreadableUpload, read_table
from tests.workbooks import xlsx_bytes


@pytest.fixture(autouse=True)
def english(app_context):
    """Messages in English, so that tests can read them."""
    with force_locale("en"):
        yield


def rows(data: bytes, **options) -> list[tuple[int, list[str]]]:
    return list(read_table(data, **options))


def refusal(data: bytes, **options) -> str:
    with pytest.raises(UnreadableUpload) as refused:
        rows(data, **options)
    return refused.value.message


# --- CSV ------------------------------------------------------------------------------------------

def test_rows_come_with_their_first_line_blank_lines_skipped():
    assert rows(b"\xef\xbb\xbf\r\nkode;catatan\r\n\r\nA;x\r\nB;\"dua\r\nbaris\"\r\nC;y\r\n") == [
        (2, ["kode", "catatan"]), (4, ["A", "x"]), (5, ["B", "dua\r\nbaris"]), (7, ["C", "y"])]


def test_the_separator_is_the_one_the_header_uses_most():
    assert rows(b"a,b;c\n1,2;3\n") == [(1, ["a", "b;c"]), (2, ["1", "2;3"])]


def test_a_quote_never_closed_is_refused_with_its_line():
    message = refusal(b'code,notes\nA,"tidak ditutup\nB,y\nC,z\n')
    assert "quote opened on line 2 is never closed" in message


def test_a_quote_closed_rows_later_is_refused_when_a_later_line_starts_a_row():
    swallowed = re.compile(r"[A-Z],")
    message = refusal(b'code,notes\nA,"dibuka\nB,y"\nC,z\n', swallowed_row=swallowed)
    assert "opened on line 2 is closed only on line 3" in message
    assert rows(b'code,notes\nA,"dua\nbaris"\n', swallowed_row=swallowed)[1] == (2, ["A", "dua\nbaris"])


def test_a_cell_over_several_lines_is_refused_where_cells_have_one_line():
    assert "closed only on line 3" in refusal(b'nik,status\n"1,aktif\n2",aktif\n', multiline_cells=False)


def test_a_stray_quote_inside_a_cell_is_refused():
    assert "quote inside a cell" in refusal(b'code,notes\nA,"x"y\n')


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b" \r\n\n", "empty"),
    ("code,notes\nA,x\n".encode("utf-16"), "UTF-16"),
    ("code,notes\nA,x\n".encode("utf-16-le"), "UTF-16"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old Excel workbook (.xls"),
    (b"%PDF-1.7\n%\xe2\xe3\n", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "picture"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "picture"),
    (b"code,notes\nA,x\x00y\n", "NUL"),
    (b"code,notes\n" + b"A,x\n" * 2000 + b"B,\x00\n", "Line 2002 holds a NUL byte"),
    ("code,notes\nA,x\nB,Caf\u00e9\n".encode("cp1252"), "not UTF-8 text (line 3"),
    (b"code,notes\nA," + b"x" * (1 << 20) + b"\n", "Line 2 is longer"),
    (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
])
def test_a_file_that_is_not_a_table_says_what_it_is(data, words):
    message = refusal(data)
    assert words in message
    assert "upload" in message or words == "empty"


def test_an_opendocument_spreadsheet_is_named():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as ods:
        ods.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        ods.writestr("content.xml", "<office:document-content/>")
    assert "LibreOffice spreadsheet (.ods)" in refusal(archive.getvalue())


def test_a_large_file_is_read_without_holding_it_in_memory():
    data = b"nik;status;tanggal_bayar_pertama;nama;alamat\n" + b"".join(
        b"7271014508%06d;aktif;20/11/2026;Siti Nurhaliza;Jalan Trans Sulawesi No. 12, Palu\n" % n
        for n in range(12_500))
    assert len(data) > 1_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _row in read_table(io.BytesIO(data)))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 12_501
    # Decoding the whole file, as imports did, would take more than its size (1 MB) at once.
    assert peak < 250_000


def test_the_upload_stream_stays_open_for_its_owner():
    stream = io.BytesIO(b"a,b\n1,2\n")
    assert len(rows(stream)) == 2
    assert not stream.closed


# --- Excel workbooks ------------------------------------------------------------------------------

def test_a_workbook_is_read_from_its_first_sheet_with_its_row_numbers():
    data = xlsx_bytes([["code", "notes"], [], ["A", "x"], ["B", None], [None, None]])
    assert rows(data) == [(1, ["code", "notes"]), (3, ["A", "x"]), (4, ["B", ""])]


def test_workbook_cells_read_as_a_csv_export_would_write_them():
    data = xlsx_bytes([["a", "b", "c", "d", "e"],
                       [1500, 2.5, 3.0, datetime(2026, 11, 20), date(2026, 11, 21)],
                       [7271014508950001, "'x", True, "", "teks"]])
    assert rows(data)[1:] == [(2, ["1500", "2.5", "3", "2026-11-20", "2026-11-21"]),
                              (3, ["7.27101450895000E+15", "'x", "TRUE", "", "teks"])]


def test_a_workbook_row_is_as_wide_as_its_header():
    assert rows(xlsx_bytes([["a", "b", "c"], ["1"]]))[1] == (2, ["1", "", ""])


def test_a_workbook_with_more_text_than_an_import_reads_at_once_is_refused(monkeypatch):
    monkeypatch.setattr("campaign_app.uploads.MAX_WORKBOOK_TEXT", 1000)
    archive = io.BytesIO(xlsx_bytes([["code", "notes"], ["A", "x"]]))
    with zipfile.ZipFile(archive, "a") as workbook:
        # Excel keeps a sheet's text in one shared table, which openpyxl reads whole.
        workbook.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>catatan panjang</t></si>" * 100 + "</sst>")
    assert "more text than an import can read" in refusal(archive.getvalue())


def test_a_computed_decimal_reads_as_a_spreadsheet_shows_it():
    assert rows(xlsx_bytes([["jam"], [1.1 * 3]]))[1] == (2, ["3.3"])


def test_a_workbook_whose_sheet_is_damaged_is_refused():
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["a"], ["1"]])))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as damaged:
        for info in good.infolist():
            content = good.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content[:len(content) // 2]
            damaged.writestr(info, content)
    assert "cannot be opened" in refusal(archive.getvalue())


def test_a_damaged_workbook_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as broken:
        broken.writestr("xl/workbook.xml", "<not a workbook")
    assert "cannot be opened" in refusal(archive.getvalue())
