"""Routes: being written."""

from campaign_app.signups import bp  # noqa: F401
