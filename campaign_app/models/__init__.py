"""SQLAlchemy models, one module per aggregate. Importing this package registers them all.

The summaries counted from them (tallies, roll-ups, place totals) have their own package,
``campaign_app.summaries``, which depends on these models and never the other way round.

A model subclasses ``campaign_app.extensions.Model``: Flask-SQLAlchemy's ``db.Model`` when it runs, and to the type
checker the declarative base that ``db.Model`` is made from (mypy cannot take ``db.Model`` as a base class).
"""

from campaign_app.models.audit import AuditAction, AuditEntry
from campaign_app.models.campaigns import Campaign, CampaignStatus, Channel
from campaign_app.models.imports import ImportPhase, ImportState, PaymentImport
from campaign_app.models.payments import LapseRule, PaymentHistory, Reactivation, ReportedPaymentMonth
from campaign_app.models.people import Branch, Role, User, branch_regencies, manager_branches
from campaign_app.models.regions import AccessClass, District, Province, Regency, Village
from campaign_app.models.sessions import SignInFailure, UserSession
from campaign_app.models.signups import (
    DataKeyCheck,
    Occupation,
    Payer,
    RateTable,
    Review,
    Sector,
    SignUp,
    SignUpStatus,
    SubsidyProgramme,
)
from campaign_app.models.sync import Device, Resolution, SyncKind, SyncRecord, SyncStatus
from campaign_app.models.visits import ACTIVE_STATUSES, Obstacle, OfficerLeave, Visit, VisitOfficer, VisitStatus

__all__ = [
    "ACTIVE_STATUSES", "AccessClass", "Branch", "Campaign", "CampaignStatus", "Channel", "District",
    "OfficerLeave", "Province", "Regency", "Role", "User", "Visit", "VisitOfficer", "VisitStatus", "Village",
    "branch_regencies", "manager_branches", "Occupation", "Payer", "RateTable", "Sector", "SignUp", "SignUpStatus",
    "SubsidyProgramme", "DataKeyCheck", "AuditAction", "AuditEntry", "Obstacle", "Review", "UserSession",
    "SignInFailure", "Device", "LapseRule", "PaymentHistory", "Reactivation", "ReportedPaymentMonth", "Resolution",
    "SyncKind", "SyncRecord", "SyncStatus", "ImportPhase", "ImportState", "PaymentImport",
]
