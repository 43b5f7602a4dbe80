"""Excel workbooks as coordinators save them, for the import tests."""

import io

from openpyxl import Workbook


def xlsx_bytes(rows: list[list], sheet_title: str = "Sheet1") -> bytes:
    """An .xlsx file whose first sheet holds ``rows`` (an empty list is an empty row)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
