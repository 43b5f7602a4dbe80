"""Device credentials: a signed-in officer's phone asks for one; administrators list and revoke them."""

from datetime import UTC, datetime

from flask import abort, jsonify, request, url_for
from flask_login import current_user

from campaign_app.access import roles
from campaign_app.answers import committing, success
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import Device, Role
from campaign_app.rendering import render
from campaign_app.sync import bp, devices

DEVICE_ID = "<id:device_id>"
PER_PAGE = 25


def now() -> datetime:
    return datetime.now(UTC)


def _posted_name() -> str | None:
    """The phone's name from a JSON or form body (optional; anything but text is taken as none)."""
    body = request.get_json(silent=True) if request.is_json else request.form
    name = body.get("name") if hasattr(body, "get") else None
    return name if isinstance(name, str) else None


@bp.post("/devices")
@roles(Role.OFFICER)
def issue():
    """The phone calls this right after sign-in when it holds no token (CSRF token in ``X-CSRFToken``)."""
    with committing():
        issued = devices.issue_device(current_user, _posted_name(), request.user_agent.string, now(),
                                       session_token=current_user.get_id())
        answer = {"device_id": issued.device.id, "token": issued.token}
    response = jsonify(answer)
    response.status_code = 201
    # The token is shown once: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/devices/")
@roles(Role.ADMIN)
def index():
    page = devices.devices_page(request.args.get("page", 1, type=int), PER_PAGE)
    return render("sync/devices.html", fragment="devices", page=page)


@bp.post(f"/devices/{DEVICE_ID}/revoke")
@roles(Role.ADMIN)
def revoke(device_id: int):
    device = db.session.get(Device, device_id)
    if device is None:
        abort(404)
    with committing():
        revoked = devices.revoke_device(device, current_user, now())
    return success(url_for("sync.index"), _("The phone's credential is revoked: it can no longer sync.") if revoked
                   else _("This phone's credential was revoked already."))
