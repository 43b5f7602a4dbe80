"""A flush that only adds sign-ups adds their counts to the roll-ups (``summaries.increments``) instead of counting
their cells again; anything else still recounts."""

import re
from datetime import date

import pytest
from sqlalchemy import delete, select

from campaign_app.extensions import db
from campaign_app.models import Occupation, Payer
from campaign_app.signups.changes import void_signup
from campaign_app.summaries import MonthlyResult, OfficerResult, VillageResult, rollups
from tests.conftest import counting_statements
from tests.factories import SIGNUP_NOW, user_named
from tests.reports_data import PINAMULA, load_world, sign

pytestmark = pytest.mark.usefixtures("app_context")
ROLL_UPS = ("monthly_results", "daily_results", "village_results", "officer_results")


@pytest.fixture
def world(app_context, world_keys):
    return load_world(world_keys)


def no_drift() -> bool:
    db.session.flush()
    return rollups.drift(db.session.connection()) == []


ROLL_UP_WRITE = re.compile(rf"\b(INSERT INTO|UPDATE|DELETE FROM) ({'|'.join(ROLL_UPS)})\b")


def roll_up_writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE")) and any(
        f" {table}" in s.split("(")[0].split(" SET")[0] for table in ROLL_UPS)]


def writes_per_statement(statements: list[str]) -> list[list[str]]:
    """The roll-up writes of each statement that makes any, in the order written (a statement of PostgreSQL's
    WITH parts may make several)."""
    found = [[" ".join(match.groups()) for match in ROLL_UP_WRITE.finditer(s)] for s in statements]
    return [writes for writes in found if writes]


def test_a_recorded_sign_up_adds_to_each_roll_up_once_and_counts_nothing_again(app, world):
    with counting_statements(app) as statements:
        sign(world.visits["V4"], world.citra, "P", Occupation.TRADER, Payer.SELF)
    added = ["INSERT INTO monthly_results", "INSERT INTO daily_results", "UPDATE village_results",
             "UPDATE officer_results"]
    if db.engine.dialect.name == "postgresql":
        # One statement locks the branch and adds to the four (a round trip each would cost more than the work).
        [writes] = writes_per_statement(statements)
        assert sorted(writes) == sorted(added)
    else:
        assert writes_per_statement(statements) == [[write] for write in added]
    assert no_drift()


def test_a_subsidised_sign_up_makes_its_programme_s_row_in_the_month(world):
    october = date(2026, 10, 1)
    programme_row = select(MonthlyResult).where(MonthlyResult.campaign_id == world.buol.id,
                                                MonthlyResult.month == october,
                                                MonthlyResult.programme_key == world.programme.id)
    assert db.session.scalar(programme_row) is None
    sign(world.visits["V4"], world.citra, "L", Occupation.FISHER, Payer.SUBSIDY, programme=world.programme)
    row = db.session.scalar(programme_row.execution_options(populate_existing=True))
    assert (row.visits, row.signups, row.women, row.payer_subsidy, row.occupation_fisher) == (0, 1, 0, 1, 1)
    assert no_drift()


def test_a_place_row_that_is_missing_is_counted_again_rather_than_guessed(world):
    # A lost row (drift an operator would see): the next sign-up's increments cannot add to it.
    db.session.execute(delete(OfficerResult).where(OfficerResult.officer_id == world.citra.id))
    db.session.execute(delete(VillageResult).where(VillageResult.village_code == PINAMULA,
                                                   VillageResult.branch_id.is_(None)))
    sign(world.visits["V4"], world.citra)
    assert no_drift()


def test_a_voided_sign_up_is_counted_again_not_decremented(app, world):
    signup = sign(world.visits["V4"], world.citra)
    with counting_statements(app) as statements:
        void_signup(signup, user_named("admin"), "NIK salah ketik", signup.created_at.date(), SIGNUP_NOW)
        db.session.flush()
    assert any(write.startswith("DELETE FROM monthly_results") for write in roll_up_writes(statements))
    assert no_drift()
