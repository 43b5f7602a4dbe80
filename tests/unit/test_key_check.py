"""The DATA_KEY is checked when the app starts: a database remembers the key that encrypts its NIKs, and an app
started with another key refuses to start with a clear message."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, func, select

from campaign_app.extensions import db
from campaign_app.models import DataKeyCheck, SignUp
from campaign_app.signups.key_check import WRONG_KEY, WrongDataKey
from campaign_app.signups.personal_data import data_key_check_value
from tests.conftest import app_on_copy, make_app
from tests.factories import make_signup
from tests.logs import captured_log

OTHER_KEY = "another-data-key"


def recorded_value(app) -> str | None:
    with app.app_context():
        return db.session.scalar(select(DataKeyCheck.value))


def test_an_app_started_with_another_data_key_refuses_to_start_and_says_why(app):
    with captured_log() as log, pytest.raises(WrongDataKey) as refusal:
        make_app(app.config["SQLALCHEMY_DATABASE_URI"], DATA_KEY=OTHER_KEY)
    assert str(refusal.value) == WRONG_KEY
    assert "DATA_KEY is not the key that encrypts this database's personal data" in WRONG_KEY
    [line] = log.of("campaign_app.data_key")
    assert " CRITICAL " in line and WRONG_KEY in line


def test_an_app_started_with_the_database_s_key_starts(app, app_factory):
    other = app_factory(app.config["SQLALCHEMY_DATABASE_URI"], DATA_KEY=app.config["DATA_KEY"])
    assert other.test_client().get("/login").status_code == 200


def test_the_first_start_records_the_key_s_check_value_and_not_the_key(app):
    value = recorded_value(app)
    assert value == data_key_check_value(app.config["DATA_KEY"])
    assert value != data_key_check_value(OTHER_KEY)
    assert app.config["DATA_KEY"] not in value


@pytest.mark.own_database  # the value is removed and recorded again by apps on connections of their own
def test_with_no_value_recorded_yet_a_key_that_cannot_read_the_stored_niks_is_refused(app):
    with app.app_context():
        if not db.session.scalar(select(func.count()).select_from(SignUp)):
            make_signup()
        db.session.execute(delete(DataKeyCheck))
        db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with pytest.raises(WrongDataKey):
        make_app(url, DATA_KEY=OTHER_KEY)
    assert recorded_value(app) is None
    # The key that encrypted them is recorded as the database's.
    make_app(url)
    assert recorded_value(app) == data_key_check_value(app.config["DATA_KEY"])


def test_a_fresh_database_records_the_key_at_the_first_request_after_its_migration(empty_app):
    # flask db upgrade starts the app before the table exists: nothing is checked or recorded then.
    assert empty_app.test_client().get("/healthz").status_code == 200
    with empty_app.app_context():
        upgrade()
        db.session.remove()
    empty_app.test_client().get("/healthz")
    assert recorded_value(empty_app) == data_key_check_value(empty_app.config["DATA_KEY"])
    with pytest.raises(WrongDataKey):
        make_app(empty_app.config["SQLALCHEMY_DATABASE_URI"], DATA_KEY=OTHER_KEY)


def test_an_app_started_before_its_database_could_be_reached_answers_503_once_it_finds_another_key(databases,
                                                                                                  tmp_path):
    url = f"sqlite:///{tmp_path}/later/jangkau.sqlite3"
    with captured_log() as log, app_on_copy(databases, url, drop=False, DATA_KEY=OTHER_KEY) as early:
        assert "DATA_KEY not checked yet" in log.text
        # The database appears, migrated by a process with the right key.
        (tmp_path / "later").mkdir()
        with app_on_copy(databases, url, drop=False) as migrating:
            with migrating.app_context():
                upgrade()
                db.session.remove()
            migrating.test_client().get("/healthz")
        assert recorded_value(early) == data_key_check_value("test-data-key")
        assert early.test_client().get("/login").status_code == 503
        assert WRONG_KEY in log.text
