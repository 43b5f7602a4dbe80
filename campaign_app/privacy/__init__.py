"""Data-subject requests (UU PDP 27/2022): an administrator finds a person by NIK, exports or erases their data."""

from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

from campaign_app.privacy import routes  # noqa: E402,F401
