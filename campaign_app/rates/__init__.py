"""Contribution rate tables: dated, added by administrators, never rewriting what a sign-up recorded."""

from flask import Blueprint

bp = Blueprint("rates", __name__, url_prefix="/rates")

from campaign_app.rates import routes  # noqa: E402,F401
