"""The branch's officers: roster, workload, agendas and leave."""

from flask import Blueprint

bp = Blueprint("officers", __name__, url_prefix="/officers")

from campaign_app.officers import routes  # noqa: E402,F401
