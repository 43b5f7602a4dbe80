"""Activation: coordinators and admins upload the membership system's CSV and read what it changed."""

from datetime import UTC, datetime

from flask import current_app, request
from flask_login import current_user

from campaign_app.access import roles, visible_branch_ids
from campaign_app.answers import REFUSED, saving
from campaign_app.models import Role
from campaign_app.rendering import render
from campaign_app.signups import bp
from campaign_app.signups.activation import MAX_ROWS, ActivationRefused, apply_activation_file
from campaign_app.signups.activation_forms import ActivationForm


def _page(form: ActivationForm, status: int = 200, report=None, refused: ActivationRefused | None = None):
    # An htmx upload swaps in the result only; the page itself always comes whole.
    fragment = "result" if request.method == "POST" else None
    return render("signups/activation.html", fragment=fragment, status=status, form=form, report=report,
                  refused=refused, max_rows=MAX_ROWS,
                  max_megabytes=current_app.config["MAX_CONTENT_LENGTH"] // 2**20)


@bp.route("/activation", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.COORDINATOR)
def activation():
    form = ActivationForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, REFUSED)
    with saving() as done:
        report = apply_activation_file(form.file.data.stream, visible_branch_ids(current_user), current_user,
                                       datetime.now(UTC))
    if not done:
        # Refused whole, before anything was written.
        return _page(form, REFUSED, refused=done.refused)
    # The report is the answer: a reload would ask to post the file again, which changes nothing.
    return _page(ActivationForm(formdata=None), report=report)
