"""Campaigns: coordinators create, edit and close them; everyone in the branch follows their progress."""

from flask import Blueprint

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")

from campaign_app.campaigns import routes  # noqa: E402,F401
