"""The village registry: browse and search the branch's villages, keep what the campaign knows of them."""

from flask import Blueprint

bp = Blueprint("villages", __name__, url_prefix="/villages")

from campaign_app.villages import routes  # noqa: E402,F401
