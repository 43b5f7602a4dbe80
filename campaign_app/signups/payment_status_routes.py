"""The monthly payment status: administrators upload the membership system's file, follow its import's progress
and read what it changed, with the active participants per branch for the month."""

from datetime import UTC, datetime

from flask import abort, current_app, redirect, request, url_for
from flask_babel import format_date
from flask_login import current_user

from campaign_app import clock
from campaign_app.access import roles
from campaign_app.answers import REFUSED, committing, saving, success
from campaign_app.i18n import language
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.models import PaymentImport, Role
from campaign_app.rendering import render
from campaign_app.signups import bp
from campaign_app.signups.active import active_participants, branch_names
from campaign_app.signups.forms import new_form_key
from campaign_app.signups.payment_imports import (
    current_folder,
    payment_import,
    queue_payment_import,
    recent_imports,
    report_of,
    share_read,
    stalled,
    start_payment_import,
)
from campaign_app.signups.payment_status import MAX_ROWS, PaymentStatusRefused
from campaign_app.signups.payment_status_forms import PaymentStatusForm
from campaign_app.upload_limits import larger_uploads

TEMPLATE = "signups/payment_status.html"
STATE_LABELS = {"pending": _l("Waiting"), "running": _l("Being applied"), "done": _l("Applied"),
                "failed": _l("Refused, nothing changed")}


def _page(form: PaymentStatusForm, status: int = 200, job: PaymentImport | None = None,
          refused: PaymentStatusRefused | None = None, fragment: str | None = None, push_url: str | None = None,
          new_key: bool = False):
    month = job.month if job is not None else form.chosen_month
    done = job is not None and job.state == "done"
    # The active participants of the month: on the upload page, and under a done job's report.
    show_active = done or (job is None and fragment is None)
    active = active_participants(month) if show_active else []
    return render(TEMPLATE, fragment=fragment, status=status, form=form, job=job,
                  report=report_of(job) if done else None, refused=refused,
                  stalled=job is not None and stalled(job, datetime.now(UTC)),
                  share=share_read(job) if job is not None else 0,
                  recent=recent_imports() if job is None and fragment is None else [],
                  max_rows=MAX_ROWS, month_label=format_date(month, "MMMM yyyy"), active=active,
                  branches=branch_names(active), push_url=push_url, new_key=new_key, state_labels=STATE_LABELS,
                  max_megabytes=current_app.config["PAYMENT_FILE_MAX_BYTES"] // 2**20)


def _form(fresh: bool = False) -> PaymentStatusForm:
    """The upload form: as sent, or ``fresh`` (empty, for the next file) with a new one-time key."""
    form = PaymentStatusForm(formdata=None) if fresh else PaymentStatusForm()
    form.offer_months(clock.today())
    if fresh or not form.upload_key.data:
        # The sign-up form's one-time key serves: the same form sent twice finds the first job.
        form.upload_key.data = new_form_key()
    return form


@bp.route("/payment-status", methods=["GET", "POST"])
@larger_uploads("PAYMENT_FILE_MAX_BYTES")  # a million rows of CSV are about 30 MB
@roles(Role.ADMIN)
def payment_status():
    form = _form()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, REFUSED, fragment="result")
    with saving() as done:
        job = queue_payment_import(form.file.data.stream, file_name=form.file.data.filename or "",
                                   month=form.chosen_month, actor=current_user, upload_key=form.upload_key.data,
                                   language=language(), folder=current_folder(), now=datetime.now(UTC))
        job_id = job.id
    if not done:
        # Refused whole, before anything was stored.
        return _page(form, REFUSED, refused=done.refused, fragment="result")
    # Started once the job is committed, and before this request's session reads again (it holds no transaction
    # while the job runs, in a thread or, in tests, here).
    start_payment_import(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]
    url = url_for("signups.payment_import_page", import_id=job_id)
    # htmx swaps the job's progress in under the form; without it, the job's own page (a reload posts nothing).
    return success(url, swap=lambda: _page(_form(fresh=True), job=payment_import(job_id), fragment="result",
                                           push_url=url, new_key=True))


@bp.route("/payment-status/imports/<id:import_id>")
@roles(Role.ADMIN)
def payment_import_page(import_id: int):
    job = payment_import(import_id)
    if job is None:
        abort(404)
    # The page, or for htmx's poll (every 2 s while the job runs) only its progress.
    return _page(_form(fresh=True), job=job, fragment="progress")


@bp.route("/payment-status/imports/<id:import_id>/resume", methods=["POST"])
@roles(Role.ADMIN)
def resume_payment_import(import_id: int):
    with committing():  # nothing written: the read's transaction ends before the job runs
        job = payment_import(import_id)
        if job is None:
            abort(404)
        again = stalled(job, datetime.now(UTC))
    if again:
        start_payment_import(current_app._get_current_object(), import_id)  # type: ignore[attr-defined]
    return redirect(url_for("signups.payment_import_page", import_id=import_id), code=303)
