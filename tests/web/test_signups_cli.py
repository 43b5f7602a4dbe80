"""`flask signups purge-voided` deletes the sign-ups voided longer ago than VOIDED_RETENTION_DAYS and says how many."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, SignUp
from campaign_app.signups.changes import void_signup
from campaign_app.summaries import drift
from tests.factories import TODAY, in_progress_visit, make_signup, user_named


def voided_days_ago(app, *days: int) -> list[int]:
    """Sign-ups voided that many days ago, committed (the command runs its own transaction)."""
    with app.app_context():
        visit = in_progress_visit()
        admin = user_named("admin")
        ids = []
        for ago in days:
            signup = make_signup(visit)
            void_signup(signup, admin, "NIK salah ketik", TODAY, datetime.now(UTC) - timedelta(days=ago))
            ids.append(signup.id)
        db.session.commit()
        return ids


def test_purge_voided_deletes_those_past_the_retention_period_and_says_how_many(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "VOIDED_RETENTION_DAYS", 30)
    old, recent = voided_days_ago(app, 31, 29)
    result = runner.invoke(args=["signups", "purge-voided"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 sign-ups voided before" in result.output and "(kept 30 days)" in result.output
    with app.app_context():
        assert db.session.get(SignUp, old) is None and db.session.get(SignUp, recent) is not None
        assert drift(db.session.connection()) == []
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.VOIDED_SIGNUPS_PURGED)).one()
        assert entry.details["purged"] == 1 and entry.details["retention_days"] == 30
