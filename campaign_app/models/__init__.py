"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from campaign_app.models.audit import AuditAction, AuditEntry
from campaign_app.models.campaigns import Campaign, CampaignStatus, Channel
from campaign_app.models.people import Branch, Role, User, branch_regencies, manager_branches
from campaign_app.models.place_totals import OfficerResult, VillageResult
from campaign_app.models.programme_totals import ProgrammeTotal
from campaign_app.models.regions import AccessClass, District, Province, Regency, Village
from campaign_app.models.rollups import DailyResult, MonthlyResult, rebuild_rollups, rollups_drift
from campaign_app.models.signups import (
    Occupation,
    Payer,
    RateTable,
    Review,
    Sector,
    SignUp,
    SignUpStatus,
    SubsidyProgramme,
)
from campaign_app.models.summaries import record_bulk_changes
from campaign_app.models.tallies import SignUpTally, TalliedFacts, add_to_tallies, rebuild_tallies, tallies_drift
from campaign_app.models.visits import ACTIVE_STATUSES, Obstacle, OfficerLeave, Visit, VisitOfficer, VisitStatus

__all__ = [
    "ACTIVE_STATUSES", "AccessClass", "Branch", "Campaign", "CampaignStatus", "Channel", "District",
    "OfficerLeave", "Province", "Regency", "Role", "User", "Visit", "VisitOfficer", "VisitStatus", "Village",
    "branch_regencies", "manager_branches", "Occupation", "Payer", "RateTable", "Sector", "SignUp", "SignUpStatus",
    "SubsidyProgramme", "AuditAction", "AuditEntry", "Obstacle", "Review", "SignUpTally", "TalliedFacts",
    "add_to_tallies", "rebuild_tallies", "tallies_drift", "DailyResult", "MonthlyResult", "rebuild_rollups",
    "rollups_drift", "record_bulk_changes", "OfficerResult", "VillageResult", "ProgrammeTotal",
]
