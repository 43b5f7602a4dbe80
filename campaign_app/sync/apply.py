"""Applying a synced record through the same services as the online forms, judged as of its capture.

A record is read by the online form it stands for (``SignUpForm``, ``AttendanceForm``: the same field names and the
same parsing), then handed to the same service (``record_signup``, ``start_visit``, ``record_attendance``,
``close_visit``), so the same rules hold. Sign-ups take the record's key as their ``form_key``: the same form saved
online and synced never makes two.

Judged as of its capture: the day in WITA of ``captured_at`` is the service's ``today`` (the rate table, the
consent text and the subsidy period in force when the worker signed) and ``captured_at`` its ``now``. What changed
between the capture and the arrival is never refused: the record is stored for review with its reason
(``Applied.needs_review``):

- ``nik_registered``: the NIK was registered meanwhile (elsewhere, or in the branch);
- ``quota_used``: the subsidy programme's quota was used up meanwhile;
- ``rates_changed``: the phone showed another rate table than the one in force on the capture day (when it sends
  ``rate_table_id`` in ``data``, the table it computed the contribution with);
- ``consent_changed``: the phone showed an older consent text than the one in force on the capture day;
- ``visit_closed``: the visit was closed before the capture (a colleague closed it meanwhile); a sign-up captured
  while the visit was still open is stored on the closed visit, as it would have been with signal;
- ``visit_reopened``: a close captured before a coordinator reopened the visit does not close it again;
- ``visit_not_open``, ``not_assigned``, ``clock`` (the phone's clock ahead of the server's), ``invalid`` (fields the
  form refuses: the phone checks the same rules, so this is rare), ``refused`` (any other refusal).

Quotas are spent in capture order as far as the server can know it: one device's requests are applied one at a
time (``devices.hold_device``) and the phone sends its records oldest first, waiting for each answer, so a phone's
records spend places in the order they were captured; an import sorts its file by capture time. Places are never
overrun: a record captured earlier than a sign-up that took the last place, but arriving after it (from another
phone, still without signal then), finds the quota used and waits for review; the review names why.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from campaign_app.extensions import db
from campaign_app.fieldwork.forms import AttendanceForm
from campaign_app.fieldwork.service import close_visit, is_assigned, record_attendance, start_visit, wita_day
from campaign_app.ids import parse_id
from campaign_app.models import (
    AuditAction,
    AuditEntry,
    RateTable,
    SubsidyProgramme,
    SyncKind,
    SyncRecord,
    SyncStatus,
    User,
    Visit,
    VisitStatus,
)
from campaign_app.signups.consent import consent_text_on
from campaign_app.signups.contributions import rates_in_force
from campaign_app.signups.forms import SignUpForm
from campaign_app.signups.lookup import audit_refused_duplicate
from campaign_app.signups.service import DuplicateNik, field_errors, record_signup, remaining_quota
from campaign_app.validation import Refused


@dataclass(frozen=True)
class Applied:
    """What applying a record came to: its status, and for one that needs review the conflict and its reason."""

    status: SyncStatus
    reason_code: str | None = None
    reason: str | None = None
    signup_id: int | None = None

    @classmethod
    def needs_review(cls, code: str, messages) -> "Applied":
        text = " ".join(str(message) for message in messages) if not isinstance(messages, str) else messages
        return cls(SyncStatus.NEEDS_REVIEW, code, text)


RECEIVED = Applied(SyncStatus.RECEIVED)
# A phone's clock this far ahead of the server's is wrong, not early.
CLOCK_SKEW = timedelta(minutes=10)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; they were stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def captured(record: SyncRecord) -> datetime:
    """When the record was captured (aware, UTC)."""
    moment = aware(record.captured_at)
    assert moment is not None
    return moment


def form_data(data: dict) -> MultiDict:
    """``data`` as a form post: booleans as a ticked box (or none), lists as repeated fields, nulls left out."""
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None or item is False:
                continue
            if item is True:
                item = "y"
            elif isinstance(item, float) and item.is_integer():
                # 1500000.0 is not "1500000.0": in Indonesian writing the dot separates thousands.
                item = int(item)
            pairs.append((name, str(item)))
    return MultiDict(pairs)


def _messages(errors: dict) -> list[str]:
    return [str(message) for messages in errors.values() for message in messages]


def apply_record(record: SyncRecord, visit: Visit, officer: User, data: dict, now: datetime, *,
                 accepting: bool = False) -> Applied:
    """Apply ``record`` (captured by ``officer`` at ``visit``, holding ``data``) through the online services, in a
    savepoint: what a refusal would have half written is undone, and the refusal becomes the reason to review.

    ``accepting``: a coordinator accepts it after review: the capture-time checks that only ask for a look
    (the rates shown, the phone's clock, a close captured before a reopen, a visit closed before the capture) are
    taken as seen; the services' own rules still hold.
    """
    if not is_assigned(visit, officer):
        return Applied.needs_review("not_assigned", _("%(officer)s is not assigned to this visit (any more).",
                                                      officer=officer.full_name))
    if not accepting and captured(record) > now + CLOCK_SKEW:
        return Applied.needs_review("clock", _(
            "The phone's clock is ahead: this record says it was captured on %(captured)s, later than now.",
            captured=format_datetime(captured(record), "medium")))
    apply = APPLIERS[SyncKind(record.kind)]
    return apply(record, visit, officer, data, accepting)


def _signup(record: SyncRecord, visit: Visit, officer: User, data: dict, accepting: bool) -> Applied:
    day = wita_day(captured(record))
    form = SignUpForm(formdata=form_data(data), meta={"csrf": False})
    read = form.validate()
    values = form.values()
    if not read:
        errors = {field.name: field.errors for field in form if field.errors}
        later = field_errors(**{k: v for k, v in values.items() if k != "with_jht"}, today=day)
        errors.update({name: messages for name, messages in later.items() if name not in errors})
        return Applied.needs_review("invalid", _messages(errors))
    closed_at = aware(visit.closed_at)
    captured_while_open = visit.status == VisitStatus.DONE and closed_at is not None \
        and captured(record) <= closed_at
    if visit.status == VisitStatus.DONE and not (accepting or captured_while_open):
        return Applied.needs_review("visit_closed", _(
            "The visit was closed on %(closed)s, before this sign-up was captured (%(captured)s).",
            closed=format_datetime(closed_at, "medium") if closed_at else "—",
            captured=format_datetime(captured(record), "medium")))
    if not accepting:
        changed = _rates_changed(data, day)
        if changed:
            return Applied.needs_review("rates_changed", changed)
    try:
        with db.session.begin_nested():
            outcome = record_signup(visit=visit, officer=officer, form_key=record.key, **values, today=day,
                                    now=captured(record), closed_visit_ok=accepting or captured_while_open)
    except DuplicateNik as duplicate:
        # The reason tells the officer the NIK is registered: audited like the online form's refusal.
        audit_refused_duplicate(duplicate.existing_id, officer, record.received_at)
        return Applied.needs_review("nik_registered", _messages(duplicate.errors))
    except Refused as refused:
        return Applied.needs_review(_refusal_code(refused, values, visit, day), _messages(refused.errors))
    return Applied(SyncStatus.RECEIVED, signup_id=outcome.signup.id)


def _rates_changed(data: dict, day) -> str | None:
    """Why the contribution the phone showed is not the one charged: it computed it with another rate table than
    the one in force on the capture day. None when it names none, or the right one."""
    raw = data.get("rate_table_id")
    shown_id = raw if isinstance(raw, int) and not isinstance(raw, bool) else parse_id(raw if isinstance(raw, str)
                                                                                       else None)
    if shown_id is None:
        return None
    in_force = rates_in_force(day)
    if in_force is None or in_force.id == shown_id:
        return None
    shown = db.session.get(RateTable, shown_id)
    return _("The contribution rates changed: the phone showed those in force from %(shown)s, but on %(day)s those "
             "in force from %(in_force)s applied. Check the contribution with the worker.",
             shown=format_date(shown.effective_from) if shown else "?", day=format_date(day),
             in_force=format_date(in_force.effective_from))


def _refusal_code(refused: Refused, values: dict, visit: Visit, day) -> str:
    """Which conflict a refusal of ``record_signup`` stands for."""
    if "subsidy_programme" in refused.errors and values.get("subsidy_programme_id"):
        programme = db.session.get(SubsidyProgramme, values["subsidy_programme_id"])
        if programme is not None and remaining_quota(programme) == 0:
            return "quota_used"
    if "consent" in refused.errors and values.get("consent") \
            and values.get("consent_version") != consent_text_on(day).version:
        return "consent_changed"
    if None in refused.errors and db.session.scalar(select(Visit.status).where(Visit.id == visit.id)) \
            != VisitStatus.IN_PROGRESS:
        return "visit_not_open"
    return "refused"


def _attendance(record: SyncRecord, visit: Visit, officer: User, data: dict, accepting: bool) -> Applied:
    form = AttendanceForm(formdata=form_data(data), meta={"csrf": False})
    if not form.validate():
        return Applied.needs_review("invalid", _messages({f.name: f.errors for f in form if f.errors}))
    if _later_attendance(record):
        # Attendance is replaced by each recording: one captured earlier must not overwrite one captured later.
        return Applied(SyncStatus.RECEIVED, "superseded", _(
            "A later attendance of this visit was received already: this one is kept, not applied."))
    try:
        with db.session.begin_nested():
            record_attendance(visit, officer, form.women.data, form.men.data, form.obstacles.data, form.notes.data)
    except Refused as refused:
        code = "visit_not_open" if visit.status != VisitStatus.IN_PROGRESS else "refused"
        return Applied.needs_review(code, _messages(refused.errors))
    return RECEIVED


def _later_attendance(record: SyncRecord) -> bool:
    return (db.session.scalar(
        select(func.count()).select_from(SyncRecord)
        .where(SyncRecord.visit_id == record.visit_id, SyncRecord.kind == SyncKind.ATTENDANCE,
               SyncRecord.status == SyncStatus.RECEIVED, SyncRecord.captured_at > captured(record))
    ) or 0) > 0


def _visit_started(record: SyncRecord, visit: Visit, officer: User, data: dict, accepting: bool) -> Applied:
    if visit.status in (VisitStatus.IN_PROGRESS, VisitStatus.DONE):
        # Started already (by a colleague, or online), or even closed: the start happened, nothing to do.
        return RECEIVED
    try:
        with db.session.begin_nested():
            start_visit(visit, officer, captured(record))
    except Refused as refused:
        return Applied.needs_review("visit_not_open", _messages(refused.errors))
    return RECEIVED


def _visit_closed(record: SyncRecord, visit: Visit, officer: User, data: dict, accepting: bool) -> Applied:
    reopened = aware(db.session.scalar(
        select(func.max(AuditEntry.at)).where(AuditEntry.action == AuditAction.VISIT_REOPENED,
                                              AuditEntry.subject_type == "visit", AuditEntry.subject_id == visit.id)))
    if not accepting and reopened is not None and reopened > captured(record):
        return Applied.needs_review("visit_reopened", _(
            "A coordinator reopened the visit on %(reopened)s, after this close was captured (%(captured)s): the "
            "visit stays open.", reopened=format_datetime(reopened, "medium"),
            captured=format_datetime(captured(record), "medium")))
    try:
        with db.session.begin_nested():
            close_visit(visit, officer, captured(record))
    except Refused as refused:
        return Applied.needs_review("visit_not_open", _messages(refused.errors))
    return RECEIVED


APPLIERS = {SyncKind.SIGNUP: _signup, SyncKind.ATTENDANCE: _attendance, SyncKind.VISIT_STARTED: _visit_started,
            SyncKind.VISIT_CLOSED: _visit_closed}
