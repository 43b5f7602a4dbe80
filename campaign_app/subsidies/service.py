"""Rules and queries for subsidy programmes: who pays for which workers, for how long, up to what quota."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_decimal
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from campaign_app.audit.service import record
from campaign_app.database import added_first
from campaign_app.extensions import db
from campaign_app.forms import CONTROL_CHARACTERS_IN_LINE
from campaign_app.i18n import gettext as _
from campaign_app.models import AuditAction, Branch, SignUp, SignUpStatus, SubsidyProgramme, User
from campaign_app.paging import Page, paginate
from campaign_app.summaries import ProgrammeTotal
from campaign_app.validation import Refused

NAME_MAX = 120
PAYER_MAX = 120
# Far above any city's programme (Palu's pays for 15,000 workers), far below the column's limit.
QUOTA_MAX = 10_000_000
RUNNING, UPCOMING, ENDED = "running", "upcoming", "ended"


@dataclass(frozen=True)
class ProgrammeRow:
    """A programme with how much of its quota sign-ups use, and where it stands ``today``."""

    programme: SubsidyProgramme
    used: int
    state: str

    @property
    def remaining(self) -> int:
        return max(self.programme.quota - self.used, 0)


def programme_state(programme: SubsidyProgramme, today: date) -> str:
    """``running`` from its first to its last day, ``upcoming`` before, ``ended`` after."""
    if today < programme.starts_on:
        return UPCOMING
    if today > programme.ends_on:
        return ENDED
    return RUNNING


def used_places(programme_id):
    """SQL for the sign-ups (not void) a programme pays for, ``programme_id`` its id or an id column: its row of the
    programme totals, kept with the tallies after every change (one row, whatever the programme holds). Read by the
    programme list and both quota checks; the sign-up form joins the same rows (``signups.records``)."""
    return func.coalesce(select(ProgrammeTotal.signups).where(ProgrammeTotal.programme_id == programme_id)
                         .scalar_subquery(), 0)


def _used_by(programme_ids: list[int]) -> dict[int, int]:
    """Sign-ups that are not void, per programme, in one statement."""
    if not programme_ids:
        return {}
    return {programme_id: int(used) for programme_id, used in db.session.execute(
        select(SubsidyProgramme.id, used_places(SubsidyProgramme.id))
        .where(SubsidyProgramme.id.in_(programme_ids)))}


def used_quota(programme: SubsidyProgramme) -> int:
    """How many sign-ups (not void) the programme pays for."""
    return int(db.session.execute(select(used_places(programme.id))).scalar_one())


def list_programmes(today: date, page: int = 1, per_page: int = 25) -> Page:
    """One page of programmes, latest first, each a ``ProgrammeRow``.

    Three statements whatever the page holds: the count, the page, and their programme totals.
    """
    statement = select(SubsidyProgramme).order_by(SubsidyProgramme.starts_on.desc(), SubsidyProgramme.id.desc())
    result = paginate(statement, page, per_page, scalars=True)
    used = _used_by([p.id for p in result.items])
    result.items = [ProgrammeRow(p, used.get(p.id, 0), programme_state(p, today)) for p in result.items]
    return result


def signups_by_branch(programme: SubsidyProgramme, branch_ids: set[int] | None) -> list[tuple[str, int]]:
    """(branch name, sign-ups not void) for the programme, most first, among ``branch_ids`` (None: all)."""
    statement = (
        select(Branch.name, func.count(SignUp.id)).join(SignUp, SignUp.branch_id == Branch.id)
        .where(SignUp.subsidy_programme_id == programme.id, SignUp.status != SignUpStatus.VOID)
        .group_by(Branch.id, Branch.name).order_by(func.count(SignUp.id).desc(), Branch.name)
    )
    if branch_ids is not None:
        statement = statement.where(Branch.id.in_(branch_ids))
    return [(name, count) for name, count in db.session.execute(statement)]


def _same_name(name: str, except_id: int | None) -> bool:
    return db.session.execute(
        select(func.count()).select_from(SubsidyProgramme)
        .where(func.lower(SubsidyProgramme.name) == name.lower(), SubsidyProgramme.id != (except_id or 0))
    ).scalar_one() > 0


def _line_problem(value: str, limit: int, missing: str) -> str | None:
    if not value:
        return missing
    if len(value) > limit:
        return _("At most %(max)d characters.", max=limit)
    if CONTROL_CHARACTERS_IN_LINE.search(value):
        return _("Remove the special (control) characters.")
    return None


def _problems(name: str, payer: str, starts_on, ends_on, quota) -> dict[str | None, list[str]]:
    """What is wrong with the fields, each on its own; whether the name is free is checked apart."""
    errors: dict[str | None, list[str]] = {}
    problem = _line_problem(name, NAME_MAX, _("Enter a name."))
    if problem:
        errors["name"] = [problem]
    problem = _line_problem(payer, PAYER_MAX, _("Enter who pays, such as Pemerintah Kota Palu."))
    if problem:
        errors["payer"] = [problem]
    if not isinstance(starts_on, date):
        errors["starts_on"] = [_("Enter the first day.")]
    if not isinstance(ends_on, date):
        errors["ends_on"] = [_("Enter the last day.")]
    elif isinstance(starts_on, date) and ends_on < starts_on:
        errors["ends_on"] = [_("The end comes before the start.")]
    if not isinstance(quota, int) or isinstance(quota, bool) or not 0 <= quota <= QUOTA_MAX:
        errors["quota"] = [_("Enter a whole number from 0 to %(max)s.", max=format_decimal(QUOTA_MAX))]
    return errors


def _refuse(errors: dict[str | None, list[str]], name: str, except_id: int | None = None) -> None:
    """Raise ``Refused`` for ``errors``, adding a name another programme has (whatever its case)."""
    if "name" not in errors and _same_name(name, except_id):
        errors["name"] = [_name_taken(name)]
    if errors:
        raise Refused(errors)


def _clean(text: str | None) -> str:
    # Spaces folded: "Kota  Palu " and "Kota Palu" are one name.
    return " ".join((text or "").split())


def _plain(value):
    """A value as the audit log's JSON holds it: dates as ISO text."""
    return value.isoformat() if isinstance(value, date) else value


