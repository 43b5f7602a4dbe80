"""Bulk changes of summarised rows, through the summaries: ``bulk_execute`` runs one INSERT, UPDATE or DELETE
of sign-ups, visits or visit officers and keeps the summaries true, in the same transaction; ``rebuild_after``
is the door for a load around the ORM, which rebuilds them when it ends.

``bulk_execute`` reads what the statement will touch before running it (the rows its WHERE clause selects, or
those whose primary keys its parameter sets name), and after it (the rows it moved, the rows it inserted), then
recounts: the tallies of every visit touched, and the roll-up cells of those visits and officers.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Result, select
from sqlalchemy.orm import Session

from campaign_app.summaries import counting, programme_totals, retention, rollups, tallies
from campaign_app.summaries.cells import CELL_COLUMNS, Cells
from campaign_app.summaries.guard import assigned_columns, door_open, loading_on, summarised_table
from campaign_app.summaries.rebuilding import rebuild


class UnsupportedBulkChange(ValueError):
    """``bulk_execute`` cannot tell which rows this statement touches; the message says what it takes."""


def _rows(connection: Connection, statement, parameters, *names: str) -> list[tuple]:
    """The ``names`` columns of the rows an UPDATE or DELETE selects: by its WHERE clause, or, with a list of
    parameter sets (the ORM's bulk UPDATE by primary key), by the keys they name."""
    table = statement.table
    query = select(*(table.c[name] for name in names)).distinct()
    if isinstance(parameters, list | tuple):
        key = table.primary_key.columns.values()
        if len(key) != 1 or any(key[0].key not in row for row in parameters):
            raise UnsupportedBulkChange(f"a bulk change of {table.name} with a list of parameter sets names the "
                                        "primary key of its row in each set (the ORM's bulk UPDATE by primary key)")
        return [tuple(row) for ids in counting.chunks(row[key[0].key] for row in parameters)
                for row in connection.execute(query.where(key[0].in_(ids)))]
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    return [tuple(row) for row in connection.execute(query, parameters or {})]


def _inserted(statement, parameters, *names: str) -> list[tuple]:
    """The ``names`` values of the rows an INSERT writes: it takes them as parameters."""
    if statement.select is not None or getattr(statement, "_values", None) or not parameters:
        raise UnsupportedBulkChange(f"a bulk INSERT of {statement.table.name} takes its rows as parameters")
    rows = parameters if isinstance(parameters, list | tuple) else [parameters]
    return [tuple(row.get(name) for name in names) for row in rows]


def _touched(connection: Connection, statement, parameters, table: str, cells: Cells) -> tuple[set, set, bool]:
    """What the statement touches before it runs: the ids of the visits whose tallies it changes, the officers
    whose totals it changes, and whether rows must be read again after it (they move)."""
    if table == "visits":
        if statement.is_insert:
            for row in _inserted(statement, parameters, *CELL_COLUMNS):
                cells.mark(*row)
            return set(), set(), False
        rows = _rows(connection, statement, parameters, "id", *CELL_COLUMNS)
        for _id, *columns in rows:
            cells.mark(*columns)
        visit_ids = {row[0] for row in rows}
        # Before the statement: a deleted visit takes its assignments with it (ON DELETE CASCADE).
        cells.mark_officers_of(connection, visit_ids)
        return visit_ids, set(), False
    if statement.is_update and table == "visit_officers":
        raise UnsupportedBulkChange("an officer moved from one visit to another is a DELETE and an INSERT")
    pairs = (_inserted(statement, parameters, "visit_id", "officer_id") if statement.is_insert
             else _rows(connection, statement, parameters, "visit_id", "officer_id"))
    moves = statement.is_update and not assigned_columns(statement, parameters).isdisjoint({"visit_id", "officer_id"})
    return {visit_id for visit_id, _officer in pairs}, {officer_id for _visit, officer_id in pairs}, moves


def bulk_execute(session: Session, statement, parameters=None) -> Result:
    """Run one INSERT, UPDATE or DELETE of sign-ups, visits or visit officers on ``session`` (an ORM-enabled
    ``update(SignUp)``, a bulk UPDATE by primary key, a bulk INSERT, or their Core forms) and keep the summaries
    true, in the same transaction: what the statement touches is read before and after it, then recounted.

    A statement that touches no summarised column, or no summarised table, simply runs. Raises
    ``UnsupportedBulkChange`` for a statement whose rows cannot be told (an INSERT ... SELECT, a Core
    executemany selecting rows by other parameters than their primary keys, an UPDATE of visit officers).
    Returns the statement's result. Flushes (as ``session.execute`` does), never commits.
    """
    table = summarised_table(statement, parameters)
    if table is None:
        return session.execute(statement, parameters)
    # The ORM would flush pending changes before running the statement: read what it touches after that flush.
    session.flush()
    connection = session.connection()
    cells = Cells()
    visit_ids, officers, moves = _touched(connection, statement, parameters, table, cells)
    if moves:
        ids = [row[0] for row in _rows(connection, statement, parameters, "id")]
    # A sign-up may leave a programme (voided, paid otherwise, deleted): its programme is read before the change.
    programmes = programme_totals.programmes_of(connection, visit_ids) if table != "visit_officers" else set()
    with door_open():
        result = session.execute(statement, parameters)
    if moves:
        rows = [row for chunk in counting.chunks(ids) for row in connection.execute(
            select(statement.table.c.visit_id, statement.table.c.officer_id).where(statement.table.c.id.in_(chunk)))]
        visit_ids.update(visit_id for visit_id, _officer in rows)
        officers.update(officer_id for _visit, officer_id in rows)
    if table != "visit_officers":
        tallies.recount(connection, visit_ids)
        programme_totals.recount(connection, programmes | programme_totals.programmes_of(connection, visit_ids))
    cells.mark_visits(connection, visit_ids)
    cells.officers.update(officers)
    rollups.recount(connection, cells)
    if table != "visit_officers" and visit_ids:
        retention.recount(connection, visit_ids, cells.months)
    return result


@contextmanager
def rebuild_after(connection: Connection) -> Iterator[None]:
    """The door for a load (the benchmark's seed emptying its tables, the demo seed): bulk statements on the
    summarised tables pass while the block runs, flushes on ``connection`` are not counted one by one, and every
    summary is rebuilt on ``connection`` when it ends without an error, in the same transaction. What is read
    inside the block from the summaries (a programme's places left) does not see the block's own changes."""
    with door_open(), loading_on(connection):
        yield
    rebuild(connection)
