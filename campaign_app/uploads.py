"""Reading an uploaded table, a CSV file or an Excel workbook, row by row, without holding the file in memory.

Both imports (village values, activation) read their uploads here. The first bytes say what the file is: UTF-8
text (with or without a byte-order mark) is read as CSV, separated by ``;`` or ``,``, strictly (a quote left
open is refused, never allowed to swallow the rows after it); an Excel workbook (``.xlsx``) is read from its
first sheet through openpyxl's streaming reader. Anything else (UTF-16 text, an Excel 97-2003 file, a PDF, an
image, a file with NUL bytes) is refused with a message that names what the file is and how to save it.

``read_table`` yields ``(line, cells)`` for every row that is not blank, the header first; ``line`` is the row's
first line in the file (the row number in a workbook). It raises ``UnreadableUpload`` with the message to show.
"""

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from itertools import chain, count
from typing import IO

from openpyxl import load_workbook

from campaign_app.i18n import gettext as _

# The bytes looked at to tell what a file is.
HEAD = 4096
# No row of a table the imports read is this long; a longer line is not a CSV row (and is not held in memory).
MAX_LINE = 1 << 20
# Numbers this large lose their last digits in a spreadsheet (NIKs): shown as the spreadsheet shows them.
LARGE_NUMBER = 10**15
# The shared text of a workbook, read whole by openpyxl: more is refused rather than held in memory.
MAX_WORKBOOK_TEXT = 32 << 20
# Bytes that are not UTF-8, kept by the surrogateescape error handler so that their line can be named.
_UNDECODED = re.compile("[\udc80-\udcff]")

Row = tuple[int, list[str]]


def _and_save_as(what: str) -> str:
    """What the file is, then what to do."""
    return what + " " + _("Save it as \"CSV UTF-8\" or as an Excel Workbook (.xlsx) and upload that file.")


class UnreadableUpload(Exception):
    """The upload is not a table that can be read: ``message`` says what it is and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_table(upload: IO[bytes] | bytes, swallowed_row: re.Pattern | None = None,
               multiline_cells: bool = True) -> Iterator[Row]:
    """The rows of an uploaded CSV file or Excel workbook, each ``(line, cells)``, the header first; blank rows
    are skipped. Reads the upload as a stream (bytes are wrapped): memory does not grow with the file.

    In a CSV file a cell that runs over several lines is refused when ``multiline_cells`` is false, or when one of
    its later lines matches ``swallowed_row`` (the start of a row: a quote left open took it in).
    Raises ``UnreadableUpload`` for a file that is empty, not a table, or not well-formed CSV.
    """
    stream = _seekable(upload)
    head = stream.read(HEAD)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04"):
        rows = _workbook_rows(stream)
    else:
        _refuse_binary(head)
        rows = _csv_rows(stream, swallowed_row, multiline_cells)
    first = next(rows, None)
    if first is None:
        raise UnreadableUpload(_("The file is empty."))
    return chain([first], rows)


def _seekable(upload: IO[bytes] | bytes) -> IO[bytes]:
    # Werkzeug keeps an upload in memory up to 500 KB and in a temporary file beyond: seekable either way.
    return io.BytesIO(upload) if isinstance(upload, bytes | bytearray) else upload


def _refuse_binary(head: bytes) -> None:
    """Refuse a file that is not UTF-8 text, naming what it is from its first bytes."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):
        raise UnreadableUpload(_(
            "The file is UTF-16 text (Excel's \"Unicode Text\"), not UTF-8. In Excel choose Save As and the type "
            "\"CSV UTF-8 (Comma delimited)\" or \"Excel Workbook (.xlsx)\", then upload that file."))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableUpload(_(
            "The file is an old Excel workbook (.xls, Excel 97-2003) or a password-protected one. In Excel choose "
            "Save As and the type \"Excel Workbook (.xlsx)\" or \"CSV UTF-8\", without a password, then upload it."))
    if head.startswith(b"%PDF"):
        raise UnreadableUpload(_and_save_as(_("The file is a PDF document, not a table.")))
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise UnreadableUpload(_and_save_as(_("The file is a picture, not a table.")))
    if b"\x00" in head:
        raise UnreadableUpload(_and_save_as(_("The file holds NUL bytes: it is not a text file.")))


