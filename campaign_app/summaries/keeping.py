"""Keeping the summaries after each flush of the app's sessions (``keep_summaries``, registered by
``summaries.init_app``): the tallies first, then the roll-up cells the flush touched, counted again from them,
then the retention tallies of the visits touched (``retention``); a flush that only adds sign-ups adds their counts
to the roll-ups instead (``increments``): a new sign-up has no payment history yet.

The flush's own objects say what changed: sign-ups added, changed or deleted; visits whose rolled-up columns
changed; officers put on or taken off visits. Everything is written on the flush's connection, inside its
transaction, so the dashboards never read a count the change has not reached.
"""

from collections import Counter

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from campaign_app.models.signups import SignUp
from campaign_app.models.visits import Visit, VisitOfficer
from campaign_app.summaries import increments, retention, rollups, tallies
from campaign_app.summaries.cells import CELL_COLUMNS, ROLLED_UP_VISIT_COLUMNS, Cells
from campaign_app.summaries.guard import rebuilt_later
from campaign_app.summaries.tallies import TALLIED_ATTRIBUTES, TalliedFacts, TallyChanges

# What a sign-up's retention tally is keyed and filtered by (``retention._counted``): its visit, its officer, its
# payer, and whether it is void.
RETENTION_ATTRIBUTES = ("visit_id", "officer_id", "payer", "status")


def _before(instance, name: str):
    """The attribute's value before the flush (its value now when unchanged)."""
    history = inspect(instance).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(instance, name)


def _changed(instance, names) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in names)


def _facts(signup: SignUp, before: bool) -> TalliedFacts:
    """The sign-up's facts now, or as they were before the flush (``before``)."""
    return TalliedFacts(**{name: _before(signup, name) if before else getattr(signup, name)
                           for name in TALLIED_ATTRIBUTES})


def _keep_tallies(session: Session) -> tuple[set[tuple[int, int]], dict[tuple[int, int, int], Counter] | None]:
    """Count the sign-ups the flush added, changed or deleted into the tallies, and copy changed visit columns
    onto them. Returns the (visit, officer) pairs whose sign-ups changed, and what each tally key gained when the
    flush only added sign-ups (None otherwise)."""
    changes = TallyChanges()
    moved_visits = []
    for instance in session.new:
        if isinstance(instance, SignUp):
            changes.move(None, _facts(instance, before=False))
    for instance in session.dirty:
        if isinstance(instance, SignUp) and _changed(instance, TALLIED_ATTRIBUTES):
            changes.move(_facts(instance, before=True), _facts(instance, before=False))
        elif isinstance(instance, Visit) and _changed(instance, tallies.COPIED_FROM_VISIT):
            moved_visits.append(instance)
    for instance in session.deleted:
        if isinstance(instance, SignUp):
            changes.move(_facts(instance, before=True), None)
    if not (changes or moved_visits):
        return set(), None
    connection = session.connection()
    for visit in moved_visits:
        tallies.copy_visit_columns(connection, visit)
    touched, gained = changes.visits_and_officers, changes.increments()
    changes.apply(connection)
    return touched, None if moved_visits else gained


def _mark_visits(session: Session, cells: Cells) -> tuple[set[int], set[int]]:
    """Mark the cells of visits added, changed or deleted in this flush (before and after), and the officers added
    to or removed from visits. Returns the ids of visits whose officers changed, whose cells are read from the
    database, and of visits changed, whose officers are."""
    staffed, changed = set(), set()
    for instance in session.new:
        if isinstance(instance, Visit):
            cells.mark(*(getattr(instance, name) for name in CELL_COLUMNS))
    for instance in session.dirty:
        if isinstance(instance, Visit) and _changed(instance, ROLLED_UP_VISIT_COLUMNS):
            cells.mark(*(_before(instance, name) for name in CELL_COLUMNS))
            cells.mark(*(getattr(instance, name) for name in CELL_COLUMNS))
            changed.add(instance.id)
    for instance in session.deleted:
        if isinstance(instance, Visit):
            cells.mark(*(_before(instance, name) for name in CELL_COLUMNS))
    # An officer taken off a visit's list is deleted as an orphan inside the flush: only the list's history shows it.
    removed = [assignment for instance in session.dirty if isinstance(instance, Visit)
               for assignment in inspect(instance).attrs.assignments.history.deleted]
    for instance in (*session.new, *session.deleted, *removed):
        if isinstance(instance, VisitOfficer):
            cells.officers.add(_before(instance, "officer_id"))
            staffed.add(_before(instance, "visit_id"))
    return staffed, changed


def keep_summaries(session: Session, _flush_context) -> None:
    """After a flush of the app's session: count what it changed into the tallies, mark the roll-up cells it
    touched, and count them again, on the flush's connection."""
    if rebuilt_later(session):
        return
    cells = Cells()
    touched, gained = _keep_tallies(session)
    staffed, changed = _mark_visits(session, cells)
    if gained and not (staffed or changed or cells):
        # Only sign-ups added (the officer's hot path): their counts are added as they are.
        increments.add(session.connection(), gained)
        return
    signed = set()
    for visit_id, officer_id in touched:
        # A sign-up counts for the officer who recorded it, and in its visit's cells (read from the database).
        cells.officers.add(officer_id)
        signed.add(visit_id)
    if not (signed or staffed or changed or cells):
        return
    connection = session.connection()
    cells.mark_visits(connection, signed | staffed)
    cells.mark_officers_of(connection, changed)
    rollups.recount(connection, cells)
    retained = _retention_visits(session)
    if retained:
        retention.recount(connection, retained, cells.months)


def _retention_visits(session: Session) -> set[int]:
    """The visits whose retention tallies this flush may change: those of sign-ups already recorded that changed
    what they count under, or were deleted, and visits whose columns the tallies copy changed. A new sign-up has no
    payment history yet, and a visit's status, cost or attendance is not in the retention roll-up (closing a visit,
    the most common change, recounts nothing there)."""
    visits: set[int] = set()
    for instance in session.dirty:
        if isinstance(instance, SignUp) and _changed(instance, RETENTION_ATTRIBUTES):
            visits.update((_before(instance, "visit_id"), instance.visit_id))
        elif isinstance(instance, Visit) and _changed(instance, retention.VISIT_COLUMNS):
            visits.add(instance.id)
    for instance in session.deleted:
        if isinstance(instance, SignUp):
            visits.add(_before(instance, "visit_id"))
        elif isinstance(instance, Visit):
            visits.add(instance.id)
    visits.discard(None)
    return visits
