"""Recording a sign-up: the rules a worker's registration must pass, once and only once.

A sign-up is refused (``Refused``, messages per form field) for bad input, a visit that is not the
officer's or not in progress, a NIK registered before, or a subsidy quota that is used up; then
nothing is written. The form's one-time key makes a repeated submit (a double tap, a retry after a
timeout, two requests racing) return the first outcome without storing anything new.

A row typed from a paper sheet (``on_paper``) passes the same rules, with two differences said where they apply:
the visit may be closed already (the worker signed the sheet while it was in progress), and its key, made from the
visit and the sheet's row, refuses the same row entered twice instead of answering with the first outcome.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from flask_babel import format_date, format_decimal
from lokal import parse_phone
from sqlalchemy import String, and_, bindparam, cast, func, literal_column, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from campaign_app.database import hold_write_lock, undone_alone
from campaign_app.extensions import db
from campaign_app.forms import CONTROL_CHARACTERS_IN_LINE
from campaign_app.i18n import gettext as _
from campaign_app.ids import ID_MAX
from campaign_app.models import (
    District,
    Occupation,
    Payer,
    RateTable,
    Review,
    Sector,
    SignUp,
    SignUpStatus,
    SubsidyProgramme,
    User,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.signups.consent import ConsentText, consent_text_on
from campaign_app.signups.contributions import (
    Contribution,
    contribution_under,
    lowest_bracket_income,
    rates_in_force,
)
from campaign_app.signups.lookup import elsewhere_message, registration_for
from campaign_app.signups.nik import NikCheck, check_nik, nik_facts
from campaign_app.signups.personal_data import birth_index, encrypt_nik, nik_index
from campaign_app.subsidies.service import used_places, used_quota
from campaign_app.validation import Refused

NAME_MAX = 120
FORM_KEY_MAX = 64
# Rp1.000.000.000 a month: far above any informal worker's income, and a typo guard.
INCOME_MAX = 1_000_000_000
SEXES = ("L", "P")
# What a script sends for a value it lost: never a person's name.
NOT_NAMES = frozenset({"nan", "null", "undefined", "none", "[object object]", "true", "false"})
# Longer than any way of writing an Indonesian number: refused before parsing.
PHONE_TYPED_MAX = 30
# A paper sheet was signed while the visit was in progress: its rows are entered then, or after the visit is closed.
PAPER_STATUSES = (VisitStatus.IN_PROGRESS, VisitStatus.DONE)


def consent_changed_message() -> str:
    """What a sign-up posted from a form that showed an older consent text is refused with."""
    return _("The consent text has changed since this form was opened: show the worker the new text below and ask "
             "for their consent again.")


@dataclass(frozen=True)
class SignUpOutcome:
    """What a sign-up form's submit did: the sign-up, whether this submit created it, and its near-duplicates."""

    signup: SignUp
    created: bool
    # Other workers with the same name and birth date in the same district (under another NIK).
    near_duplicate_of: tuple[int, ...] = ()

    @property
    def repeated(self) -> bool:
        return not self.created


class RowEnteredAlready(Refused):
    """A paper sheet's row is entered already; ``existing_id`` names its sign-up (for a link to it)."""

    def __init__(self, existing: SignUp):
        super().__init__({"sheet_row": [_("This row of the sheet is entered already: %(name)s, NIK %(nik)s. Check "
                                          "the row number on the sheet.", name=existing.full_name,
                                          nik=existing.masked_nik)]})
        self.existing_id = existing.id


class DuplicateNik(Refused):
    """The NIK is registered already; ``existing_id`` names that sign-up (for a link to it)."""

    def __init__(self, existing: SignUp, message: str):
        super().__init__({"nik": [message]})
        self.existing_id = existing.id


# --- look-ups -------------------------------------------------------------------------------------

def _clean_nik(raw: str | None) -> str:
    # As check_nik reads a NIK typed with spaces, dots or dashes.
    return "".join(ch for ch in (raw or "") if not ch.isspace() and ch not in ".-")


def find_by_nik(nik: str) -> SignUp | None:
    """The sign-up of this NIK (typed with or without spaces and dots), found through the blind index."""
    cleaned = _clean_nik(nik)
    if len(cleaned) != 16 or not cleaned.isdigit():
        return None
    return _registered(nik_index(cleaned))


