"""Phones that capture offline: device credentials, the sync endpoint, review of what changed meanwhile, and the
import of records exported from a phone. The contract the phone is written against is in ``records``."""

from flask import Blueprint

bp = Blueprint("sync", __name__)

from campaign_app.sync import device_routes, import_routes, review_routes, routes  # noqa: E402,F401
