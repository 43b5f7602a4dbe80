"""The officer's phone without signal: the installable app (manifest, service worker, offline page) and the
offline pack of what their coming visits need."""

from flask import Blueprint

bp = Blueprint("offline", __name__)

from campaign_app.offline import routes  # noqa: E402,F401
