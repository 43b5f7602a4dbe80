"""Records exported from a phone that will not get a signal again, imported by an administrator.

The file is what the phone exports: a JSON array, or JSON lines (one record a line), of the records it holds, each
the object it would have sent (``records``: key, kind, visit_id, captured_at, data) with its ``device_id``. UTF-8,
with or without a byte-order mark. It is read as a stream (a line, or one record of an array, at a time), as the
other uploads are (``campaign_app.uploads``): a picture, a spreadsheet or a file with NUL bytes is refused whole
with what it is.

Each record goes the way it would have gone from the phone (``records.store``): applied through the online services
as of its capture, or stored for review, or, with a key stored before, left as it is (an import repeated changes
nothing). The file is applied in capture order, whatever its order, so that quotas are spent in that order. A record
that cannot be stored (no such device, a visit of another branch, a bad field) is listed with why; the others are
stored all the same.
"""

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import select

from campaign_app.audit.service import record as audit
from campaign_app.extensions import db
from campaign_app.models import AuditAction, Device, SyncStatus, User
from campaign_app.sync import records
from campaign_app.sync.devices import hold_device
from campaign_app.uploads import UnreadableUpload

# A phone's pending records are a few hundred, a few thousand after weeks; they are sorted by capture time in memory.
MAX_RECORDS = 20_000
# No record is this long; a longer line or array element is not one.
RECORD_MAX = 256 * 1024
CHUNK = 64 * 1024
HEAD = 4096
SHOWN_REFUSED = 100


@dataclass(frozen=True)
class RefusedRecord:
    """A record that could not be stored: its place in the file, its key when it had one, and why."""

    position: int
    key: str
    reason: str


@dataclass
class ImportReport:
    """What an import did, record by record, counted."""

    read: int = 0
    received: int = 0
    needs_review: int = 0
    already: int = 0
    refused: list[RefusedRecord] = field(default_factory=list)

    @property
    def shown_refused(self) -> list[RefusedRecord]:
        return self.refused[:SHOWN_REFUSED]

    @property
    def more_refused(self) -> int:
        return max(len(self.refused) - SHOWN_REFUSED, 0)


def _not_an_export() -> UnreadableUpload:
    return UnreadableUpload(_("This file is not a phone's export of records: it holds a JSON array or JSON lines of "
                              "records. Export the records on the phone again and upload that file."))


