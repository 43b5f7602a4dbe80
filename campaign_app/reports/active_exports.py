"""The active participants' table as a file (``/reports/export?table=active``): a row per place, as the page lists it,
with each village's estimated informal workers and the share of them paid up. Aggregates only: no worker's data."""

from campaign_app.i18n import gettext as _
from campaign_app.reports.exports import Percent, Table
from campaign_app.reports.participants import ActiveView
from campaign_app.signups.active import Place


def active_table(view: ActiveView) -> Table:
    """``view``'s places: code (a branch's id), name, participants paid up; for villages, the estimated informal
    workers and their share paid up (``Percent``), with a note where there is no estimate or too few workers to
    compare."""
    villages = view.place == Place.VILLAGE
    header = [_("Code"), _("Name"), _("Paid up")]
    if villages:
        header += [_("Estimated informal workers"), _("Share of informal workers"), _("Note")]
    rows = []
    for row in view.rows:
        cells: list = [row.key, row.name, row.paid_up]
        if villages:
            share = row.worker_share
            note = (_("no estimate") if row.estimated_workers is None else
                    None if share is None or share.comparable else _("too few to compare"))
            cells += [row.estimated_workers, None if share is None else Percent(share.value or 0), note]
        rows.append(cells)
    return Table(header, rows)