def _signup_with_key(form_key: str) -> SignUp | None:
    return db.session.scalar(select(SignUp).where(SignUp.form_key == form_key))


# The hot path's statements, built once and run with parameters (building and keying them anew for each sign-up
# cost as much as running them). "Not void" is written into them, not bound: SQLite compares the value with the
# condition of the live-NIK index (``status != 'void'``) and, bound, prepared the statement again each time its value
# was bound (two statements of every sign-up, 0.4M instructions each).
_LIVE = SignUp.status != literal_column(f"'{SignUpStatus.VOID.value}'")
_NEAR = (SignUp.birth_index == bindparam("born"), SignUp.name_key == bindparam("key"),
         SignUp.nik_index != bindparam("index"), _LIVE)
_NEAR_DUPLICATES = select(SignUp.id).where(*_NEAR).order_by(SignUp.id)
_IN_FORCE = aliased(RateTable, select(RateTable).where(RateTable.effective_from <= bindparam("today"))
                    .order_by(RateTable.effective_from.desc()).limit(1).subquery("in_force"))
# What a sign-up is checked against, read in one statement after the write lock (each was a round trip of its own):
# the sign-up saved with the form's key and the live one with the NIK (a replay, or a NIK registered already; both
# keys are unique), the visit's status (locked) and whether the officer is assigned, whether the NIK's district
# exists, its near-duplicates (their ids as text: an aggregate, so that the row stays one), the rate table in
# force, and the subsidy programme chosen with its quota and used places (none bound for a self-paid sign-up; the
# programme stays in the session: the audit entry names it from there; its quota is read as a column, as a programme
# loaded earlier in the transaction keeps the values it was loaded with).
_CONTEXT = (
    select(select(SignUp.id).where(SignUp.form_key == bindparam("form_key")).scalar_subquery(),
           select(SignUp.id).where(SignUp.nik_index == bindparam("index"), _LIVE).scalar_subquery(),
           Visit.status, VisitOfficer.officer_id,
           select(District.code).where(District.code == bindparam("district")).scalar_subquery(),
           select(func.aggregate_strings(cast(SignUp.id, String), ",")).where(*_NEAR).scalar_subquery(),
           _IN_FORCE, SubsidyProgramme, SubsidyProgramme.quota, used_places(SubsidyProgramme.id))
    .select_from(Visit)
    .outerjoin(VisitOfficer, and_(VisitOfficer.visit_id == Visit.id,
                                  VisitOfficer.officer_id == bindparam("officer_id")))
    .outerjoin(_IN_FORCE, true())
    .outerjoin(SubsidyProgramme, SubsidyProgramme.id == bindparam("programme_id"))
    .where(Visit.id == bindparam("visit_id")).with_for_update(read=True, of=Visit)
)


class _Context(NamedTuple):
    """What ``_read_context`` read for a sign-up: ids of sign-ups, loaded only when one is there."""

    saved_with_key: int | None
    registered: int | None
    status: VisitStatus
    assigned: bool
    district_known: bool
    near_duplicates: tuple[int, ...]
    rates: RateTable | None
    programme: tuple[SubsidyProgramme | None, int, int]


def _typed_index(nik: str | None) -> str | None:
    """The blind index of a NIK as typed, when it is 16 digits; else None."""
    cleaned = _clean_nik(nik)
    return nik_index(cleaned) if len(cleaned) == 16 and cleaned.isdigit() else None


def _registered(index: str) -> SignUp | None:
    """The live (not voided) sign-up with this blind index."""
    return db.session.scalar(select(SignUp).where(SignUp.nik_index == index, _LIVE))


def remaining_quota(programme: SubsidyProgramme) -> int:
    """How many more workers the programme pays for: its quota less its sign-ups that are not void."""
    return max(programme.quota - used_quota(programme), 0)


def name_key(full_name: str) -> str:
    """What the near-duplicate rule compares: the name case-folded, its spaces folded to one."""
    # Case folding may lengthen a name (ß → ss); the key only needs to compare, so it is cut to the column.
    return " ".join(full_name.casefold().split())[:NAME_MAX]


def _near_duplicates(*, born: str, key: str, index: str, before_id: int | None = None) -> tuple[int, ...]:
    """Live sign-ups of the same district and birth date (``born``: their keyed index) and name, under another NIK."""
    query = _NEAR_DUPLICATES if before_id is None else _NEAR_DUPLICATES.where(SignUp.id < before_id)
    return tuple(db.session.scalars(query, {"born": born, "key": key, "index": index}))


