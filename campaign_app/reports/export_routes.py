"""Exports of the dashboard's breakdown tables as CSV or XLSX, streamed, each written to the audit log."""

from flask import Response, abort, request, stream_with_context
from flask_babel import get_locale
from flask_login import current_user

from campaign_app import clock
from campaign_app.access import roles, visible_branch_ids
from campaign_app.audit.service import record
from campaign_app.errors import render_error
from campaign_app.extensions import db
from campaign_app.models import AuditAction, Role
from campaign_app.reports import bp
from campaign_app.reports.breakdowns import all_rows
from campaign_app.reports.export_forms import read_export_request
from campaign_app.reports.exports import CSV_MIMETYPE, XLSX_MIMETYPE, breakdown_table, csv_chunks, xlsx_chunks
from campaign_app.validation import Refused


@bp.get("/export")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def export():
    try:
        wanted = read_export_request(request.args)
    except Refused as refused:
        return render_error(400, " ".join(message for messages in refused.errors.values() for message in messages))
    visible = visible_branch_ids(current_user)
    if wanted.branch_id is not None and visible is not None and wanted.branch_id not in visible:
        abort(404)
    selection = wanted.selection(visible)
    branch_ids = selection.branch_ids
    record(AuditAction.EXPORT_DOWNLOADED, actor=current_user,
           branch_id=next(iter(branch_ids)) if branch_ids is not None and len(branch_ids) == 1 else None,
           details={"by": wanted.by, "format": wanted.format, "filters": wanted.filters()})
    # The entry is kept even if the client stops reading half-way through the file.
    db.session.commit()
    decimal_comma = get_locale().language == "id"

    def body():
        rows = all_rows(selection, wanted.by, wanted.sort, wanted.descending)
        table = breakdown_table(rows, wanted.by)
        try:
            if wanted.format == "xlsx":
                yield from xlsx_chunks(table, title=wanted.by)
            else:
                yield from csv_chunks(table, decimal_comma)
        finally:
            # A download cut short closes the database cursor now, not when the garbage is collected.
            rows.close()

    response = Response(stream_with_context(body()),
                        mimetype=XLSX_MIMETYPE if wanted.format == "xlsx" else CSV_MIMETYPE)
    filename = f"jangkau-{wanted.by}-{clock.today().isoformat()}.{wanted.format}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
