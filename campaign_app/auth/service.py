"""Authentication rules: checking credentials, starting and ending sessions, and changing one's own settings."""

from sqlalchemy import func, select

from campaign_app.audit.service import record
from campaign_app.auth import user_sessions
from campaign_app.auth.password_policy import password_problem
from campaign_app.auth.signals import sign_in_accepted, sign_in_refused
from campaign_app.config import SUPPORTED_LANGUAGES
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import AuditAction, User
from campaign_app.passwords import spend_a_check
from campaign_app.validation import Refused


def normalise_username(username: str) -> str:
    return username.strip().lower()


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None; either way the outcome is announced
    (``auth.signals``)."""
    name = normalise_username(username)
    user = db.session.scalar(select(User).where(func.lower(User.username) == name)) if name else None
    if user is None:
        spend_a_check(password)
        reason = "unknown-user"
    elif not user.check_password(password):
        reason = "wrong-password"
    elif not user.active:
        reason = "inactive"
    else:
        sign_in_accepted.send(user)
        return user
    # The caller answers every refusal alike; only the log tells them apart.
    sign_in_refused.send(None, username=name, reason=reason, user=user)
    return None


def refuse_throttled(username: str) -> None:
    """Announce a sign-in refused unchecked because a sign-in limit is spent (``auth.throttle``)."""
    sign_in_refused.send(None, username=normalise_username(username), reason="throttled", user=None)


def sign_in(user: User, user_agent: str | None = None) -> str:
    """Start a new session for ``user`` (whose name and password were right); returns its token, which
    ``user.get_id()`` now gives for the cookie."""
    return user_sessions.start_session(user, user_agent)


def sign_out(user: User) -> None:
    """End the session ``user`` was loaded for (``user.get_id()``): a copy of its cookie no longer signs anyone in."""
    token = user.get_id()
    if token:
        user_sessions.end_session(user, token, user_sessions.SIGNED_OUT)
        db.session.flush()


def sign_out_everywhere(user: User) -> int:
    """End every session of ``user``, this one included, audited as theirs; returns how many were live."""
    ended = user_sessions.end_sessions(user, user_sessions.EVERYWHERE)
    audit_sessions_ended(user, user, ended)
    return ended


def audit_sessions_ended(user: User, actor: User, ended: int) -> None:
    """Record that ``actor`` ended every session of ``user`` (``ended`` of them were live)."""
    record(AuditAction.SESSIONS_ENDED, actor=actor, subject_type="user", subject_id=user.id,
           subject_name=user.username, branch_id=user.branch_id, details={"sessions": ended})


def live_sessions(user: User) -> int:
    """How many sessions of ``user`` are live now (this one included)."""
    return user_sessions.count_live_sessions(user)


def check_new_password(password: str, username: str, field: str) -> None:
    """Refuse (``Refused`` on ``field``) a password that ``password_policy`` does not accept for ``username``."""
    problem = password_problem(password, username)
    if problem:
        raise Refused.on(field, problem)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password; refuses a wrong ``current_password`` or a new password the policy does not accept.

    Changing the password ends every session of the user, this one included: the caller starts a new one.
    """
    if not user.check_password(current_password):
        raise Refused.on("current_password", _("The current password is wrong."))
    check_new_password(new_password, user.username, "new_password")
    user.set_password(new_password)
    user_sessions.end_sessions(user, user_sessions.PASSWORD)
    db.session.flush()


def set_language(user: User, language: str) -> None:
    """Remember the user's interface language."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(language)
    user.language = language
    db.session.flush()
