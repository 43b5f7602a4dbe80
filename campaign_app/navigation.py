"""The main menu: which destinations each role sees, grouped by what the role does, in the order it does it."""

from dataclasses import dataclass

from campaign_app.i18n import lazy_gettext as _l
from campaign_app.models import Role

ALL = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR})

# The groups a destination belongs to (None: a destination of its own, never folded into a group).
FIELDWORK, REPORTS, REFERENCE, ADMINISTRATION = "fieldwork", "reports", "reference", "administration"
GROUP_LABELS = {
    FIELDWORK: _l("Fieldwork"),
    REPORTS: _l("Reports"),
    REFERENCE: _l("Reference"),
    ADMINISTRATION: _l("Administration"),
}

# (endpoint, label, roles, group), in the order they are listed within a group.
MENU = [
    ("home.index", _l("Home"), ALL, None),
    ("visits.index", _l("Visits"), STAFF, FIELDWORK),
    ("campaigns.index", _l("Campaigns"), STAFF, FIELDWORK),
    ("villages.index", _l("Villages"), STAFF, FIELDWORK),
    ("officers.index", _l("Officers"), STAFF, FIELDWORK),
    ("signups.index", _l("Sign-ups"), ALL, None),
    ("reports.dashboard", _l("Dashboard"), STAFF, REPORTS),
    ("reports.retention_page", _l("Retention"), STAFF, REPORTS),
    ("reports.survival", _l("Still paid up"), STAFF, REPORTS),
    ("reports.active", _l("Active participants"), STAFF, REPORTS),
    ("audit.index", _l("Audit log"), frozenset({Role.ADMIN, Role.MANAGER}), REPORTS),
    ("branches.index", _l("Branches"), STAFF, REFERENCE),
    ("rates.index", _l("Rates"), STAFF, REFERENCE),
    ("subsidies.index", _l("Subsidies"), STAFF, REFERENCE),
    ("users.index", _l("Users"), frozenset({Role.ADMIN}), ADMINISTRATION),
    ("sync.index", _l("Phones"), frozenset({Role.ADMIN}), ADMINISTRATION),
    ("privacy.requests", _l("Data requests"), frozenset({Role.ADMIN}), ADMINISTRATION),
    ("auth.account", _l("Account"), ALL, None),
]

# Each role's menu in the order of its work: a coordinator plans fieldwork, a manager reads the reports first, an
# administrator keeps the users and the reference data. Names not in MENU are the destinations of their own.
ORDER = {
    Role.ADMIN: ("home.index", ADMINISTRATION, REFERENCE, FIELDWORK, "signups.index", REPORTS, "auth.account"),
    Role.COORDINATOR: ("home.index", FIELDWORK, "signups.index", REPORTS, REFERENCE, "auth.account"),
    Role.MANAGER: ("home.index", REPORTS, FIELDWORK, "signups.index", REFERENCE, "auth.account"),
    Role.OFFICER: ("home.index", "signups.index", "auth.account"),
}


@dataclass(frozen=True)
class MenuEntry:
    """A destination (``endpoint`` set) or a group of them (``links`` set) in the main menu."""

    label: str
    endpoint: str | None = None
    links: tuple[tuple[str, str], ...] = ()

    def holds(self, endpoint: str | None) -> bool:
        """Whether the page at ``endpoint`` is this destination or one of this group's."""
        return endpoint == self.endpoint or any(link == endpoint for link, _label in self.links)


def menu_for(role: str | None) -> list[tuple[str, str]]:
    """The (endpoint, label) pairs shown to a user with ``role``, in the menu's order."""
    return [link for entry in grouped_menu_for(role) for link in (entry.links or ((entry.endpoint, entry.label),))]


def grouped_menu_for(role: str | None) -> list[MenuEntry]:
    """The main menu of a user with ``role``: destinations and groups; a group of one is shown as its destination."""
    if role is None:
        return []
    mine = [(endpoint, label, group) for endpoint, label, roles, group in MENU if role in roles]
    entries = []
    for name in ORDER[Role(role)]:
        links = tuple((endpoint, str(label)) for endpoint, label, group in mine if name in (endpoint, group))
        if len(links) == 1:
            entries.append(MenuEntry(label=links[0][1], endpoint=links[0][0]))
        elif links:
            entries.append(MenuEntry(label=str(GROUP_LABELS[name]), links=links))
    return entries
