"""What a visit achieved, as its pages show it: sign-ups by status, attendance, the latest sign-ups.

Apart from the fieldwork service, so that the coordinators' visit page can show it without importing
the service (which itself builds on the visits' service).
"""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from campaign_app.extensions import db
from campaign_app.models import SignUp, SignUpStatus, Visit, VisitStatus
from campaign_app.paging import Page
from campaign_app.villages.lapsing import lapse_standing, lapsing_participants

# A visit's page lists at most this many sign-ups, newest first (the summary counts them all).
SIGNUP_LIST_LIMIT = 50
# Participants to look for listed on a visit's page (the page's budget); the rest are counted.
LOOK_FOR_LIMIT = 30
# Columns the visit's sign-up list shows: the encrypted NIK is never read for it.
_LIST_COLUMNS = (SignUp.id, SignUp.nik_last4, SignUp.full_name, SignUp.occupation, SignUp.status,
                 SignUp.review, SignUp.created_at)


@dataclass(frozen=True)
class VisitSummary:
    """What a visit achieved: sign-ups (void ones left out) by status, attendance, and conversion."""

    by_status: dict[str, int] = field(default_factory=dict)
    women: int | None = None
    men: int | None = None

    @property
    def signups(self) -> int:
        return sum(self.by_status.values())

    @property
    def attendance(self) -> int | None:
        if self.women is None and self.men is None:
            return None
        return (self.women or 0) + (self.men or 0)

    @property
    def conversion(self) -> float | None:
        """Sign-ups ÷ attendance; None when nobody (or no count) was recorded."""
        return self.signups / self.attendance if self.attendance else None


def visit_summary(visit: Visit) -> VisitSummary:
    """The visit's sign-ups (void ones left out) counted by status, with its attendance. One statement."""
    rows = db.session.execute(
        select(SignUp.status, func.count()).where(SignUp.visit_id == visit.id, SignUp.status != SignUpStatus.VOID)
        .group_by(SignUp.status)
    ).all()
    order = [s.value for s in SignUpStatus]
    by_status = dict(sorted(((status, count) for status, count in rows),
                            key=lambda item: order.index(item[0]) if item[0] in order else len(order)))
    return VisitSummary(by_status=by_status, women=visit.attendance_women, men=visit.attendance_men)


def visit_signups(visit: Visit, limit: int = SIGNUP_LIST_LIMIT) -> list[SignUp]:
    """The sign-ups recorded at ``visit``, newest first (at most ``limit``), with only what the list shows:
    masked NIK, name, occupation, status. One statement."""
    return list(db.session.scalars(
        select(SignUp).options(load_only(*_LIST_COLUMNS, raiseload=True))
        .where(SignUp.visit_id == visit.id)
        .order_by(SignUp.created_at.desc(), SignUp.id.desc()).limit(limit)
    ))


def participants_to_look_for(visit: Visit) -> Page | None:
    """The first ``LOOK_FOR_LIMIT`` participants of the visit's village and branch who have lapsed or are one month
    from lapsing (``villages.lapsing``), for a visit planned or in progress: the officer looks for them at the
    meeting, and the visit's page the phone stores holds them. None for a visit behind, or before any payment
    file. Three statements at most."""
    if visit.status not in (VisitStatus.PLANNED, VisitStatus.IN_PROGRESS):
        return None
    standing = lapse_standing()
    if standing is None:
        return None
    return lapsing_participants(visit.village_code, {visit.branch_id}, standing, per_page=LOOK_FOR_LIMIT)
