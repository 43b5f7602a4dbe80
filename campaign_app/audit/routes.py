"""The audit log page: administrators and managers read who did what, filtered, newest first; administrators
download it (for a breach notice), each download itself audited."""

from collections.abc import Iterator

from flask import Response, current_app, request, stream_with_context
from flask_babel import get_locale
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign_app import clock
from campaign_app.access import roles
from campaign_app.answers import committing
from campaign_app.audit import bp, display, queries
from campaign_app.audit.export import FORMATS, audit_table
from campaign_app.audit.forms import AuditFilterForm
from campaign_app.audit.service import record
from campaign_app.errors import render_error
from campaign_app.models import AuditAction, Role
from campaign_app.rendering import render
from campaign_app.reports.exports import CSV_MIMETYPE, XLSX_MIMETYPE, csv_chunks, xlsx_chunks

FILTERS = ("action", "actor", "branch", "date_from", "date_to", "subject", "subject_id")


def _filters() -> tuple[AuditFilterForm, queries.AuditFilters, dict, bool]:
    """The filters from the query string; a bad one is shown with its message and ignored."""
    branches = queries.audit_branches(current_user)
    form = AuditFilterForm([SelectChoice(str(id_), name) for id_, name in branches], formdata=request.args)
    form.validate()

    def ok(field) -> bool:
        return not field.errors and field.data not in (None, "")

    filters = queries.AuditFilters(
        action=form.action.data if ok(form.action) else None,
        actor=form.actor.data if ok(form.actor) else None,
        branch_id=int(form.branch.data) if ok(form.branch) else None,
        date_from=form.date_from.data if ok(form.date_from) else None,
        date_to=form.date_to.data if ok(form.date_to) and not form.date_from.errors else None,
        subject_type=form.subject.data if ok(form.subject) else None,
        subject_id=form.subject_id.data if ok(form.subject_id) else None,
    )
    params = {name: request.args[name] for name in FILTERS if ok(getattr(form, name))}
    return form, filters, params, len(branches) > 1


@bp.get("/")
@roles(Role.ADMIN, Role.MANAGER)
def index():
    form, filters, params, several_branches = _filters()
    page = queries.search_entries(current_user, filters, page=request.args.get("page", 1, type=int),
                                  per_page=current_app.config["PAGE_SIZE"])
    return render("audit/index.html", fragment="results", filters=form, page=page, params=params,
                  several_branches=several_branches, subject_labels=queries.SUBJECT_LABELS,
                  detail_lines=display.detail_lines, subject_text=display.subject_text)


@bp.get("/export")
@roles(Role.ADMIN)
def export():
    file_format = request.args.get("format", "csv")
    if file_format not in FORMATS:
        return render_error(400)
    _form, filters, params, _several = _filters()
    # Everything read of the signed-in user is read now: the commit below expires it, and the file streams after.
    written = audit_table(queries.all_entries(current_user, filters))
    chunks: Iterator[str] | Iterator[bytes]
    if file_format == "xlsx":
        chunks, mimetype = xlsx_chunks(written, title="Audit"), XLSX_MIMETYPE
    else:
        chunks, mimetype = csv_chunks(written, decimal_comma=get_locale().language == "id"), CSV_MIMETYPE
    # Committed before the file streams: the entry is kept even if the client stops reading half-way through.
    with committing():
        record(AuditAction.EXPORT_DOWNLOADED, actor=current_user, branch_id=filters.branch_id,
               details={"table": "audit", "format": file_format, "filters": params})
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    filename = f"jangkau-audit-{clock.today().isoformat()}.{file_format}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
