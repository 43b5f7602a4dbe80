"""Routes: being written."""

from campaign_app.rates import bp  # noqa: F401
