"""Queries behind the sign-up pages: the officer's visit, programme options, the list, one record, its history.

Each function issues a fixed number of statements whatever the data holds: related records are loaded
with joins and counts are made in SQL.
"""

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import bindparam, case, func, select, true
from sqlalchemy.orm import joinedload

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.models import (
    AuditEntry,
    Campaign,
    District,
    Regency,
    Role,
    SignUp,
    SubsidyProgramme,
    User,
    Village,
    Visit,
    VisitOfficer,
)
from campaign_app.paging import Page, paginate
from campaign_app.signups import phone_rates
from campaign_app.signups.personal_data import nik_index
from campaign_app.summaries.programme_totals import programme_totals

SUBJECT = "signup"
HISTORY_MAX = 50


def _in_branches(column, branch_ids: set[int] | None):
    return column.in_(branch_ids) if branch_ids is not None else True


# --- the form -------------------------------------------------------------------------------------

# Built once, run with parameters: the officer's hot path (the form and its POST) runs them on every request, and
# building and keying a statement again each time cost as much as running it.
_OFFICER_VISIT = (
    select(Visit).options(joinedload(Visit.village))
    .join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
    .where(Visit.id == bindparam("visit_id"), VisitOfficer.officer_id == bindparam("officer_id"))
)


def officer_visit(officer: User, visit_id: int) -> Visit | None:
    """The visit if ``officer`` is assigned to it, with its village (the form names it); else None."""
    return db.session.scalar(_OFFICER_VISIT, {"visit_id": visit_id, "officer_id": officer.id})


# The form's page also carries the rate table in force: read in the visit's statement (a round trip fewer on
# PostgreSQL, on every form asked for), joined whether or not a table is in force.
_rates = phone_rates.IN_FORCE.subquery("rates")
_OFFICER_VISIT_AND_RATES = _OFFICER_VISIT.add_columns(*_rates.c).outerjoin(_rates, true())


def officer_visit_and_rates(officer: User, visit_id: int, day: date) -> tuple[Visit, dict | None] | None:
    """The visit if ``officer`` is assigned to it, with its village, and the rate table in force on ``day`` as the
    phone reads it (``phone_rates``; None when none is in force); else None."""
    row = db.session.execute(_OFFICER_VISIT_AND_RATES, {"visit_id": visit_id, "officer_id": officer.id,
                                                        "day": day}).first()
    return (row[0], phone_rates.as_phone_rates(row._mapping)) if row is not None else None


class ProgrammeOption(NamedTuple):
    id: int
    name: str
    remaining: int


# Read as plain rows of the tables, not through the ORM: the form reads every running programme, about a hundred at
# national scale, and the ORM's handling of each row cost more than SQLite's.
_programmes = SubsidyProgramme.__table__
_left = _programmes.c.quota - func.coalesce(programme_totals.c.signups, 0)
_RUNNING = (
    select(_programmes.c.id, _programmes.c.name, case((_left > 0, _left), else_=0))
    .outerjoin(programme_totals, programme_totals.c.programme_id == _programmes.c.id)
    .where(_programmes.c.starts_on <= bindparam("today"), _programmes.c.ends_on >= bindparam("today"))
    .order_by(_programmes.c.name)
)


def running_programmes(today: date, programme_id: int | None = None) -> list[ProgrammeOption]:
    """Subsidy programmes paying ``today``, by name, each with the places it has left (only ``programme_id``'s,
    when given). One statement: each programme's use is its row of the programme totals, so the form reads as much
    for a programme of a million sign-ups as for one of ten. The totals are joined, not looked up per programme:
    PostgreSQL scanned the totals once per running programme (1.6 of 1.7 ms with a hundred of them)."""
    if programme_id is None:
        rows = db.session.execute(_RUNNING, {"today": today})
    else:
        rows = db.session.execute(_RUNNING.where(_programmes.c.id == programme_id), {"today": today})
    # Fetched at once: row by row, the result's iteration cost more than the hundred options' making.
    return list(map(ProgrammeOption._make, rows.all()))


def district_label(code: str | None) -> str | None:
    """``Palu Timur, Kota Palu`` for a district code, or None."""
    if not code:
        return None
    row = db.session.execute(
        select(District.name, Regency.name).join(Regency, Regency.code == District.regency_code)
        .where(District.code == code)
    ).first()
    return f"{row[0]}, {row[1]}" if row else None


