"""A signed-in session, kept on the server so that it can be ended: by signing out, everywhere, or by an administrator.

The browser's cookie holds a random token; the table holds only its SHA-256 digest, so that a copy of the database
does not sign anyone in. Every app process reads the same rows: a session started on one works on all, and one
ended on one is ended on all.
"""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign_app.extensions import Model
from campaign_app.models.people import User, utcnow


class UserSession(Model):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Hex SHA-256 of the cookie's token: looked up on every request, hence unique (and indexed by it).
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Moved forward at most once a minute while the session is used; the idle timeout counts from it.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why it ended: signed-out, everywhere, administrator, password, deactivated.
    ended_reason: Mapped[str | None] = mapped_column(String(16))
    # "Firefox on Android": enough to recognise one's own sessions, not a fingerprint.
    device: Mapped[str] = mapped_column(String(60), default="")

    user: Mapped[User] = relationship()


class SignInFailure(Model):
    """One failed sign-in, counted under each limit's key (auth/throttle.py) while it is within that limit's window.

    The database is the limits' store unless Redis is configured: every app process sees the same counts."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_failed_at", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<limit>/<keyed digest of the name>/<address>": never the name as typed (it may be a NIK).
    key: Mapped[str] = mapped_column(String(120))
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
