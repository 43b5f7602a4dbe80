"""Records a phone captured offline, received one per request: stored once under their one-time key, never lost.

The contract the phone is written against (README "Offline capture and sync"):

``POST /devices`` (a signed-in officer's session and CSRF token, ``X-CSRFToken`` header; JSON or form body with an
optional ``name``) → 201 ``{"device_id": <int>, "token": "<secret, shown once>"}``. The phone asks for it right after
sign-in when it holds no token. Administrators list devices at ``/devices/`` and revoke them.

``POST /sync/records`` with ``Authorization: Bearer <token>`` and ``Content-Type: application/json``; no session,
no CSRF token. The body is one record::

    {"key": "<one-time key: 16-64 of A-Z a-z 0-9 _ ->",
     "kind": "visit_started" | "attendance" | "signup" | "visit_closed",
     "visit_id": <int>, "captured_at": "<ISO 8601 with offset>", "data": {...}}

``data`` holds the fields the online form posts, by the same names (sign-up: ``nik``, ``full_name``, ``sex``,
``birth_date``, ``phone``, ``occupation``, ``sector``, ``with_jht``, ``declared_income``, ``income_confirmed``,
``payer``, ``subsidy_programme``, ``consent``, ``consent_version``; attendance: ``women``, ``men``, ``obstacles``
(a list), ``notes``; the start and the close: none). Values are strings, numbers, booleans (a ticked box), null
or, for ``obstacles``, a list of strings. A sign-up may add ``rate_table_id``, the rate table the phone computed the
contribution with (a change of rates is then told apart).

Answers (JSON):

- 200 ``{"key": …, "id": <the stored record's id>, "status": "received" | "needs_review", "reason": <text in the
  officer's language, or null>}``: the record is stored. A replay of the key returns exactly the first answer,
  whatever changed since. What changed meanwhile is not refused: it is stored for review (``apply``).
- 401 ``{"error": …}``: no token, an unknown or a revoked one.
- 422 ``{"error": …, "fields": {name: message}}``: a record that can never be stored as sent: not JSON, an unknown
  kind, a bad key, no such visit or one of another branch, wrong types. Nothing is stored.
- 429 and 5xx: nothing is stored; the phone sends the record again later (``Retry-After`` says when).

``GET /sync/summary`` (Bearer token) → 200 ``{"received": n, "needs_review": m, "discarded": k}`` for the device:
records received (a reviewed one accepted counts here), waiting for review, and discarded after review.

A record leaves the phone only after a 200. Records exported from a phone (a JSON array or JSON lines of the same
objects, each with its ``device_id``) are imported by an administrator (``importer``) through ``store`` too.
"""

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.i18n import gettext as _
from campaign_app.ids import ID_MAX
from campaign_app.models import Device, Resolution, SyncKind, SyncRecord, SyncStatus, User, Visit
from campaign_app.signups.personal_data import encrypt_payload, nik_index
from campaign_app.sync.apply import apply_record
from campaign_app.sync.devices import hold_device

KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
# One record is a few hundred bytes; a body this large is no record.
BODY_MAX = 64 * 1024
DATA_FIELDS_MAX = 40
TEXT_MAX = 5000
CAPTURED_AT_MAX = 40


class Unstorable(Exception):
    """A record that can never be stored as sent (422): ``error`` says why, ``fields`` which field and why."""

    def __init__(self, error: str, fields: dict[str, str] | None = None):
        super().__init__(error)
        self.error = error
        self.fields = fields or {}

    def as_json(self) -> dict:
        return {"error": self.error, "fields": self.fields}


@dataclass(frozen=True)
class Envelope:
    """A record as sent, read and checked: what can be stored."""

    key: str
    kind: SyncKind
    visit_id: int
    captured_at: datetime
    data: dict


def _wrong(fields: dict[str, str]) -> Unstorable:
    return Unstorable(_("This record cannot be stored as sent: %(fields)s.", fields=", ".join(sorted(fields))),
                      fields)


