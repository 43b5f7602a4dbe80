"""The administration commands: regions load, demo seed, users create."""

from datetime import timedelta

from sqlalchemy import func, select

from campaign_app import clock
from campaign_app.auth.service import authenticate
from campaign_app.extensions import db
from campaign_app.models import Campaign, OfficerLeave, SignUp, User, Visit, VisitOfficer, VisitStatus

DEMO_RECORDS = (User, Campaign, OfficerLeave, Visit, VisitOfficer, SignUp)


def demo_counts(app) -> list[int]:
    with app.app_context():
        return [db.session.scalar(select(func.count()).select_from(model)) for model in DEMO_RECORDS]


def officers_planned_visits(app, day) -> list[int]:
    """The demo officer's planned visits in Kota Palu on ``day``."""
    with app.app_context():
        return list(db.session.scalars(
            select(Visit.id).join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
            .join(User, User.id == VisitOfficer.officer_id)
            .where(User.username == "petugas", Visit.visit_date == day, Visit.status == VisitStatus.PLANNED,
                   Visit.village_code.startswith("72.71."))
        ))


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
    assert "Between 10 and 256 characters" in result.output
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
    before = demo_counts(app)
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0
    assert "koordinator" in result.output
    assert demo_counts(app) == before


def test_demo_seed_on_the_next_day_moves_the_officers_visit_and_adds_nothing(app, runner, monkeypatch):
    # dev.py serve seeds on every start: serving on Monday and again on Tuesday must not grow the demo.
    first_day = clock.today()
    next_day = first_day + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: first_day)
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    before, [visit_id] = demo_counts(app), officers_planned_visits(app, first_day)

    monkeypatch.setattr(clock, "today", lambda: next_day)
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert demo_counts(app) == before
    assert officers_planned_visits(app, next_day) == [visit_id]
    assert officers_planned_visits(app, first_day) == []


def test_regions_load_reports_the_counts(runner):
    result = runner.invoke(args=["regions", "load"])
    assert result.exit_code == 0
    assert "2,017 villages" in result.output


def test_regions_load_refuses_an_unknown_province(runner):
    result = runner.invoke(args=["regions", "load", "--province", "99"])
    assert result.exit_code != 0
    assert "99" in result.output


def test_demo_up_on_a_database_set_up_serves_at_once_with_the_logins_table(app, runner, monkeypatch):
    served = []
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda host, port, application, **options: served.append(
        (host, port, application)))
    before = demo_counts(app)
    result = runner.invoke(args=["demo", "up", "--port", "5099"])
    assert result.exit_code == 0, result.output
    assert "nothing to set up" in result.output
    assert "Nama pengguna / Username" in result.output and "koordinator" in result.output
    assert served == [("127.0.0.1", 5099, app)]
    assert demo_counts(app) == before


def test_demo_up_on_the_next_day_moves_the_officers_visit_to_it(app, runner, monkeypatch):
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda *args, **options: None)
    next_day = clock.today() + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: next_day)
    assert runner.invoke(args=["demo", "up"]).exit_code == 0
    assert len(officers_planned_visits(app, next_day)) == 1
