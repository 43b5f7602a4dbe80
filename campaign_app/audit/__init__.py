"""The audit log: recording audited actions (``service.record``) and the page that lists them."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from campaign_app.audit import routes  # noqa: E402,F401
