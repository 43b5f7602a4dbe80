"""Rules for user accounts, as an administrator manages them."""

from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import Branch, Role, User


class UsernameTaken(ValueError):
    """Another account already has this username."""


def username_taken(username: str, except_user_id: int | None = None) -> bool:
    """Whether another account uses ``username`` (case-insensitive)."""
    query = select(User.id).where(func.lower(User.username) == username.strip().lower())
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return db.session.scalar(query.limit(1)) is not None


def create_user(
    *,
    username: str,
    full_name: str,
    password: str,
    role: Role,
    branch: Branch,
    language: str = "id",
    covered_branches: list[Branch] | None = None,
    covers_all_branches: bool = False,
) -> User:
    """Create an account; raises ``UsernameTaken`` if the username is in use."""
    username = username.strip().lower()
    if username_taken(username):
        raise UsernameTaken(username)
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=Role(role),
        branch=branch,
        language=language,
        covers_all_branches=covers_all_branches and role == Role.MANAGER,
        active=True,
        session_token=0,
    )
    if role == Role.MANAGER and covered_branches:
        user.covered_branches = list(covered_branches)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