def _repeated(signup: SignUp, officer: User, nik: str | None, on_paper: bool = False) -> SignUpOutcome:
    if on_paper:
        # A row's key is derived, not random: the same key is the same row typed again, never a retry to answer.
        raise RowEnteredAlready(signup)
    if signup.officer_id != officer.id:
        # Keys are random: another officer's key is a forged or mixed-up form, and must not show that record.
        raise Refused.on(None, _("This form has been used already; open a new sign-up form."))
    cleaned = _clean_nik(nik)
    if nik is not None and (len(cleaned) != 16 or not cleaned.isdigit() or nik_index(cleaned) != signup.nik_index):
        # The same form sent again for another worker (a form kept open and refilled): answering with the first
        # worker's record would silently drop this one.
        raise Refused.on(None, _("This form was saved already for another worker; this worker was not saved. "
                                 "Open a new sign-up form for them."))
    # The near-duplicates the first submit saw: those registered before it.
    near = _near_duplicates(born=signup.birth_index, key=signup.name_key, index=signup.nik_index,
                            before_id=signup.id)
    return SignUpOutcome(signup=signup, created=False, near_duplicate_of=near)


def _repeated_or_refused(registered: SignUp, form_key: str, officer: User, on_paper: bool) -> SignUpOutcome:
    """The NIK is registered: by this very form (committed since the key was looked up), or by another."""
    if registered.form_key == form_key:
        return _repeated(registered, officer, None, on_paper)
    raise _duplicate_refusal(registered, officer)


def _duplicate_refusal(existing: SignUp, officer: User) -> DuplicateNik:
    """The refusal of a NIK registered already: where and when in the officer's branch; in another, whom to call."""
    registration = registration_for(existing, officer)
    if registration.elsewhere:
        return DuplicateNik(existing, elsewhere_message(registration))
    message = _("This NIK is registered already: %(nik)s, on %(date)s in %(village)s (%(branch)s).",
                nik=registration.masked_nik, date=format_date(registration.created_at),
                village=registration.village, branch=registration.branch)
    return DuplicateNik(existing, message)


# --- checks ---------------------------------------------------------------------------------------

def _normalise_phone(typed: str) -> str | None:
    """The number in E.164 form (+62…), or None when it is not an Indonesian phone number."""
    if len(typed) > PHONE_TYPED_MAX:
        return None
    info = parse_phone(typed)
    return info.e164 if info.valid else None


def _read_context(visit: Visit, officer: User, form_key: str, nik: str, typed_index: str | None, full_name: str,
                  programme_id: int | None, today: date) -> _Context:
    """Take the write lock and read what a sign-up is checked against (``_CONTEXT``); ``typed_index``: the NIK's
    blind index as typed; ``programme_id``: the subsidy programme to read (``_programme_to_read``)."""
    # The status is read again under a share lock (PostgreSQL): closing the visit takes the row for update,
    # so a sign-up and a close racing each other are serialised and no sign-up lands on a closed visit. SQLite has
    # no row locks: the whole database's write lock is taken before the status is read.
    hold_write_lock()
    facts = nik_facts(nik)
    district, born = (facts[0], birth_index(*facts)) if facts else (None, None)
    # Near-duplicates are looked for only under a name the checks pass (one with a NUL is not even sent).
    name_problems: dict = {}
    name = check_name_and_phone(name_problems, full_name, None)[0]
    saved, registered, status, assigned, known, near, rates, programme, quota, used = db.session.execute(_CONTEXT, {
        "form_key": form_key, "visit_id": visit.id, "officer_id": officer.id, "district": district, "today": today,
        "born": born, "key": None if name_problems else name_key(name), "index": typed_index,
        "programme_id": programme_id}).one()
    return _Context(saved_with_key=saved, registered=registered, status=status, assigned=assigned is not None,
                    district_known=known is not None, rates=rates, programme=(programme, quota or 0, int(used)),
                    near_duplicates=tuple(sorted(int(id_) for id_ in near.split(","))) if near else ())


