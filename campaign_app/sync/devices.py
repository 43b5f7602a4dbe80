"""Device credentials: issued to an officer's phone once signed in, used by the phone to sync, revoked by an
administrator (a lost or handed-on phone).

The token is a random 32-byte secret shown once; the database keeps only its SHA-256 (a secret this long needs no
slow hash: nobody can guess it, only steal it). A revoked token, or one of an officer no longer active, is refused.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from campaign_app.audit.service import record
from campaign_app.auth.user_sessions import (
    DEVICE_REVOKED,
    device_summary,
    end_session_by_id,
    live_session_id,
    token_digest,
)
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import AuditAction, Device, Role, User
from campaign_app.paging import Page, paginate
from campaign_app.validation import Refused

NAME_MAX = 60
# A token as issued: 32 random bytes, URL-safe base64 (43 characters). Anything else is looked up as nothing.
TOKEN_MAX = 100


@dataclass(frozen=True)
class IssuedDevice:
    """A device just issued, with the token it is shown once."""

    device: Device
    token: str


def issue_device(officer: User, name: str | None, user_agent: str | None, now: datetime,
                 session_token: str | None = None) -> IssuedDevice:
    """Issue a device credential to ``officer``'s phone (``name`` as the phone calls itself, cut to NAME_MAX, and a
    summary of its User-Agent), bound to the sign-in whose ``session_token`` asked for it; returns it with its token,
    which is not kept. Only officers sync records (``Refused`` otherwise)."""
    if officer.role != Role.OFFICER:
        raise Refused.on(None, _("Only officers' phones are issued a device credential."))
    token = secrets.token_urlsafe(32)
    cleaned = " ".join((name or "").split())[:NAME_MAX] if isinstance(name, str) else ""
    device = Device(officer_id=officer.id, token_digest=token_digest(token), name=cleaned,
                    user_agent=device_summary(user_agent)[:NAME_MAX], issued_at=now,
                    session_id=live_session_id(session_token))
    db.session.add(device)
    db.session.flush()
    record(AuditAction.DEVICE_ISSUED, actor=officer, subject_type="device", subject_id=device.id,
           subject_name=_device_name(device, officer), branch_id=officer.branch_id, now=now,
           details={"officer": officer.full_name, "name": cleaned or None, "user_agent": device.user_agent or None})
    return IssuedDevice(device, token)


def _device_name(device: Device, officer: User) -> str:
    return f"{officer.full_name}: {device.name or device.user_agent or '#' + str(device.id)}"


def device_for_token(token: str | None) -> tuple[Device, User] | None:
    """The live device of ``token`` and its officer (one statement), or None: unknown, revoked, or the officer's
    account deactivated."""
    if not token or len(token) > TOKEN_MAX:
        return None
    found = db.session.execute(
        select(Device, User).join(User, User.id == Device.officer_id)
        .where(Device.token_digest == token_digest(token), Device.revoked_at.is_(None), User.active.is_(True))
    ).first()
    return (found[0], found[1]) if found is not None else None


def hold_device(device: Device, now: datetime) -> None:
    """Note that the device was seen, and hold its row until the commit: one device's requests are handled one at a
    time (PostgreSQL's row lock; SQLite's write lock), so a record sent twice at once is stored once and a phone's
    records are applied in the order it sent them."""
    db.session.execute(update(Device).where(Device.id == device.id).values(last_seen_at=now)
                       .execution_options(synchronize_session=False))


def devices_page(page: int, per_page: int) -> Page:
    """Page ``page`` of every device with its officer, newest first (two statements)."""
    statement = (select(Device, User).join(User, User.id == Device.officer_id)
                 .order_by(Device.issued_at.desc(), Device.id.desc()))
    return paginate(statement, page, per_page)


def revoke_device(device: Device, actor: User, now: datetime) -> bool:
    """Revoke ``device``: its token is refused from now on, and the sign-in that issued it is ended (the phone must
    sign in with the password again before it is issued another). True when this call revoked it, False when it was
    revoked already (nothing written). Audited."""
    if device.revoked_at is not None:
        return False
    device.revoked_at = now
    device.revoked_by_id = actor.id
    db.session.flush()
    officer = db.session.get(User, device.officer_id)
    assert officer is not None  # a foreign key
    if device.session_id is not None:
        end_session_by_id(officer, device.session_id, DEVICE_REVOKED)
    record(AuditAction.DEVICE_REVOKED, actor=actor, subject_type="device", subject_id=device.id,
           subject_name=_device_name(device, officer), branch_id=officer.branch_id, now=now,
           details={"revoked_at": [None, now.isoformat()]})
    return True
