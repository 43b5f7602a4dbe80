"""Authentication rules: checking credentials and changing one's own settings."""

from sqlalchemy import func, select

from campaign_app.auth.signals import sign_in_accepted, sign_in_refused
from campaign_app.config import SUPPORTED_LANGUAGES
from campaign_app.extensions import db
from campaign_app.models import User
from campaign_app.passwords import spend_a_check

MIN_PASSWORD_LENGTH = 10


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


def change_password(user: User, current_password: str, new_password: str) -> bool:
    """Set a new password if ``current_password`` is right; returns whether it changed.

    Changing the password signs the user out of every other session.
    """
    if not user.check_password(current_password):
        return False
    user.set_password(new_password)
    db.session.flush()
    return True


def set_language(user: User, language: str) -> None:
    """Remember the user's interface language."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(language)
    user.language = language
    db.session.flush()