def _check_visit(status: VisitStatus, assigned: bool, on_paper: bool, closed_visit_ok: bool) -> None:
    if on_paper and status not in PAPER_STATUSES:
        raise Refused.on(None, _("Rows from a paper sheet are entered for a visit that was started: in progress or "
                                 "closed."))
    if not on_paper and status != VisitStatus.IN_PROGRESS and not (closed_visit_ok and status == VisitStatus.DONE):
        raise Refused.on(None, _("Sign-ups are recorded while a visit is in progress; start the visit first."))
    if not assigned:
        raise Refused.on(None, _("Only the officers assigned to this visit can record its sign-ups."))


def _check_person(errors: dict, nik: str, full_name: str, sex: str | None, birth_date: date | None,
                  phone: str | None, district_known: bool | None = None) -> tuple[NikCheck, str, str | None]:
    """The NIK (with the stated sex and birth date), the name and the phone; returns the NIK check, name, phone."""
    if sex is not None and sex not in SEXES:
        errors["sex"] = [_("Choose female or male.")]
        sex = None
    check = check_nik(nik, sex, birth_date, district_known=district_known)
    if check.errors:
        errors["nik"] = check.errors
    # check_nik lists a sex mismatch before a birth-date mismatch: each goes beside its own field.
    mismatches = list(check.mismatches)
    if mismatches and sex is not None and sex != check.sex:
        errors["sex"] = [mismatches.pop(0)]
    if mismatches:
        errors["birth_date"] = mismatches
    name, e164 = check_name_and_phone(errors, full_name, phone)
    return check, name, e164


def check_name_and_phone(errors: dict, full_name: str | None, phone: str | None) -> tuple[str, str | None]:
    """Check the name and the phone, adding messages to ``errors``; returns the name (spaces folded) and the
    phone in E.164 form (None when not given). Used by recording and by corrections alike."""
    name = " ".join((full_name or "").split())
    if not name or len(name) > NAME_MAX:
        errors["full_name"] = [_("Enter the full name, at most %(max)d characters.", max=NAME_MAX)]
    elif CONTROL_CHARACTERS_IN_LINE.search((full_name or "").strip()):
        errors["full_name"] = [_("Remove the special (control) characters.")]
    elif not any(character.isalpha() for character in name) or name.casefold() in NOT_NAMES:
        # "-1", "[]", a lone direction mark: no one's name; "NaN" and its kin are what a broken script sends.
        errors["full_name"] = [_("Enter the worker's name in letters.")]

    e164 = None
    if phone and phone.strip():
        e164 = _normalise_phone(phone.strip())
        if e164 is None:
            errors["phone"] = [_("Enter an Indonesian phone number, such as 0812 3456 7890.")]
    return name, e164


# The programme chosen, its quota and used places, in one statement, when the sign-up's own context did not read
# them (the quota as a column, as in ``_CONTEXT``).
_PROGRAMME_AND_USED = select(SubsidyProgramme, SubsidyProgramme.quota, used_places(SubsidyProgramme.id)).where(
    SubsidyProgramme.id == bindparam("programme_id"))


def _programme_to_read(payer: str | None, subsidy_programme_id: int | None) -> int | None:
    """The id of the programme a subsidised sign-up names, when it can be one; else None (nothing to read)."""
    if payer == Payer.SUBSIDY and isinstance(subsidy_programme_id, int) and 0 < subsidy_programme_id <= ID_MAX:
        return subsidy_programme_id
    return None


def _check_programme(errors: dict, payer: str | None, subsidy_programme_id: int | None, today: date,
                     read: tuple[SubsidyProgramme | None, int, int] | None = None) -> SubsidyProgramme | None:
    """The programme a subsidised sign-up names, checked (running ``today``, places left); ``read``: the programme,
    its quota and its used places as read already for ``_programme_to_read``, or None to read them here."""
    if payer != Payer.SUBSIDY:
        if subsidy_programme_id is not None:
            errors["subsidy_programme"] = [_("A subsidy programme is chosen only when a subsidy pays.")]
        return None
    programme, quota, used = None, 0, 0
    if read is not None:
        programme, quota, used = read
    elif (programme_id := _programme_to_read(payer, subsidy_programme_id)) is not None:
        found = db.session.execute(_PROGRAMME_AND_USED, {"programme_id": programme_id}).first()
        if found is not None:
            programme, quota, used = found[0], found[1], int(found[2])
    if programme is None:
        errors["subsidy_programme"] = [_("Choose the subsidy programme that pays.")]
    elif not programme.starts_on <= today <= programme.ends_on:
        errors["subsidy_programme"] = [_("The programme %(name)s pays from %(start)s to %(end)s only.",
                                         name=programme.name, start=format_date(programme.starts_on),
                                         end=format_date(programme.ends_on))]
    elif quota - used <= 0:
        errors["subsidy_programme"] = [_quota_used_up(programme)]
    return programme


