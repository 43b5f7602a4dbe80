"""The summaries are kept by the app's own sessions, registered once by ``create_app`` however many apps a process
makes; a session made outside the app neither keeps them nor may write what they count."""

import pytest
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from campaign_app.extensions import db
from campaign_app.models import SignUp, SignUpStatus
from campaign_app.summaries import BulkChangeRefused, drift
from campaign_app.summaries.keeping import keep_summaries
from tests.conftest import counting_statements
from tests.factories import in_progress_visit, make_signup

pytestmark = pytest.mark.usefixtures("app_context")


def daily_writes_of_one_sign_up(app) -> list[str]:
    """The statements writing the daily roll-up when one sign-up is recorded."""
    visit = in_progress_visit()
    with counting_statements(app) as statements:
        make_signup(visit)
        db.session.flush()
    # On PostgreSQL the daily row is written in a part of the statement that adds to every roll-up.
    return [statement for statement in statements if "INSERT INTO daily_results" in statement]


def test_the_app_s_session_class_keeps_the_summaries_and_sqlalchemy_s_does_not():
    assert event.contains(FlaskSession, "after_flush", keep_summaries)
    assert not event.contains(Session, "after_flush", keep_summaries)


def test_a_second_app_does_not_keep_the_summaries_twice(app, app_factory):
    assert len(daily_writes_of_one_sign_up(app)) == 1
    app_factory(app.config["SQLALCHEMY_DATABASE_URI"])
    assert len(daily_writes_of_one_sign_up(app)) == 1
    assert drift(db.session.connection()) == []


def test_a_plain_session_on_the_app_s_engine_keeps_nothing_and_may_not_write_what_is_counted():
    # A demo sign-up: committed, so that the plain session's own connection sees it.
    signup_id = db.session.scalar(select(SignUp.id).where(SignUp.status == SignUpStatus.REGISTERED).limit(1))
    with Session(db.engine) as plain:
        plain.get(SignUp, signup_id).status = SignUpStatus.VOID
        with pytest.raises(BulkChangeRefused, match="campaign_app.summaries.bulk_execute"):
            plain.flush()
    assert db.session.get(SignUp, signup_id).status == SignUpStatus.REGISTERED
