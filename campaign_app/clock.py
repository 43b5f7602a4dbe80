"""The branch's calendar: today's date in Asia/Makassar (WITA), not the server's."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")


def today() -> date:
    """Today's date in WITA, which the campaign's villages live by."""
    return datetime.now(WITA).date()
