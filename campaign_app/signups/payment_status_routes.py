"""The monthly payment status: administrators upload the membership system's file and read what it changed, with
the active participants per branch for the month."""

from datetime import UTC, datetime

from flask import current_app, request
from flask_babel import format_date
from flask_login import current_user

from campaign_app import clock
from campaign_app.access import roles
from campaign_app.answers import REFUSED, saving
from campaign_app.models import Role
from campaign_app.rendering import render
from campaign_app.signups import bp
from campaign_app.signups.active import active_participants, branch_names
from campaign_app.signups.payment_status import MAX_ROWS, PaymentStatusRefused, apply_payment_status_file
from campaign_app.signups.payment_status_forms import PaymentStatusForm


def _page(form: PaymentStatusForm, status: int = 200, report=None, refused: PaymentStatusRefused | None = None):
    # An htmx upload swaps in the result only; the page itself always comes whole.
    fragment = "result" if request.method == "POST" else None
    month = report.month if report is not None else form.chosen_month
    active = active_participants(month) if fragment is None or report is not None else []
    return render("signups/payment_status.html", fragment=fragment, status=status, form=form, report=report,
                  refused=refused, max_rows=MAX_ROWS, month_label=format_date(month, "MMMM yyyy"), active=active,
                  branches=branch_names(active),
                  max_megabytes=current_app.config["MAX_CONTENT_LENGTH"] // 2**20)


@bp.route("/payment-status", methods=["GET", "POST"])
@roles(Role.ADMIN)
def payment_status():
    form = PaymentStatusForm()
    form.offer_months(clock.today())
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, REFUSED)
    with saving() as done:
        report = apply_payment_status_file(form.file.data.stream, form.chosen_month, current_user,
                                           datetime.now(UTC))
    if not done:
        # Refused whole, before anything was written.
        return _page(form, REFUSED, refused=done.refused)
    # The report is the answer: a reload would ask to post the file again, which changes nothing.
    return _page(form, report=report)
