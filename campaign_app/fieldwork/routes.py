"""Routes: being written."""

from campaign_app.fieldwork import bp  # noqa: F401
