"""Days typed into query strings: one parser, one range."""

import re
from datetime import date

# The calendar the app works in: visits, campaigns and reports fall within it (forms offer no other years).
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
# year-month-day as an <input type="date"> sends it; date.fromisoformat alone would take other ISO forms too.
DAY_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: str | None, earliest: date = EARLIEST_DAY, latest: date = LATEST_DAY) -> date | None:
    """The day ``text`` names (YYYY-MM-DD), or None when it is missing, impossible or outside earliest…latest."""
    if text is None or not DAY_TEXT.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if earliest <= day <= latest else None
