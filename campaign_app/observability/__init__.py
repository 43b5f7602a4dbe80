"""Operations: the app's log lines (one per request, one per committed write, one per sign-in) and where they go.

No line carries a query string, a form body, a NIK or a worker's name or phone; see README, "Operations".
"""

from flask import Flask

from campaign_app.observability import log_setup, request_log, sign_in_log, write_log
from campaign_app.observability.request_log import probe

__all__ = ["init_app", "probe"]


def init_app(app: Flask) -> None:
    """Configure the log and hook the request, write and sign-in lines.

    Called first in ``create_app``: the request line's ``after_request`` must be registered before any other, so
    that it runs last and logs the status that is sent.
    """
    log_setup.configure_logging(app)
    request_log.init_app(app)
    write_log.init_app()
    sign_in_log.init_app()
