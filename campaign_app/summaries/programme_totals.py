"""Each subsidy programme's live sign-ups: the used quota that the officer's sign-up form, the quota checks and the
programme list read, one row per programme.

Summing a programme's tallies instead reads about a thousand rows per programme at national scale, and the form
offers every running programme (about a hundred): 240 ms on every form an officer opens. A programme's row is
kept like the tallies, in the same transaction as every change and by the same hand: each flush's tally changes
(``tallies.TallyChanges.apply``) add their change of live sign-ups to their programmes' rows, in programme order,
after the tallies; a bulk change recounts the programmes of the visits it touched (``recount``, from ``bulk``).
The row of a subsidised sign-up is held from its flush to its commit, so two officers taking a programme's last
places count one after the other (``signups.service._recheck_quota`` then reads the quota under its own lock).
"""

from collections.abc import Iterable, Mapping
from functools import lru_cache

from sqlalchemy import Column, Connection, ForeignKey, Integer, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped

from campaign_app.extensions import Model, db
from campaign_app.models.signups import SignUp, SignUpStatus
from campaign_app.summaries import counting

programme_totals = Table(
    "programme_totals", db.metadata,
    Column("programme_id", ForeignKey("subsidy_programmes.id"), primary_key=True),
    # Sign-ups that are not void paid for by the programme; a programme without a row has none.
    Column("signups", Integer, nullable=False, server_default="0"),
)


class ProgrammeTotal(Model):
    """One subsidy programme: its live sign-ups."""

    __table__ = programme_totals

    # Typed for the code that reads them; the mapping takes them from ``programme_totals``.
    programme_id: Mapped[int]
    signups: Mapped[int]


def adding(statement):
    """``statement``, an INSERT of (programme_id, signups), adding its sign-ups to a programme's row already there."""
    return statement.on_conflict_do_update(index_elements=["programme_id"],
                                           set_={"signups": programme_totals.c.signups + statement.excluded.signups})


@lru_cache(maxsize=8)
def _add_statement(dialect: str):
    """The upsert adding the bound ``signups`` to the bound programme's row, built once per dialect (a subsidised
    sign-up runs it)."""
    return adding((postgresql.insert if dialect == "postgresql" else sqlite.insert)(programme_totals))


def add(connection: Connection, changes: Mapping[int, int]) -> None:
    """Add each programme's change of live sign-ups to its row (one upsert per programme changed, in id order)."""
    statement = _add_statement(connection.dialect.name)
    for programme_id in sorted(changes):
        if changes[programme_id]:
            connection.execute(statement, {"programme_id": programme_id, "signups": changes[programme_id]})


def _counted(*conditions):
    """A SELECT of (programme_id, signups) counted from the live sign-ups meeting the conditions."""
    return (select(SignUp.subsidy_programme_id.label("programme_id"), func.count().label("signups"))
            .where(SignUp.subsidy_programme_id.is_not(None), SignUp.status != SignUpStatus.VOID, *conditions)
            .group_by(SignUp.subsidy_programme_id))


def programmes_of(connection: Connection, visit_ids: Iterable[int]) -> set[int]:
    """The programmes that pay for sign-ups of these visits (live or void): those a bulk change of them may move."""
    return {programme_id for ids in counting.chunks(visit_ids) for programme_id in connection.scalars(
        select(SignUp.subsidy_programme_id).distinct()
        .where(SignUp.visit_id.in_(ids), SignUp.subsidy_programme_id.is_not(None))) if programme_id is not None}


def recount(connection: Connection, programme_ids: Iterable[int]) -> None:
    """Count these programmes' live sign-ups again (two statements per ten thousand programmes)."""
    for ids in counting.chunks(programme_ids):
        connection.execute(programme_totals.delete().where(programme_totals.c.programme_id.in_(ids)))
        connection.execute(counting.counted_into(programme_totals, _counted(SignUp.subsidy_programme_id.in_(ids))))


def rebuild(connection: Connection) -> int:
    """Count every programme's live sign-ups again (after a bulk load, or to repair): one DELETE, one INSERT.
    Returns the number of rows written."""
    connection.execute(programme_totals.delete())
    connection.execute(counting.counted_into(programme_totals, _counted()))
    return counting.row_count(connection, programme_totals)
