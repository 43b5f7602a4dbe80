"""Administrators import the records a phone exported to a file (a phone that will not get a signal again)."""

from datetime import UTC, datetime

from flask import current_app, request
from flask_login import current_user

from campaign_app.access import roles
from campaign_app.answers import REFUSED, saving
from campaign_app.models import Role
from campaign_app.rendering import render
from campaign_app.sync import bp
from campaign_app.sync.forms import ImportForm
from campaign_app.sync.importer import MAX_RECORDS, import_records
from campaign_app.uploads import UnreadableUpload
from campaign_app.validation import Refused


def _page(form: ImportForm, status: int = 200, report=None, refused: str | None = None):
    # An htmx upload swaps in the result only; the page itself always comes whole.
    fragment = "result" if request.method == "POST" else None
    return render("sync/import.html", fragment=fragment, status=status, form=form, report=report, refused=refused,
                  max_records=MAX_RECORDS, max_megabytes=current_app.config["MAX_CONTENT_LENGTH"] // 2**20)


@bp.route("/sync/import", methods=["GET", "POST"])
@roles(Role.ADMIN)
def import_records_page():
    form = ImportForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, REFUSED)
    with saving() as done:
        try:
            report = import_records(form.file.data.stream, current_user, datetime.now(UTC))
        except UnreadableUpload as unreadable:
            # Refused whole, before anything was written.
            raise Refused.on("file", unreadable.message) from None
    if not done:
        return _page(form, REFUSED, refused=" ".join(done.messages))
    # The report is the answer: a reload would ask to post the file again, which changes nothing.
    return _page(ImportForm(formdata=None), report=report)
