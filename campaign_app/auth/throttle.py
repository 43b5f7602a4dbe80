"""Limits on failed sign-ins, counted where every app process sees them.

Three counts, each with its own limit from the settings: one account from one address (someone mistyping, or a
guesser at one account); one account from anywhere (guessing spread over many addresses); one address at any
account (a high backstop, so that a whole office behind one address is not locked out by made-up names).
Only failures count; while a limit is spent, sign-in waits, whatever the password, and the answer says how long.

The store: Redis when ``RATELIMIT_STORAGE_URI`` names one (through Flask-Limiter's storage), otherwise the database
(``sign_in_failures``). Never a process's memory: with several workers each would count apart, and a guesser would
get each limit once per worker. When Redis cannot be reached, sign-in goes on unlimited and a warning is logged: an
outage of the limit store must not lock every user out.

Usernames enter the keys only as a keyed digest: what was typed may be a worker's NIK (as observability/sign_in_log
explains).
"""

import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from limits import RateLimitItem, parse
from sqlalchemy import delete, func, insert, or_, select

from campaign_app.extensions import db, limiter
from campaign_app.models import SignInFailure
from campaign_app.observability.log_setup import fields

log = logging.getLogger("campaign_app.auth")

_DIGEST_CONTEXT = b"jangkau sign-in limits"

# (setting, whether the key names the account, whether it names the address)
LIMITS = (
    ("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS", True, True),
    ("LOGIN_LIMIT_PER_ACCOUNT", True, False),
    ("LOGIN_LIMIT_PER_ADDRESS", False, True),
)


@dataclass(frozen=True)
class Count:
    """One limit as it applies to one sign-in: how many failures in what window, counted under ``key``."""

    limit: RateLimitItem
    key: str

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.limit.get_expiry())


def _name_key(username: str, secret_key: str) -> str:
    # Keyed, so that the store's keys cannot be turned back into what was typed (a NIK in the wrong field).
    key = hmac.new(secret_key.encode(), _DIGEST_CONTEXT, hashlib.sha256).digest()
    return hmac.new(key, username.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


def _counts(username: str, address: str) -> list[Count]:
    """Each configured limit with the key it counts under for this name and address."""
    config = current_app.config
    name = _name_key(username, config["SECRET_KEY"])
    prefix = config.get("RATELIMIT_KEY_PREFIX") or ""
    counts = []
    for setting, by_account, by_address in LIMITS:
        if not config.get(setting):
            continue
        parts = (prefix, "sign-in", setting.removeprefix("LOGIN_LIMIT_").lower(), by_account and name,
                 by_address and address[:45])
        counts.append(Count(parse(config[setting]), "/".join(part for part in parts if part)))
    return counts


def _in_redis() -> bool:
    return not (current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://")


def seconds_to_wait(username: str, address: str) -> int | None:
    """How many seconds before ``username`` may try to sign in from ``address`` again; None when it may now."""
    counts = _counts(username, address)
    if not counts:
        return None
    if not _in_redis():
        return _database_wait(counts)
    try:
        spent = [count for count in counts if not limiter.limiter.test(count.limit, count.key)]
        if not spent:
            return None
        reset = max(limiter.limiter.get_window_stats(count.limit, count.key).reset_time for count in spent)
    except Exception as error:  # noqa: BLE001  (any failure of the store: Redis down, refusing, timing out)
        _store_down("check", error)
        return None
    return max(1, math.ceil(reset - time.time()))


def count_failure(username: str, address: str) -> None:
    """Count a failed sign-in with ``username`` from ``address`` against every limit (the caller commits)."""
    counts = _counts(username, address)
    if not counts:
        return
    if not _in_redis():
        _database_count(counts)
        return
    try:
        for count in counts:
            limiter.limiter.hit(count.limit, count.key)
    except Exception as error:  # noqa: BLE001  (as above: a failed count must not fail the sign-in page)
        _store_down("count", error)


def _store_down(action: str, error: Exception) -> None:
    log.warning("%s", fields(event="sign-in-limits-unavailable", action=action, error=type(error).__name__))


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _database_wait(counts: list[Count]) -> int | None:
    """A sliding window per key: the failures within it, and when the oldest of them leaves it. One statement."""
    now = _now()
    recent = [(SignInFailure.key == count.key) & (SignInFailure.failed_at > now - count.window) for count in counts]
    rows = db.session.execute(
        select(SignInFailure.key, func.count(), func.min(SignInFailure.failed_at))
        .where(or_(*recent)).group_by(SignInFailure.key)
    ).all()
    found = {key: (failures, _aware(oldest)) for key, failures, oldest in rows}
    waits = [(found[count.key][1] + count.window - now).total_seconds() for count in counts
             if count.key in found and found[count.key][0] >= count.limit.amount]
    return max(1, math.ceil(max(waits))) if waits else None


def _database_count(counts: list[Count]) -> None:
    """Record the failure under every key, and forget failures older than the longest window."""
    now = _now()
    db.session.execute(insert(SignInFailure), [{"key": count.key, "failed_at": now} for count in counts])
    longest = max(count.window for count in counts)
    db.session.execute(delete(SignInFailure).where(SignInFailure.failed_at < now - longest))
