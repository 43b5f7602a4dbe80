"""The endpoints a phone calls with its device token: one record per request, and its totals.
The contract is in ``campaign_app.sync.records``."""

from datetime import UTC, datetime

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from campaign_app.answers import REFUSED, committing
from campaign_app.extensions import limiter
from campaign_app.sync import bp, records
from campaign_app.sync.device_access import by_device, current_device

# Seconds a throttled phone waits before sending again.
THROTTLED_RETRY_AFTER = 60


def now() -> datetime:
    """The moment a record arrives; tests replace it."""
    return datetime.now(UTC)


def _device_key() -> str:
    return f"sync:{current_device().id}"


def _throttled(_limit):
    response = jsonify(error=_("Too many records in a short time: the phone sends the rest a little later."))
    response.status_code = 429
    response.headers["Retry-After"] = str(THROTTLED_RETRY_AFTER)
    return response


def _limit() -> str:
    return current_app.config["SYNC_LIMIT"]


def _json(body: dict, status: int = 200):
    response = jsonify(body)
    response.status_code = status
    # An answer is about one moment of one phone's records: no cache (the phone's service worker included) keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/sync/records")
@by_device
@limiter.limit(_limit, key_func=_device_key, on_breach=_throttled)
def receive():
    # The body is read here and never logged: it may hold a worker's NIK, name and phone.
    body = request.get_data(cache=False)
    try:
        with committing():
            answer = records.receive(current_device(), current_user._get_current_object(), body, now())
    except records.Unstorable as unstorable:
        return _json(unstorable.as_json(), REFUSED)
    return _json(answer)


@bp.get("/sync/summary")
@by_device
@limiter.limit(_limit, key_func=_device_key, on_breach=_throttled)
def summary():
    return _json(records.device_totals(current_device()))
