"""Paper as a last resort: a visit's printable sign-up sheet, and its rows typed in afterwards.

A row goes through ``record_signup`` with every rule of the online form, as a row ``on_paper``: its one-time key is
made from the visit and the sheet's row number (``row_key``), so a row typed twice is refused, and the visit may be
closed already. The worker signed the sheet on the visit's day: the consent text, the age, the rate table and the
subsidy programme are those in force that day. SignUp has no column for the channel: the key (``paper-…``) is the
record that a sign-up came from paper.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import Role, SignUp, User, Visit
from campaign_app.signups.consent import ConsentText, consent_text_on
from campaign_app.signups.service import PAPER_STATUSES, SignUpOutcome, field_errors, record_signup
from campaign_app.validation import Refused

# Rows a sheet may have: 20 fit two A4 pages; more rows continue the numbering on further pages.
SHEET_ROWS, SHEET_ROWS_MAX = 20, 100
SHEET_ROW_CHOICES = (10, 20, 40, 60, 100)
KEY_PREFIX = "paper-"


def visit_code(visit: Visit) -> str:
    """The code printed on the visit's sheet and shown where its rows are entered: the sheet names its visit."""
    return f"K-{visit.id}"


def row_key(visit_id: int, row: int) -> str:
    """The one-time key of a sheet's row: the same row of the same visit always has the same key."""
    return f"{KEY_PREFIX}{visit_id}-{row}"


def sheet_rows(asked: int | None) -> int:
    """How many rows to print: one of ``SHEET_ROW_CHOICES``, ``SHEET_ROWS`` unless another was asked for."""
    return asked if asked in SHEET_ROW_CHOICES else SHEET_ROWS


def may_enter(user: User, visit: Visit) -> bool:
    """Whether ``user`` may print the visit's sheet and enter its rows: an officer assigned to it, or a coordinator
    of its branch."""
    if user.role == Role.OFFICER:
        return user.id in {a.officer_id for a in visit.assignments}
    visible = visible_branch_ids(user)
    return user.role == Role.COORDINATOR and (visible is None or visit.branch_id in visible)


def accepts_rows(visit: Visit) -> bool:
    """Whether rows of the visit's sheet can be entered now: the visit was started (in progress or closed)."""
    return visit.status in PAPER_STATUSES


def consent_on_sheet(visit: Visit) -> ConsentText:
    """The consent text printed on the sheet and agreed to by signing a row: the one in force on the visit's day."""
    return consent_text_on(visit.visit_date)


@dataclass(frozen=True)
class Sheet:
    """What a printed sheet shows besides its empty rows."""

    code: str
    rows: range
    officers: list[str]
    consent: ConsentText


def sheet_for(visit: Visit, rows: int) -> Sheet:
    """The sheet of ``visit`` with ``rows`` numbered rows, no one's data on it."""
    return Sheet(code=visit_code(visit), rows=range(1, rows + 1),
                 officers=[assignment.officer.full_name for assignment in visit.assignments],
                 consent=consent_on_sheet(visit))


def entered_rows(visit_id: int) -> list[int]:
    """The sheet's rows entered already, in order (one statement, whatever the sheet holds)."""
    prefix = row_key(visit_id, 0)[:-1]
    keys = db.session.scalars(select(SignUp.form_key).where(SignUp.form_key.startswith(prefix, autoescape=True)))
    rows = (key[len(prefix):] for key in keys)
    # A row number has at most three digits: any other key that happens to start alike is no row of the sheet.
    return sorted(int(row) for row in rows if row.isdigit() and len(row) <= len(str(SHEET_ROWS_MAX)))


def _collector(visit: Visit, actor: User, collector_id: int | None) -> User | None:
    """Who recorded the row: the officer typing it, or, for a coordinator, the visit's officer they name."""
    if actor.role == Role.OFFICER:
        return actor
    return next((a.officer for a in visit.assignments if a.officer_id == collector_id), None)


def _row_checks(visit: Visit, actor: User, sheet_row: int | None,
                collector_id: int | None) -> tuple[dict[str | None, list[str]], User | None]:
    errors: dict[str | None, list[str]] = {}
    if not isinstance(sheet_row, int) or isinstance(sheet_row, bool) or not 1 <= sheet_row <= SHEET_ROWS_MAX:
        errors["sheet_row"] = [_("Enter the row number printed on the sheet, 1 to %(max)d.", max=SHEET_ROWS_MAX)]
    officer = _collector(visit, actor, collector_id)
    if officer is None:
        errors["collector"] = [_("Choose the officer who collected the sheet.")]
    return errors, officer


def _signup_values(visit: Visit, fields: dict, signed: bool) -> dict:
    """``record_signup``'s worker fields for a row: sex and birth date from the NIK, consent by signing the row
    under the text printed on the sheet."""
    return {**fields, "sex": None, "birth_date": None, "consent": signed,
            "consent_version": consent_on_sheet(visit).version}


def row_errors(*, visit: Visit, actor: User, sheet_row: int | None, collector_id: int | None, signed: bool,
               with_jht: bool, **fields) -> dict[str | None, list[str]]:
    """The messages ``record_paper_row`` gives for these fields, without writing anything: for a row that could
    not even be read (an amount or a row number typed wrongly), shown with every other message."""
    errors, _officer = _row_checks(visit, actor, sheet_row, collector_id)
    return {**field_errors(**_signup_values(visit, fields, signed), today=visit.visit_date), **errors}


def record_paper_row(*, visit: Visit, actor: User, sheet_row: int | None, collector_id: int | None, signed: bool,
                     with_jht: bool, now: datetime, **fields) -> SignUpOutcome:
    """Register the worker of row ``sheet_row`` of ``visit``'s paper sheet, typed by ``actor``.

    ``fields`` are the worker's, as ``record_signup`` takes them (nik, full_name, phone, occupation, sector,
    declared_income, payer, subsidy_programme_id, income_confirmed); sex and birth date are read from the NIK. The
    row number must be on a sheet (1 to ``SHEET_ROWS_MAX``) and its worker must have ``signed`` it; a coordinator
    names the visit's officer who collected the sheet (``collector_id``), an officer is that officer. Everything
    else is ``record_signup``'s rules on the visit's day. A row entered already is refused
    (``RowEnteredAlready``); every refusal raises ``Refused`` and writes nothing.
    """
    if not may_enter(actor, visit):
        raise Refused.on(None, _("Only the visit's officers and the coordinators of its branch enter its sheet."))
    errors, officer = _row_checks(visit, actor, sheet_row, collector_id)
    values = _signup_values(visit, fields, signed)
    day: date = visit.visit_date
    if errors:
        # Shown with every other message, so that one correction is enough.
        raise Refused({**field_errors(**values, today=day), **errors})
    assert officer is not None and isinstance(sheet_row, int)
    return record_signup(visit=visit, officer=officer, form_key=row_key(visit.id, sheet_row), with_jht=with_jht,
                         **values, today=day, now=now, on_paper=True)
