"""A signed-in session, kept on the server so that it can be ended: by signing out, everywhere, or by an administrator.

The browser's cookie holds a random token; the table holds only its SHA-256 digest, so that a copy of the database
does not sign anyone in. Every app process reads the same rows: a session started on one works on all, and one
ended on one is ended on all.
"""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
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