def _name_taken(name: str) -> str:
    return _("A programme called %(name)s exists already.", name=name)


def _identical(values: dict) -> SubsidyProgramme | None:
    """A stored programme with exactly these values: what a repeated submit of the same form made."""
    return db.session.scalar(select(SubsidyProgramme).filter_by(**values).limit(1))


def create_programme(*, name: str, payer: str, starts_on: date, ends_on: date, quota: int, created_by: User,
                     now: datetime | None = None) -> SubsidyProgramme:
    """Add a subsidy programme; audited with its values. Raises ``Refused`` per field.

    The name is unique (whatever its case); the period's end is not before its start; the quota is a
    whole number from 0 to 10,000,000. The very same values again (a double submit, even two at once)
    return the programme already stored, without a second audit entry.
    """
    name, payer = _clean(name), _clean(payer)
    values = {"name": name, "payer": payer, "starts_on": starts_on, "ends_on": ends_on, "quota": quota}
    errors = _problems(name, payer, starts_on, ends_on, quota)
    if not errors and (existing := _identical(values)) is not None:
        return existing
    _refuse(errors, name)
    programme = SubsidyProgramme(**values)
    if not added_first(programme):
        # Another request stored a programme of this name first: the same form submitted twice, or a clash.
        existing = _identical(values)
        if existing is None:
            raise Refused.on("name", _name_taken(name))
        return existing
    record(AuditAction.SUBSIDY_PROGRAMME_CREATED, actor=created_by, subject_type="subsidy_programme",
           subject_id=programme.id, details={field: _plain(value) for field, value in values.items()}, now=now)
    return programme


def update_programme(programme: SubsidyProgramme, *, name: str, payer: str, starts_on: date, ends_on: date,
                     quota: int, changed_by: User, now: datetime | None = None) -> dict:
    """Change a programme; returns what changed, ``{field: [before, after]}``, audited when not empty.

    Besides the rules of ``create_programme``, the quota may not fall below the sign-ups the programme
    already pays for. The row is changed by one plain UPDATE, and the sign-ups are counted after it:
    that UPDATE holds the row (PostgreSQL) or the write lock (SQLite), so an officer's sign-up racing
    with the change is either counted here or re-checked against the new quota (see
    ``campaign_app.signups.service._recheck_quota``). A refusal leaves the row as it was.
    """
    name, payer = _clean(name), _clean(payer)
    _refuse(_problems(name, payer, starts_on, ends_on, quota), name, except_id=programme.id)
    values = {"name": name, "payer": payer, "starts_on": starts_on, "ends_on": ends_on, "quota": quota}
    changes = {field: [getattr(programme, field), value] for field, value in values.items()
               if getattr(programme, field) != value}
    if not changes:
        return {}
    try:
        with db.session.begin_nested():
            for field, (_before, after) in changes.items():
                setattr(programme, field, after)
            db.session.flush()
            if "quota" in changes:
                used = used_quota(programme)
                if quota < used:
                    raise Refused.on("quota", _(
                        "%(used)s sign-ups already use this programme: the quota cannot be below %(used)s.",
                        used=format_decimal(used)))
    except IntegrityError:
        # Another programme took this name meanwhile.
        raise Refused.on("name", _name_taken(name)) from None
    record(AuditAction.SUBSIDY_PROGRAMME_CHANGED, actor=changed_by, subject_type="subsidy_programme",
           subject_id=programme.id, now=now,
           details={field: [_plain(before), _plain(after)] for field, (before, after) in changes.items()})
    return changes
