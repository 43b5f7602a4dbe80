"""The officer's visit day: check in, record attendance, close with a summary; a coordinator reopens.

Status moves go through ``campaign_app.visits.service.change_status``, so the visits' transition table
stays the one authority on which status may follow which; the functions here add who may act and when.

Decisions: attendance is recorded only while a visit is in progress (a closed visit is corrected after
a coordinator reopens it, which is audited); attendance and closing are not tied to the visit's date,
so an officer without signal in the village can finish the next day. Repeated taps (start an ongoing
visit, close a closed one) change nothing and answer as the first tap did.
"""

from datetime import datetime

from flask_babel import format_date

from campaign_app.access import visible_branch_ids
from campaign_app.audit import service as audit_log
from campaign_app.clock import WITA
from campaign_app.database import hold_write_lock
from campaign_app.extensions import db
from campaign_app.fieldwork.summary import VisitSummary, visit_summary
from campaign_app.forms import CONTROL_CHARACTERS
from campaign_app.i18n import gettext as _
from campaign_app.labels import visit_status_label
from campaign_app.models import AuditAction, Obstacle, Role, User, Visit, VisitStatus
from campaign_app.validation import Refused
from campaign_app.visits.service import PLANNERS, REASON_MAX, change_status

# Nobody gathers more people in one village meeting: a larger number is a typing mistake.
ATTENDANCE_MAX = 5000
NOTES_MAX = 2000
# --- who may act ----------------------------------------------------------------------------------

def is_assigned(visit: Visit, user: User) -> bool:
    """Whether ``user`` is one of the officers assigned to ``visit``."""
    return user.role == Role.OFFICER and user.id in {a.officer_id for a in visit.assignments}


def _require_assigned(visit: Visit, officer: User) -> None:
    if not is_assigned(visit, officer):
        raise Refused.on(None, _("Only the officers assigned to this visit can record it."))


def _lock(visit: Visit) -> None:
    """Re-read the visit's fieldwork columns under a row lock (PostgreSQL), so that two taps at once
    are serialised: the second sees what the first did."""
    db.session.flush()  # a refresh would otherwise drop changes not yet written
    hold_write_lock()  # SQLite: no row locks, so the database's write lock
    db.session.refresh(visit, ["status", "status_reason", "checked_in_at", "checked_in_by_id", "closed_at",
                               "attendance_women", "attendance_men", "obstacles", "notes"], with_for_update=True)


def wita_day(moment: datetime):
    """The WITA calendar day of an aware timestamp."""
    return moment.astimezone(WITA).date()


# --- the officer's day ----------------------------------------------------------------------------

def start_visit(visit: Visit, officer: User, now: datetime) -> Visit:
    """Check ``officer`` in at ``visit``: it becomes in progress, with the check-in time and officer.

    Only an officer assigned to the visit, only a planned visit, and only on its date (in WITA).
    Starting a visit already in progress (a double tap, or a colleague was first) changes nothing.
    Refusals raise ``Refused`` with a message for the whole form.
    """
    _require_assigned(visit, officer)
    _lock(visit)
    if visit.status == VisitStatus.IN_PROGRESS:
        return visit
    if visit.status != VisitStatus.PLANNED:
        raise Refused.on(None, _("Only a planned visit can be started; this one is %(status)s.",
                                 status=_status_text(visit.status)))
    day = wita_day(now)
    if day < visit.visit_date:
        raise Refused.on(None, _("This visit starts on %(date)s; you can check in on that day.",
                                 date=format_date(visit.visit_date, "full")))
    if day > visit.visit_date:
        raise Refused.on(None, _("This visit was planned for %(date)s; ask your coordinator to reschedule it.",
                                 date=format_date(visit.visit_date, "full")))
    change_status(visit, VisitStatus.IN_PROGRESS, role=officer.role)
    visit.checked_in_at = now
    visit.checked_in_by_id = officer.id
    db.session.flush()
    return visit


def _count(value, name: str, errors: dict) -> int | None:
    if value is None or value == "":
        errors[name] = [_("Enter a number, 0 if nobody came.")]
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[name] = [_("Enter a whole number.")]
        return None
    if not 0 <= value <= ATTENDANCE_MAX:
        errors[name] = [_("Enter a number from 0 to %(max)d.", max=ATTENDANCE_MAX)]
        return None
    return value


