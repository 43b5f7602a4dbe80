"""Health checks for a load balancer: ``/healthz`` (the process answers) and ``/readyz`` (the database does too,
at the migrations' head)."""

from flask import Blueprint

from campaign_app.extensions import limiter

bp = Blueprint("health", __name__)
# A balancer probes every few seconds from one address: no limit may ever refuse it.
limiter.exempt(bp)

from campaign_app.health import routes  # noqa: E402,F401
