"""The summaries the dashboards read instead of ten million sign-ups, kept true in the same transaction as every
change.

How a change reaches them: a service writes and flushes; after the flush (``keeping``, registered on the app's
sessions by ``init_app``) the sign-ups it added, changed or deleted are counted into the tallies (``tallies``),
then the roll-up cells it touched (``cells``) are counted again from the visits and tallies: monthly and daily
roll-ups (``rollups``), then village and officer totals (``place_totals``), then the retention roll-up of the
visits touched (``retention``: what sign-ups paid after signing up; a payment file's batches add to it). Each
subsidy programme's used quota (``programme_totals``) is kept with the tallies. A bulk statement goes around the
flush, so it runs through ``bulk_execute``, or inside ``rebuild_after`` for a load; any other is refused
(``guard``). ``drift`` compares every summary with a fresh count and ``rebuild`` counts them all again
(``flask summaries drift`` and ``flask summaries rebuild``).

Vocabulary: a *summary* is a table counted from the sign-ups and visits; a *cell* is what one change touches in
it; to *mark* a cell is to note it, to *recount* is to count marked cells again, to *rebuild* is to count a whole
summary again; *drift* is a stored row that differs from a fresh count.
"""

from flask import Flask
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

from campaign_app.extensions import db
from campaign_app.summaries import guard, keeping
from campaign_app.summaries.bulk import UnsupportedBulkChange, bulk_execute, rebuild_after
from campaign_app.summaries.guard import BulkChangeRefused
from campaign_app.summaries.place_totals import OfficerResult, VillageResult
from campaign_app.summaries.programme_totals import ProgrammeTotal
from campaign_app.summaries.rebuilding import Rebuilt, drift, rebuild
from campaign_app.summaries.retention import RetentionResult, RetentionTally
from campaign_app.summaries.rollups import DailyResult, MonthlyResult
from campaign_app.summaries.tallies import SignUpTally

# db.session's sessions are of this class (a test harness may make them of a subclass: these listeners apply to
# it too). A plain sqlalchemy Session is not: it neither keeps the summaries nor may write what they count.
SESSION_CLASS = FlaskSession
SESSION_LISTENERS = (*guard.SESSION_LISTENERS, ("after_flush", keeping.keep_summaries))


def init_app(app: Flask) -> None:
    """Keep the summaries after every flush of the app's sessions, and refuse bulk statements that would go around
    them, on its sessions and its engines. Each listener is registered once, however many apps a process makes."""
    for name, listener in SESSION_LISTENERS:
        if not event.contains(SESSION_CLASS, name, listener):
            event.listen(SESSION_CLASS, name, listener)
    with app.app_context():
        for engine in db.engines.values():
            guard.watch(engine)


__all__ = [
    "BulkChangeRefused", "DailyResult", "MonthlyResult", "OfficerResult", "ProgrammeTotal", "Rebuilt",
    "RetentionResult", "RetentionTally", "SignUpTally", "UnsupportedBulkChange", "VillageResult", "bulk_execute",
    "drift", "init_app", "rebuild", "rebuild_after",
]
