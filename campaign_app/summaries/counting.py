"""What every summary shares: writing counted rows, counting a table's rows, and comparing stored rows with a fresh
count (drift)."""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import Connection, Table, func, select

# Ids per IN list: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
CHUNK = 10_000


def chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    """``values`` sorted and cut into lists of at most ``size``: one IN list each."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


def counted_into(table: Table, rows):
    """INSERT INTO ``table`` the rows of a SELECT whose columns are named as the table's."""
    return table.insert().from_select([column.name for column in rows.selected_columns], rows)


def row_count(connection: Connection, table: Table) -> int:
    """How many rows ``table`` holds."""
    return connection.execute(select(func.count()).select_from(table)).scalar_one()


def drift(connection: Connection, tables: Mapping[Table, Sequence], rebuild: Callable[[Connection], object]
          ) -> list[tuple]:
    """The rows of ``tables`` that differ from a fresh count, as (table name, row) pairs: empty when they are true.

    Stored rows (all columns but the id, those meeting the table's conditions) are compared with the rows
    ``rebuild`` writes inside a savepoint, which is then rolled back: nothing changes.
    """
    def stored(conditions: Mapping[Table, Sequence]) -> dict[str, set[tuple]]:
        return {table.name: {tuple(row) for row in connection.execute(
            select(*(column for column in table.c if column.name != "id")).where(*conditions.get(table, ())))}
            for table in tables}

    before = stored(tables)
    savepoint = connection.begin_nested()
    try:
        rebuild(connection)
        fresh = stored({})
    finally:
        savepoint.rollback()
    return sorted(((name, row) for name in before for row in before[name] ^ fresh[name]), key=repr)
