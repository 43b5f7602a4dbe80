"""Sessions kept on the server: started at sign-in, checked on every request, ended on demand.

A session is live while it has not been ended, has been used within the idle timeout, and is younger than the
session lifetime. The cookie holds a random token; only its digest is stored. Using a session moves its
``last_seen_at`` forward at most once per ``SESSION_TOUCH_SECONDS``, so that a page costs no write.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, delete, func, or_, select, update

from campaign_app.auth.signals import sessions_ended
from campaign_app.extensions import db
from campaign_app.models import User, UserSession

# Why a session ended, as ``UserSession.ended_reason`` records it.
SIGNED_OUT = "signed-out"
EVERYWHERE = "everywhere"
ADMINISTRATOR = "administrator"
PASSWORD = "password"
DEACTIVATED = "deactivated"
# The phone whose credential this session issued was revoked (a lost or handed-on phone).
DEVICE_REVOKED = "device-revoked"

# How long a session that is over stays in the table (who was signed in where, for a question asked later).
KEPT_AFTER_END = timedelta(days=30)

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser", "Samsung Internet"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def token_digest(token: str) -> str:
    """The stored form of a session token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def device_summary(user_agent: str | None) -> str:
    """"Chrome on Android" from a User-Agent header: enough to tell one's sessions apart, no version numbers."""
    agent = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or ""


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _lifetime() -> timedelta:
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=lifetime)


def _live(now: datetime):
    """The conditions a live session meets at ``now``."""
    return (UserSession.ended_at.is_(None), UserSession.last_seen_at > now - _idle_limit(),
            UserSession.created_at > now - _lifetime())


def start_session(user: User, user_agent: str | None = None) -> str:
    """Start a session for ``user`` and attach its token to the object (``User.get_id``); returns the token.

    The user's sessions over for longer than ``KEPT_AFTER_END`` are forgotten meanwhile, so that the table holds
    about a month of each user's sign-ins, not every one since the start."""
    token = secrets.token_urlsafe(32)
    now = _now()
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user.id,
        or_(UserSession.ended_at < now - KEPT_AFTER_END, UserSession.last_seen_at < now - KEPT_AFTER_END)))
    db.session.add(UserSession(token_digest=token_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                               device=device_summary(user_agent)[:60]))
    db.session.flush()
    user.attach_session(token)
    return token


# Built once: the statement every signed-in request runs (building and keying it again each time cost more than
# running it on SQLite).
_SESSION_USER = (
    select(User, UserSession.id, UserSession.last_seen_at).join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.token_digest == bindparam("digest"), User.active.is_(True), UserSession.ended_at.is_(None),
           UserSession.last_seen_at > bindparam("seen_after"), UserSession.created_at > bindparam("started_after"))
)


class LiveSession(NamedTuple):
    """What a request needs of its session: which row, and when it was last marked as used."""

    id: int
    last_seen_at: datetime


def session_user(token: str) -> tuple[User, LiveSession] | None:
    """The active user whose live session has ``token``, and that session; None when there is none.

    One statement: the user and what the request needs of the session are read together (the session's other
    columns are not loaded on every request)."""
    if not token:
        return None
    now = _now()
    row = db.session.execute(_SESSION_USER, {"digest": token_digest(token), "seen_after": now - _idle_limit(),
                                             "started_after": now - _lifetime()}).first()
    if row is None:
        return None
    user, session_id, last_seen_at = row
    user.attach_session(token)
    return user, LiveSession(session_id, last_seen_at)


def needs_touch(live: LiveSession) -> bool:
    """Whether the session was last marked as used long enough ago to mark it again."""
    interval = timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"])
    return _aware(live.last_seen_at) <= _now() - interval


def touch(session_id: int) -> None:
    """Mark the session as used now (the idle timeout counts from here)."""
    db.session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=_now()))


def end_session(user: User, token: str, reason: str = SIGNED_OUT) -> None:
    """End the session of ``user`` with ``token`` (signing out); nothing happens if it has already ended."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.token_digest == token_digest(token), UserSession.user_id == user.id,
               UserSession.ended_at.is_(None))
        .values(ended_at=_now(), ended_reason=reason))
    sessions_ended.send(user, reason=reason, sessions=result.rowcount)  # type: ignore[attr-defined]


def live_session_id(token: str | None) -> int | None:
    """The id of the live session with ``token`` (the signed-in request's own), or None."""
    if not token:
        return None
    return db.session.scalar(select(UserSession.id).where(UserSession.token_digest == token_digest(token),
                                                          *_live(_now())))


def end_session_by_id(user: User, session_id: int, reason: str) -> None:
    """End ``user``'s session ``session_id`` if it is still open (an administrator acting on one of their phones)."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=_now(), ended_reason=reason))
    sessions_ended.send(user, reason=reason, sessions=result.rowcount)  # type: ignore[attr-defined]


def end_sessions(user: User, reason: str) -> int:
    """End every session of ``user`` still open; returns how many were live."""
    live = count_live_sessions(user)
    db.session.execute(update(UserSession)
                       .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                       .values(ended_at=_now(), ended_reason=reason))
    sessions_ended.send(user, reason=reason, sessions=live)
    return live


def count_live_sessions(user: User) -> int:
    """How many live sessions ``user`` has."""
    return db.session.scalar(select(func.count()).select_from(UserSession)
                             .where(UserSession.user_id == user.id, *_live(_now()))) or 0