def read_exported(upload: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """Each value in an exported file, with its place (1, 2, …): the elements of a JSON array, or the lines of JSON
    lines. Raises ``UnreadableUpload`` for a file that is not UTF-8 JSON of that shape."""
    head = upload.read(HEAD)
    upload.seek(0)
    if b"\x00" in head or head.startswith((b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0")):
        raise _not_an_export()
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", errors="strict", newline="")
    try:
        first = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")[:1]
        if first == "[":
            yield from _array(text)
        elif first == "{":
            yield from _lines(text)
        elif not first:
            raise UnreadableUpload(_("The file is empty."))
        else:
            raise _not_an_export()
    except UnicodeDecodeError:
        raise UnreadableUpload(_("The file is not UTF-8 text. Export the records on the phone again and upload "
                                 "that file.")) from None
    finally:
        if not text.closed:
            text.detach()  # the upload's stream stays open for whoever owns it


def _lines(text: io.TextIOWrapper) -> Iterator[tuple[int, Any]]:
    number = 0
    while line := text.readline(RECORD_MAX):
        number += 1
        if len(line) == RECORD_MAX and not line.endswith("\n"):
            raise UnreadableUpload(_("Line %(line)d is longer than a record can be.", line=number))
        if line.strip():
            try:
                yield number, json.loads(line)
            except ValueError:
                yield number, None


def _array(text: io.TextIOWrapper) -> Iterator[tuple[int, Any]]:
    """The elements of a JSON array, decoded one at a time from a buffer that holds at most one element and a chunk."""
    decoder = json.JSONDecoder()
    buffer, position, ended = "", 0, False

    def more() -> bool:
        nonlocal buffer, position, ended
        chunk = text.read(CHUNK)
        buffer, position, ended = buffer[position:] + chunk, 0, not chunk
        return bool(chunk)

    def skip_space() -> str:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in " \t\r\n\ufeff":
                position += 1
            if position < len(buffer) or not more():
                return buffer[position:position + 1]

    if skip_space() != "[":
        raise _not_an_export()
    position += 1
    number = 0
    while True:
        mark = skip_space()
        if mark == "]" and number == 0:
            return
        number += 1
        while True:
            try:
                value, end = decoder.raw_decode(buffer, position)
                break
            except ValueError:
                if ended or len(buffer) - position > RECORD_MAX or not more():
                    raise UnreadableUpload(_("Record %(number)d of the file cannot be read as JSON.",
                                             number=number)) from None
        position = end
        yield number, value
        mark = skip_space()
        position += 1
        if mark == "]":
            return
        if mark != ",":
            raise UnreadableUpload(_("Record %(number)d of the file cannot be read as JSON.", number=number))


def _captured_order(value) -> tuple:
    moment = records.moment_of(value.get("captured_at")) if isinstance(value, dict) else None
    return (moment or datetime.max.replace(tzinfo=UTC),)


def import_records(upload: IO[bytes], actor: User, now: datetime) -> ImportReport:
    """Store the records of an exported file as if each had been sent from its phone, in capture order; returns
    what was done. Raises ``UnreadableUpload`` (nothing written) for a file that cannot be read, or that holds more
    than MAX_RECORDS records. Audited (one entry: the counts, never the records)."""
    report = ImportReport()
    values = []
    for position, value in read_exported(upload):
        values.append((position, value))
        if len(values) > MAX_RECORDS:
            raise UnreadableUpload(_("The file holds more than %(max)d records: import it in parts.",
                                     max=MAX_RECORDS))
    report.read = len(values)
    values.sort(key=lambda item: (_captured_order(item[1]), item[0]))
    devices: dict[int, tuple[Device, User] | None] = {}
    for position, value in values:
        _import_one(report, devices, position, value, actor, now)
    audit(AuditAction.SYNC_FILE_IMPORTED, actor=actor, subject_type=None, branch_id=actor.branch_id, now=now,
          details={"read": report.read, "received": report.received, "needs_review": report.needs_review,
                   "already": report.already, "refused": len(report.refused)})
    return report


def _device(devices: dict, value: Any, now: datetime) -> tuple[Device, User] | None:
    device_id = value.get("device_id")
    if isinstance(device_id, bool) or not isinstance(device_id, int) or not 0 < device_id < 2**31:
        return None
    if device_id not in devices:
        found = db.session.execute(select(Device, User).join(User, User.id == Device.officer_id)
                                   .where(Device.id == device_id)).first()
        devices[device_id] = (found[0], found[1]) if found else None
        if found:
            hold_device(found[0], now)
    return devices[device_id]


def _import_one(report: ImportReport, devices: dict, position: int, value: Any, actor: User, now: datetime) -> None:
    if not isinstance(value, dict):
        report.refused.append(RefusedRecord(position, "", _("This record is not a JSON object.")))
        return
    raw_key = value.get("key")
    key = raw_key if isinstance(raw_key, str) else ""
    found = _device(devices, value, now)
    if found is None:
        report.refused.append(RefusedRecord(position, key[:64], _("No phone has this device_id.")))
        return
    device, officer = found
    try:
        key = records.read_key(value)
        stored = records.stored_record(key)
        if stored is not None:
            records.replay(stored, officer)
            report.already += 1
            return
        kept = records.store(device, officer, records.read_envelope(value, key), now, imported_by=actor)
    except records.Unstorable as unstorable:
        why = unstorable.error + (" " + " ".join(unstorable.fields.values()) if unstorable.fields else "")
        report.refused.append(RefusedRecord(position, key[:64], why))
        return
    if kept.status == SyncStatus.RECEIVED:
        report.received += 1
    else:
        report.needs_review += 1
