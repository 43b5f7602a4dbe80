"""`flask backup` and `flask restore`: a backup brings every table back as it was; a wrong file changes nothing."""

import pytest
from sqlalchemy import delete, inspect, text

from campaign_app.extensions import db
from campaign_app.models import AuditEntry, Village
from campaign_app.signups.changes import void_signup
from campaign_app.villages.service import update_village
from tests.factories import NEAR_VILLAGE, SIGNUP_NOW, TODAY, in_progress_visit, make_signup, nik_for, user_named


def every_table(app) -> dict[str, list[tuple]]:
    """Every row of every table (the schema revision's too), in a stable order."""
    with app.app_context():
        db.session.remove()
        with db.engine.connect() as connection:
            names = inspect(connection).get_table_names()
            assert "signups" in names and "alembic_version" in names
            return {name: sorted(connection.execute(text(f'SELECT * FROM "{name}"')).all(), key=repr)
                    for name in names}


def dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def sign_up_two_workers(app) -> int:
    with app.app_context():
        visit = in_progress_visit()
        make_signup(visit, nik=nik_for())
        signup = make_signup(visit, nik=nik_for(sex="L"))
        db.session.commit()
        return signup.id


def change_and_delete_rows(app, signup_id: int) -> None:
    with app.app_context():
        from campaign_app.models import SignUp

        void_signup(db.session.get(SignUp, signup_id), user_named("admin"), "Salah catat", TODAY, SIGNUP_NOW)
        update_village(db.session.get(Village, NEAR_VILLAGE), estimated_population=9000,
                       estimated_informal_workers=10, access_class="boat", travel_hours=None, notes="Berubah")
        make_signup(in_progress_visit(), nik=nik_for(sex="L", birth_date=TODAY.replace(year=1990)))
        db.session.execute(delete(AuditEntry))
        db.session.commit()


@pytest.mark.own_database  # restoring replaces the database under every connection
def test_a_backup_restores_every_table_as_it_was(app, runner, tmp_path):
    signup_id = sign_up_two_workers(app)
    before = every_table(app)
    backup = tmp_path / "jangkau.backup"
    made = runner.invoke(args=["backup", str(backup)])
    assert made.exit_code == 0, made.output
    change_and_delete_rows(app, signup_id)
    assert every_table(app) != before
    restored = runner.invoke(args=["restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert every_table(app) == before
    assert "cannot be read with this DATA_KEY" not in restored.output


def test_a_backup_warns_that_it_is_useless_without_the_data_key(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "jangkau.backup")])
    assert result.exit_code == 0, result.output
    assert "Backed up the" in result.output and "useless without DATA_KEY" in result.output
    assert (tmp_path / "jangkau.backup").stat().st_size > 0


def test_a_backup_never_overwrites_a_file(runner, tmp_path):
    existing = tmp_path / "jangkau.backup"
    existing.write_text("keep me")
    result = runner.invoke(args=["backup", str(existing)])
    assert result.exit_code == 1 and "exists already" in result.output
    assert existing.read_text() == "keep me"


def test_a_file_that_is_not_a_backup_is_refused(app, runner, tmp_path):
    before = every_table(app)
    other = tmp_path / "desa.csv"
    other.write_text("code,notes\n72.71.01.1004,x\n")
    result = runner.invoke(args=["restore", str(other), "--yes"])
    assert result.exit_code == 1 and "is not a backup made by flask backup" in result.output
    assert every_table(app) == before


def test_a_backup_of_the_other_kind_of_database_is_refused(app, runner, tmp_path):
    other = tmp_path / "other.backup"
    if dialect(app) == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
        words = "is a backup of a PostgreSQL database, and this database is SQLite"
    else:
        other.write_bytes(b"SQLite format 3\x00" + bytes(100))
        words = "is a backup of a SQLite database, and this database is PostgreSQL"
    result = runner.invoke(args=["restore", str(other), "--yes"])
    assert result.exit_code == 1 and words in result.output


def test_a_database_of_another_app_is_refused(app, runner, tmp_path):
    if dialect(app) != "sqlite":
        pytest.skip("a SQLite file is what another app's database would be here")
    import sqlite3

    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER)")
    result = runner.invoke(args=["restore", str(other), "--yes"])
    assert result.exit_code == 1 and "not a backup of this app" in result.output


def test_a_restore_asks_first_and_a_no_changes_nothing(app, runner, tmp_path):
    backup = tmp_path / "jangkau.backup"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    result = runner.invoke(args=["restore", str(backup)], input="n\n")
    assert "overwrites every table" in result.output and result.exit_code == 1 and "Aborted" in result.output


@pytest.mark.own_database  # restoring replaces the database under every connection
def test_a_restore_under_another_data_key_warns_that_no_nik_can_be_read(app, app_factory, databases, runner,
                                                                          tmp_path):
    sign_up_two_workers(app)
    backup = tmp_path / "jangkau.backup"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    # Another key starts only on a database that holds no key check value yet (campaign_app/signups/key_check.py):
    # a new, empty one, as on a machine set up afresh to restore onto.
    other_key = app_factory(databases.empty_url(), DATA_KEY="another-data-key")
    result = other_key.test_cli_runner().invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert "cannot be read with this DATA_KEY" in result.output
