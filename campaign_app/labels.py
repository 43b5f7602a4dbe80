"""Translatable names for the domain's codes, shown in the UI."""

from flask_babel import lazy_gettext as _l

from campaign_app.models import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.OFFICER: _l("Officer"),
    Role.MANAGER: _l("Manager"),
}


def role_label(role: str) -> str:
    """The role's name in the current language."""
    return str(ROLE_LABELS.get(role, role))
