"""``flask signups purge-voided``: voided sign-ups deleted once the retention period has passed."""

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
