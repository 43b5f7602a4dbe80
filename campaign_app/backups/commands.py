"""``flask backup PATH`` and ``flask restore PATH``: an operator's copy of the database, and its way back."""

import os
from pathlib import Path

import click
from cryptography.fernet import InvalidToken
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from campaign_app.backups.service import BackupRefused, backup_database, check_backup, restore_database
from campaign_app.extensions import db


def data_key_warning() -> str:
    """Why a backup is useless without DATA_KEY, and where this app's key comes from."""
    source = ("the environment variable DATA_KEY" if os.environ.get("DATA_KEY")
              else f"the file {Path(current_app.instance_path) / 'data_key'}")
    return ("Warning: this backup is useless without DATA_KEY. The NIKs in it are encrypted, and looked up, with "
            f"DATA_KEY (here from {source}); restored under another key, no NIK can be read or found again. Keep "
            "a copy of DATA_KEY in a safe place apart from the backups, and keep the backups themselves where only "
            "operators can read them: they hold personal data.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path):
    """Back up the database (DATABASE_URL) into PATH, a new file: SQLite's online backup, or pg_dump -Fc."""
    db.session.remove()
    try:
        made = backup_database(db.engine, path)
    except BackupRefused as refused:
        raise click.ClickException(refused.message) from None
    click.echo(f"Backed up the {made.dialect} database to {made.path} ({made.size:,} bytes, schema revision "
               f"{made.revision or 'none'}).")
    click.echo(data_key_warning(), err=True)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Overwrite the database without asking.")
@with_appcontext
def restore_command(path: Path, yes: bool):
    """Overwrite every table of the database (DATABASE_URL) with the backup at PATH. Stop the app first."""
    db.session.remove()
    engine = db.engine
    try:
        check_backup(engine, path)
        if not yes:
            click.confirm(f"Restoring {path} overwrites every table of {engine.url.render_as_string()}. Continue?",
                          abort=True)
        revision = restore_database(engine, path)
    except BackupRefused as refused:
        raise click.ClickException(refused.message) from None
    click.echo(f"Restored {path} (schema revision {revision or 'none'}). Run flask db upgrade if the app is newer "
               "than the backup.")
    if not _niks_readable():
        click.echo("Warning: the NIKs in this backup cannot be read with this DATA_KEY. Set DATA_KEY to the key the "
                   "backup was made under, or no NIK can be read or found.", err=True)


def _niks_readable() -> bool:
    from campaign_app.models import SignUp
    from campaign_app.signups.personal_data import decrypt_nik

    ciphertext = db.session.scalar(select(SignUp.nik_ciphertext).limit(1))
    db.session.remove()
    if ciphertext is None:
        return True
    try:
        decrypt_nik(ciphertext)
    except InvalidToken:
        return False
    return True
