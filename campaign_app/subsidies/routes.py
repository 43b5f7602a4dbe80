"""Routes: being written."""

from campaign_app.subsidies import bp  # noqa: F401
