"""``flask signups purge-voided``: voided sign-ups deleted once the retention period has passed; ``flask payments
work``: the payment status imports applied by a worker process."""

import time
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from campaign_app.extensions import db
from campaign_app.signups.retention import purge_voided_signups

signups_cli = AppGroup("signups", help="Sign-ups: keeping personal data no longer than needed.")


@signups_cli.command("purge-voided")
def purge_voided_command():
    """Delete the sign-ups voided longer ago than VOIDED_RETENTION_DAYS, with their data in the audit log."""
    days = current_app.config["VOIDED_RETENTION_DAYS"]
    purge = purge_voided_signups(days, datetime.now(UTC))
    db.session.commit()
    click.echo(f"Purged {purge.signups:,} sign-ups voided before {purge.voided_before:%Y-%m-%d %H:%M} UTC "
               f"(kept {days:,} days); {purge.audit_entries:,} audit entries no longer name them.")


payments_cli = AppGroup("payments", help="Monthly payment status files: the imports the uploads queued.")


@payments_cli.command("work")
@click.option("--watch", is_flag=True, help="Keep running: look for waiting imports every --every seconds.")
@click.option("--every", default=2.0, show_default=True, type=click.FloatRange(0.1), help="Seconds between looks.")
def payments_work_command(watch, every):
    """Apply the payment status files that wait (and those a stopped process left running), one at a time."""
    from campaign_app.models import PaymentImport
    from campaign_app.signups.payment_imports import import_folder, run_waiting_imports

    folder = import_folder(current_app._get_current_object())  # type: ignore[attr-defined]
    while True:
        for job_id in run_waiting_imports(folder):
            job = db.session.get(PaymentImport, job_id)
            assert job is not None
            click.echo(f"Import {job.id} ({job.file_name}, {job.month:%Y-%m}): {job.state}, {job.rows_read:,} rows, "
                       f"{job.matched:,} matched, {job.unknown_count:,} unknown, {job.invalid_count:,} invalid"
                       + (f". {job.error}" if job.error else "."))
        db.session.remove()
        if not watch:
            return
        time.sleep(every)
