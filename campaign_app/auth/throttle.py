"""Limits on failed sign-ins, counted where every app process sees them (the rate-limit storage: Redis when
``RATELIMIT_STORAGE_URI`` names it).

Three counts, each with its own limit from the settings: one account from one address (someone mistyping, or a
guesser at one account); one account from anywhere (guessing spread over many addresses); one address at any
account (a high backstop, so that a whole office behind one address is not locked out by made-up names).
Every count is of failures only; while one is spent, sign-in waits, whatever the password, and the answer says
for how long. When the storage cannot be reached, sign-in goes on unlimited and a warning is logged: an outage of
the limit store must not lock every user out.

Usernames enter the keys only as a keyed digest: what was typed may be a worker's NIK (as observability/sign_in_log
explains).
"""

import hashlib
import hmac
import logging
import math
import time

from flask import current_app
from limits import RateLimitItem, parse

from campaign_app.extensions import limiter
from campaign_app.observability.log_setup import fields

log = logging.getLogger("campaign_app.auth")

_DIGEST_CONTEXT = b"jangkau sign-in limits"

# (setting, whether the key names the account, whether it names the address)
LIMITS = (
    ("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS", True, True),
    ("LOGIN_LIMIT_PER_ACCOUNT", True, False),
    ("LOGIN_LIMIT_PER_ADDRESS", False, True),
)


def _name_key(username: str, secret_key: str) -> str:
    # Keyed, so that the store's keys cannot be turned back into what was typed (a NIK in the wrong field).
    key = hmac.new(secret_key.encode(), _DIGEST_CONTEXT, hashlib.sha256).digest()
    return hmac.new(key, username.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


def _counts(username: str, address: str) -> list[tuple[RateLimitItem, str]]:
    """Each configured limit with the key it counts under for this name and address."""
    config = current_app.config
    name = _name_key(username, config["SECRET_KEY"])
    prefix = config.get("RATELIMIT_KEY_PREFIX") or ""
    counts = []
    for setting, by_account, by_address in LIMITS:
        if not config.get(setting):
            continue
        key = "/".join(part for part in (prefix, "sign-in", setting.lower(), by_account and name,
                                         by_address and address) if part)
        counts.append((parse(config[setting]), key))
    return counts


def _store_down(action: str, error: Exception) -> None:
    log.warning("%s", fields(event="sign-in-limits-unavailable", action=action, error=type(error).__name__))


def seconds_to_wait(username: str, address: str) -> int | None:
    """How many seconds before ``username`` may try to sign in from ``address`` again; None when it may now."""
    try:
        spent = [(item, key) for item, key in _counts(username, address) if not limiter.limiter.test(item, key)]
        if not spent:
            return None
        reset = max(limiter.limiter.get_window_stats(item, key).reset_time for item, key in spent)
    except Exception as error:  # noqa: BLE001  (any failure of the store: Redis down, refused, timing out)
        _store_down("check", error)
        return None
    return max(1, math.ceil(reset - time.time()))


def count_failure(username: str, address: str) -> None:
    """Count a failed sign-in with ``username`` from ``address`` against every limit."""
    try:
        for item, key in _counts(username, address):
            limiter.limiter.hit(item, key)
    except Exception as error:  # noqa: BLE001  (as above: a failed count must not fail the sign-in page)
        _store_down("count", error)