def _quota_used_up(programme: SubsidyProgramme) -> str:
    return _("The quota of %(name)s is used up; choose another payer.", name=programme.name)


def check_choices(errors: dict, occupation: str | None, sector: str | None, payer: str | None) -> None:
    """Add a message to ``errors`` for each of occupation, sector and payer that is not one of its codes."""
    for field, value, enum in (("occupation", occupation, Occupation), ("sector", sector, Sector),
                               ("payer", payer, Payer)):
        if value not in {member.value for member in enum}:
            errors[field] = [_("Choose one of the options listed.")]


def check_income(errors: dict, declared_income: int | None) -> None:
    """Add a message to ``errors`` unless the declared monthly income is a whole number of Rupiah in range."""
    if not isinstance(declared_income, int) or isinstance(declared_income, bool) \
            or not 0 < declared_income <= INCOME_MAX:
        errors["declared_income"] = [_("Enter the monthly income in Rupiah, more than 0 and at most "
                                       "Rp1.000.000.000.")]


def check_low_income(errors: dict, declared_income: int | None, confirmed: bool, table: RateTable | None) -> None:
    """Add a message to ``errors`` when the income is below the lowest bracket of the rate table ``table`` and not
    ``confirmed``: "1" or "500" is a typing mistake far more often than an income. No table: nothing to say here
    (the contribution is refused with its own message)."""
    if "declared_income" in errors or not isinstance(declared_income, int) or table is None:
        return
    floor = lowest_bracket_income(table)
    if declared_income < floor and confirmed is not True:
        errors["declared_income"] = [_(
            "Rp%(income)s a month is below the lowest bracket, Rp%(floor)s. Check the amount; if the worker really "
            "earns less, tick the confirmation below.", income=format_decimal(declared_income),
            floor=format_decimal(floor))]


