"""Village visits: scheduling, rescheduling, postponing, cancelling, and the lists coordinators plan with."""

from flask import Blueprint

bp = Blueprint("visits", __name__, url_prefix="/visits")

from campaign_app.visits import routes  # noqa: E402,F401
