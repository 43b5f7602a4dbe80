"""Session cookies marked Secure whenever the request itself came over HTTPS."""

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        forced = super().get_cookie_secure(app)
        return forced or (has_request_context() and request.is_secure)