def saved_signup(officer: User, signup_id: int | None, visit_id: int) -> SignUp | None:
    """The sign-up ``officer`` just saved at the visit (for the banner after saving), or None."""
    if signup_id is None:
        return None
    return db.session.scalar(
        select(SignUp).where(SignUp.id == signup_id, SignUp.officer_id == officer.id, SignUp.visit_id == visit_id)
    )


def key_used(form_key: str | None) -> bool:
    """Whether a sign-up was saved with this form key already."""
    return bool(form_key) and db.session.scalar(select(SignUp.id).where(SignUp.form_key == form_key)) is not None


# --- who sees what --------------------------------------------------------------------------------

def _visible(user: User):
    """The condition on sign-ups ``user`` may see: their branches', or for an officer those they recorded."""
    if user.role == Role.OFFICER:
        return SignUp.officer_id == user.id
    return _in_branches(SignUp.branch_id, visible_branch_ids(user))


def visible_signup(user: User, signup_id: int) -> SignUp | None:
    """The sign-up with what its page shows, or None when it does not exist or ``user`` may not see it."""
    return db.session.scalar(
        select(SignUp)
        .options(joinedload(SignUp.visit).joinedload(Visit.village).joinedload(Village.district),
                 joinedload(SignUp.visit).joinedload(Visit.campaign), joinedload(SignUp.officer),
                 joinedload(SignUp.rate_table), joinedload(SignUp.subsidy_programme))
        .where(SignUp.id == signup_id, _visible(user))
    )


def history(signup: SignUp) -> list[AuditEntry]:
    """The audit entries about ``signup``, oldest first, with their actors."""
    return list(db.session.scalars(
        select(AuditEntry).options(joinedload(AuditEntry.actor))
        .where(AuditEntry.subject_type == SUBJECT, AuditEntry.subject_id == signup.id)
        .order_by(AuditEntry.at, AuditEntry.id).limit(HISTORY_MAX)
    ))


def visible_campaigns(user: User) -> list[tuple[int, str]]:
    """(id, name) of the campaigns whose sign-ups ``user`` may list, newest first."""
    query = select(Campaign.id, Campaign.name).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    if user.role == Role.OFFICER:
        query = query.where(Campaign.id.in_(select(Visit.campaign_id).join(VisitOfficer)
                                            .where(VisitOfficer.officer_id == user.id)))
    else:
        query = query.where(_in_branches(Campaign.branch_id, visible_branch_ids(user)))
    return list(db.session.execute(query))


# --- the list -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignUpFilters:
    text: str = ""
    status: str | None = None
    campaign_id: int | None = None
    visit_id: int | None = None


def _clean_nik(text: str) -> str | None:
    cleaned = "".join(ch for ch in text if not ch.isspace() and ch not in ".-")
    return cleaned if len(cleaned) == 16 and cleaned.isdigit() else None


def search_signups(user: User, filters: SignUpFilters, page: int, per_page: int) -> Page:
    """The sign-ups ``user`` may see that match ``filters``, newest first, a page at a time.

    The text finds a name that contains it, or exactly one NIK (through the blind index: a NIK is never
    compared in clear).
    """
    query = (
        select(SignUp.id, SignUp.full_name, SignUp.nik_last4, SignUp.status, SignUp.review, SignUp.created_at,
               SignUp.jkk_contribution + SignUp.jkm_contribution + SignUp.jht_contribution, Village.name)
        .join(Village, Village.code == SignUp.village_code)
        .where(_visible(user))
        .order_by(SignUp.created_at.desc(), SignUp.id.desc())
    )
    nik = _clean_nik(filters.text) if filters.text else None
    if nik:
        query = query.where(SignUp.nik_index == nik_index(nik))
    elif filters.text:
        query = query.where(SignUp.name_key.contains(" ".join(filters.text.casefold().split()), autoescape=True))
    if filters.status:
        query = query.where(SignUp.status == filters.status)
    if filters.campaign_id:
        query = query.join(Visit, Visit.id == SignUp.visit_id).where(Visit.campaign_id == filters.campaign_id)
    if filters.visit_id:
        query = query.where(SignUp.visit_id == filters.visit_id)
    return paginate(query, page, per_page)