def read_body(body: bytes) -> dict:
    """The record object in a request body; ``Unstorable`` for a body that is too large, not UTF-8 JSON, or not an
    object."""
    if len(body) > BODY_MAX:
        raise Unstorable(_("This record is too large to be one record."))
    try:
        parsed = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Unstorable(_("This record is not JSON.")) from None
    if not isinstance(parsed, dict):
        raise Unstorable(_("This record is not a JSON object."))
    return parsed


def _no_constant(name: str):
    # NaN and Infinity are no JSON: a number a phone cannot have meant.
    raise ValueError(name)


def read_key(record: dict) -> str:
    """The record's one-time key; ``Unstorable`` unless it is 16 to 64 letters, digits, ``_`` or ``-``."""
    key = record.get("key")
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise _wrong({"key": _("A one-time key is 16 to 64 letters, digits, _ or -.")})
    return key


def read_envelope(record: dict, key: str) -> Envelope:
    """The record's kind, visit, capture time and data, checked for type; ``Unstorable`` naming each bad field."""
    fields: dict[str, str] = {}
    kind = record.get("kind")
    if not isinstance(kind, str) or kind not in {k.value for k in SyncKind}:
        fields["kind"] = _("Not a kind of record: %(kinds)s.", kinds=", ".join(k.value for k in SyncKind))
    visit_id = record.get("visit_id")
    if isinstance(visit_id, bool) or not isinstance(visit_id, int) or not 0 < visit_id <= ID_MAX:
        fields["visit_id"] = _("A visit's id is a whole number.")
    captured_at = moment_of(record.get("captured_at"))
    if captured_at is None:
        fields["captured_at"] = _("The capture time is a date and time with its offset (2026-12-07T02:15:00Z).")
    data = record.get("data") if record.get("data") is not None else {}
    if not isinstance(data, dict):
        fields["data"] = _("The data is a JSON object of the form's fields.")
    else:
        fields.update(_data_problems(data))
    if fields:
        raise _wrong(fields)
    assert isinstance(kind, str) and isinstance(visit_id, int) and captured_at is not None and isinstance(data, dict)
    return Envelope(key, SyncKind(kind), visit_id, captured_at, data)


def moment_of(value) -> datetime | None:
    """An ISO 8601 moment with its offset, in UTC; None for anything else."""
    if not isinstance(value, str) or len(value) > CAPTURED_AT_MAX:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _text_ok(value: str) -> bool:
    # JSON may escape a lone surrogate (\ud800), which no database can store as text.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return len(value) <= TEXT_MAX


