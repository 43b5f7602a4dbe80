"""What ``python3 dev.py serve`` does before serving, in the one process that serves: migrate, load the regions and
seed the demo, each only when it is not done already, found by a cheap look (a few queries), so that a restart with
nothing changed is ready in about the time the app takes to start.
"""

from dataclasses import dataclass, field
from datetime import date

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import func, select

from campaign_app.demo.campaigns import ensure_visit_today
from campaign_app.demo.seed import DEMO_LOGINS, PALU_BRANCH, DemoLogin, demo_logins, seed_demo
from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.labels import role_label
from campaign_app.models import Branch, User, Village
from campaign_app.regions.load import LoadReport, load_regions, place_name

DEMO_PROVINCE = "72"  # Sulawesi Tengah


@dataclass
class Preparation:
    """What a start had to do: each step done, or found done already (False)."""

    migrated: bool = False
    regions: LoadReport | None = None
    seeded: bool = False
    logins: list[DemoLogin] = field(default_factory=list)


def migrations_pending() -> bool:
    """Whether the database is behind the newest migration (or has none yet)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != heads


def regions_loaded(province: str = DEMO_PROVINCE) -> bool:
    """Whether the province's villages are stored, with their names as ``place_name`` writes them (a database loaded
    before names were capitalised is loaded again)."""
    names = db.session.scalars(select(Village.name).where(Village.code.startswith(province + ".")))
    seen = False
    for name in names:
        if place_name(name) != name:
            return False
        seen = True
    return seen


def demo_seeded(usernames: list[str]) -> bool:
    """Whether every demo login exists: then the demo was seeded, and only its visit of today is kept up to date."""
    count = db.session.scalar(select(func.count()).select_from(User).where(User.username.in_(usernames)))
    return count == len(usernames)


def prepare_demo(today: date) -> Preparation:
    """Bring the database to what the demo needs, doing only what is missing; commits. Returns what was done."""
    done = Preparation()
    if migrations_pending():
        upgrade()
        done.migrated = True
    if not regions_loaded():
        done.regions = load_regions([DEMO_PROVINCE])
        db.session.commit()
    if demo_seeded([username for username, _role in DEMO_LOGINS]):
        palu = db.session.scalar(select(Branch).where(Branch.name == PALU_BRANCH))
        if palu is not None:
            # The one thing a later day changes: the demo officer's visit of today moves to today.
            ensure_visit_today(palu, "petugas", "72.71", today)
        done.logins = demo_logins()
    else:
        done.logins = seed_demo()
        done.seeded = True
    db.session.commit()
    return done


def login_table(logins: list[DemoLogin]) -> list[str]:
    """The demo logins as a table to print: username, password and role, headed and labelled in Indonesian and
    English."""
    roles = []
    for login in logins:
        with force_locale("id"):
            indonesian = role_label(login.role)
        with force_locale("en"):
            english = role_label(login.role)
        roles.append(indonesian if indonesian == english else f"{indonesian} / {english}")
    rows = [("Nama pengguna / Username", "Kata sandi / Password", "Peran / Role")]
    rows += [(login.username, login.password, role) for login, role in zip(logins, roles, strict=True)]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  " + "  ".join("-" * width for width in widths))
    return ["Login demo / Demo logins:", *lines]
