"""Translatable names for the domain's codes (roles, channels, statuses, access classes), shown in the UI."""

from campaign_app.i18n import lazy_gettext as _l
from campaign_app.models import (
    AccessClass,
    AuditAction,
    CampaignStatus,
    Channel,
    Obstacle,
    Occupation,
    Payer,
    Review,
    Role,
    Sector,
    SignUpStatus,
    SyncKind,
    VisitStatus,
)

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


ACCESS_LABELS = {
    AccessClass.ROAD: _l("Road"),
    AccessClass.ROUGH_ROAD: _l("Rough road"),
    AccessClass.BOAT: _l("Boat"),
    AccessClass.ON_FOOT: _l("On foot"),
}


OBSTACLE_LABELS = {
    Obstacle.ROAD: _l("Road"),
    Obstacle.WEATHER: _l("Weather"),
    Obstacle.PARTNER_ABSENT: _l("Partner absent"),
    Obstacle.OTHER: _l("Other"),
}

OCCUPATION_LABELS = {
    Occupation.FARMER: _l("Farmer"),
    Occupation.FISHER: _l("Fisher"),
    Occupation.TRADER: _l("Trader"),
    Occupation.OJEK_DRIVER: _l("Ojek driver"),
    Occupation.DAY_LABOURER: _l("Day labourer"),
    Occupation.LIVESTOCK_KEEPER: _l("Livestock keeper"),
    Occupation.CRAFTSPERSON: _l("Craftsperson"),
    Occupation.OTHER: _l("Other"),
}

SECTOR_LABELS = {
    Sector.BPU: _l("BPU (not wage-earning)"),
    Sector.PU: _l("PU (wage-earning)"),
}

PAYER_LABELS = {
    Payer.SELF: _l("The worker"),
    Payer.EMPLOYER: _l("Employer"),
    Payer.SUBSIDY: _l("Subsidy programme"),
}

SIGNUP_STATUS_LABELS = {
    SignUpStatus.REGISTERED: _l("Registered"),
    SignUpStatus.ACTIVATED: _l("Activated"),
    SignUpStatus.REJECTED: _l("Rejected"),
    SignUpStatus.VOID: _l("Void"),
}

REVIEW_LABELS = {
    Review.PENDING: _l("Waiting for review"),
    Review.KEPT: _l("Kept as a different person"),
    Review.MERGED: _l("Merged"),
}

AUDIT_ACTION_LABELS = {
    AuditAction.SIGNUP_CORRECTED: _l("Sign-up corrected"),
    AuditAction.SIGNUP_VOIDED: _l("Sign-up voided"),
    AuditAction.NIK_REVEALED: _l("NIK revealed"),
    AuditAction.NIK_LOOKED_UP: _l("NIK looked up"),
    AuditAction.NEAR_DUPLICATE_KEPT: _l("Near-duplicate kept"),
    AuditAction.NEAR_DUPLICATE_MERGED: _l("Near-duplicates merged"),
    AuditAction.ACTIVATION_UPLOADED: _l("Activation file uploaded"),
    AuditAction.PAYMENT_STATUS_UPLOADED: _l("Monthly payment status uploaded"),
    AuditAction.LAPSE_RULE_CREATED: _l("Lapse rule added"),
    AuditAction.VISIT_REOPENED: _l("Visit reopened"),
    AuditAction.RATE_TABLE_CREATED: _l("Rate table added"),
    AuditAction.SUBSIDY_PROGRAMME_CREATED: _l("Subsidy programme added"),
    AuditAction.SUBSIDY_PROGRAMME_CHANGED: _l("Subsidy programme changed"),
    AuditAction.EXPORT_DOWNLOADED: _l("Export downloaded"),
    AuditAction.SESSIONS_ENDED: _l("Sessions ended"),
    AuditAction.DATA_SUBJECT_LOOKED_UP: _l("Person looked up (data request)"),
    AuditAction.DATA_SUBJECT_EXPORTED: _l("Person's data exported"),
    AuditAction.DATA_SUBJECT_ERASED: _l("Person's data erased"),
    AuditAction.VOIDED_SIGNUPS_PURGED: _l("Voided sign-ups purged"),
    AuditAction.DEVICE_ISSUED: _l("Phone credential issued"),
    AuditAction.DEVICE_REVOKED: _l("Phone credential revoked"),
    AuditAction.SYNC_RECORD_ACCEPTED: _l("Record from a phone accepted"),
    AuditAction.SYNC_RECORD_DISCARDED: _l("Record from a phone discarded"),
    AuditAction.SYNC_FILE_IMPORTED: _l("Records from a phone imported"),
    AuditAction.CREATED: _l("Added"),
    AuditAction.CHANGED: _l("Changed"),
    AuditAction.DELETED: _l("Removed"),
}

SYNC_KIND_LABELS = {
    SyncKind.VISIT_STARTED: _l("Visit started"),
    SyncKind.ATTENDANCE: _l("Attendance"),
    SyncKind.SIGNUP: _l("Sign-up"),
    SyncKind.VISIT_CLOSED: _l("Visit closed"),
}

# Why a record from a phone waits for review (campaign_app/sync/apply.py names the codes).
SYNC_REASON_LABELS = {
    "nik_registered": _l("NIK registered meanwhile"),
    "quota_used": _l("Subsidy quota used up meanwhile"),
    "rates_changed": _l("Rates changed"),
    "consent_changed": _l("Consent text changed"),
    "visit_closed": _l("Visit closed before the record"),
    "visit_reopened": _l("Visit reopened after the record"),
    "visit_not_open": _l("Visit not in progress"),
    "not_assigned": _l("Officer not assigned"),
    "clock": _l("Phone clock wrong"),
    "invalid": _l("Fields refused"),
    "refused": _l("Refused"),
}


def _labeller(labels: dict):
    """A function naming a code in the current language: empty for no code, the code itself when unknown."""

    def label(code: str | None) -> str:
        if not code:
            return ""
        found = labels.get(code)
        return str(found) if found is not None else code

    return label


channel_label = _labeller(CHANNEL_LABELS)
campaign_status_label = _labeller(CAMPAIGN_STATUS_LABELS)
visit_status_label = _labeller(VISIT_STATUS_LABELS)
access_label = _labeller(ACCESS_LABELS)
obstacle_label = _labeller(OBSTACLE_LABELS)
occupation_label = _labeller(OCCUPATION_LABELS)
sector_label = _labeller(SECTOR_LABELS)
payer_label = _labeller(PAYER_LABELS)
signup_status_label = _labeller(SIGNUP_STATUS_LABELS)
review_label = _labeller(REVIEW_LABELS)
audit_action_label = _labeller(AUDIT_ACTION_LABELS)
sync_kind_label = _labeller(SYNC_KIND_LABELS)
sync_reason_label = _labeller(SYNC_REASON_LABELS)


# Registered as Jinja globals by campaign_app.i18n, so every template can name codes.
TEMPLATE_LABELS = {
    "role_label": role_label,
    "channel_label": channel_label,
    "campaign_status_label": campaign_status_label,
    "visit_status_label": visit_status_label,
    "access_label": access_label,
    "obstacle_label": obstacle_label,
    "occupation_label": occupation_label,
    "sector_label": sector_label,
    "payer_label": payer_label,
    "signup_status_label": signup_status_label,
    "review_label": review_label,
    "audit_action_label": audit_action_label,
    "sync_kind_label": sync_kind_label,
    "sync_reason_label": sync_reason_label,
}
