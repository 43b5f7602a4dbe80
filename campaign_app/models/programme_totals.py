"""Each subsidy programme's live sign-ups: the used quota that the officer's sign-up form, the quota checks and the
programme list read, one row per programme.

Summing a programme's tallies instead reads about a thousand rows per programme at national scale, and the form
offers every running programme (about a hundred): 240 ms on every form an officer opens. A programme's row is
kept like the tallies, in the same transaction as every change and by the same hand: each flush's tally changes
(``tallies.TallyChanges.apply``) add their change of live sign-ups to their programmes' rows, in programme order,
after the tallies. The row of a subsidised sign-up is held from its flush to its commit, so two officers taking a
programme's last places count one after the other (``signups.service._recheck_quota`` then reads the quota
under its own lock).
"""

from collections.abc import Mapping

from sqlalchemy import Column, ForeignKey, Integer, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

from campaign_app.extensions import db
from campaign_app.models.signups import SignUp, SignUpStatus

programme_totals = Table(
    "programme_totals", db.metadata,
    Column("programme_id", ForeignKey("subsidy_programmes.id"), primary_key=True),
    # Sign-ups that are not void paid for by the programme; a programme without a row has none.
    Column("signups", Integer, nullable=False, server_default="0"),
)


class ProgrammeTotal(db.Model):
    """One subsidy programme: its live sign-ups."""

    __table__ = programme_totals


def add_to_programmes(connection, changes: Mapping[int, int]) -> None:
    """Add each programme's change of live sign-ups to its row (one upsert per programme changed, in id order)."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    for programme_id in sorted(changes):
        if changes[programme_id]:
            statement = insert(programme_totals).values(programme_id=programme_id, signups=changes[programme_id])
            connection.execute(statement.on_conflict_do_update(
                index_elements=["programme_id"],
                set_={"signups": programme_totals.c.signups + statement.excluded.signups}))


def counted_programmes():
    """A SELECT of (programme_id, signups) counted from the sign-ups themselves: what the rows must hold."""
    return (select(SignUp.subsidy_programme_id, func.count())
            .where(SignUp.subsidy_programme_id.is_not(None), SignUp.status != SignUpStatus.VOID)
            .group_by(SignUp.subsidy_programme_id))


def rebuild_programmes(connection) -> None:
    """Count every programme's live sign-ups again (after a bulk load, or to repair): one DELETE, one INSERT."""
    connection.execute(programme_totals.delete())
    connection.execute(programme_totals.insert().from_select(["programme_id", "signups"], counted_programmes()))


def programmes_drift(connection) -> list[tuple]:
    """("programme_totals", id, signups) of the rows that differ from a count of the sign-ups, as stored and as
    counted (empty when every row is true; a row of 0 is the same as none)."""
    stored = {tuple(row) for row in connection.execute(
        select(programme_totals.c.programme_id, programme_totals.c.signups).where(programme_totals.c.signups != 0))}
    fresh = {tuple(row) for row in connection.execute(counted_programmes())}
    return sorted(("programme_totals", *row) for row in stored ^ fresh)
