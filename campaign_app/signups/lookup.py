"""Looking a NIK up for an officer: whether it is registered, told as much as the officer's branch may know.

The NIK check answers while an officer types, so anyone with an officer's account could ask it about many NIKs.
Each look-up is audited (who asked, when, and which sign-up it found: never the NIK), the route throttles it
per user, and a NIK registered in another branch is answered only with that fact and whom to call there: not
the day, the village or the officer of the registration.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from campaign_app.audit.service import record
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import AuditAction, Branch, Role, SignUp, SignUpStatus, User, Village
from campaign_app.signups.personal_data import nik_index

# A branch's coordinators named as its contacts: a few are enough to call.
CONTACTS_MAX = 3


@dataclass(frozen=True)
class Registration:
    """What an officer is told of a NIK's live registration.

    In their own branch: the masked NIK, the day and the village. In another branch: only its name and its
    coordinators to call (``elsewhere``), the rest left None.
    """

    branch: str
    elsewhere: bool
    contacts: tuple[str, ...] = ()
    masked_nik: str | None = None
    created_at: datetime | None = None
    village: str | None = None


def branch_contacts(branch_id: int) -> tuple[str, ...]:
    """The names of the active coordinators of a branch, whom an officer of another branch may call."""
    return tuple(db.session.scalars(
        select(User.full_name).where(User.branch_id == branch_id, User.role == Role.COORDINATOR, User.active)
        .order_by(User.full_name).limit(CONTACTS_MAX)
    ))


def registration_for(signup: SignUp, officer: User) -> Registration:
    """What ``officer`` may be told of the registration ``signup``: all of it in their branch, else whom to call."""
    branch = db.session.scalar(select(Branch.name).where(Branch.id == signup.branch_id)) or ""
    if signup.branch_id != officer.branch_id:
        return Registration(branch=branch, elsewhere=True, contacts=branch_contacts(signup.branch_id))
    village = db.session.scalar(select(Village.name).where(Village.code == signup.village_code))
    return Registration(branch=branch, elsewhere=False, masked_nik=signup.masked_nik, created_at=signup.created_at,
                        village=village)


def elsewhere_message(registration: Registration) -> str:
    """What an officer of another branch is told: the NIK is registered, and whom to call (no day, no village)."""
    if registration.contacts:
        return _("This NIK is registered in another branch. To check it, call the coordinator of %(branch)s: "
                 "%(names)s.", branch=registration.branch, names="; ".join(registration.contacts))
    return _("This NIK is registered in another branch. To check it, call the office of %(branch)s.",
             branch=registration.branch)


def _audit(officer: User, signup_branch: tuple[int, int] | None, now: datetime) -> None:
    signup_id, branch_id = signup_branch if signup_branch else (None, officer.branch_id)
    record(AuditAction.NIK_LOOKED_UP, actor=officer, subject_type="signup" if signup_id else None,
           subject_id=signup_id, branch_id=branch_id,
           details={"registered": signup_id is not None,
                    "other_branch": signup_id is not None and branch_id != officer.branch_id}, now=now)


def audit_refused_duplicate(signup_id: int, officer: User, now: datetime) -> None:
    """Audit a sign-up refused because its NIK is registered (as ``signup_id``): the refusal told the officer as
    much as a look-up, so it is recorded as one. Called after the refused sign-up was rolled back."""
    branch_id = db.session.scalar(select(SignUp.branch_id).where(SignUp.id == signup_id))
    _audit(officer, (signup_id, branch_id) if branch_id is not None else None, now)


def look_up_nik(nik: str, officer: User, now: datetime) -> Registration | None:
    """The live registration of a (clean, 16-digit) NIK as ``officer`` may know it, or None; audited either way.

    The audit entry names the sign-up found (and its branch, so that branch sees who asked about its workers), or
    the officer's own branch when none was found; it never holds the NIK.
    """
    signup = db.session.scalar(
        select(SignUp).where(SignUp.nik_index == nik_index(nik), SignUp.status != SignUpStatus.VOID))
    _audit(officer, (signup.id, signup.branch_id) if signup else None, now)
    return registration_for(signup, officer) if signup is not None else None
