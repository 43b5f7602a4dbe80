"""The audit log as a file (CSV or XLSX) for a breach notice: the entries of the log's filters, read as it reads them.

Names and labels are in the reader's language, times in WITA. No NIK: entries never hold one, and a run of sixteen
digits typed into free text (a reason for voiding) is masked as the app masks a NIK, to its last four digits.
"""

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Row

from campaign_app.audit.display import detail_lines, subject_text
from campaign_app.clock import WITA
from campaign_app.i18n import gettext as _
from campaign_app.labels import audit_action_label
from campaign_app.reports.exports import Table

# Sixteen digits standing alone: what a NIK looks like wherever it was typed.
NIK_LIKE = re.compile(r"(?<!\d)\d{16}(?!\d)")
FORMATS = ("csv", "xlsx")


def without_nik(text: str) -> str:
    """``text`` with anything shaped like a NIK masked to its last four digits."""
    return NIK_LIKE.sub(lambda found: "*" * 12 + found.group()[-4:], text)


def _moment(at: datetime) -> str:
    # SQLite gives back naive datetimes; they were stored in UTC.
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(WITA).strftime("%Y-%m-%d %H:%M:%S")


def _cells(row: Row) -> list:
    details = "; ".join(f"{name}: {text}" for name, text in detail_lines(row, whole=True))
    return [_moment(row.at), row.full_name, row.username, audit_action_label(row.action), row.name,
            without_nik(subject_text(row)) if row.subject_type else None, row.subject_id, without_nik(details) or None]


def audit_table(rows: Iterable[Row]) -> Table:
    """Entries (``queries.all_entries``' rows) as a table: when (WITA), who (name and username), the action, the
    branch, the record and its number, and the details, as the audit page shows them; converted as they are read."""
    header = [_("When (WITA)"), _("Who"), _("Username"), _("Action"), _("Branch"), _("Record"), _("Record number"),
              _("Details")]
    return Table(header, (_cells(row) for row in rows))
