"""Translatable names for the domain's codes (roles, channels, statuses, access classes), shown in the UI."""

from flask_babel import lazy_gettext as _l

from campaign_app.models import AccessClass, CampaignStatus, Channel, Role, VisitStatus

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.OFFICER: _l("Officer"),
    Role.MANAGER: _l("Manager"),
}


def role_label(role: str) -> str:
    """The role's name in the current language."""
    return str(ROLE_LABELS.get(role, role))


CHANNEL_LABELS = {
    Channel.VILLAGE_MEETING: _l("Village meeting"),
    Channel.DOOR_TO_DOOR: _l("Door to door"),
    Channel.MARKET_STALL: _l("Market stall"),
    Channel.PARTNER_EVENT: _l("Partner event"),
    Channel.OTHER: _l("Other"),
}

CAMPAIGN_STATUS_LABELS = {
    CampaignStatus.OPEN: _l("Open"),
    CampaignStatus.CLOSED: _l("Closed"),
}

VISIT_STATUS_LABELS = {
    VisitStatus.PLANNED: _l("Planned"),
    VisitStatus.IN_PROGRESS: _l("In progress"),
    VisitStatus.DONE: _l("Done"),
    VisitStatus.POSTPONED: _l("Postponed"),
    VisitStatus.CANCELLED: _l("Cancelled"),
}


def channel_label(channel: str) -> str:
    return str(CHANNEL_LABELS.get(channel, channel))


def campaign_status_label(status: str) -> str:
    return str(CAMPAIGN_STATUS_LABELS.get(status, status))


def visit_status_label(status: str) -> str:
    return str(VISIT_STATUS_LABELS.get(status, status))


ACCESS_LABELS = {
    AccessClass.ROAD: _l("Road"),
    AccessClass.ROUGH_ROAD: _l("Rough road"),
    AccessClass.BOAT: _l("Boat"),
    AccessClass.ON_FOOT: _l("On foot"),
}


def access_label(access_class: str | None) -> str:
    """The access class in the current language; empty when not known."""
    if not access_class:
        return ""
    label = ACCESS_LABELS.get(access_class)
    return str(label) if label is not None else access_class


# Registered as Jinja globals by campaign_app.i18n, so every template can name codes.
TEMPLATE_LABELS = {
    "role_label": role_label,
    "channel_label": channel_label,
    "campaign_status_label": campaign_status_label,
    "visit_status_label": visit_status_label,
    "access_label": access_label,
}
