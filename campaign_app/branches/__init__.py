"""Branches (kantor cabang) and the regencies they cover."""

from flask import Blueprint

bp = Blueprint("branches", __name__, url_prefix="/branches")

from campaign_app.branches import routes  # noqa: E402,F401
