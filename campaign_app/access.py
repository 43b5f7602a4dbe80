"""Access rules, declared on every endpoint.

Each view carries an ``access_rule`` attribute; a test walks ``app.url_map`` and fails on any
endpoint without one, so a new endpoint cannot be left open by accident.
"""

from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app
from flask_login import current_user

from campaign_app.extensions import login_manager
from campaign_app.models import Role, User


@dataclass(frozen=True)
class AccessRule:
    """Who may call an endpoint: anyone (``public``), signed-in users with one of ``roles``, or (``device``) only a
    phone with its device token, whoever the session belongs to (``campaign_app.sync.device_access``)."""

    public: bool
    roles: frozenset[str]
    device: bool = False

    def allows(self, role: str | None) -> bool:
        return self.public or (role is not None and role in self.roles)


def public(view):
    """Declare that anyone, signed in or not, may call this endpoint."""
    view.access_rule = AccessRule(public=True, roles=frozenset(Role))
    return view


def roles(*allowed: Role):
    """Declare that only signed-in users with one of ``allowed`` roles may call this endpoint.

    Anonymous callers are sent to the login page (401 for htmx); other roles get 403.
    """
    rule = AccessRule(public=False, roles=frozenset(allowed))

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in rule.roles:
                abort(403)
            return view(*args, **kwargs)

        guarded.access_rule = rule
        return guarded

    return decorate


def signed_in(view):
    """Declare that any signed-in user may call this endpoint."""
    return roles(*Role)(view)


def rule_of(view) -> AccessRule | None:
    """The access rule declared on a view function, or None."""
    return getattr(view, "access_rule", None)


def may(endpoint: str) -> bool:
    """Whether the signed-in user may call ``endpoint``, by its declared rule: links and buttons ask this
    instead of repeating role lists. False for an endpoint that does not exist."""
    view = current_app.view_functions.get(endpoint)
    rule = rule_of(view) if view is not None else None
    role = current_user.role if current_user.is_authenticated else None
    return rule is not None and rule.allows(role)


def visible_branch_ids(user: User) -> set[int] | None:
    """The branches whose records ``user`` may see; None means every branch."""
    if user.role == Role.ADMIN or user.covers_all_branches:
        return None
    ids = {user.branch_id}
    if user.role == Role.MANAGER:
        ids.update(branch.id for branch in user.covered_branches)
    return ids
