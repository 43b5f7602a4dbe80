"""What the membership system's files have in common (the activation file, the monthly payment status): how their
header names a column, and how a row's NIK is shown in a report."""

import re
from collections.abc import Callable

from campaign_app.i18n import gettext as _
from campaign_app.signups.personal_data import mask_nik


def column_name(text: str) -> str:
    """A header cell as the importers compare it: lower case, spaces and dashes as underscores."""
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def find_column(columns: list[str], names: tuple[str, ...], refused: Callable[[str], Exception]) -> int | None:
    """The position of the column named one of ``names`` (None when there is none); a column named twice is
    ``refused`` with the message that says so."""
    found = [i for i, name in enumerate(columns) if name in names]
    if len(found) > 1:
        raise refused(_("The header names the column %(name)s twice.", name=columns[found[0]]))
    return found[0] if found else None


def masked_cell(cell: str) -> str:
    """A NIK cell as a report lists it: enough to find the row in the file, never the whole number; long junk is
    cut short."""
    cell = cell[:20]
    return mask_nik(cell) if len(cell) >= 8 else "*" * len(cell)