def age_on(birth_date: date, day: date) -> int:
    """Whole years from ``birth_date`` to ``day`` (negative for a birth date after it)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_problem(birth_date: date | None, today: date, table: RateTable | None) -> str | None:
    """Why a worker born on ``birth_date`` may not enrol ``today`` (a birth date in the future, an age outside the
    range of ``table``, the rate table in force), in the user's language; None when they may, or when it cannot be
    told (no table: the contribution is refused with its own message)."""
    if birth_date is None:
        return None
    if birth_date > today:
        return _("The birth date in this NIK, %(date)s, is in the future.", date=format_date(birth_date))
    if table is None:
        return None
    age = age_on(birth_date, today)
    if not table.enrolment_min_age <= age < table.enrolment_age_limit:
        return _("By this NIK the worker's age is %(age)d: workers aged %(min)d to %(max)d may enrol.",
                 age=age, min=table.enrolment_min_age, max=table.enrolment_age_limit - 1)
    return None


def with_age_problem(check: NikCheck, today: date) -> NikCheck:
    """The NIK check as it is shown while typing: a valid NIK's check gains, as an error, why its worker may not
    enrol ``today`` under the rates in force (``age_problem``)."""
    problem = age_problem(check.birth_date, today, rates_in_force(today)) if check.valid else None
    if problem:
        check.errors.append(problem)
    return check


def _check_age(errors: dict, check: NikCheck, today: date, table: RateTable | None) -> None:
    problem = age_problem(check.birth_date, today, table) if check.valid else None
    if problem:
        errors.setdefault("nik", []).append(problem)


def _contribution(declared_income: int, with_jht: bool, today: date, table: RateTable | None) -> Contribution:
    if table is None:
        raise Refused.on(None, _("No contribution rates are in force on %(date)s; ask an administrator.",
                                 date=format_date(today)))
    return contribution_under(table, declared_income, with_jht)


def _check_consent_version(errors: dict, consent_version: int | None, today: date) -> ConsentText:
    """The consent text in force ``today``; a form that showed another version gets the message to show it anew."""
    in_force = consent_text_on(today)
    if consent_version != in_force.version:
        # Replaces "consent is required": the worker must first be shown the new text.
        errors["consent"] = [consent_changed_message()]
    return in_force


def field_errors(*, nik: str, full_name: str, sex: str | None, birth_date: date | None, phone: str | None,
                 occupation: str | None, sector: str | None, declared_income: int | None, payer: str | None,
                 subsidy_programme_id: int | None, consent: bool, consent_version: int | None, today: date,
                 income_confirmed: bool = False) -> dict[str | None, list[str]]:
    """The messages ``record_signup`` gives for these fields, without writing anything: a form that could
    not even be read (a date or amount typed wrongly) shows every other message with it."""
    errors: dict[str | None, list[str]] = {}
    if consent is not True:
        errors["consent"] = [_("The worker's consent to the processing of personal data is required.")]
    _check_consent_version(errors, consent_version, today)
    check, _name, _phone = _check_person(errors, nik, full_name, sex, birth_date, phone)
    table = rates_in_force(today)
    _check_age(errors, check, today, table)
    check_choices(errors, occupation, sector, payer)
    check_income(errors, declared_income)
    check_low_income(errors, declared_income, income_confirmed, table)
    _check_programme(errors, payer, subsidy_programme_id, today)
    return errors


# --- recording ------------------------------------------------------------------------------------

def record_signup(*, visit: Visit, officer: User, form_key: str, nik: str, full_name: str, sex: str | None,
                  birth_date: date | None, phone: str | None, occupation: str, sector: str, with_jht: bool,
                  declared_income: int | None, payer: str, subsidy_programme_id: int | None, consent: bool,
                  consent_version: int | None, today: date, now: datetime,
                  income_confirmed: bool = False, on_paper: bool = False,
                  closed_visit_ok: bool = False) -> SignUpOutcome:
    """Register a worker at ``visit``, recorded by ``officer``, from a sign-up form with the one-time ``form_key``.

    The visit must be in progress and the officer assigned to it; the worker must consent to the consent text in
    force ``today``, whose version the form showed (``consent_version``: a form opened before the text changed is
    refused, so that the worker is shown the new text). The NIK must
    be valid and agree with the stated sex and birth date (left empty, they are read from the NIK), and its
    birth date give an age within the enrolment range of the rate table in force ``today``. The
    phone is stored in E.164 form. A subsidy programme must be running ``today`` with quota left. The
    contribution is computed from the rate table in force ``today`` and copied into the sign-up. An income below
    that table's lowest bracket is refused unless ``income_confirmed``.

    A NIK registered before refuses the sign-up (``DuplicateNik``, with a masked summary of the first
    registration). The same name and birth date in the same district under another NIK is saved, and
    the outcome names those sign-ups. A repeated ``form_key`` returns the first outcome, stores nothing; the same
    key sent with another worker's NIK is refused.

    ``on_paper``: a row typed from the visit's paper sheet (``campaign_app.signups.paper``), whose key names the
    row. The visit may also be closed (done): the sheet was signed while it was in progress, and the sign-up counts
    for it. A repeated key is the same row typed twice: refused (``RowEnteredAlready``), never answered as a retry.
    ``closed_visit_ok`` also takes a visit closed since (done): a sign-up captured offline while it was in progress
    (``campaign_app.sync``), which arrives or is accepted after the close.
    """
    form_key = (form_key or "").strip()
    if not form_key or len(form_key) > FORM_KEY_MAX or CONTROL_CHARACTERS_IN_LINE.search(form_key):
        raise Refused.on(None, _("This form is incomplete or out of date; open a new sign-up form."))
    # The form's key and the worker's NIK are looked up with the rest: a replay answers first, whatever the visit's
    # status now.
    typed_index = _typed_index(nik)
    context = _read_context(visit, officer, form_key, nik, typed_index, full_name,
                            _programme_to_read(payer, subsidy_programme_id), today)
    existing = db.session.get(SignUp, context.saved_with_key) if context.saved_with_key is not None else None
    if existing is not None:
        return _repeated(existing, officer, nik, on_paper)
    _check_visit(context.status, context.assigned, on_paper, closed_visit_ok)

    errors: dict[str | None, list[str]] = {}
    if consent is not True:
        errors["consent"] = [_("The worker's consent to the processing of personal data is required.")]
    consent_shown = _check_consent_version(errors, consent_version, today)
    check, name, e164 = _check_person(errors, nik, full_name, sex, birth_date, phone, context.district_known)
    # Read once: the age range, the lowest bracket and the contribution all come from it.
    table = context.rates
    _check_age(errors, check, today, table)
    check_choices(errors, occupation, sector, payer)
    check_income(errors, declared_income)
    check_low_income(errors, declared_income, income_confirmed, table)
    programme = _check_programme(errors, payer, subsidy_programme_id, today, read=context.programme)
    if errors:
        raise Refused(errors)
    # Nothing was refused: the income is in range and the NIK is valid, so it names its district and birth date.
    assert declared_income is not None and check.district_code is not None and check.birth_date is not None

    index = nik_index(check.nik)
    if index != typed_index:
        registered = _registered(index)
    else:
        registered = db.session.get(SignUp, context.registered) if context.registered is not None else None
    if registered is not None:
        return _repeated_or_refused(registered, form_key, officer, on_paper)
    contribution = _contribution(declared_income, bool(with_jht), today, table)
    key = name_key(name)
    born = birth_index(check.district_code, check.birth_date)
    # Read with the context for the NIK and name as typed, which the checks passed: the same index, key and birth.
    near = context.near_duplicates

    signup = SignUp(
        visit_id=visit.id, branch_id=visit.branch_id, village_code=visit.village_code, officer_id=officer.id,
        form_key=form_key, nik_ciphertext=encrypt_nik(check.nik), nik_index=index, nik_last4=check.nik[-4:],
        birth_index=born, full_name=name, name_key=key, sex=check.sex,
        birth_year=check.birth_date.year, phone=e164, occupation=occupation, sector=sector, has_jht=bool(with_jht),
        declared_income=declared_income, rate_table_id=contribution.rate_table_id,
        jkk_contribution=contribution.jkk, jkm_contribution=contribution.jkm, jht_contribution=contribution.jht,
        payer=payer, subsidy_programme_id=programme.id if programme else None, consent_at=now,
        consent_version=consent_shown.version,
        status=SignUpStatus.REGISTERED, created_at=now, review=Review.PENDING if near else None,
    )
    try:
        # A lost race or a quota gone meanwhile undoes this sign-up and nothing else.
        with undone_alone():
            db.session.add(signup)
            db.session.flush()
            if programme is not None:
                _recheck_quota(programme)
    except IntegrityError:
        # A concurrent request won the race: the same form (return its outcome) or the same NIK (refuse).
        stored = _signup_with_key(form_key)
        if stored is not None:
            return _repeated(stored, officer, nik, on_paper)
        registered = _registered(index)
        if registered is not None:
            raise _duplicate_refusal(registered, officer) from None
        raise
    return SignUpOutcome(signup=signup, created=True, near_duplicate_of=near)


# The quota under the programme's row lock, and the programme's total (see ``_recheck_quota``).
_QUOTA_AND_USED_LOCKED = (
    select(SubsidyProgramme.quota, used_places(SubsidyProgramme.id))
    .where(SubsidyProgramme.id == bindparam("programme_id")).with_for_update(key_share=True)
)


def _recheck_quota(programme: SubsidyProgramme) -> None:
    """Check the quota again after the insert, holding the programme's row (PostgreSQL).

    The insert's flush added the sign-up to its programme's total (``summaries.programme_totals``, one row whatever
    the programme holds), and that row stays held until the commit: two officers taking the last place at once
    are serialised there, and the later one reads a total with the earlier one's sign-up and is refused, so a
    quota is never overrun. On SQLite the write lock has been held since the programme and its total were read with
    the sign-up's context (``hold_write_lock``): nothing came in between, so that check stands and none is made.
    """
    if db.session.connection().dialect.name == "sqlite":
        return
    # FOR NO KEY UPDATE: it queues the sign-ups of one programme, yet does not wait for the key-share
    # locks that each one's foreign key already holds on that row (FOR UPDATE would deadlock on them).
    # The quota is read again under the lock (an administrator may have changed it meanwhile), with the total in the
    # same statement: that row is this transaction's own since the flush.
    quota, used = db.session.execute(_QUOTA_AND_USED_LOCKED, {"programme_id": programme.id}).one()
    if used > quota:
        raise Refused.on("subsidy_programme", _quota_used_up(programme))

