"""Bulk update of what the campaign knows of villages, from a CSV file or an Excel workbook (``uploads``).

The file needs a header: ``code`` and any of the value columns (``values.FIELDS``); the columns the
export adds for reading (name, district, regency) are ignored. Separators ``;`` or ``,``; UTF-8 with or
without a byte-order mark; or the first sheet of an ``.xlsx`` workbook. An empty cell clears that value; a
column left out keeps its values. A quoted cell may run over several lines (notes), but not take in a row.

The file is checked whole before anything is written: a file with any bad row is refused with every
bad row and why, and a good file is applied in one bulk UPDATE of the villages whose values change.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from flask_babel import format_decimal
from sqlalchemy import select, update

from campaign_app.audit.service import record_many
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.i18n import ngettext
from campaign_app.models import AuditAction, District, User, Village
from campaign_app.models.people import branch_regencies
from campaign_app.uploads import UnreadableUpload, read_table
from campaign_app.validation import Refused
from campaign_app.villages.scope import BranchIds, visible_regency_codes
from campaign_app.villages.values import (
    FIELDS,
    FORMULA_START,
    check_values,
    clean_notes,
    is_village_code,
    parse_access,
    parse_count,
    parse_hours,
)

MAX_ROWS = 100_000
# Bad rows listed on the page; the rest are counted.
SHOWN_PROBLEMS = 100
# Written by the export for people to read; an import ignores them.
READ_ONLY_COLUMNS = ("name", "district", "regency")


def _csv_notes(text: str | None) -> str | None:
    # The export quotes notes that a spreadsheet would take for a formula; the quote is not part of them.
    if text and text.startswith("'") and text[1:].startswith(FORMULA_START):
        text = text[1:]
    return clean_notes(text)


PARSERS = {
    "estimated_population": parse_count,
    "estimated_informal_workers": parse_count,
    "access_class": parse_access,
    "travel_hours": parse_hours,
    "notes": _csv_notes,
}
_LOOKUP_CHUNK = 500
# A line inside a cell that starts like a row: a quote left open took the row into the cell before it.
SWALLOWED_ROW = re.compile(r"\s*\"?\s*\d{2}\.\d{2}\.\d{2}\.\d{4}\s*\"?\s*[;,]")


@dataclass
class RowProblem:
    """A bad row: its line in the file, the village code it gives, and why it is refused."""

    line: int
    code: str
    reason: str


class ImportRefused(Refused):
    """The file is refused whole: ``message`` for the file, or ``problems`` for its bad rows."""

    def __init__(self, message: str | None = None, problems: list[RowProblem] | None = None):
        super().__init__({"file": [message]} if message else {})
        self.args = (message or f"{len(problems or [])} bad rows",)
        self.message = message
        self.problems = problems or []

    @property
    def shown(self) -> list[RowProblem]:
        return self.problems[:SHOWN_PROBLEMS]

    @property
    def more(self) -> int:
        """How many bad rows are not shown."""
        return max(0, len(self.problems) - SHOWN_PROBLEMS)


@dataclass
class ImportResult:
    rows: int
    changed: int


@dataclass
class _Row:
    line: int
    cells: dict[str, str]
    problems: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.cells.get("code", "")


def _column_name(text: str) -> str:
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def _header(names: list[str]) -> list[str]:
    """The header's column names, checked; trailing empty names (left by spreadsheets) are dropped."""
    columns = [_column_name(name) for name in names]
    while columns and not columns[-1]:
        columns.pop()
    allowed = ", ".join(("code", *FIELDS))
    if columns and is_village_code(columns[0]):
        raise ImportRefused(_("The first line must name the columns (%(allowed)s); it holds a village instead.",
                              allowed=allowed))
    if "code" not in columns:
        raise ImportRefused(_("The header has no column \"code\". Columns: %(allowed)s.", allowed=allowed))
    unknown = [name or "(empty)" for name in columns if name not in ("code", *FIELDS, *READ_ONLY_COLUMNS)]
    if unknown:
        raise ImportRefused(_("Unknown columns: %(unknown)s. Use code and any of: %(fields)s.",
                              unknown=", ".join(unknown), fields=", ".join(FIELDS)))
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise ImportRefused(_("Columns named twice: %(names)s.", names=", ".join(repeated)))
    if not any(name in FIELDS for name in columns):
        raise ImportRefused(_("Add at least one column to update: %(fields)s.", fields=", ".join(FIELDS)))
    return columns


def _read_rows(upload: IO[bytes] | bytes) -> Iterator[tuple[list[str], _Row]]:
    """The header's columns with each row of the file, read one at a time; refuses a file that cannot be read."""
    try:
        rows = read_table(upload, swallowed_row=SWALLOWED_ROW)
        _line, header = next(rows)
        columns = _header(header)
        count = 0
        for line, cells in rows:
            count += 1
            if count > MAX_ROWS:
                raise ImportRefused(_("The file has more than %(max)s rows; split it into smaller files.",
                                      max=format_decimal(MAX_ROWS)))
            yield columns, _row(line, cells, columns)
    except UnreadableUpload as unreadable:
        raise ImportRefused(unreadable.message) from None
    if not count:
        raise ImportRefused(_("The file has a header but no village rows."))


