"""The access rule of the endpoints a phone calls with its device token (``Authorization: Bearer <token>``).

No session counts there: a phone syncs days after its session and CSRF token expired, and a session cookie sent
along (the phone's browser sends it) is ignored. The device's officer is the request's user, so that the writes
are audited as theirs and the answers speak their language; nothing is put in the session, so no cookie is set.
"""

from functools import wraps

from flask import g, jsonify, request
from flask_babel import gettext as _

from campaign_app.access import AccessRule
from campaign_app.extensions import csrf
from campaign_app.models import Device
from campaign_app.sync.devices import device_for_token

DEVICE_RULE = AccessRule(public=False, roles=frozenset(), device=True)


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def unauthorised():
    """401: no device token, an unknown one, or a revoked one."""
    response = jsonify(error=_("This phone is not signed in to Jangkau (its device credential is missing or was "
                               "revoked). Sign in again to sync its records."))
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="jangkau"'
    return response


def by_device(view):
    """Declare an endpoint called by a phone with its device token, never with a session (exempt from CSRF: the
    token is not sent by a browser on its own). The device is ``current_device()``; the request's user its officer."""

    @wraps(view)
    def guarded(*args, **kwargs):
        found = device_for_token(bearer_token())
        if found is None:
            return unauthorised()
        g.sync_device = found[0]
        # Flask-Login's own slot for the request's user: read by current_user, never written to the session.
        g._login_user = found[1]
        return view(*args, **kwargs)

    guarded.access_rule = DEVICE_RULE
    return csrf.exempt(guarded)


def current_device() -> Device:
    """The device of this request (set by ``by_device``)."""
    return g.sync_device
