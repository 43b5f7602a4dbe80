"""Readiness: the database's revision against the migration scripts shipped with the code."""

import pytest

from campaign_app import PROJECT_ROOT
from campaign_app.health.service import (
    MIGRATIONS_PENDING,
    NEWER_SCHEMA,
    NO_SCHEMA,
    Revisions,
    schema_problem,
    shipped_revisions,
)

SHIPPED = Revisions(heads=frozenset({"0008"}), known=frozenset({"0001", "0007", "0008"}))


@pytest.mark.parametrize(("current", "problem"), [
    ({"0008"}, None),
    (set(), NO_SCHEMA),
    ({"0007"}, MIGRATIONS_PENDING),
    ({"0009"}, NEWER_SCHEMA),
    ({"0007", "0008"}, MIGRATIONS_PENDING),
])
def test_only_a_database_at_the_head_suits_the_code(current, problem):
    assert schema_problem(current, SHIPPED) == problem


def test_the_shipped_scripts_have_one_head_among_the_revisions_they_know():
    revisions = shipped_revisions(str(PROJECT_ROOT / "migrations"))
    assert len(revisions.heads) == 1
    assert revisions.heads < revisions.known and len(revisions.known) >= 8
