"""Error pages in the user's language for 400, 401, 403, 404, 405, 413, 429 and 500."""

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from campaign_app.extensions import db
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
}
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
        response = render_error(error.code if error.code in MESSAGES else 400)
        # Keep what Werkzeug adds, such as Allow on 405 and Retry-After on 429.
        for header in ("Allow", "Retry-After"):
            if header in error.get_headers():
                response.headers[header] = dict(error.get_headers())[header]
        return response

    @app.errorhandler(InternalServerError)
    @app.errorhandler(Exception)
    def server_error(error):
        db.session.rollback()
        if not isinstance(error, HTTPException):
            app.logger.exception("Unhandled error")
        return render_error(500)