def _looks_utf16(head: bytes) -> bool:
    # UTF-16 without a byte-order mark: ASCII text with a NUL beside every character.
    pairs = head[:len(head) // 2 * 2]
    return len(pairs) >= 4 and (pairs[1::2].count(0) > len(pairs) // 4 or pairs[0::2].count(0) > len(pairs) // 4)


# --- CSV ------------------------------------------------------------------------------------------

def _lines(stream: IO[bytes]) -> Iterator[str]:
    """The file's lines, decoded one at a time; refuses a line that is not UTF-8, holds a NUL or is too long."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield from _checked(text)
    finally:
        if not text.closed:
            text.detach()  # the upload's stream stays open for whoever owns it


def _checked(text: io.TextIOWrapper) -> Iterator[str]:
    number = 0
    while line := text.readline(MAX_LINE):
        number += 1
        if len(line) == MAX_LINE and not line.endswith(("\n", "\r")):
            raise UnreadableUpload(_and_save_as(_("Line %(line)d is longer than a table row can be.", line=number)))
        if "\x00" in line:
            raise UnreadableUpload(_and_save_as(_("Line %(line)d holds a NUL byte: it is not a text file.",
                                                  line=number)))
        if not line.isascii() and _UNDECODED.search(line):
            raise UnreadableUpload(_(
                "The file is not UTF-8 text (line %(line)d has a character in another encoding). Save it again as "
                "\"CSV UTF-8\" (Excel) or with the character set Unicode (UTF-8) (LibreOffice), then upload it.",
                line=number))
        yield line


def _csv_rows(stream: IO[bytes], swallowed_row: re.Pattern | None, multiline_cells: bool) -> Iterator[Row]:
    lines = _lines(stream)
    skipped = 0
    for first in lines:
        if first.strip():
            break
        skipped += 1
    else:
        return
    separator = ";" if first.count(";") > first.count(",") else ","
    # Strict: a quote left open is an error at the end of the file, not the rest of the file in one cell.
    reader = csv.reader(chain([first], lines), delimiter=separator, strict=True)
    line = skipped
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num + skipped
            if line > start:
                _check_multiline(cells, start, line, swallowed_row, multiline_cells)
            if any(cell.strip() for cell in cells):
                yield start, cells
    except csv.Error as error:
        raise UnreadableUpload(_csv_error(str(error), line + 1, reader.line_num + skipped)) from None


def _csv_error(error: str, start: int, line: int) -> str:
    """What the csv module's (English) error means, for the person who saved the file."""
    if error == "unexpected end of data":
        return _("A quote opened on line %(line)d is never closed, so every line after it would be read as one "
                 "cell. Close the quote where the cell ends (or remove it) and upload the file again.", line=start)
    if "expected after" in error:
        return _("Line %(line)d has a quote inside a cell that is not at its start: write a quote inside a quoted "
                 "cell twice (\"\"), or remove it, and upload the file again.", line=line)
    if "field limit" in error:
        return _("Line %(line)d has a cell longer than 131,072 characters: the file is not a table of this kind.",
                 line=line)
    return _("Line %(line)d cannot be read as CSV (%(error)s).", line=line, error=error)


def _check_multiline(cells: list[str], start: int, end: int, swallowed_row: re.Pattern | None,
                     multiline_cells: bool) -> None:
    for cell in cells:
        later = cell.splitlines()[1:]
        if later and (not multiline_cells or (swallowed_row and any(swallowed_row.match(part) for part in later))):
            raise UnreadableUpload(_(
                "A quote opened on line %(start)d is closed only on line %(end)d, so the lines between were read "
                "as one cell. Close the quote where the cell ends (or remove it) and upload the file again.",
                start=start, end=end))


# --- Excel workbooks ------------------------------------------------------------------------------

def _workbook_rows(stream: IO[bytes]) -> Iterator[Row]:
    _refuse_other_zip(stream)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it does not read
            workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged workbook; all mean the same to the user
        raise UnreadableUpload(_damaged()) from None
    return _sheet_rows(workbook)


def _damaged() -> str:
    return _("The Excel workbook cannot be opened; it may be damaged. Open it in Excel, save it again as an Excel "
             "Workbook (.xlsx) and upload it.")


def _refuse_other_zip(stream: IO[bytes]) -> None:
    """Refuse a ZIP archive that is not an Excel workbook (an OpenDocument or Word file, an archive)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
            text_size = sum(info.file_size for info in archive.infolist()
                            if info.filename.endswith("sharedStrings.xml"))
    except (zipfile.BadZipFile, OSError):
        names, mimetype, text_size = set(), b"", 0
    stream.seek(0)
    if "xl/workbook.xml" in names:
        if text_size > MAX_WORKBOOK_TEXT:
            # openpyxl reads a workbook's shared text whole, even when it streams the rows.
            raise UnreadableUpload(_and_save_as(_("The workbook holds more text than an import can read at once.")))
        return
    if b"opendocument.spreadsheet" in mimetype:
        raise UnreadableUpload(_("The file is a LibreOffice spreadsheet (.ods). In LibreOffice choose Save As and "
                                 "the type \"Excel 2007-365 (.xlsx)\" or \"Text CSV\" (UTF-8), then upload it."))
    if "word/document.xml" in names or b"opendocument.text" in mimetype:
        raise UnreadableUpload(_and_save_as(_("The file is a text document, not a table.")))
    raise UnreadableUpload(_and_save_as(_("The file is a ZIP archive, not a table.")))


def _sheet_rows(workbook) -> Iterator[Row]:
    try:
        if not workbook.worksheets:
            raise UnreadableUpload(_damaged())
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read every cell there is
        rows = sheet.iter_rows(values_only=True)
        width = 0
        for number in count(1):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                values = next(rows, None)
            if values is None:
                return
            cells = [_cell_text(value) for value in values]
            if not any(cell.strip() for cell in cells):
                continue
            # Empty cells at a row's end are not stored: the row is as wide as the header.
            width = width or len(cells)
            yield number, cells + [""] * (width - len(cells))
    except UnreadableUpload:
        raise
    except Exception:  # a damaged sheet is found while it is read
        raise UnreadableUpload(_damaged()) from None
    finally:
        workbook.close()


def _cell_text(value) -> str:
    """A cell's value as the CSV export of the same sheet would write it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if abs(value) >= LARGE_NUMBER:
            return f"{value:.14E}"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        # As many digits as a spreadsheet shows: 3.3 for a formula's 3.3000000000000003.
        return format(value, ".15g") if isinstance(value, float) else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
