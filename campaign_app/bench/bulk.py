"""Bulk writes around the ORM: COPY on PostgreSQL, executemany in one transaction on SQLite.

Rows are tuples of plain values in the table's column order given; dates and times are ISO strings in the form
SQLAlchemy stores them on SQLite (``2026-11-25``, ``2026-11-25 01:30:00.000000``, ``09:00:00.000000``), which
PostgreSQL reads too: timestamps are UTC, so each COPY runs with the session's time zone set to UTC.
Table and column names come from this package, never from input.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import Connection, Engine, MetaData, text

# What a replaced benchmark keeps: the regions and the rate tables the migrations wrote.
KEPT_TABLES = frozenset({"provinces", "regencies", "districts", "villages", "rate_tables", "lapse_rules",
                         "alembic_version"})


@dataclass
class SavedDefinitions:
    """A table's secondary indexes and its foreign-key and unique constraints, as dropped before a load."""

    table: str
    indexes: list[str] = field(default_factory=list)
    constraints: list[tuple[str, str]] = field(default_factory=list)


class BulkWriter:
    """Writes rows to tables on one connection of the app's engine (SQLite or PostgreSQL)."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.postgresql = connection.dialect.name == "postgresql"

    def _driver(self):
        return self.connection.connection.driver_connection

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Insert ``rows`` into ``table``; returns how many were written."""
        written = 0

        def counted():
            nonlocal written
            for row in rows:
                written += 1
                yield row

        names = ", ".join(columns)
        if self.postgresql:
            self.connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
            with self._driver().cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in counted():
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self._driver().executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", counted())
        return written

    def update(self, table: str, key: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Set ``columns`` of the rows of ``table`` whose ``key`` is the first value of each row."""
        if not self.postgresql:
            assignments = ", ".join(f"{name} = ?" for name in columns)
            rows = [(*row[1:], row[0]) for row in rows]
            self._driver().executemany(f"UPDATE {table} SET {assignments} WHERE {key} = ?", rows)
            return len(rows)
        staging = f"bench_{table}_update"
        self.connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {key}, {', '.join(columns)} FROM {table} "
            "WITH NO DATA")
        written = self.insert(staging, [key, *columns], rows)
        assignments = ", ".join(f"{name} = s.{name}" for name in columns)
        self.connection.exec_driver_sql(
            f"UPDATE {table} AS t SET {assignments} FROM {staging} AS s WHERE t.{key} = s.{key}")
        return written

    def next_id(self, table: str) -> int:
        """The first free id of ``table``: loaded rows carry their ids, so that other rows can refer to them."""
        return self.connection.execute(text(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")).scalar_one()

    def reset_sequence(self, table: str) -> None:
        """After rows were written with their ids: the next id PostgreSQL gives follows them (SQLite knows)."""
        if self.postgresql:
            self.connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} HAVING max(id) > 0"))

    def drop_secondary(self, table: str) -> SavedDefinitions:
        """On PostgreSQL, drop the table's indexes other than its primary key, and its foreign-key and unique
        constraints, and return their definitions: ten million rows load several times faster without them, and
        an index built once over them is smaller. Nothing happens on SQLite."""
        saved = SavedDefinitions(table)
        if not self.postgresql:
            return saved
        saved.constraints = [tuple(row) for row in self.connection.execute(text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:t AS regclass) AND contype IN ('f', 'u') ORDER BY conname"), {"t": table})]
        indexes = self.connection.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :t "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass)) "
            "ORDER BY indexname"), {"t": table}).all()
        saved.indexes = [definition for _name, definition in indexes]
        for name, _definition in saved.constraints:
            self.connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            self.connection.exec_driver_sql(f'DROP INDEX "{name}"')
        return saved

    def restore(self, saved: SavedDefinitions) -> None:
        """Build again what ``drop_secondary`` dropped (each foreign key is checked once, over all the rows)."""
        if not self.postgresql:
            return
        self.connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        for definition in saved.indexes:
            self.connection.exec_driver_sql(definition)
        for name, definition in saved.constraints:
            self.connection.exec_driver_sql(f'ALTER TABLE {saved.table} ADD CONSTRAINT "{name}" {definition}')

    def clear(self) -> int:
        """Delete everything but the regions and the rate tables (``KEPT_TABLES``): TRUNCATE where PostgreSQL
        allows it, DELETE for the tables a kept table refers to (the users who wrote a rate table). Returns how
        many tables were emptied."""
        metadata = MetaData()
        metadata.reflect(self.connection)
        cleared = [t for t in metadata.sorted_tables if t.name not in KEPT_TABLES]
        names = {t.name for t in cleared}
        # Tables a kept one refers to, and the tables those refer to: TRUNCATE refuses them.
        deleted = set()
        for table in metadata.sorted_tables:
            if table.name in KEPT_TABLES:
                for key in table.foreign_keys:
                    if key.column.table.name in names:
                        self.connection.execute(table.update().values({key.parent.name: None}))
                        deleted.add(key.column.table.name)
        for table in reversed(cleared):
            if table.name in deleted:
                deleted.update(k.column.table.name for k in table.foreign_keys if k.column.table.name in names)
        truncated = [t.name for t in cleared if t.name not in deleted]
        if self.postgresql and truncated:
            self.connection.exec_driver_sql(f"TRUNCATE {', '.join(truncated)} RESTART IDENTITY")
        for table in reversed(cleared):
            if not self.postgresql or table.name in deleted:
                self.connection.execute(table.delete())
        return len(cleared)


def analyse(engine: Engine, tables: Sequence[str]) -> None:
    """Fresh planner statistics. On PostgreSQL ``VACUUM (ANALYZE)`` also marks the loaded pages all-visible,
    so that the first reads do not rewrite them and index-only scans can skip the table."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            for table in tables:
                connection.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
        else:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()


@lru_cache(maxsize=65_536)
def day_text(ordinal: int) -> str:
    """A date (as ``date.toordinal``) in the stored form."""
    return date.fromordinal(ordinal).isoformat()


def stamp(ordinal: int, minute: int) -> str:
    """A UTC timestamp ``minute`` minutes after midnight of the day, in the stored form."""
    minute = min(max(minute, 0), 24 * 60 - 1)
    return f"{day_text(ordinal)} {minute // 60:02d}:{minute % 60:02d}:00.000000"


def clock_text(hour: int, minute: int = 0) -> str:
    """A time of day in the stored form."""
    return f"{hour:02d}:{minute:02d}:00.000000"
