"""Managers' dashboards: what a selection of campaigns, places, dates and officers achieved.

Pages in ``routes`` (the dashboard) and ``export_routes`` (CSV and XLSX). The services: ``selection``
(the filters, as SQL conditions), ``metrics`` (the figures of a selection), ``breakdowns`` (the same
figures per regency, district, village, officer, channel, occupation or payer) and ``trend`` (sign-ups
and attendance per week or month). Every figure is aggregated in SQL by a fixed number of statements,
whatever the amount of data.
"""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from campaign_app.reports import export_routes, routes  # noqa: E402,F401
