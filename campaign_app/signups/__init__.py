"""Sign-ups: the officer's form, the records and their corrections, near-duplicate review, activation."""

from flask import Blueprint

bp = Blueprint("signups", __name__, url_prefix="/signups")

from campaign_app.signups import (  # noqa: E402,F401
    activation_routes,
    form_routes,
    paper_routes,
    payment_status_routes,
    record_routes,
    review_routes,
)
