"""The app's log as it would be written: its own handler's lines, read back by a test."""

import io
import logging
from contextlib import contextmanager

from campaign_app.observability.log_setup import make_handler

APP_LOGGER = "campaign_app"


class CapturedLog:
    """The lines written while the block ran, in the app's format."""

    def __init__(self, stream: io.StringIO):
        self._stream = stream

    @property
    def text(self) -> str:
        return self._stream.getvalue()

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def of(self, logger: str) -> list[str]:
        """The lines of one logger (``campaign_app.request``, ``campaign_app.write``, ``campaign_app.auth``)."""
        return [line for line in self.lines if f" {logger} " in line]


@contextmanager
def captured_log(level: int = logging.INFO):
    """Collect the app's lines at ``level`` and above; the logger's level is put back afterwards."""
    logger = logging.getLogger(APP_LOGGER)
    stream = io.StringIO()
    handler = make_handler(stream)
    before = logger.level
    logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield CapturedLog(stream)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)
