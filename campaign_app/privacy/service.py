"""Data-subject requests (UU PDP 27/2022): find a person by NIK, export what is stored about them, erase them.

A person is the sign-ups sharing one NIK's blind index, live and void, and the records from phones that hold the NIK
while they wait for review. Each look-up, export and erasure is audited (who, when, which sign-ups; never the NIK).
An erasure replaces every personal field of the person's sign-ups, scrubs the personal data from their audit entries
and discards their waiting records, but keeps what the summaries count (visit, officer, programme, occupation, payer,
sex, status), so every count and roll-up stays right; it is written through the session, which keeps the summaries.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from campaign_app.audit.service import record
from campaign_app.extensions import db
from campaign_app.forms import CONTROL_CHARACTERS
from campaign_app.i18n import gettext as _
from campaign_app.models import (
    AuditAction,
    AuditEntry,
    Resolution,
    SignUp,
    SyncRecord,
    SyncStatus,
    User,
    Village,
    Visit,
)
from campaign_app.signups.personal_data import decrypt_nik, encrypt_nik, nik_index
from campaign_app.sync.review import forget_data, payload
from campaign_app.validation import Refused

SUBJECT = "signup"
# What an erased sign-up's name, name key and free text become: data, in the language of the records.
ERASED = "(dihapus)"
ERASED_LAST4 = "0000"
# The word an administrator types to confirm an erasure: it cannot be undone.
CONFIRMATION = "HAPUS"
REASON_MAX = 500
# Keys of an audit entry's details that hold a person's data (a correction's old and new name or phone, a void's
# free-text reason, the keyed birth index of the generic entry of a new sign-up).
PERSONAL_DETAILS = frozenset({"full_name", "phone", "reason", "void_reason", "birth_index", "name_key",
                              "nik_last4"})


@dataclass(frozen=True)
class Person:
    """The sign-ups of one NIK, oldest first (live and void), each with its visit, village and campaign; and the
    records from phones holding the NIK that wait for review (``waiting``)."""

    signups: list[SignUp]
    waiting: list[SyncRecord] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [signup.id for signup in self.signups]

    @property
    def first_id(self) -> int:
        """The opaque id that names the person in the export's and erasure's addresses (never the NIK)."""
        return self.signups[0].id


def clean_nik(typed: str | None) -> str:
    """A NIK as typed (spaces, dots, dashes allowed), cleaned; ``Refused`` on the field unless 16 digits."""
    nik = "".join(ch for ch in (typed or "") if not ch.isspace() and ch not in ".-")
    if len(nik) != 16 or not nik.isdigit():
        raise Refused.on("nik", _("A NIK has exactly 16 digits."))
    return nik


def _signups_with_index(index: str) -> list[SignUp]:
    return list(db.session.scalars(
        select(SignUp)
        .options(joinedload(SignUp.visit).joinedload(Visit.village).joinedload(Village.district),
                 joinedload(SignUp.visit).joinedload(Visit.campaign), joinedload(SignUp.officer),
                 joinedload(SignUp.subsidy_programme))
        .where(SignUp.nik_index == index).order_by(SignUp.created_at, SignUp.id)
    ).unique())


def _waiting_with_index(index: str) -> list[SyncRecord]:
    return list(db.session.scalars(
        select(SyncRecord).where(SyncRecord.nik_index == index, SyncRecord.status == SyncStatus.NEEDS_REVIEW,
                                 SyncRecord.resolution.is_(None)).order_by(SyncRecord.captured_at, SyncRecord.id)))


def find_person(typed_nik: str, actor: User, now: datetime) -> Person | None:
    """The person with this NIK (their sign-ups, live and void, and the records from phones waiting for review that
    hold it), or None; audited either way.

    One entry per sign-up found (so each sign-up's history shows who looked its person up), or one entry naming no
    sign-up when none was found (with how many waiting records hold the NIK). The NIK is in no entry, not even
    masked: it would outlive an erasure.
    """
    index = nik_index(clean_nik(typed_nik))
    signups, waiting = _signups_with_index(index), _waiting_with_index(index)
    if not signups:
        record(AuditAction.DATA_SUBJECT_LOOKED_UP, actor=actor, details={"found": 0, "waiting": len(waiting)},
               now=now)
        return Person([], waiting) if waiting else None
    for signup in signups:
        record(AuditAction.DATA_SUBJECT_LOOKED_UP, actor=actor, subject_type=SUBJECT, subject_id=signup.id,
               branch_id=signup.branch_id, details={"found": len(signups)}, now=now)
    return Person(signups, waiting)


def person_of(signup_id: int) -> Person | None:
    """The person whose sign-up is ``signup_id`` (every sign-up under the same NIK), or None for no such sign-up."""
    index = db.session.scalar(select(SignUp.nik_index).where(SignUp.id == signup_id))
    return Person(_signups_with_index(index), _waiting_with_index(index)) if index is not None else None


# --- export ---------------------------------------------------------------------------------------

def _moment(value) -> str | None:
    return value.isoformat() if value is not None else None


def _signup_data(signup: SignUp, history: list[AuditEntry]) -> dict:
    visit, programme = signup.visit, signup.subsidy_programme
    nik = decrypt_nik(signup.nik_ciphertext)
    return {
        "signup_id": signup.id,
        # An erased sign-up's ciphertext holds the erasure mark, no NIK.
        "nik": nik if nik != ERASED else None,
        "full_name": signup.full_name, "sex": signup.sex, "birth_year": signup.birth_year, "phone": signup.phone,
        "occupation": signup.occupation, "sector": signup.sector, "declared_income": signup.declared_income,
        "programmes": {"jkk": signup.jkk_contribution, "jkm": signup.jkm_contribution,
                       "jht": signup.jht_contribution if signup.has_jht else None},
        "monthly_contribution": signup.monthly_contribution,
        "payer": signup.payer, "subsidy_programme": programme.name if programme else None,
        "consent_at": _moment(signup.consent_at), "status": signup.status,
        "first_payment_on": _moment(signup.first_payment_on), "void_reason": signup.void_reason,
        "recorded_at": _moment(signup.created_at), "changed_at": _moment(signup.updated_at),
        "recorded_by": signup.officer.full_name,
        "visit": {"id": visit.id, "date": _moment(visit.visit_date), "campaign": visit.campaign.name,
                  "village": visit.village.name, "village_code": visit.village_code,
                  "district": visit.village.district.name},
        "history": [{"at": _moment(entry.at), "action": entry.action,
                     "by": entry.actor.full_name if entry.actor else None, "details": entry.details}
                    for entry in history],
    }


def _histories(ids: list[int]) -> dict[int | None, list[AuditEntry]]:
    histories: dict[int | None, list[AuditEntry]] = {id_: [] for id_ in ids}
    for entry in db.session.scalars(
            select(AuditEntry).options(joinedload(AuditEntry.actor))
            .where(AuditEntry.subject_type == SUBJECT, AuditEntry.subject_id.in_(ids))
            .order_by(AuditEntry.at, AuditEntry.id)):
        histories[entry.subject_id].append(entry)
    return histories


def export_person(person: Person, actor: User, now: datetime) -> dict:
    """Everything stored about ``person``, NIK in clear, as JSON-ready data: each sign-up's fields, visit, village,
    programme, contribution, status, consent time and the audit entries about it. Audited per sign-up first, so
    the export lists its own entry."""
    for signup in person.signups:
        record(AuditAction.DATA_SUBJECT_EXPORTED, actor=actor, subject_type=SUBJECT, subject_id=signup.id,
               branch_id=signup.branch_id, now=now)
    histories = _histories(person.ids)
    return {"exported_at": now.isoformat(), "exported_by": actor.full_name,
            "signups": [_signup_data(signup, histories[signup.id]) for signup in person.signups],
            "records_waiting_for_review": [_waiting_data(waiting) for waiting in person.waiting]}


def _waiting_data(waiting: SyncRecord) -> dict:
    return {"captured_at": _moment(waiting.captured_at), "received_at": _moment(waiting.received_at),
            "visit_id": waiting.visit_id, "reason": waiting.reason, "data": payload(waiting)}


# --- erasure --------------------------------------------------------------------------------------

def _check_erasure(confirmation: str | None, reason: str | None) -> str:
    errors: dict[str | None, list[str]] = {}
    if (confirmation or "").strip() != CONFIRMATION:
        errors["confirmation"] = [_("Type %(word)s to confirm: an erasure cannot be undone.", word=CONFIRMATION)]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Give the reason for erasing (the request it answers).")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("At most %(max)d characters.", max=REASON_MAX)]
    elif CONTROL_CHARACTERS.search(reason):
        errors["reason"] = [_("Remove the special (control) characters.")]
    if errors:
        raise Refused(errors)
    return reason


def _scrubbed(details: dict) -> dict:
    def scrub(value):
        if isinstance(value, list):
            return [scrub(part) for part in value]
        return ERASED if value is not None else None

    return {key: scrub(value) if key in PERSONAL_DETAILS else value for key, value in details.items()}


def _scrub_history(ids: list[int]) -> None:
    """Replace the personal data in the audit entries about these sign-ups: the name they were written under and
    the personal fields of their details. Who did what, and when, stays."""
    for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.subject_type == SUBJECT, AuditEntry.subject_id.in_(ids))):
        if entry.subject_name is not None:
            entry.subject_name = ERASED
        if PERSONAL_DETAILS & set(entry.details or {}):
            entry.details = _scrubbed(entry.details)  # a new dict: the JSON column sees only reassignment


def erase_person(person: Person, actor: User, *, confirmation: str | None, reason: str | None,
                 now: datetime) -> int:
    """Erase ``person`` on their request: every personal field of their sign-ups replaced, their audit entries
    scrubbed; returns how many sign-ups were erased.

    Refused unless ``confirmation`` is the word HAPUS and a ``reason`` is given. The sign-ups keep counting (visit,
    officer, programme, occupation, payer, sex, status, income and contributions are kept): the name becomes
    ``(dihapus)``, the phone none, the NIK's ciphertext the erasure mark, its blind index and the birth index
    random values that match no NIK (one blind index for the person, so their sign-ups still belong together),
    the last four digits ``0000``, a void reason ``(dihapus)``. The birth year is kept: it is not nullable, it is
    a year alone, and age statistics read it. Audited per sign-up (who, when, the reason; no personal data). The
    person's records from phones waiting for review are discarded, keeping nothing of them.
    """
    reason = _check_erasure(confirmation, reason)
    history_before = person.ids
    _scrub_history(history_before)
    # As text: the log reads a list of two as "before → after".
    erased_together = ", ".join(f"#{id_}" for id_ in person.ids)
    # Recorded before the writes: the entries speak for the sign-ups, whose generic entries (with their old values)
    # are then never written.
    for signup in person.signups:
        record(AuditAction.DATA_SUBJECT_ERASED, actor=actor, subject_type=SUBJECT, subject_id=signup.id,
               branch_id=signup.branch_id, subject_name=ERASED,
               details={"erasure_reason": reason, "signups": erased_together}, now=now)
    erased_index = secrets.token_hex(32)
    erased_nik = encrypt_nik(ERASED)
    for signup in person.signups:
        signup.full_name = ERASED
        signup.name_key = ERASED
        signup.phone = None
        signup.nik_ciphertext = erased_nik
        signup.nik_index = erased_index
        signup.nik_last4 = ERASED_LAST4
        signup.birth_index = secrets.token_hex(32)
        if signup.void_reason is not None:
            signup.void_reason = ERASED
        signup.updated_at = now
    _discard_waiting(person, actor, now)
    db.session.flush()
    return len(person.signups)


def _discard_waiting(person: Person, actor: User, now: datetime) -> None:
    """Discard the person's records waiting for review, keeping nothing of them: an erased person is not signed up
    again from a phone's copy."""
    for waiting in person.waiting:
        waiting.resolution, waiting.resolved_at, waiting.resolved_by_id = Resolution.DISCARDED, now, actor.id
        waiting.resolution_note = ERASED
        forget_data(waiting)
        record(AuditAction.SYNC_RECORD_DISCARDED, actor=actor, subject_type="sync_record", subject_id=waiting.id,
               branch_id=waiting.branch_id, now=now,
               details={"kind": waiting.kind, "reason_code": waiting.reason_code, "reason": ERASED,
                        "captured_at": waiting.captured_at.isoformat()})


def is_erased(signup: SignUp) -> bool:
    """Whether ``signup`` was erased on its person's request."""
    return signup.full_name == ERASED and signup.nik_last4 == ERASED_LAST4
