"""A line for each sign-in: the account's id when the name and password were right, and for a refusal, the
reason, the account named if it exists, and otherwise only a keyed digest of what was typed. A line too for each
ending of sessions (signing out, everywhere, by an administrator, with a password change or a deactivation).

What was typed in the username field is never written as typed: an officer who puts a worker's NIK in the wrong
field would leave it in the log. Its length would not tell two attempts apart; a plain hash of a 16-digit NIK can be
reversed by trying every NIK of a district and year. A digest keyed with the app's secret cannot be reversed by
whoever reads the logs, yet shows the same name tried again and again (a guessing attack on one account).
"""

import hashlib
import hmac
import logging

from flask import current_app, has_request_context, request
from flask_login import current_user

from campaign_app.auth.signals import sessions_ended, sign_in_accepted, sign_in_refused
from campaign_app.observability.log_setup import fields

log = logging.getLogger("campaign_app.auth")

_DIGEST_CONTEXT = b"jangkau sign-in log"


def init_app() -> None:
    """Listen to the sign-in signals (blinker keeps one connection per receiver, however many apps connect it)."""
    sign_in_accepted.connect(_accepted)
    sign_in_refused.connect(_refused)
    sessions_ended.connect(_ended)


def typed_name_digest(username: str, secret_key: str) -> str:
    """12 hex digits of an HMAC of ``username`` under a key derived from ``secret_key``: equal for equal names,
    irreversible without the key."""
    key = hmac.new(secret_key.encode(), _DIGEST_CONTEXT, hashlib.sha256).digest()
    return hmac.new(key, username.encode(), hashlib.sha256).hexdigest()[:12]


def _address() -> str | None:
    # The visitor's address (ProxyFix has put the proxy's X-Forwarded-For there when the proxy is trusted).
    return request.remote_addr if has_request_context() else None


def _accepted(user, **_extra) -> None:
    log.info("%s", fields(event="sign-in", user_id=user.id, username=user.username, address=_address()))


def _refused(_sender, *, username: str, reason: str, user, **_extra) -> None:
    if user is not None:
        who = {"user_id": user.id, "username": user.username}
    else:
        who = {"typed": "hmac:" + typed_name_digest(username, current_app.config["SECRET_KEY"])}
    log.warning("%s", fields(event="sign-in-refused", reason=reason, **who, address=_address()))


def _ended(user, *, reason: str, sessions: int, **_extra) -> None:
    # Who ended them: the user themselves, or an administrator (by_user_id differs).
    by = current_user.id if has_request_context() and current_user.is_authenticated else None
    log.info("%s", fields(event="sessions-ended", reason=reason, user_id=user.id, username=user.username,
                          sessions=sessions, by_user_id=by))
