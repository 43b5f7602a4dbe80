"""The branch's villages with what the campaign knows of them, as a CSV file to edit and import again."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import District, Regency, Village
from campaign_app.villages.importer import READ_ONLY_COLUMNS
from campaign_app.villages.scope import BranchIds, visible_regency_codes
from campaign_app.villages.values import FIELDS, FORMULA_START

COLUMNS = ("code", *READ_ONLY_COLUMNS, *FIELDS)
# Rows fetched from the database, and written out, at a time.
CHUNK = 500


def csv_cell(value, decimal_comma: bool) -> str:
    """One value as a CSV cell: numbers with the locale's decimal mark, formula-looking text made inert."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = f"{value:.1f}"
        return text.replace(".", ",") if decimal_comma else text
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def village_csv(branch_ids: BranchIds, decimal_comma: bool) -> Iterator[str]:
    """The visible villages as CSV text, by code, in pieces: a header, then ``CHUNK`` rows at a time.

    With ``decimal_comma`` (Indonesian spreadsheets) cells are separated by ``;`` and hours written
    ``2,5``; otherwise by ``,`` and ``2.5``. Starts with a byte-order mark, so that Excel reads UTF-8.
    One statement, read in chunks as the file is sent.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    statement = (
        select(Village.code, Village.name, District.name, Regency.name, *(getattr(Village, name) for name in FIELDS))
        .join(Village.district).join(District.regency)
        .where(District.regency_code.in_(visible_regency_codes(branch_ids)))
        .order_by(Village.code)
        .execution_options(yield_per=CHUNK)
    )
    for rows in db.session.execute(statement).partitions():
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([csv_cell(value, decimal_comma) for value in row] for row in rows)
        yield buffer.getvalue()
