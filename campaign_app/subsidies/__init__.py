"""Subsidy programmes: who pays for which workers, for how long, up to what quota."""

from flask import Blueprint

bp = Blueprint("subsidies", __name__, url_prefix="/subsidies")

from campaign_app.subsidies import routes  # noqa: E402,F401
