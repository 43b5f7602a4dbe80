"""Error pages in the user's language for 400, 401, 403, 404, 405, 413, 429, 500 and 503."""

from flask import Flask
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from campaign_app.extensions import db
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.rendering import render

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    401: (_l("Please sign in"), _l("You need to sign in to see this page.")),
    403: (_l("Not allowed"), _l("Your role does not allow this page.")),
    404: (_l("Not found"), _l("This page does not exist, or you may not see it.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is too large. Send a smaller file or shorter text.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("An error on our side stopped this request. Nothing was saved; "
                                         "please try again, and tell your coordinator if it happens again.")),
    503: (_l("Busy"), _l("The server is busy. Nothing was saved; send the form again in a few seconds.")),
}
# Seconds a client should wait before retrying when the database was too busy to write.
BUSY_RETRY_AFTER = 5
CSRF_MESSAGE = _l("This form has expired or was sent from elsewhere. Reload the page and send it again.")


def render_error(code: int, detail=None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render("errors/error.html", code=code, title=title, message=detail or message, status=code)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.response is not None:
            # The raiser built the answer itself (a throttled NIK check answers in its own fragment).
            return error.response
        response = render_error(error.code if error.code in MESSAGES else 400)
        # Keep what Werkzeug adds, such as Allow on 405 and Retry-After on 429.
        for header in ("Allow", "Retry-After"):
            if header in error.get_headers():
                response.headers[header] = dict(error.get_headers())[header]
        return response

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):
        # A write that waited out SQLite's busy timeout, or lost a PostgreSQL deadlock or serialisation
        # check, is safe to send again (forms carry one-time keys): say so instead of failing with a 500.
        db.session.rollback()
        if not _is_busy(error):
            app.logger.exception("Unhandled database error")
            return render_error(500)
        app.logger.warning("Database busy: %s", error.orig)
        response = render_error(503)
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response

    @app.errorhandler(InternalServerError)
    @app.errorhandler(Exception)
    def server_error(error):
        db.session.rollback()
        if not isinstance(error, HTTPException):
            app.logger.exception("Unhandled error")
        return render_error(500)


def _is_busy(error: OperationalError) -> bool:
    """True for a lock timeout, deadlock or serialisation failure: transient, worth a retry."""
    code = getattr(error.orig, "pgcode", None) or getattr(error.orig, "sqlstate", None)
    if code in ("40001", "40P01", "55P03"):
        return True
    return "database is locked" in str(error.orig) or "database table is locked" in str(error.orig)