def _row(line: int, cells: list[str], columns: list[str]) -> _Row:
    row = _Row(line, {})
    extra = cells[len(columns):]
    if len(cells) < len(columns) or any(cell.strip() for cell in extra):
        row.cells["code"] = cells[columns.index("code")].strip() if len(cells) > columns.index("code") else ""
        row.problems.append(_("%(found)d values where the header has %(expected)d.",
                              found=len(cells), expected=len(columns)))
    else:
        row.cells = {name: cell.strip() for name, cell in zip(columns, cells, strict=False)}
    return row


def _stored_values(branch_ids: BranchIds) -> tuple[dict[str, dict], dict[str, tuple[str, int | None]]]:
    """What is recorded now for every visible village, by code, and each one's name and branch: one statement."""
    rows = db.session.execute(
        select(Village.code, Village.name, branch_regencies.c.branch_id, *(getattr(Village, name) for name in FIELDS))
        .join(Village.district).where(District.regency_code.in_(visible_regency_codes(branch_ids)))
        .outerjoin(branch_regencies, branch_regencies.c.regency_code == District.regency_code)
    )
    stored, named = {}, {}
    for code, name, branch_id, *values in rows:
        stored[code] = dict(zip(FIELDS, values, strict=True))
        named[code] = (name, branch_id)
    return stored, named


def _json(value):
    """A value as an audit entry keeps it."""
    return str(value) if isinstance(value, Decimal) else value


def _existing_codes(codes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(codes), _LOOKUP_CHUNK):
        chunk = codes[start:start + _LOOKUP_CHUNK]
        found.update(db.session.scalars(select(Village.code).where(Village.code.in_(chunk))))
    return found


def _check_row(row: _Row, columns: list[str], stored: dict | None) -> dict | None:
    """The row's new values, or None after noting its problems (or when the village is not visible)."""
    values = {}
    for name in columns:
        if name in FIELDS:
            try:
                values[name] = PARSERS[name](row.cells[name])
            except ValueError as error:
                row.problems.append(f"{name}: {error.args[0]}")
    if row.problems or stored is None:
        return None
    # The population rule compares with what is stored when the file gives only one of the two.
    errors = check_values({**stored, **values})
    for name in FIELDS:
        row.problems.extend(f"{name}: {message}" for message in errors.get(name, []))
    return None if row.problems else values


def _changed_fields(new: dict, stored: dict) -> dict:
    """The fields whose new value differs from the stored one, as {field: [before, after]}."""
    changed = {}
    for name, value in new.items():
        old = stored[name]
        if isinstance(value, Decimal) and old is not None:
            old = Decimal(old)
        if value != old:
            changed[name] = [_json(stored[name]), _json(value)]
    return changed


def _changed(new: dict, stored: dict) -> bool:
    return bool(_changed_fields(new, stored))


def import_villages(upload: IO[bytes] | bytes, branch_ids: BranchIds, actor: User | None = None) -> ImportResult:
    """Apply a CSV file or Excel workbook of village values (a binary stream, or bytes) to the villages of the
    branches ``branch_ids`` (None: all), each village changed audited as ``actor``'s.

    Refuses the whole file (``ImportRefused``) when it cannot be read or any row is bad: unknown codes,
    villages outside the branches, codes given twice, bad numbers or access classes, values out of range.
    Otherwise updates, in one bulk statement, the villages whose values change; flushes, never commits.
    """
    stored, named = _stored_values(branch_ids)
    first_line: dict[str, int] = {}
    outside: list[_Row] = []
    bad: list[_Row] = []
    updates = []
    rows = 0
    # Each row is checked as it is read and only what it comes to is kept: memory does not grow with the file.
    for columns, row in _read_rows(upload):
        rows += 1
        code = row.code
        if row.problems:  # a row with the wrong number of values: nothing more to say of it
            first_line.setdefault(code, row.line)
            bad.append(row)
            continue
        if not is_village_code(code):
            row.problems.append(_("A village code looks like 72.10.01.2001."))
        elif code in first_line:
            row.problems.append(_("This village is already on line %(line)d.", line=first_line[code]))
        else:
            first_line[code] = row.line
            if code not in stored:
                outside.append(row)
        values = _check_row(row, columns, stored.get(code))
        if values is not None and _changed(values, stored[code]):
            updates.append({"code": code, **values})
        if row.problems or code not in stored:
            row.cells = {"code": code}
            bad.append(row)
    # Tell an unknown code from another branch's village, looking up only the codes that are not visible.
    existing = _existing_codes([row.code for row in outside])
    for row in outside:
        row.problems.insert(0, _("This village is outside the regencies of your branch.") if row.code in existing
                            else _("No village has this code."))
    problems = [RowProblem(row.line, row.code, " ".join(row.problems)) for row in bad if row.problems]
    if problems:
        raise ImportRefused(problems=problems)
    if updates:
        # ORM bulk UPDATE by primary key: one executemany, whatever the number of rows. It goes around the flush, so
        # each village's entry is recorded here.
        db.session.execute(update(Village), updates)
        record_many(AuditAction.CHANGED, actor=actor, subject_type="village", entries=[
            {"subject_name": f"{named[row['code']][0]} ({row['code']})", "branch_id": named[row["code"]][1],
             "details": _changed_fields({k: v for k, v in row.items() if k != "code"}, stored[row["code"]])}
            for row in updates])
    return ImportResult(rows=rows, changed=len(updates))


def result_message(result: ImportResult) -> str:
    """What the coordinator reads after a good file."""
    return ngettext("%(num)d village changed", "%(num)d villages changed", result.changed) + " " + ngettext(
        "(of %(num)d row in the file).", "(of %(num)d rows in the file).", result.rows)
