"""Reading the audit log: who did what to which record, filtered, newest first, in one joined query."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Row, and_, func, or_, select, true

from campaign_app.access import visible_branch_ids
from campaign_app.audit import display
from campaign_app.clock import WITA
from campaign_app.extensions import db
from campaign_app.models import AuditEntry, Branch, User
from campaign_app.paging import Page, paginate

# The kinds of record audit entries name, as ``subject_type``.
SUBJECT_LABELS = display.SUBJECT_LABELS
# Records of the whole agency, not of a branch: every manager reads them on their own pages anyway.
AGENCY_WIDE_SUBJECTS = ("rate_table", "subsidy_programme")


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    # Part of the name or username of whoever acted.
    actor: str | None = None
    branch_id: int | None = None
    # WITA days, both included.
    date_from: date | None = None
    date_to: date | None = None
    subject_type: str | None = None
    subject_id: int | None = None


@dataclass(frozen=True)
class AuditRow:
    """An entry as the log shows it, with its actor's and branch's names from the same query."""

    entry: AuditEntry
    actor_name: str | None
    actor_username: str | None
    branch_name: str | None


def _start_of(day: date) -> datetime:
    """The first moment of a WITA day, in UTC as the log stores it."""
    return datetime.combine(day, time(0), WITA).astimezone(UTC)


def visible_to(user: User):
    """The entries ``user`` may read, as a condition.

    Administrators (and managers covering every branch) read every entry. Other managers read the
    entries of the branches they see (``visible_branch_ids``) and the entries with no branch about
    agency-wide records, rate tables and subsidy programmes, whose pages they read anyway; any other
    entry with no branch (an export across branches, say) stays with the administrators.
    """
    visible = visible_branch_ids(user)
    if visible is None:
        return true()
    return or_(AuditEntry.branch_id.in_(visible),
               and_(AuditEntry.branch_id.is_(None), AuditEntry.subject_type.in_(AGENCY_WIDE_SUBJECTS)))


def _filtered(user: User, filters: AuditFilters):
    conditions = [visible_to(user)]
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.actor:
        term = filters.actor.lower()
        conditions.append(or_(func.lower(User.username).contains(term, autoescape=True),
                              func.lower(User.full_name).contains(term, autoescape=True)))
    if filters.branch_id is not None:
        conditions.append(AuditEntry.branch_id == filters.branch_id)
    if filters.date_from is not None:
        conditions.append(AuditEntry.at >= _start_of(filters.date_from))
    if filters.date_to is not None:
        conditions.append(AuditEntry.at < _start_of(filters.date_to + timedelta(days=1)))
    if filters.subject_type:
        conditions.append(AuditEntry.subject_type == filters.subject_type)
    if filters.subject_id is not None:
        conditions.append(AuditEntry.subject_id == filters.subject_id)
    return and_(*conditions)


def _joined(user: User, filters: AuditFilters, *read):
    """``read`` of the entries ``user`` may read that pass ``filters``, with actor and branch joined, newest first."""
    return (
        select(*read, User.full_name, User.username, Branch.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(Branch, Branch.id == AuditEntry.branch_id)
        .where(_filtered(user, filters))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )


def search_entries(user: User, filters: AuditFilters, page: int = 1, per_page: int = 25) -> Page:
    """One page of the entries ``user`` may read that pass ``filters``, newest first, as ``AuditRow``.

    Two statements whatever the page holds: the count, and the page with actor and branch joined.
    """
    result = paginate(_joined(user, filters, AuditEntry), page, per_page)
    result.items = [AuditRow(*row) for row in result.items]
    return result


# What an export reads of each entry: its columns, not records, so that a million entries load no session.
EXPORTED = (AuditEntry.at, AuditEntry.action, AuditEntry.subject_type, AuditEntry.subject_id, AuditEntry.subject_name,
            AuditEntry.details)


def all_entries(user: User, filters: AuditFilters, chunk: int = 1000) -> Iterator[Row]:
    """Every entry ``user`` may read that passes ``filters``, newest first, read ``chunk`` rows at a time from one
    statement (a server-side cursor on PostgreSQL): rows with the ``EXPORTED`` columns, then ``full_name``,
    ``username`` and ``name`` (the branch's). Closing the iterator early closes the cursor.

    The statement is made now, from ``user`` as loaded; it runs when the first row is asked for (a download streams
    after the commit of its audit entry, which expires ``user``)."""
    statement = _joined(user, filters, *EXPORTED).execution_options(yield_per=chunk)

    def rows() -> Iterator[Row]:
        result = db.session.execute(statement)
        try:
            for part in result.partitions():
                yield from part
        finally:
            result.close()

    return rows()


def audit_branches(user: User) -> list[tuple[int, str]]:
    """The branches whose entries ``user`` may read, as (id, name) by name, for the filter."""
    statement = select(Branch.id, Branch.name).order_by(Branch.name)
    visible = visible_branch_ids(user)
    if visible is not None:
        statement = statement.where(Branch.id.in_(visible))
    return [tuple(row) for row in db.session.execute(statement)]
