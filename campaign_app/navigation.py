"""The main menu: which destinations each role sees, in order."""

from flask_babel import lazy_gettext as _l

from campaign_app.models import Role

MENU = [
    ("home.index", _l("Home"), frozenset(Role)),
    ("reports.dashboard", _l("Dashboard"), frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR})),
    ("campaigns.index", _l("Campaigns"), frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR})),
    ("visits.index", _l("Visits"), frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR})),
    ("signups.index", _l("Sign-ups"), frozenset(Role)),
    ("villages.index", _l("Villages"), frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR})),
    ("officers.index", _l("Officers"), frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR})),
    ("branches.index", _l("Branches"), frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR})),
    ("rates.index", _l("Rates"), frozenset({Role.ADMIN, Role.COORDINATOR, Role.MANAGER})),
    ("subsidies.index", _l("Subsidies"), frozenset({Role.ADMIN, Role.COORDINATOR, Role.MANAGER})),
    ("users.index", _l("Users"), frozenset({Role.ADMIN})),
    ("sync.index", _l("Phones"), frozenset({Role.ADMIN})),
    ("audit.index", _l("Audit log"), frozenset({Role.ADMIN, Role.MANAGER})),
    ("privacy.requests", _l("Data requests"), frozenset({Role.ADMIN})),
    ("auth.account", _l("Account"), frozenset(Role)),
]


def menu_for(role: str | None) -> list[tuple[str, str]]:
    """The (endpoint, label) pairs shown to a user with ``role``."""
    if role is None:
        return []
    return [(endpoint, label) for endpoint, label, roles in MENU if role in roles]
