"""An officer's visit day: check in, attendance, obstacles and notes, close; a coordinator reopens."""

from flask import Blueprint

bp = Blueprint("fieldwork", __name__, url_prefix="/field")

from campaign_app.fieldwork import routes  # noqa: E402,F401