def _scalar_ok(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return _text_ok(value)
    return value is None or isinstance(value, bool | int)


def _data_problems(data: dict) -> dict[str, str]:
    if len(data) > DATA_FIELDS_MAX:
        return {"data": _("The data has more fields than any form.")}
    problems = {}
    for name, value in data.items():
        if isinstance(value, list):
            good = len(value) <= DATA_FIELDS_MAX and all(isinstance(item, str) and _text_ok(item) for item in value)
        else:
            good = _scalar_ok(value)
        if not good or not _text_ok(name):
            shown = name[:40] if _text_ok(name) else "?"
            problems[f"data.{shown}"] = _("A field's value is text, a number, true or false, or a list of texts.")
    return problems


def answer(record: SyncRecord) -> dict:
    """The answer a record got when it arrived; a replay gets it again."""
    return {"key": record.key, "id": record.id, "status": record.status, "reason": record.reason}


def stored_record(key: str) -> SyncRecord | None:
    """The record stored under ``key``, or None."""
    return db.session.scalar(select(SyncRecord).where(SyncRecord.key == key))


def replay(stored: SyncRecord, officer: User) -> dict:
    """The first answer of ``stored``, sent again under its key by ``officer``; ``Unstorable`` for another's key."""
    if stored.officer_id != officer.id:
        # Keys are random: another officer's key is a mixed-up record, and must not show theirs.
        raise _wrong({"key": _("This one-time key was used by another officer's record.")})
    return answer(stored)


def receive(device: Device, officer: User, body: bytes, now: datetime) -> dict:
    """Receive one record sent by ``device`` (its officer ``officer``) at ``now``; returns the answer (200).

    The device's requests are handled one at a time. A key stored before returns that record's first answer; a
    new record is stored with what applying it came to (``store``). Raises ``Unstorable`` (422), nothing written,
    for a record that can never be stored as sent."""
    record = read_body(body)
    key = read_key(record)
    hold_device(device, now)
    stored = stored_record(key)
    if stored is not None:
        return replay(stored, officer)
    return answer(store(device, officer, read_envelope(record, key), now))


def _visit_of(officer: User, visit_id: int) -> Visit:
    """The visit a record names: it must exist and be of the officer's branch (an assignment changed meanwhile is
    a reason to review, not to refuse)."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.branch_id != officer.branch_id:
        raise _wrong({"visit_id": _("No such visit among your branch's visits.")})
    return visit


def waiting_nik_index(envelope: Envelope) -> str | None:
    """The blind index of the NIK a sign-up record holds (digits only, as the form reads it), or None when it holds
    none that could be a NIK: what a data-subject request looks a waiting record up by."""
    nik = envelope.data.get("nik") if envelope.kind == SyncKind.SIGNUP else None
    digits = "".join(ch for ch in nik if ch.isdigit()) if isinstance(nik, str) else ""
    return nik_index(digits) if len(digits) == 16 else None


def store(device: Device, officer: User, envelope: Envelope, now: datetime, imported_by: User | None = None
          ) -> SyncRecord:
    """Store the record ``envelope`` of ``device`` (captured by ``officer``), arrived at ``now``, after applying it
    (``apply.apply_record``), with its answer; the reason is in the officer's language. A key stored meanwhile by a
    concurrent request gives that record (its first answer). ``Unstorable`` for a visit that is not the branch's.
    """
    visit = _visit_of(officer, envelope.visit_id)
    record = SyncRecord(key=envelope.key, device_id=device.id, officer_id=officer.id, branch_id=visit.branch_id,
                        visit_id=visit.id, kind=envelope.kind, captured_at=envelope.captured_at, received_at=now,
                        imported_by_id=imported_by.id if imported_by else None)
    try:
        with db.session.begin_nested(), force_locale(officer.language or "id"):
            applied = apply_record(record, visit, officer, envelope.data, now)
            record.status, record.reason_code, record.reason = applied.status, applied.reason_code, applied.reason
            # Only a record waiting for review keeps what it holds: once applied, the sign-up (or the visit) holds it,
            # and a second copy would outlive a correction, an erasure or the retention of voided sign-ups.
            waits = applied.status == SyncStatus.NEEDS_REVIEW
            record.payload_ciphertext = encrypt_payload(json.dumps(envelope.data if waits else {}))
            record.nik_index = waiting_nik_index(envelope) if waits else None
            record.signup_id = applied.signup_id
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        # The same key stored by a request that committed first (another of the officer's devices, an import).
        stored = stored_record(envelope.key)
        if stored is None:
            raise
        if stored.officer_id != officer.id:
            raise _wrong({"key": _("This one-time key was used by another officer's record.")}) from None
        return stored
    return record


def device_totals(device: Device) -> dict:
    """How many of ``device``'s records were received (accepted after review included), wait for review, and were
    discarded after review. One statement."""
    rows = db.session.execute(
        select(SyncRecord.status, SyncRecord.resolution, func.count())
        .where(SyncRecord.device_id == device.id).group_by(SyncRecord.status, SyncRecord.resolution)
    ).all()
    totals = {"received": 0, "needs_review": 0, "discarded": 0}
    for status, resolution, count in rows:
        if status == SyncStatus.RECEIVED or resolution == Resolution.ACCEPTED:
            totals["received"] += count
        elif resolution == Resolution.DISCARDED:
            totals["discarded"] += count
        else:
            totals["needs_review"] += count
    return totals
