"""``flask summaries drift`` and ``flask summaries rebuild``: an operator's check and repair of the summaries."""

from collections import Counter

import click
from flask.cli import AppGroup

from campaign_app.extensions import db
from campaign_app.summaries.rebuilding import drift, rebuild

summaries_cli = AppGroup("summaries", help="The tallies and roll-ups the dashboards read.")


@summaries_cli.command("drift")
def drift_command():
    """Compare every summary with a fresh count of the sign-ups and visits; exits 1 when a row differs."""
    differing = Counter(name for name, _row in drift(db.session.connection()))
    db.session.rollback()
    if differing:
        listing = ", ".join(f"{name} {count:,}" for name, count in sorted(differing.items()))
        raise click.ClickException(f"Rows differing from a fresh count: {listing}. Run flask summaries rebuild.")
    click.echo("Every summary equals a fresh count.")


@summaries_cli.command("rebuild")
def rebuild_command():
    """Count every summary again from the sign-ups and visits, in one transaction."""
    rebuilt = rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"Rebuilt: {rebuilt.tallies:,} tallies, {rebuilt.monthly:,} monthly and {rebuilt.daily:,} daily rows, "
               f"{rebuilt.villages:,} village and {rebuilt.officers:,} officer totals, "
               f"{rebuilt.retention:,} retention tallies.")
