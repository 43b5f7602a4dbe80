"""One line per request: its id, method, path without the query string, status and duration.

The query string is never logged: the app puts no NIK, name or phone in an address (the NIK check and the search
are posted), but a hand-typed or old bookmarked one may hold them. Nor is any form body or header other than the
request id. A run of eleven or more digits in the path (a NIK or a phone number typed into the address; no record
id is that long) is written as ``redacted``.
"""

import logging
import re
import secrets
import time
from urllib.parse import quote

from flask import Flask, current_app, request, request_started

from campaign_app.observability.log_setup import REQUEST_ID_KEY, fields

log = logging.getLogger("campaign_app.request")

REQUEST_ID_HEADER = "X-Request-ID"
_STARTED_KEY = "jangkau.started"
_STATUS_KEY = "jangkau.status"
_LOGGED_KEY = "jangkau.logged"
# What a proxy's id looks like (nginx's $request_id: 32 hex digits; a UUID): nothing that could end a log line.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
# Characters left as they are in a logged path; anything else (a space, a line break) is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
# A NIK (16 digits) or a phone number (11 to 13), perhaps with spaces (encoded) or dashes; record ids stop at 10
# digits (2^31) and region codes have dots.
_LONG_NUMBER = re.compile(r"\d(?:(?:%20|-)?\d){10,}")


def loggable_path(path: str) -> str:
    """The path as logged: percent-encoded where unsafe, with any long run of digits replaced."""
    return _LONG_NUMBER.sub("redacted", quote(path, safe=_PATH_SAFE))


def probe(view):
    """Declare a view a load balancer's probe: its answers below 400 are logged at DEBUG, not INFO.

    A probe every few seconds from each balancer to each process would bury the requests people make; a failing
    probe still logs at INFO (and the health check's reason at WARNING).
    """
    view.logged_at_debug_when_ok = True
    return view


def request_id_from(header: str | None, trusted: bool) -> str:
    """The id of a request: the proxy's ``X-Request-ID`` when the proxy is trusted and the id is sane, or a new one.

    Only a trusted proxy's id is taken: a client's own could collide with another request's on purpose. An id of
    digits only is refused too, as it might be a NIK pasted where it should not be.
    """
    if trusted and header and _SANE_REQUEST_ID.fullmatch(header) and not header.isdigit():
        return header
    return secrets.token_hex(16)


def init_app(app: Flask) -> None:
    """Stamp each request with its id and start time, and log its line when the response has been handed over.

    The line is written on the request's teardown, so exactly once whatever error handlers ran, with the status
    sent. Call this before any other extension registers ``after_request``: Flask runs those in reverse order, so
    this one runs last and notes that status.
    """
    request_started.connect(_start, app)
    app.after_request(_note_response)
    app.teardown_request(_log_request)


def _start(sender: Flask, **_extra) -> None:
    # request_started comes before every before_request function (the rate limiter's included).
    trusted = bool(sender.config.get("TRUSTED_PROXIES"))
    request.environ[REQUEST_ID_KEY] = request_id_from(request.headers.get(REQUEST_ID_HEADER), trusted)
    request.environ[_STARTED_KEY] = time.perf_counter()


def _note_response(response):
    # Flask runs after_request again on the error response when saving the session fails: the last status wins.
    response.headers[REQUEST_ID_HEADER] = request.environ.get(REQUEST_ID_KEY, "-")
    request.environ[_STATUS_KEY] = response.status_code
    return response


def _log_request(_exc) -> None:
    # A request context that a test or a command pushed without dispatching a request was never started. A streamed
    # body (stream_with_context) pushes the context again and tears it down a second time: logged already.
    if _STARTED_KEY not in request.environ or request.environ.get(_LOGGED_KEY):
        return
    request.environ[_LOGGED_KEY] = True
    # No status noted: an error escaped every handler, and the server answers 500.
    status = request.environ.get(_STATUS_KEY, 500)
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    level = logging.DEBUG if status < 400 and getattr(view, "logged_at_debug_when_ok", False) else logging.INFO
    if log.isEnabledFor(level):
        duration = (time.perf_counter() - request.environ[_STARTED_KEY]) * 1000
        log.log(level, "%s", fields(method=request.method, path=loggable_path(request.path), status=status,
                                    duration_ms=f"{duration:.1f}"))
