"""`flask summaries drift` finds a summary row that differs from a fresh count; `flask summaries rebuild` mends it."""

from sqlalchemy import select, update

from campaign_app.extensions import db
from campaign_app.summaries import SignUpTally


def spoil_a_tally(app) -> None:
    with app.app_context():
        tally_id = db.session.scalar(select(SignUpTally.id).order_by(SignUpTally.id).limit(1))
        db.session.execute(update(SignUpTally).where(SignUpTally.id == tally_id)
                           .values(signups=SignUpTally.signups + 1))
        db.session.commit()


def test_drift_says_every_summary_is_true_after_the_demo(runner):
    result = runner.invoke(args=["summaries", "drift"])
    assert result.exit_code == 0, result.output
    assert "Every summary equals a fresh count." in result.output


def test_drift_names_the_summary_that_differs_and_rebuild_mends_it(app, runner):
    spoil_a_tally(app)
    result = runner.invoke(args=["summaries", "drift"])
    assert result.exit_code == 1
    assert "signup_tallies 2" in result.output and "flask summaries rebuild" in result.output
    result = runner.invoke(args=["summaries", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt:" in result.output and "tallies" in result.output
    assert runner.invoke(args=["summaries", "drift"]).exit_code == 0
