"""Administrators manage user accounts: create, edit, deactivate, reset passwords."""

from flask import Blueprint

bp = Blueprint("users", __name__, url_prefix="/users")

from campaign_app.users import routes  # noqa: E402,F401
