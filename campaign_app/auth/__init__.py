"""Signing in and out, and each user's own account: password and language."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from campaign_app.auth import routes  # noqa: E402,F401  (routes attach themselves to bp)
