"""Readiness: whether the database answers and its schema is the one this code expects."""

import logging
from dataclasses import dataclass
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("campaign_app.health")

DATABASE_UNAVAILABLE = "database unavailable"
NO_SCHEMA = "database has no schema"
MIGRATIONS_PENDING = "migrations pending"
NEWER_SCHEMA = "database schema is newer than this release"


@dataclass(frozen=True)
class Revisions:
    """What the migration scripts shipped with this code know: their heads and every revision."""

    heads: frozenset[str]
    known: frozenset[str]


@cache
def shipped_revisions(directory: str) -> Revisions:
    """The revisions of the migration scripts in ``directory``, read once per process: a release replaces the
    processes, never the scripts under a running one (and reading them imports every script)."""
    scripts = ScriptDirectory(directory)
    return Revisions(frozenset(scripts.get_heads()), frozenset(script.revision for script in scripts.walk_revisions()))


def schema_problem(current: set[str], shipped: Revisions) -> str | None:
    """Why a database at the ``current`` revisions does not suit code shipped with ``shipped``; None if it does."""
    if not current:
        return NO_SCHEMA
    if current == shipped.heads:
        return None
    if current - shipped.known:
        # Code older than the database (a release rolled back without its migrations).
        return NEWER_SCHEMA
    return MIGRATIONS_PENDING


def not_ready_because(engine: Engine, migrations_directory: str) -> str | None:
    """None when the database answers and is at the migrations' head; otherwise a short reason, which is logged.

    Uses a connection of its own, never the request's session: a probe leaves no transaction behind.
    """
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        log.warning("not ready: %s (%s)", DATABASE_UNAVAILABLE, type(getattr(error, "orig", None) or error).__name__)
        return DATABASE_UNAVAILABLE
    problem = schema_problem(current, shipped_revisions(migrations_directory))
    if problem:
        log.warning("not ready: %s (database at %s)", problem, ",".join(sorted(current)) or "no revision")
    return problem
