"""Changing a sign-up after the fact: corrections, voiding, and revealing its NIK, each audited.

An officer may correct or void a sign-up they recorded on the day they recorded it; later, only a
coordinator of its branch or an administrator may. A void sign-up changes no more. The NIK, sex, birth
date and payer are never corrected: the sign-up is voided (which frees its NIK) and recorded again.
"""

from datetime import UTC, date, datetime

from campaign_app.access import visible_branch_ids
from campaign_app.audit.service import record as audit
from campaign_app.clock import WITA
from campaign_app.forms import CONTROL_CHARACTERS
from campaign_app.i18n import gettext as _
from campaign_app.models import AuditAction, Role, SignUp, SignUpStatus, User
from campaign_app.signups.contributions import compute_contribution
from campaign_app.signups.personal_data import decrypt_nik
from campaign_app.signups.service import (
    check_choices,
    check_income,
    check_low_income,
    check_name_and_phone,
    name_key,
)
from campaign_app.validation import Refused

REASON_MAX = 500
SUBJECT = "signup"


def _wita_date(moment: datetime) -> date:
    # SQLite gives back naive datetimes; they were stored in UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(WITA).date()


def _of_visible_branch(signup: SignUp, user: User) -> bool:
    visible = visible_branch_ids(user)
    return visible is None or signup.branch_id in visible


def may_change(signup: SignUp, user: User, today: date) -> bool:
    """Whether ``user`` may correct or void ``signup`` on ``today`` (a WITA date).

    Its officer on the day they recorded it; a coordinator of its branch and an administrator at any
    time; nobody once it is void.
    """
    if signup.status == SignUpStatus.VOID:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.COORDINATOR:
        return _of_visible_branch(signup, user)
    if user.role == Role.OFFICER:
        return signup.officer_id == user.id and _wita_date(signup.created_at) == today
    return False


def may_reveal(signup: SignUp, user: User) -> bool:
    """Whether ``user`` may see ``signup``'s NIK in full: coordinators of its branch and administrators."""
    return user.role in (Role.ADMIN, Role.COORDINATOR) and _of_visible_branch(signup, user)


def _refuse_unless_allowed(signup: SignUp, actor: User, today: date) -> None:
    if signup.status == SignUpStatus.VOID:
        raise Refused.on(None, _("This sign-up is void and can no longer be changed."))
    if not may_change(signup, actor, today):
        raise Refused.on(None, _("Only a coordinator can change this sign-up now: an officer may change a "
                                 "sign-up only on the day they recorded it."))


def correct_signup(signup: SignUp, actor: User, *, full_name: str, phone: str | None, occupation: str | None,
                   sector: str | None, with_jht: bool, declared_income: int | None, today: date,
                   now: datetime, income_confirmed: bool = False) -> dict:
    """Correct the worker's name, phone, occupation, sector, JHT choice or income; returns what changed.

    The fields are checked as ``record_signup`` checks them. The contribution is computed again from the
    rate table the sign-up was recorded under, never a later one. Changed fields are audited as
    ``{field: [before, after]}``; when nothing changed, nothing is written or audited.
    """
    _refuse_unless_allowed(signup, actor, today)
    errors: dict[str | None, list[str]] = {}
    name, e164 = check_name_and_phone(errors, full_name, phone)
    check_choices(errors, occupation, sector, signup.payer)
    check_income(errors, declared_income)
    if declared_income != signup.declared_income:
        check_low_income(errors, declared_income, income_confirmed, signup.rate_table)
    if errors:
        raise Refused(errors)

    # Rate tables have unique start dates: asking for the day this one started finds this very table.
    contribution = compute_contribution(declared_income, bool(with_jht), signup.rate_table.effective_from)
    after = {
        "full_name": name, "phone": e164, "occupation": occupation, "sector": sector, "has_jht": bool(with_jht),
        "declared_income": declared_income, "jkk_contribution": contribution.jkk,
        "jht_contribution": contribution.jht,
    }
    changes = {field: [getattr(signup, field), value] for field, value in after.items()
               if getattr(signup, field) != value}
    if not changes:
        return {}
    for field, (_before, value) in changes.items():
        setattr(signup, field, value)
    if "full_name" in changes:
        signup.name_key = name_key(name)
    signup.updated_at = now
    audit(AuditAction.SIGNUP_CORRECTED, actor=actor, subject_type=SUBJECT, subject_id=signup.id,
                         branch_id=signup.branch_id, details=changes, now=now)
    return changes


def void_signup(signup: SignUp, actor: User, reason: str | None, today: date, now: datetime) -> None:
    """Void ``signup`` for ``reason`` (required, at most 500 characters): it no longer counts, and its NIK
    may be registered again. An activated sign-up (the worker has paid) cannot be voided."""
    _refuse_unless_allowed(signup, actor, today)
    if signup.status == SignUpStatus.ACTIVATED:
        raise Refused.on(None, _("This worker has paid already: an activated sign-up cannot be voided."))
    reason = (reason or "").strip()
    if not reason:
        raise Refused.on("reason", _("Give the reason for voiding."))
    if len(reason) > REASON_MAX:
        raise Refused.on("reason", _("At most %(max)d characters.", max=REASON_MAX))
    if CONTROL_CHARACTERS.search(reason):
        raise Refused.on("reason", _("Remove the special (control) characters."))
    before = signup.status
    signup.status = SignUpStatus.VOID
    signup.void_reason = reason
    signup.updated_at = now
    audit(AuditAction.SIGNUP_VOIDED, actor=actor, subject_type=SUBJECT, subject_id=signup.id,
                         branch_id=signup.branch_id, details={"status": [before, SignUpStatus.VOID.value],
                                                             "reason": reason}, now=now)


def reveal_nik(signup: SignUp, actor: User, now: datetime) -> str:
    """The full NIK of ``signup``, for a coordinator of its branch or an administrator; the reveal is audited."""
    if not may_reveal(signup, actor):
        raise Refused.on(None, _("Only coordinators and administrators can see a full NIK."))
    audit(AuditAction.NIK_REVEALED, actor=actor, subject_type=SUBJECT, subject_id=signup.id,
                         branch_id=signup.branch_id, now=now)
    return decrypt_nik(signup.nik_ciphertext)
