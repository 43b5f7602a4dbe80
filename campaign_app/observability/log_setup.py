"""Where the app's log lines go and what each carries: one line per record on stderr, with the request id.

Every logger of the package (``campaign_app.*``, Flask's ``app.logger`` included) writes through one handler on
the ``campaign_app`` logger. A line is ``<UTC time> <level> <logger> request_id=<id> <fields>``; the fields are
``key=value`` pairs (``logfmt``), so that a line can be grepped and parsed alike.
"""

import json
import logging
import re
import sys
from datetime import UTC, datetime

from flask import Flask, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_KEY = "jangkau.request_id"
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"
# A value with nothing a reader or a parser could mistake for a separator is written bare; others are quoted.
_BARE = re.compile(r"[\w.:/@+,~?%-]+", re.ASCII)


def fields(**values) -> str:
    """``key=value`` pairs in the order given; a value with spaces, quotes or control characters is quoted
    (JSON escaping), so that nothing a request carries can end a line or forge another one."""
    return " ".join(f"{key}={_value(value)}" for key, value in values.items())


def _value(value) -> str:
    text = "-" if value is None else str(value)
    return text if _BARE.fullmatch(text) else json.dumps(text)


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request it was logged in (``-`` outside a request: CLI, start-up)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request.environ.get(REQUEST_ID_KEY, "-") if has_request_context() else "-"
        return True


class LineFormatter(logging.Formatter):
    """One line per record (a traceback follows on its own lines), with an ISO 8601 time in UTC, whatever the
    server's time zone."""

    def __init__(self):
        super().__init__(LINE_FORMAT)

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class _StderrHandler(logging.StreamHandler):
    """Writes to ``sys.stderr`` as it is when a record is written, not when the handler was made: gunicorn and
    pytest both replace it, and a handler holding the old stream would write into a closed file."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def make_handler(stream=None) -> logging.Handler:
    """A handler writing the app's lines to ``stream`` (stderr by default); tests read their own stream."""
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(LineFormatter())
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(app: Flask) -> None:
    """Send the package's records to stderr in the app's line format, at ``LOG_LEVEL``.

    Loggers are the process's, not the app's: a second app in the same process (the tests make several) finds
    the handler in place and only sets the level.
    """
    logger = app.logger  # "campaign_app": every module's logging.getLogger(__name__) is its child
    logger.removeHandler(default_handler)
    if not any(isinstance(handler, _StderrHandler) for handler in logger.handlers):
        logger.addHandler(make_handler())
    logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    # Written once, by the handler above: a handler on the root logger (alembic's logging set-up during
    # `flask db upgrade`, a gunicorn --log-config) would write every line a second time in another form.
    logger.propagate = False
    # The development server's own access line carries the query string (a NIK, for the NIK check): the app's
    # request line takes its place, as it does under gunicorn.
    logging.getLogger("werkzeug").addFilter(drop_development_server_access_lines)


def drop_development_server_access_lines(record: logging.LogRecord) -> bool:
    """False for the line Werkzeug's development server writes per request (``"GET /path?query HTTP/1.1" 200``);
    its start-up and error lines pass."""
    return not (isinstance(record.msg, str) and record.msg.endswith('"%s" %s %s'))