def record_attendance(visit: Visit, officer: User, women, men, obstacles, notes: str | None) -> Visit:
    """Record who came (``women``, ``men``: whole numbers 0..ATTENDANCE_MAX), what got in the way
    (``obstacles``: Obstacle codes, stored comma-separated in the enum's order) and ``notes``
    (at most NOTES_MAX characters, no control characters) on a visit in progress.

    Recording again replaces what was recorded. Refuses (``Refused``, messages per field) an officer not
    assigned, a visit not in progress and bad values; then nothing changes.
    """
    _require_assigned(visit, officer)
    _lock(visit)
    if visit.status != VisitStatus.IN_PROGRESS:
        raise Refused.on(None, _("Attendance is recorded while a visit is in progress; this one is %(status)s.",
                                 status=_status_text(visit.status)))
    errors: dict[str | None, list[str]] = {}
    women = _count(women, "women", errors)
    men = _count(men, "men", errors)
    chosen = set(obstacles or ())
    known = {o.value for o in Obstacle}
    if not chosen <= known:
        errors["obstacles"] = [_("Choose only obstacles listed.")]
    notes = (notes or "").strip() if isinstance(notes, str | None) else None
    if notes is None or len(notes) > NOTES_MAX or CONTROL_CHARACTERS.search(notes):
        errors["notes"] = [_("At most %(max)d characters, without special characters.", max=NOTES_MAX)]
    if errors:
        raise Refused(errors)
    visit.attendance_women = women
    visit.attendance_men = men
    visit.obstacles = ",".join(o.value for o in Obstacle if o.value in chosen) or None
    visit.notes = notes or None
    db.session.flush()
    return visit


def close_visit(visit: Visit, officer: User, now: datetime) -> VisitSummary:
    """Close ``visit``: it becomes done at ``now``; returns its summary.

    Only an officer assigned to it, only in progress, and only once attendance is recorded. Closing a
    visit already done (a double tap, or a colleague was first) changes nothing and returns the summary.
    """
    _require_assigned(visit, officer)
    _lock(visit)
    if visit.status == VisitStatus.DONE:
        return visit_summary(visit)
    if visit.status != VisitStatus.IN_PROGRESS:
        raise Refused.on(None, _("Only a visit in progress can be closed; this one is %(status)s.",
                                 status=_status_text(visit.status)))
    if visit.attendance is None:
        raise Refused.on(None, _("Record the attendance first, then close the visit."))
    change_status(visit, VisitStatus.DONE, role=officer.role)
    visit.closed_at = now
    db.session.flush()
    return visit_summary(visit)


def reopen_visit(visit: Visit, actor: User, reason: str | None, now: datetime) -> Visit:
    """Reopen a done ``visit`` (back to in progress, closing time cleared) for its officers to finish.

    Only a coordinator of the visit's branch or an administrator, and only with a ``reason`` (kept
    with the status and in the audit log). Refuses (``Refused``) anything else; then nothing changes.
    """
    visible = visible_branch_ids(actor)
    if actor.role not in PLANNERS or (visible is not None and visit.branch_id not in visible):
        raise Refused.on(None, _("Only a coordinator of this branch or an administrator can reopen a visit."))
    _lock(visit)
    if visit.status != VisitStatus.DONE:
        raise Refused.on(None, _("Only a closed visit can be reopened; this one is %(status)s.",
                                 status=_status_text(visit.status)))
    reason = (reason or "").strip() if isinstance(reason, str | None) else ""
    if not reason:
        raise Refused.on("reason", _("Give the reason."))
    if len(reason) > REASON_MAX or CONTROL_CHARACTERS.search(reason):
        raise Refused.on("reason", _("At most %(max)d characters, without special characters.", max=REASON_MAX))
    closed_at = visit.closed_at
    change_status(visit, VisitStatus.IN_PROGRESS, reason, role=actor.role)
    visit.closed_at = None
    db.session.flush()
    audit_log.record(AuditAction.VISIT_REOPENED, actor=actor, subject_type="visit", subject_id=visit.id,
                         branch_id=visit.branch_id, now=now,
                         details={"reason": reason, "status": [VisitStatus.DONE.value, VisitStatus.IN_PROGRESS.value],
                                  "closed_at": [closed_at.isoformat() if closed_at else None, None]})
    return visit


def _status_text(status: str) -> str:
    return visit_status_label(status).lower()
