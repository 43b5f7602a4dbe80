"""Managers' dashboards: what a selection of campaigns, places, dates and officers achieved.

Pages in ``routes`` (the dashboard and the campaign comparison) and ``export_routes`` (every table as CSV
or XLSX). The services: ``choices`` (what the filters offer the viewer), ``selection`` (the filters, as SQL
conditions), ``metrics`` (the figures of a selection), ``breakdowns`` (the same figures per regency,
district, village, officer, channel, occupation or payer), ``trend`` (sign-ups and attendance per week or
month), ``comparison`` (two to four campaigns side by side), ``charts`` and ``pictures`` (the charts' geometry and
what they draw) and ``exports`` (the tables as files). Every
figure is aggregated in SQL by a fixed number of statements, whatever the amount of data; sign-ups are
read from their tallies (``campaign_app.summaries.tallies``), never row by row.
"""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from campaign_app.reports import export_routes, participation_routes, retention_routes, routes  # noqa: E402,F401
