"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from campaign_app.models.people import Branch, Role, User, branch_regencies, manager_branches
from campaign_app.models.regions import District, Province, Regency, Village

__all__ = [
    "Branch", "District", "Province", "Regency", "Role", "User", "Village",
    "branch_regencies", "manager_branches",
]
