"""The summaries dashboards read, kept true after every flush: the sign-up tallies first, then the monthly and
daily roll-ups, which are counted from the tallies."""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from campaign_app.models.rollups import Cells, recount
from campaign_app.models.tallies import TalliedFacts, add_to_tallies, keep_tallies
from campaign_app.models.visits import Visit, VisitOfficer

# A visit's columns that decide its roll-up cells or what it adds to them.
_ROLLED_UP = ("branch_id", "campaign_id", "village_code", "visit_date", "status", "attendance_women",
              "attendance_men", "planned_cost")
_CELL_COLUMNS = ("branch_id", "campaign_id", "visit_date", "village_code")


def _before(instance, name: str):
    history = inspect(instance).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(instance, name)


def _changed(instance) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in _ROLLED_UP)


def _mark_visits(session: Session, cells: Cells) -> tuple[set[int], set[int]]:
    """Mark the cells of visits added, changed or deleted in this flush (before and after), and the officers added
    to or removed from visits. Returns the ids of visits whose officers changed, whose cells are read from the
    database, and of visits changed, whose officers are."""
    staffed, changed = set(), set()
    for instance in session.new:
        if isinstance(instance, Visit):
            cells.add(*(getattr(instance, name) for name in _CELL_COLUMNS))
    for instance in session.dirty:
        if isinstance(instance, Visit) and _changed(instance):
            cells.add(*(_before(instance, name) for name in _CELL_COLUMNS))
            cells.add(*(getattr(instance, name) for name in _CELL_COLUMNS))
            changed.add(instance.id)
    for instance in session.deleted:
        if isinstance(instance, Visit):
            cells.add(*(_before(instance, name) for name in _CELL_COLUMNS))
    # An officer taken off a visit's list is deleted as an orphan inside the flush: only the list's history shows it.
    removed = [assignment for instance in session.dirty if isinstance(instance, Visit)
               for assignment in inspect(instance).attrs.assignments.history.deleted]
    for instance in (*session.new, *session.deleted, *removed):
        if isinstance(instance, VisitOfficer):
            cells.officers.add(_before(instance, "officer_id"))
            staffed.add(_before(instance, "visit_id"))
    return staffed, changed


@event.listens_for(Session, "after_flush")
def _keep_summaries(session: Session, _flush_context) -> None:
    cells = Cells()
    signed = _mark_signups(keep_tallies(session), cells)
    staffed, changed = _mark_visits(session, cells)
    if not (signed or staffed or changed or cells):
        return
    connection = session.connection()
    cells.add_visits(connection, signed | staffed)
    cells.add_officers_of(connection, changed)
    recount(connection, cells)


def _mark_signups(visits_and_officers: set[tuple[int, int]], cells: Cells) -> set[int]:
    """Mark the officers whose sign-ups changed; returns their visits, whose cells are read from the database."""
    cells.officers.update(officer_id for _visit, officer_id in visits_and_officers)
    return {visit_id for visit_id, _officer in visits_and_officers}


def record_bulk_changes(connection, moves: list[tuple[TalliedFacts | None, TalliedFacts | None]]) -> None:
    """Keep the summaries true after sign-ups changed around the ORM (a bulk UPDATE): each (before, after) pair of
    facts goes into the tallies, then the roll-up cells of their visits are counted again."""
    cells = Cells()
    cells.add_visits(connection, _mark_signups(add_to_tallies(connection, moves), cells))
    recount(connection, cells)
