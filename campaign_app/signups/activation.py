"""Activation: the membership system's file says which workers paid; their sign-ups become activated.

The file has a header naming at least the NIK and the first payment date, and usually the status
(in Indonesian or English, any case: ``nik``; ``status``; ``tanggal_bayar_pertama``,
``tgl_bayar_pertama`` or ``first_payment_date``); other columns are ignored. Cells separated by ``;``
or ``,``; UTF-8 with or without a byte-order mark; or the first sheet of an ``.xlsx`` workbook (``uploads``);
dates as 2026-11-02, 02/11/2026 or 02-11-2026.

A file that cannot be read is refused whole (``ActivationRefused``) and nothing is written. Otherwise
each row is judged on its own: invalid (with its line and why), not yet paid, not found among the live
sign-ups of the uploader's branches, already activated (from that date or earlier), paid before the sign-up
(invalid: the two systems disagree), or matched, which activates the sign-up. Re-uploading a file changes
nothing: its rows are then all already activated.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import IO, NamedTuple

from flask_babel import format_date, format_decimal
from sqlalchemy import select, update

from campaign_app.audit.service import record, record_many
from campaign_app.clock import WITA
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import AuditAction, SignUp, SignUpStatus, User
from campaign_app.signups.member_files import column_name, find_column, masked_cell
from campaign_app.signups.personal_data import nik_index
from campaign_app.summaries import bulk_execute
from campaign_app.uploads import UnreadableUpload, read_table
from campaign_app.validation import Refused

BranchIds = set[int] | None
MAX_ROWS = 100_000
# Invalid rows listed on the page (a fragment's budget); the rest are counted.
SHOWN_INVALID = 100
# Rows applied at a time, and blind indexes per look-up: an IN list this long suits SQLite and PostgreSQL.
LOOKUP_CHUNK = 1000
# Activations per bulk update: each update recounts the summaries it touches, so few and large, but bounded.
CHANGES_PER_UPDATE = 20_000

NIK_COLUMNS = ("nik",)
STATUS_COLUMNS = ("status",)
DATE_COLUMNS = ("tanggal_bayar_pertama", "tgl_bayar_pertama", "first_payment_date")
# Statuses as the membership system writes them, folded (lower case, single spaces).
ACTIVE = {"aktif", "active", "activated", "diaktifkan"}
NOT_ACTIVE = {"nonaktif", "non aktif", "tidak aktif", "belum aktif", "belum bayar", "inactive", "not active",
              "unpaid", "pending", "menunggu", "terdaftar", "registered", "ditolak", "rejected"}
NIK = re.compile(r"\d{16}")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
DAY_FIRST_DATE = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4})")


class ActivationRefused(Refused):
    """The whole file is refused, before anything is written: ``message`` says why."""

    def __init__(self, message: str):
        super().__init__({"file": [message]})
        self.args = (message,)
        self.message = message


@dataclass(frozen=True)
class InvalidRow:
    """A row that could not be used: its line in the file, its NIK masked (or empty), and why."""

    line: int
    nik: str
    reason: str


@dataclass
class ActivationReport:
    """What an upload did, row by row, counted; the invalid rows listed."""

    rows: int = 0
    matched: int = 0
    already_activated: int = 0
    not_found: int = 0
    not_yet_paid: int = 0
    invalid: list[InvalidRow] = field(default_factory=list)

    @property
    def shown_invalid(self) -> list[InvalidRow]:
        return self.invalid[:SHOWN_INVALID]

    @property
    def more_invalid(self) -> int:
        """How many invalid rows are not listed."""
        return max(0, len(self.invalid) - SHOWN_INVALID)

    def counts(self) -> dict[str, int]:
        """The counts, for the audit log (never a NIK)."""
        return {"rows": self.rows, "matched": self.matched, "already_activated": self.already_activated,
                "not_found": self.not_found, "not_yet_paid": self.not_yet_paid, "invalid": len(self.invalid)}


@dataclass
class _Row:
    line: int
    nik: str
    paid_on: date


# --- reading the file -----------------------------------------------------------------------------

def _find(columns: list[str], names: tuple[str, ...]) -> int | None:
    return find_column(columns, names, ActivationRefused)


def _header(cells: list[str]) -> tuple[int, int | None, int]:
    """The positions of the NIK, status (None when absent) and first payment date columns."""
    columns = [column_name(cell) for cell in cells]
    if columns and NIK.fullmatch(columns[0].lstrip("'")):
        raise ActivationRefused(_("The first line must name the columns (nik, status, tanggal_bayar_pertama); "
                                  "it holds a NIK instead."))
    nik, status, paid = _find(columns, NIK_COLUMNS), _find(columns, STATUS_COLUMNS), _find(columns, DATE_COLUMNS)
    if nik is None:
        raise ActivationRefused(_("The header has no column \"nik\". Columns: nik, status, tanggal_bayar_pertama "
                                  "(or first_payment_date)."))
    if paid is None:
        raise ActivationRefused(_("The header has no column for the first payment date: tanggal_bayar_pertama, "
                                  "tgl_bayar_pertama or first_payment_date."))
    return nik, status, paid


def parse_payment_date(cell: str) -> date | None:
    """A date written 2026-11-02, 02/11/2026 or 02-11-2026; None for an empty cell; ValueError otherwise."""
    cell = cell.strip()
    if not cell:
        return None
    if match := ISO_DATE.fullmatch(cell):
        year, month, day = (int(part) for part in match.groups())
    elif match := DAY_FIRST_DATE.fullmatch(cell):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    else:
        raise ValueError(cell)
    return date(year, month, day)


def _fold_status(cell: str) -> str:
    return " ".join(re.sub(r"[-_]", " ", cell.strip().lower()).split())


def _judge(line: int, cells: list[str], columns: tuple[int, int | None, int], today: date,
           report: ActivationReport) -> _Row | None:
    """The row to look up, or None after counting it as invalid or not yet paid."""
    nik_at, status_at, paid_at = columns
    needed = max(i for i in columns if i is not None) + 1
    nik = cells[nik_at].strip().lstrip("'").strip() if len(cells) > nik_at else ""

    def invalid(reason: str) -> None:
        report.invalid.append(InvalidRow(line, masked_cell(nik), reason))

    if len(cells) < needed:
        return invalid(_("This row has %(found)d values; the header needs at least %(expected)d.",
                         found=len(cells), expected=needed))
    if not NIK.fullmatch(nik):
        if re.fullmatch(r"\d[.,]\d+[eE]\+?\d+", nik):
            return invalid(_("The NIK was turned into a number by a spreadsheet; format the column as text and "
                             "export again."))
        return invalid(_("A NIK has 16 digits."))
    try:
        paid_on = parse_payment_date(cells[paid_at])
    except ValueError:
        return invalid(_("The first payment date is not a date (write it 2026-11-02 or 02/11/2026)."))
    if paid_on is not None and paid_on > today:
        return invalid(_("The first payment date is in the future."))
    status = _fold_status(cells[status_at]) if status_at is not None else ""
    if status and status not in ACTIVE | NOT_ACTIVE:
        return invalid(_("Unknown status; use aktif or nonaktif."))
    if paid_on is None:
        if status in ACTIVE:
            return invalid(_("An active participant needs the first payment date."))
        report.not_yet_paid += 1
        return None
    return _Row(line, nik, paid_on)


def read_activation_rows(upload: IO[bytes] | bytes, today: date, report: ActivationReport) -> Iterator[_Row]:
    """The rows with a first payment, to look up, one at a time; counts the others into ``report``; refuses an
    unreadable file (``ActivationRefused``), which may come to light only at its end (a quote never closed).

    ``upload`` is a CSV file or Excel workbook (``uploads``), read one row at a time."""
    first_line: dict[str, int] = {}
    try:
        # A cell over several lines is a quote left open: no cell of this file has a line break.
        table = read_table(upload, multiline_cells=False)
        columns = _header(next(table)[1])
        for line, cells in table:
            report.rows += 1
            if report.rows > MAX_ROWS:
                raise ActivationRefused(_("The file has more than %(max)s rows; split it into smaller files.",
                                          max=format_decimal(MAX_ROWS)))
            row = _judge(line, cells, columns, today, report)
            if row is None:
                continue
            if row.nik in first_line:
                report.invalid.append(InvalidRow(line, masked_cell(row.nik), _("This NIK is already on line %(line)d.",
                                                                          line=first_line[row.nik])))
                continue
            first_line[row.nik] = line
            yield row
    except UnreadableUpload as unreadable:
        raise ActivationRefused(unreadable.message) from None
    if report.rows == 0:
        raise ActivationRefused(_("The file has a header but no rows."))


# --- matching -------------------------------------------------------------------------------------

class _Stored(NamedTuple):
    """A live sign-up as the activation file is matched against it."""

    id: int
    first_payment_on: date | None
    status: str
    consent_at: datetime
    branch_id: int
    name: str


def _live_signups(indexes: list[str], branch_ids: BranchIds) -> dict[str, _Stored]:
    """The live sign-ups of ``branch_ids`` with these blind indexes: index → (id, first payment, status, consent,
    branch, name)."""
    statement = (select(SignUp.nik_index, SignUp.id, SignUp.first_payment_on, SignUp.status, SignUp.consent_at,
                        SignUp.branch_id, SignUp.full_name)
                 .where(SignUp.nik_index.in_(indexes), SignUp.status != SignUpStatus.VOID))
    if branch_ids is not None:
        statement = statement.where(SignUp.branch_id.in_(branch_ids))
    return {index: _Stored(*stored) for index, *stored in db.session.execute(statement)}


def apply_activation_file(upload: IO[bytes] | bytes, branch_ids: BranchIds, actor: User,
                          now: datetime) -> ActivationReport:
    """Activate the sign-ups of ``branch_ids`` (None: all) that the membership file ``upload`` reports as paid.

    ``upload`` is a binary stream or bytes: CSV or an Excel workbook. A row with a first payment date matches
    the live sign-up with that NIK's blind index: it becomes activated from that date, or, activated already
    from that date or an earlier one, stays as it is. A first payment dated before the sign-up is a row
    problem (listed as invalid), not applied. Each sign-up activated is audited (status and first payment,
    before and after), and the upload with its counts (no NIK).
    Refuses an unreadable file whole (``ActivationRefused``), undoing what it had applied. Flushes, never commits.
    """
    report = ActivationReport()
    rows = read_activation_rows(upload, now.astimezone(WITA).date(), report)
    # Applied a thousand rows at a time as the file is read, so memory does not grow with it; a refusal found
    # further on (a quote never closed) rolls the savepoint back: nothing partial stays.
    with db.session.begin_nested():
        changes: list[tuple[_Stored, date]] = []
        while batch := list(islice(rows, LOOKUP_CHUNK)):
            changes.extend(_matched(batch, branch_ids, report))
            if len(changes) >= CHANGES_PER_UPDATE:
                _activate(changes, actor, now)
                changes = []
        _activate(changes, actor, now)
    report.invalid.sort(key=lambda problem: problem.line)
    record(AuditAction.ACTIVATION_UPLOADED, actor=actor, subject_type=None, branch_id=actor.branch_id,
           details=report.counts(), now=now)
    return report


def _matched(rows: list[_Row], branch_ids: BranchIds, report: ActivationReport) -> list[tuple[_Stored, date]]:
    """The sign-ups that one batch of rows activates, with their first payment; counts the other rows."""
    indexed = {nik_index(row.nik): row for row in rows}
    stored = _live_signups(list(indexed), branch_ids)
    changes = []
    for index, row in indexed.items():
        if index not in stored:
            report.not_found += 1
            continue
        signup = stored[index]
        signed_up_on = signup.consent_at.astimezone(WITA).date()
        if row.paid_on < signed_up_on:
            # The membership system and the sign-up disagree: a person looks, nothing is changed.
            report.invalid.append(InvalidRow(row.line, masked_cell(row.nik), _(
                "The first payment (%(paid)s) is before the sign-up (%(signed_up)s): check the NIK and the date.",
                paid=format_date(row.paid_on), signed_up=format_date(signed_up_on))))
            continue
        if (signup.status == SignUpStatus.ACTIVATED and signup.first_payment_on is not None
                and signup.first_payment_on <= row.paid_on):
            report.already_activated += 1
            continue
        report.matched += 1
        changes.append((signup, row.paid_on))
    return changes


def _activate(changes: list[tuple[_Stored, date]], actor: User, now: datetime) -> None:
    if not changes:
        return
    # ORM bulk UPDATE by primary key: one executemany. It goes around the flush that keeps the summaries, so it
    # runs through their bulk API, which keeps them in the same transaction.
    bulk_execute(db.session, update(SignUp), [
        {"id": signup.id, "status": SignUpStatus.ACTIVATED.value, "first_payment_on": paid_on, "updated_at": now}
        for signup, paid_on in changes])
    _expire_loaded({signup.id for signup, _paid_on in changes})
    # Around the flush: each sign-up's entry is recorded here.
    record_many(AuditAction.CHANGED, actor=actor, subject_type="signup", now=now, entries=[
        {"subject_id": signup.id, "subject_name": signup.name, "branch_id": signup.branch_id, "details": {
            "status": [signup.status, SignUpStatus.ACTIVATED.value],
            "first_payment_on": [signup.first_payment_on.isoformat() if signup.first_payment_on else None,
                                 paid_on.isoformat()]}}
        for signup, paid_on in changes])


def _expire_loaded(ids: set[int]) -> None:
    """Sign-ups already loaded in the session are read again: the bulk update went around them."""
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, SignUp) and instance.id in ids:
            db.session.expire(instance)
