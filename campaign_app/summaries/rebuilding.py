"""Every summary at once: rebuilt from the sign-ups and visits, or compared with a fresh count (drift)."""

from dataclasses import dataclass

from sqlalchemy import Connection

from campaign_app.summaries import counting, retention, rollups, tallies
from campaign_app.summaries.place_totals import officer_results, village_results
from campaign_app.summaries.programme_totals import programme_totals
from campaign_app.summaries.rollups import daily_results, monthly_results
from campaign_app.summaries.tallies import signup_tallies


@dataclass(frozen=True)
class Rebuilt:
    """How many rows each summary holds after a rebuild."""

    tallies: int
    monthly: int
    daily: int
    villages: int
    officers: int
    retention: int = 0


def rebuild(connection: Connection) -> Rebuilt:
    """Count every summary again from the sign-ups and visits (after a load around the ORM, or to repair drift):
    the tallies first, then the roll-ups counted from them, then the retention roll-up. Writes on ``connection``,
    never commits."""
    written = tallies.rebuild(connection)
    return Rebuilt(written, *rollups.rebuild(connection), retention=retention.rebuild(connection))


def drift(connection: Connection) -> list[tuple]:
    """Rows of every summary that differ from a fresh count of the sign-ups and visits, as (table name, row)
    pairs: empty when the dashboards read true numbers. Changes nothing."""
    tables = {signup_tallies: [signup_tallies.c.signups != 0], programme_totals: [programme_totals.c.signups != 0],
              **dict.fromkeys((monthly_results, daily_results, village_results, officer_results), ()),
              **retention.DRIFT_CONDITIONS}
    return counting.drift(connection, tables, rebuild)
