"""Each role's home page."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from campaign_app.home import routes  # noqa: E402,F401
