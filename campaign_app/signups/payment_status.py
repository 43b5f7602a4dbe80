"""The monthly payment status: the membership system's file of the month says, per participant, the last period
paid; each sign-up's payment history (``models.payments.PaymentHistory``) learns the months paid from it.

The file has a header naming the NIK and the last period paid, and may have a status (in Indonesian or English, any
case: ``nik``; ``status``; ``periode_terakhir``, ``bulan_terakhir_dibayar``, ``dibayar_sampai``,
``last_period_paid`` or ``paid_through``); other columns are ignored. A period is a month (2026-11, 11/2026,
11-2026, 202611) or a paid-through date (2026-11-30, 30/11/2026). Cells separated by ``;`` or ``,``, or the first
sheet of an ``.xlsx`` workbook (``uploads``), read one row at a time.

What a last period paid P means for a sign-up of month S, in the file of month F, when the files said P0 before:
every month from the later of S and P0 + 1 up to P was paid (paid-through is continuous cover: arrears are paid
before later months). Except after a lapse: when more than the lapse rule's months (``rates.lapse``) went unpaid
between P0 and F, the membership had ended and a payment restarts it, so only the months from F (or P, if
earlier) on are paid. A file never takes a month away: an older file uploaded after a newer one adds nothing.
So the same file twice changes nothing.

A file that cannot be read is refused whole (``PaymentStatusRefused``) and nothing is written, even when the
problem shows only at its end (every row is read before any is written, in a savepoint). Otherwise each row is
judged on its own: invalid (with its line and why), not paid since the sign-up, unknown (no live sign-up has the
NIK), unchanged, or matched (its history learns months). A NIK on several lines is applied from the first and
invalid on the others (one NIK a line is the membership system's own rule); the database finds them, so memory
does not grow with the file.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from typing import IO, NamedTuple

from flask_babel import format_decimal
from sqlalchemy import Connection

from campaign_app.audit.service import record
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import AuditAction, User
from campaign_app.models.payments import MONTHS_KEPT, month_number, month_start
from campaign_app.rates.lapse import lapse_months
from campaign_app.signups import payment_batches
from campaign_app.signups.activation import ACTIVE, NOT_ACTIVE, InvalidRow, parse_payment_date
from campaign_app.signups.member_files import column_name, find_column, masked_cell
from campaign_app.signups.payment_batches import FileRow, HistoryWrite, Match
from campaign_app.signups.personal_data import nik_indexer
from campaign_app.summaries.retention import SignUpFacts, follow_payment_histories
from campaign_app.uploads import UnreadableUpload, read_table
from campaign_app.validation import Refused

# The budget is a million-row file; more is split.
MAX_ROWS = 1_000_000
# Rows listed on the page (a fragment's budget); the rest are counted.
SHOWN_ROWS = 100
# Rows looked up and written at a time: a few statements per batch, whatever the file's size.
BATCH = 5000
# Months paid ahead of the file's month that a period may say; further is a typing mistake.
MONTHS_AHEAD = 12

NIK_COLUMNS = ("nik",)
STATUS_COLUMNS = ("status",)
PERIOD_COLUMNS = ("periode_terakhir", "bulan_terakhir_dibayar", "dibayar_sampai", "last_period_paid",
                  "paid_through")
# Statuses of a participant whose membership has ended, besides those the activation file uses.
ENDED = {"lapsed", "berhenti", "keluar", "tidak aktif lagi", "ended"}
NIK = re.compile(r"\d{16}")
MONTH_FIRST = re.compile(r"(\d{4})-(\d{1,2})")
YEAR_LAST = re.compile(r"(\d{1,2})[/-](\d{4})")
PACKED = re.compile(r"(\d{4})(\d{2})")


class PaymentStatusRefused(Refused):
    """The whole file is refused, before anything is written: ``message`` says why."""

    def __init__(self, message: str):
        super().__init__({"file": [message]})
        self.args = (message,)
        self.message = message


@dataclass(frozen=True)
class UnknownRow:
    """A row whose NIK no live sign-up has: its line and the NIK masked."""

    line: int
    nik: str


@dataclass
class PaymentStatusReport:
    """What an upload did, row by row, counted; the invalid and unknown rows listed (the first ``SHOWN_ROWS``)."""

    month: date
    rows: int = 0
    matched: int = 0
    unchanged: int = 0
    not_paid: int = 0
    unknown: list[UnknownRow] = field(default_factory=list)
    unknown_count: int = 0
    invalid: list[InvalidRow] = field(default_factory=list)
    invalid_count: int = 0

    def add_invalid(self, row: InvalidRow) -> None:
        self.invalid_count += 1
        if len(self.invalid) < SHOWN_ROWS:
            self.invalid.append(row)

    def add_unknown(self, row: UnknownRow) -> None:
        self.unknown_count += 1
        if len(self.unknown) < SHOWN_ROWS:
            self.unknown.append(row)

    @property
    def more_invalid(self) -> int:
        """How many invalid rows are not listed."""
        return self.invalid_count - len(self.invalid)

    @property
    def more_unknown(self) -> int:
        """How many unknown rows are not listed."""
        return self.unknown_count - len(self.unknown)

    def counts(self) -> dict:
        """The counts, for the audit log (never a NIK)."""
        return {"month": self.month.isoformat()[:7], "rows": self.rows, "matched": self.matched,
                "unchanged": self.unchanged, "not_paid": self.not_paid, "unknown": self.unknown_count,
                "invalid": self.invalid_count}


# Told how far an import has come: its phase ("reading", "matching", "writing") and the report so far.
Progress = Callable[[str, PaymentStatusReport], None]


class _Row(NamedTuple):
    line: int
    nik: str
    paid_through: int | None  # month_number; None: listed, not paid


# --- reading the file -----------------------------------------------------------------------------

def _find(columns: list[str], names: tuple[str, ...]) -> int | None:
    return find_column(columns, names, PaymentStatusRefused)


def _header(cells: list[str]) -> tuple[int, int | None, int]:
    """The positions of the NIK, status (None when absent) and last period paid columns."""
    columns = [column_name(cell) for cell in cells]
    if columns and NIK.fullmatch(columns[0].lstrip("'")):
        raise PaymentStatusRefused(_("The first line must name the columns (nik, status, periode_terakhir); it "
                                     "holds a NIK instead."))
    nik, status, period = _find(columns, NIK_COLUMNS), _find(columns, STATUS_COLUMNS), _find(columns, PERIOD_COLUMNS)
    if nik is None:
        raise PaymentStatusRefused(_("The header has no column \"nik\". Columns: nik, status, periode_terakhir "
                                     "(or paid_through)."))
    if period is None:
        raise PaymentStatusRefused(_("The header has no column for the last period paid: periode_terakhir, "
                                     "bulan_terakhir_dibayar, dibayar_sampai, last_period_paid or paid_through."))
    return nik, status, period


def parse_period(cell: str) -> int | None:
    """The month a period names (``month_number``): 2026-11, 11/2026, 11-2026, 202611 or a date in it; None for an
    empty cell; ValueError for anything else."""
    cell = cell.strip()
    if not cell:
        return None
    if match := MONTH_FIRST.fullmatch(cell):
        year, month = int(match[1]), int(match[2])
    elif match := YEAR_LAST.fullmatch(cell):
        year, month = int(match[2]), int(match[1])
    elif match := PACKED.fullmatch(cell):
        year, month = int(match[1]), int(match[2])
    else:
        day = parse_payment_date(cell)
        assert day is not None  # the cell is not empty
        return month_number(day)
    return month_number(date(year, month, 1))


@lru_cache(maxsize=256)
def _fold_status(cell: str) -> str:
    # A file holds a handful of statuses, a million times: each is folded once.
    return " ".join(re.sub(r"[-_]", " ", cell.strip().lower()).split())


def _judge(line: int, cells: list[str], columns: tuple[int, int | None, int], needed: int, file_month: int,
           report: PaymentStatusReport) -> _Row | None:
    """The row to look up, or None after counting it as invalid; ``needed`` is the cells the columns need."""
    nik_at, status_at, period_at = columns
    nik = cells[nik_at].strip().lstrip("'").strip() if len(cells) > nik_at else ""

    def invalid(reason: str) -> None:
        report.add_invalid(InvalidRow(line, masked_cell(nik), reason))

    if len(cells) < needed:
        return invalid(_("This row has %(found)d values; the header needs at least %(expected)d.",
                         found=len(cells), expected=needed))
    if not NIK.fullmatch(nik):
        if re.fullmatch(r"\d[.,]\d+[eE]\+?\d+", nik):
            return invalid(_("The NIK was turned into a number by a spreadsheet; format the column as text and "
                             "export again."))
        return invalid(_("A NIK has 16 digits."))
    try:
        paid_through = parse_period(cells[period_at])
    except ValueError:
        return invalid(_("The last period paid is not a month (write it 2026-11, 11/2026 or as a date)."))
    if paid_through is not None and paid_through > file_month + MONTHS_AHEAD:
        return invalid(_("The last period paid is more than %(months)d months after the file's month.",
                         months=MONTHS_AHEAD))
    status = _fold_status(cells[status_at]) if status_at is not None else ""
    if status and status not in ACTIVE | NOT_ACTIVE | ENDED:
        return invalid(_("Unknown status; use aktif or nonaktif."))
    if paid_through is None and status in ACTIVE:
        return invalid(_("An active participant needs the last period paid."))
    return _Row(line, nik, paid_through)


def read_payment_rows(upload: IO[bytes] | bytes, file_month: int, report: PaymentStatusReport) -> Iterator[_Row]:
    """The rows to look up, one at a time; counts the invalid ones into ``report``; refuses an unreadable file
    (``PaymentStatusRefused``), which may come to light only at its end (a quote never closed)."""
    try:
        # A cell over several lines is a quote left open: no cell of this file has a line break.
        table = read_table(upload, multiline_cells=False)
        columns = _header(next(table)[1])
        needed = max(i for i in columns if i is not None) + 1
        for line, cells in table:
            report.rows += 1
            if report.rows > MAX_ROWS:
                raise PaymentStatusRefused(_("The file has more than %(max)s rows; split it into smaller files.",
                                             max=format_decimal(MAX_ROWS)))
            row = _judge(line, cells, columns, needed, file_month, report)
            if row is not None:
                yield row
    except UnreadableUpload as unreadable:
        raise PaymentStatusRefused(unreadable.message) from None
    if report.rows == 0:
        raise PaymentStatusRefused(_("The file has a header but no rows."))


def check_payment_file(upload: IO[bytes]) -> None:
    """Refuse at once (``PaymentStatusRefused``) a file whose first bytes, header or first row already show it
    cannot be imported (not a table, empty, no NIK column, no rows); reads no further, and leaves ``upload`` at its
    start. A problem further on (a quote never closed at its end) is found by the import itself."""
    try:
        table = read_table(upload, multiline_cells=False)
        _header(next(table)[1])
        first_row = next(table, None)
        # The readers left half-way are closed now (their text wrapper detached), before the stream is rewound.
        del table
        if first_row is None:
            raise PaymentStatusRefused(_("The file has a header but no rows."))
    except UnreadableUpload as unreadable:
        raise PaymentStatusRefused(unreadable.message) from None
    finally:
        upload.seek(0)


# --- the months a period pays ----------------------------------------------------------------------

def months_paid(signup_month: int, before: int | None, paid_through: int, file_month: int, lapse: int) -> int:
    """The months (bits from ``signup_month``) a last period paid of ``paid_through`` adds, in the file of
    ``file_month``, to a history paid through ``before`` (None: no month yet), under a lapse rule of ``lapse``
    months of arrears. Cover is continuous from the month after ``before``; after a lapse (more than ``lapse``
    months unpaid before the file's month) the payment restarts the membership, from the file's month at the
    earliest."""
    start = signup_month if before is None else before + 1
    if before is not None and file_month - before - 1 > lapse:
        start = min(file_month, paid_through)
    first = max(start, signup_month) - signup_month
    last = min(paid_through - signup_month, MONTHS_KEPT - 1)
    if last < first:
        return 0
    return ((1 << (last + 1)) - 1) ^ ((1 << first) - 1)


# --- matching and writing -------------------------------------------------------------------------

def apply_payment_status_file(upload: IO[bytes] | bytes, month: date, actor: User, now: datetime,
                              progress: Progress | None = None) -> PaymentStatusReport:
    """Teach the sign-ups' payment histories what the membership system's file of ``month`` says.

    ``upload`` is a binary stream or bytes, CSV or an Excel workbook. Each row with a valid NIK and last period
    paid matches the live sign-up with that NIK's blind index; its history learns the months the period pays
    (``months_paid``, under the lapse rule in force on the first day of ``month``). A NIK on several lines is
    applied from the first and the others are listed invalid. The upload is audited once, with its counts (no
    NIK): a million rows are one entry, not a million. The rows are read and loaded ``BATCH`` at a time, matched in
    one join, and applied ``BATCH`` at a time (``payment_batches``): memory and the statements per batch do not
    grow with the file. Refuses an unreadable file whole (``PaymentStatusRefused``) before anything is written.
    ``progress``, when given, is told the phase and the counts so far after each batch read and each page written
    (``payment_imports`` commits them elsewhere, for the upload's page). Flushes, never commits.
    """
    tell = progress or (lambda _phase, _report: None)
    file_month = month_number(month)
    report = PaymentStatusReport(month=month_start(file_month))
    lapse = lapse_months(report.month)
    rows = read_payment_rows(upload, file_month, report)
    index = nik_indexer()
    with db.session.begin_nested():
        connection = db.session.connection()
        payment_batches.start(connection)
        while batch := list(islice(rows, BATCH)):
            payment_batches.load(connection, [FileRow(row.line, index(row.nik), masked_cell(row.nik),
                                                      row.paid_through) for row in batch])
            tell("reading", report)
        tell("matching", report)
        payment_batches.match(connection)
        for page in payment_batches.pages(connection, BATCH):
            _apply(connection, page, file_month, lapse, now, report)
            tell("writing", report)
        payment_batches.finish(connection)
    report.invalid.sort(key=lambda row: row.line)
    record(AuditAction.PAYMENT_STATUS_UPLOADED, actor=actor, subject_type=None, branch_id=actor.branch_id,
           subject_name=report.month.isoformat()[:7], details=report.counts(), now=now)
    return report


def _apply(connection: Connection, page: list[Match], file_month: int, lapse: int, now: datetime,
           report: PaymentStatusReport) -> None:
    """Judge one page of matched rows and write what it changes: the retention roll-up's few statements and one
    upsert, whatever the page's size."""
    written: list[HistoryWrite] = []
    known: dict[int, SignUpFacts] = {}
    for row in page:
        if row.first_line != row.line:
            report.add_invalid(InvalidRow(row.line, row.masked, _("This NIK is already on line %(line)d.",
                                                                  line=row.first_line)))
            continue
        if row.signup_id is None or row.signup_month is None:
            report.add_unknown(UnknownRow(row.line, row.masked))
            continue
        if row.reported is None or row.reported < row.signup_month:
            # Listed but not paid since the sign-up: nothing to learn, and nothing to take away.
            report.not_paid += 1
            continue
        before = row.paid_months or 0
        paid = before | months_paid(row.signup_month, row.paid_through, row.reported, file_month, lapse)
        through = max(row.reported, row.paid_through or row.reported)
        if row.paid_months is not None and paid == before and through == row.paid_through:
            report.unchanged += 1
            continue
        report.matched += 1
        written.append({"signup_id": row.signup_id, "signup_month": row.signup_month, "paid_months": paid,
                        "paid_through": through})
        if row.facts is not None:
            known[row.signup_id] = row.facts
    # Before the histories change: the retention roll-up adds what each one changes (old counts out, new in).
    follow_payment_histories(connection, written, lapse=lapse, file_month=file_month, known=known)
    payment_batches.upsert_histories(connection, written, now)
