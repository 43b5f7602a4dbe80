"""Session cookies marked Secure whenever the request itself came over HTTPS, sent only when they change, and never
with a static file.

The cookie is not refreshed on every response (``SESSION_REFRESH_EACH_REQUEST`` is off in config.py): the server
keeps each session's idle and lifetime limits (auth/user_sessions.py), so re-sending ~370 bytes with every answer
bought nothing on a 2G link. Static files never read or write the session: no Set-Cookie, no ``Vary: Cookie``,
so that a browser or a proxy keeps one copy for everyone (a Vary on Cookie had them revalidated after every
browser restart).
"""

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        forced = super().get_cookie_secure(app)
        return forced or (has_request_context() and request.is_secure)

    def save_session(self, app, session, response) -> None:
        if request.endpoint in STATELESS_ENDPOINTS:
            return
        super().save_session(app, session, response)


# Answers that are the same for everyone: static files and the favicon.
STATELESS_ENDPOINTS = frozenset({"static", "favicon"})
