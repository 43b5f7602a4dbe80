"""Exports of the dashboard's tables (figures, trend, breakdown), of the comparison and of the retention page's
tables (its measures and their breakdown) as CSV or XLSX, streamed, each written to the audit log."""

from flask import Response, abort, request, stream_with_context
from flask_babel import get_locale
from flask_login import current_user

from campaign_app import clock
from campaign_app.access import roles, visible_branch_ids
from campaign_app.answers import committing
from campaign_app.audit.service import record
from campaign_app.errors import render_error
from campaign_app.models import AuditAction, Role
from campaign_app.reports import bp
from campaign_app.reports.active_exports import active_table
from campaign_app.reports.breakdowns import all_rows
from campaign_app.reports.choices import campaign_options, sees_several_branches
from campaign_app.reports.comparison import chosen_campaigns, compare
from campaign_app.reports.export_forms import ExportRequest, read_export_request
from campaign_app.reports.exports import (
    CSV_MIMETYPE,
    XLSX_MIMETYPE,
    Table,
    breakdown_table,
    comparison_table,
    csv_chunks,
    figures_table,
    trend_table,
    xlsx_chunks,
)
from campaign_app.reports.metrics import figures
from campaign_app.reports.participants import active_view
from campaign_app.reports.retention import retention
from campaign_app.reports.retention_breakdowns import retention_breakdown
from campaign_app.reports.retention_tables import retention_breakdown_table, retention_table
from campaign_app.reports.selection import Selection
from campaign_app.reports.trend import trend
from campaign_app.validation import Refused


def _table(wanted: ExportRequest, selection: Selection, visible) -> Table | None:
    """The table asked for, computed now; None for the breakdown, which is read as it is written."""
    if wanted.table == "comparison":
        # Only the campaigns asked for: the viewer's whole list may be thousands.
        options = campaign_options(visible, sees_several_branches(visible), offered=set(), chosen=wanted.campaign_ids)
        campaigns, rows = compare(visible, chosen_campaigns(options, wanted.campaign_ids), dict(options))
        return comparison_table(campaigns, rows)
    if wanted.table == "figures":
        return figures_table(figures(selection))
    if wanted.table == "trend":
        return trend_table(trend(selection, wanted.period), wanted.period)
    if wanted.table == "active" and wanted.month is not None:
        return active_table(active_view(wanted.month, selection))
    if wanted.table == "retention":
        return retention_table(retention(selection))
    if wanted.table == "retention_breakdown":
        # Grouped in SQL: a row per key, a few thousand officers at most nationally.
        return retention_breakdown_table(retention_breakdown(selection, wanted.by).rows, wanted.by)
    return None


@bp.get("/export")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def export():
    visible = visible_branch_ids(current_user)
    try:
        wanted = read_export_request(request.args)
        if wanted.branch_id is not None and visible is not None and wanted.branch_id not in visible:
            abort(404)
        selection = wanted.selection(visible)
        table = _table(wanted, selection, visible)
    except Refused as refused:
        return render_error(400, " ".join(message for messages in refused.errors.values() for message in messages))
    branch_ids = selection.branch_ids
    # Committed before the file streams: the entry is kept even if the client stops reading half-way through.
    with committing():
        record(AuditAction.EXPORT_DOWNLOADED, actor=current_user,
               branch_id=next(iter(branch_ids)) if branch_ids is not None and len(branch_ids) == 1 else None,
               details=wanted.details())
    decimal_comma = get_locale().language == "id"

    def body():
        rows = all_rows(selection, wanted.by, wanted.sort, wanted.descending) if table is None else None
        try:
            written = breakdown_table(rows, wanted.by) if rows is not None else table
            if wanted.format == "xlsx":
                yield from xlsx_chunks(written, title=wanted.name)
            else:
                yield from csv_chunks(written, decimal_comma)
        finally:
            if rows is not None:
                # A download cut short closes the database cursor now, not when the garbage is collected.
                rows.close()

    response = Response(stream_with_context(body()),
                        mimetype=XLSX_MIMETYPE if wanted.format == "xlsx" else CSV_MIMETYPE)
    filename = f"jangkau-{wanted.name}-{clock.today().isoformat()}.{wanted.format}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
