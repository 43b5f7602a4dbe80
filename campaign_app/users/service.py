"""Rules for user accounts, as an administrator manages them."""

from collections.abc import Sequence

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from campaign_app.auth import user_sessions
from campaign_app.auth.service import audit_sessions_ended, check_new_password
from campaign_app.config import SUPPORTED_LANGUAGES
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import Branch, Role, User
from campaign_app.paging import MAX_PAGE
from campaign_app.validation import Refused


class UsernameTaken(Refused):
    """Another account already has this username."""

    def __init__(self, username: str):
        super().__init__({"username": [_("This username is taken. Choose another.")]})
        self.username = username


class OwnAccountLockout(Refused):
    """An administrator tried to lock themselves out of administration."""


class CannotDeactivateSelf(OwnAccountLockout):
    """An administrator tried to deactivate their own account."""

    def __init__(self):
        super().__init__({"active": [_("You cannot deactivate your own account.")]})


class CannotDropOwnAdminRole(OwnAccountLockout):
    """An administrator tried to give themselves another role."""

    def __init__(self):
        super().__init__({"role": [_("You cannot remove your own administrator role; ask another administrator.")]})


def username_taken(username: str, except_user_id: int | None = None) -> bool:
    """Whether another account uses ``username`` (case-insensitive)."""
    query = select(User.id).where(func.lower(User.username) == username.strip().lower())
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return db.session.scalar(query.limit(1)) is not None


def _coverage(role: Role, branch: Branch, covered_branches, covers_all_branches: bool):
    """A manager's extra branches (never their own), or nothing for any other role."""
    if role != Role.MANAGER:
        return [], False
    return [b for b in (covered_branches or []) if b.id != branch.id], bool(covers_all_branches)


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
    """Create an account; raises ``UsernameTaken`` if the username is in use, ``Refused`` (on ``password``) for a
    password the policy does not accept."""
    username = username.strip().lower()
    if username_taken(username):
        raise UsernameTaken(username)
    check_new_password(password, username, "password")
    role = Role(role)
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(language)
    covered, covers_all = _coverage(role, branch, covered_branches, covers_all_branches)
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=role,
        branch=branch,
        language=language,
        covers_all_branches=covers_all,
        active=True,
    )
    user.covered_branches = covered
    user.set_password(password)
    try:
        # A savepoint, so that losing a race for the username leaves the session usable.
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise UsernameTaken(username) from None
    return user


def search_users(
    query: str = "",
    role: str | None = None,
    branch_id: int | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Pagination:
    """One page of accounts whose name or username contains ``query``, optionally of one role and branch.

    Two statements whatever the page holds: the count and the page with each user's branch joined
    (four when ``page`` is past the end and the last page is fetched instead).
    """
    statement = select(User).options(joinedload(User.branch))
    term = (query or "").strip().lower()
    if term:
        statement = statement.where(or_(
            func.lower(User.full_name).contains(term, autoescape=True),
            func.lower(User.username).contains(term, autoescape=True),
        ))
    if role:
        statement = statement.where(User.role == role)
    if branch_id is not None:
        statement = statement.where(User.branch_id == branch_id)
    statement = statement.order_by(func.lower(User.full_name), User.id)
    page = min(max(page, 1), MAX_PAGE)
    result = db.paginate(statement, page=page, per_page=per_page, max_per_page=None, error_out=False)
    if page > 1 and not result.items and result.total:
        # A page past the end (an old link, a shorter result): show the last one instead.
        result = db.paginate(statement, page=result.pages, per_page=per_page, max_per_page=None, error_out=False)
    return result


def branches_by_id(ids: Sequence[int]) -> list[Branch]:
    """The branches with these ids, by name; unknown ids are left out."""
    if not ids:
        return []
    return list(db.session.scalars(select(Branch).where(Branch.id.in_(set(ids))).order_by(Branch.name)))


def update_user(
    user: User,
    *,
    acting_user: User,
    full_name: str,
    role: Role,
    branch: Branch,
    language: str,
    active: bool,
    covered_branches: list[Branch] | None = None,
    covers_all_branches: bool = False,
) -> User:
    """Change an account's name, role, branch, language, state and (for a manager) coverage.

    Refuses, before changing anything, to let ``acting_user`` deactivate themselves
    (``CannotDeactivateSelf``) or drop their own administrator role (``CannotDropOwnAdminRole``):
    the last administrator could otherwise lock everyone out. Deactivating ends every session of the account.
    """
    role = Role(role)
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(language)
    if user.id == acting_user.id:
        if not active:
            raise CannotDeactivateSelf()
        if user.role == Role.ADMIN and role != Role.ADMIN:
            raise CannotDropOwnAdminRole()
    covered, covers_all = _coverage(role, branch, covered_branches, covers_all_branches)
    user.full_name = full_name.strip()
    user.role = role
    user.branch = branch
    user.language = language
    if user.active and not active:
        user_sessions.end_sessions(user, user_sessions.DEACTIVATED)
    user.active = bool(active)
    user.covered_branches = covered
    user.covers_all_branches = covers_all
    db.session.flush()
    return user


def reset_password(user: User, new_password: str) -> None:
    """Set a new password chosen by an administrator; the user is signed out of every session.

    Refuses (``Refused`` on ``new_password``) a password the policy does not accept."""
    check_new_password(new_password, user.username, "new_password")
    user.set_password(new_password)
    user_sessions.end_sessions(user, user_sessions.PASSWORD)
    db.session.flush()


def end_sessions(user: User, actor: User) -> int:
    """End every session of ``user``, as an administrator (``actor``) does for a lost phone, audited; returns how
    many were live."""
    ended = user_sessions.end_sessions(user, user_sessions.ADMINISTRATOR)
    audit_sessions_ended(user, actor, ended)
    return ended


def live_sessions(user: User) -> int:
    """How many sessions of ``user`` are live now."""
    return user_sessions.count_live_sessions(user)
