"""The migrations build exactly the schema the models describe, and can be undone and redone.

Runs on the suite's database: SQLite by default, PostgreSQL with TEST_DATABASE_URL.
"""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from campaign_app.extensions import db
from campaign_app.models import RateTable, SignUp
from campaign_app.summaries import DailyResult, MonthlyResult, ProgrammeTotal, SignUpTally, rollups, tallies

VERSION_TABLE = "alembic_version"


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {VERSION_TABLE}


def test_the_models_match_the_migrations(empty_app):
    with empty_app.app_context():
        upgrade()
        assert schema_differences() == [], "a model changed without a migration: run flask db migrate"


def test_every_migration_can_be_undone_and_redone(empty_app):
    with empty_app.app_context():
        upgrade()
        assert table_names() == set(db.metadata.tables)
        downgrade(revision="base")
        assert table_names() == set()
        upgrade()
        assert table_names() == set(db.metadata.tables)
        assert schema_differences() == []


@pytest.mark.own_database  # Alembic migrates on a connection of its own
def test_the_tallies_migration_counts_the_sign_ups_already_recorded(app):
    with app.app_context():
        recorded = db.session.scalar(select(func.count()).select_from(SignUp).where(SignUp.status != "void"))
        db.session.remove()
        downgrade(revision="0005_fieldwork_audit")
        upgrade()
        assert db.session.scalar(select(func.sum(SignUpTally.signups))) == recorded > 0
        assert tallies.drift(db.session.connection()) == []


@pytest.mark.own_database  # Alembic migrates on a connection of its own
def test_the_roll_ups_migration_counts_the_visits_and_sign_ups_already_recorded(app):
    with app.app_context():
        recorded = db.session.scalar(select(func.count()).select_from(SignUp).where(SignUp.status != "void"))
        db.session.remove()
        downgrade(revision="0006_signup_tallies")
        upgrade()
        assert db.session.scalar(select(func.sum(MonthlyResult.signups))) == recorded > 0
        assert db.session.scalar(select(func.sum(DailyResult.signups))) == recorded
        assert rollups.drift(db.session.connection()) == []


@pytest.mark.own_database  # Alembic migrates on a connection of its own
def test_the_programme_totals_migration_counts_the_subsidised_sign_ups_already_recorded(app):
    with app.app_context():
        paid = (SignUp.subsidy_programme_id.is_not(None), SignUp.status != "void")
        recorded = db.session.scalar(select(func.count()).select_from(SignUp).where(*paid))
        db.session.remove()
        downgrade(revision="0008_place_totals")
        upgrade()
        assert db.session.scalar(select(func.sum(ProgrammeTotal.signups))) == recorded > 0
        assert tallies.drift(db.session.connection()) == []


@pytest.mark.own_database  # Alembic migrates on a connection of its own
def test_the_nik_privacy_migration_turns_district_and_birth_date_into_the_birth_index_and_year(app):
    with app.app_context():
        def stored() -> dict:
            return {id_: (index, year) for id_, index, year in
                    db.session.execute(select(SignUp.id, SignUp.birth_index, SignUp.birth_year))}

        before = stored()
        db.session.remove()
        downgrade(revision="0009_programme_totals")
        columns = {c["name"] for c in inspect(db.engine).get_columns("signups")}
        assert {"district_code", "birth_date"} <= columns and "birth_index" not in columns
        upgrade()
        assert stored() == before and len(before) > 100
        assert {"district_code", "birth_date"}.isdisjoint(c["name"] for c in inspect(db.engine).get_columns("signups"))


@pytest.mark.own_database  # Alembic migrates on a connection of its own
def test_the_enrolment_ages_migration_gives_the_stored_rate_tables_the_bpu_range(app):
    with app.app_context():
        downgrade(revision="0009_programme_totals")
        upgrade()
        ranges = set(db.session.execute(select(RateTable.enrolment_min_age, RateTable.enrolment_age_limit)))
        assert ranges == {(15, 65)}


@pytest.mark.own_database  # Alembic migrates on a connection of its own
def test_the_consent_versions_migration_records_version_1_on_the_sign_ups_already_stored(app):
    with app.app_context():
        db.session.remove()
        downgrade(revision="0013_audit_input")
        assert "consent_version" not in {c["name"] for c in inspect(db.engine).get_columns("signups")}
        upgrade()
        versions = db.session.execute(select(SignUp.consent_version, func.count()).group_by(SignUp.consent_version))
        assert {version: count > 100 for version, count in versions} == {1: True}
