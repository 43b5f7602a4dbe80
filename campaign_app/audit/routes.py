"""The audit log page (admins and managers). Filled in by the audit-page work."""

from campaign_app.audit import bp  # noqa: F401
