"""``/healthz`` and ``/readyz``: plain text, no template, no session, no sign-in, no rate limit."""

from flask import Response, current_app

from campaign_app.access import public
from campaign_app.extensions import db
from campaign_app.health import bp, service
from campaign_app.observability import probe


def _plain(text: str, status: int = 200) -> Response:
    # no-store: a cache between the balancer and the app must never answer for a process.
    return Response(text + "\n", status=status, mimetype="text/plain", headers={"Cache-Control": "no-store"})


@bp.get("/healthz")
@public
@probe
def live():
    """The process is up and answering; the database is not asked (a database outage must not restart it)."""
    return _plain("ok")


@bp.get("/readyz")
@public
@probe
def ready():
    """The process may take traffic: the database answers and its schema is at the migrations' head."""
    problem = service.not_ready_because(db.engine, current_app.extensions["migrate"].directory)
    if problem:
        return _plain(f"not ready: {problem}", status=503)
    return _plain("ready")
