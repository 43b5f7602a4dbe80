"""The administration commands: regions load, demo seed, users create."""

from sqlalchemy import func, select

from campaign_app.auth.service import authenticate
from campaign_app.extensions import db
from campaign_app.models import SignUp, User, Visit


def test_users_create_reads_the_password_from_standard_input(app, runner):
    result = runner.invoke(args=["users", "create", "--username", "Kepala", "--full-name", "Ibu Kepala",
                                 "--branch", "Kantor Cabang Palu"], input="a-long-secret-1\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = authenticate("kepala", "a-long-secret-1")
        assert user is not None and user.role == "admin"


def test_users_create_refuses_a_short_password(app, runner):
    result = runner.invoke(args=["users", "create", "--username", "pendek", "--full-name", "P",
                                 "--branch", "Kantor Cabang Palu"], input="short\n")
    assert result.exit_code != 0
    assert "at least" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "pendek")) is None


def test_users_create_refuses_a_taken_username(runner):
    result = runner.invoke(args=["users", "create", "--username", "admin", "--full-name", "Another",
                                 "--branch", "Kantor Cabang Palu"], input="a-long-secret-1\n")
    assert result.exit_code != 0
    assert "taken" in result.output


def test_users_create_has_no_password_option(runner):
    result = runner.invoke(args=["users", "create", "--help"])
    assert "--password" not in result.output


def test_demo_seed_twice_duplicates_nothing(app, runner):
    def counts():
        with app.app_context():
            return [db.session.scalar(select(func.count()).select_from(model)) for model in (User, Visit, SignUp)]

    before = counts()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0
    assert "koordinator" in result.output
    assert counts() == before


def test_regions_load_reports_the_counts(runner):
    result = runner.invoke(args=["regions", "load"])
    assert result.exit_code == 0
    assert "2,017 villages" in result.output


def test_regions_load_refuses_an_unknown_province(runner):
    result = runner.invoke(args=["regions", "load", "--province", "99"])
    assert result.exit_code != 0
    assert "99" in result.output
