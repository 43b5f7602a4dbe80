"""The benchmark commands: ``bench seed`` loads a data set the dashboard counts right, ``bench run`` times every
dashboard view on it."""

import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import PaymentHistory, SignUp, SignUpStatus, User
from campaign_app.reports.breakdowns import DIMENSIONS
from campaign_app.reports.metrics import figures
from campaign_app.reports.retention import retention
from campaign_app.reports.selection import Selection
from tests.conftest import app_on_copy

STATUSES_LINE = re.compile(r"Sign-ups by status: (.*)\.")
VIEWS = ["dashboard", *(f"by {by}" for by in DIMENSIONS), "regency filter", "campaign + period", "htmx fragment",
         "compare 2 campaigns", "export csv by village"]


def reported_statuses(output: str) -> dict[str, int]:
    """The sign-ups per status that ``bench seed`` says it made."""
    line = STATUSES_LINE.search(output).group(1)
    return {status: int(count.replace(",", "")) for status, count in (part.split() for part in line.split(", "))}


def stored_statuses(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(select(SignUp.status, func.count()).group_by(SignUp.status)).all())


@pytest.fixture(scope="module")
def tiny_bench(databases):
    """An app on a migrated database loaded with ``flask bench seed --preset tiny``, and what the seed printed."""
    with app_on_copy(databases, databases.empty_url()) as app:
        with app.app_context():
            upgrade()
        result = app.test_cli_runner().invoke(args=["bench", "seed", "--preset", "tiny"])
        assert result.exit_code == 0, result.output
        yield app, result.output


def test_bench_seed_stores_the_signups_it_reports_for_each_status(tiny_bench):
    app, output = tiny_bench
    reported = reported_statuses(output)
    assert set(reported) == set(SignUpStatus)
    assert stored_statuses(app) == reported


def test_dashboard_figures_count_the_live_and_activated_signups_bench_seed_made(tiny_bench):
    app, output = tiny_bench
    reported = reported_statuses(output)
    with app.app_context():
        counted = figures(Selection(branch_ids=None))
    assert counted.signups == sum(reported.values()) - reported[SignUpStatus.VOID]
    assert counted.activated == reported[SignUpStatus.ACTIVATED]


def test_bench_seed_gives_the_activated_signups_a_payment_history(tiny_bench):
    app, output = tiny_bench
    with app.app_context():
        activated = set(db.session.scalars(select(SignUp.id).where(SignUp.status == SignUpStatus.ACTIVATED)))
        histories = set(db.session.scalars(select(PaymentHistory.signup_id)))
    assert "payment histories" in output
    assert histories and histories <= activated


def test_bench_seed_counts_the_retention_roll_up_of_the_histories_it_wrote(tiny_bench):
    app, output = tiny_bench
    with app.app_context():
        measures = retention(Selection(branch_ids=None))
        histories = db.session.scalar(select(func.count()).select_from(PaymentHistory))
    assert "retention roll-up" in output
    assert measures.latest_month is not None and measures.signups == histories > 0


def test_bench_run_prints_a_row_for_every_dashboard_view(tiny_bench):
    app, _output = tiny_bench
    result = app.test_cli_runner().invoke(args=["bench", "run", "--runs", "1", "--warm-up", "0"])
    assert result.exit_code == 0, result.output
    rows = {line[:24].strip(): line.split() for line in result.output.splitlines()}
    for view in VIEWS:
        assert view in rows, f"no row for {view}"
        assert rows[view][-1] == "200"


def test_bench_run_as_a_branch_manager_sees_every_view(tiny_bench):
    app, _output = tiny_bench
    result = app.test_cli_runner().invoke(args=["bench", "run", "--runs", "1", "--warm-up", "0",
                                                "--as", "kc002-manajer"])
    assert result.exit_code == 0, result.output


def test_bench_run_refuses_an_unknown_viewer(tiny_bench):
    app, _output = tiny_bench
    result = app.test_cli_runner().invoke(args=["bench", "run", "--runs", "1", "--as", "nobody"])
    assert result.exit_code != 0
    assert "nobody" in result.output


def test_bench_seed_refuses_a_database_that_holds_signups(app, runner):
    before = stored_statuses(app)
    result = runner.invoke(args=["bench", "seed", "--preset", "tiny"])
    assert result.exit_code != 0
    assert "--replace" in result.output
    assert stored_statuses(app) == before


@pytest.mark.own_database  # the seed analyses its tables on a connection of its own
def test_bench_seed_with_replace_loads_in_place_of_the_demo(app, runner):
    result = runner.invoke(args=["bench", "seed", "--preset", "tiny", "--replace"])
    assert result.exit_code == 0, result.output
    assert stored_statuses(app) == reported_statuses(result.output)
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == "admin")) is None
