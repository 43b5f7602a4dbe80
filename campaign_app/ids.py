"""Record ids as they come in from URLs, query strings and forms: one limit and one parser.

Every table's id is a 32-bit integer (PostgreSQL's ``integer``); a larger number cannot name a record, and
PostgreSQL refuses it in a query (SQLite would overflow). An id is whole, positive and within that limit, written
in ASCII digits only (Python's ``\\d`` and ``int()`` also take other scripts' digits).
"""

import re

from werkzeug.routing import BaseConverter, ValidationError

ID_MAX = 2_147_483_647
# Ten digits hold ID_MAX; a longer text is no id, and is not even converted.
ID_TEXT = re.compile(r"[0-9]{1,10}")


def parse_id(text: str | None) -> int | None:
    """The id ``text`` names (from a query string or a form), or None when it is missing or no id at all."""
    if text is None or not ID_TEXT.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= ID_MAX else None


class IdConverter(BaseConverter):
    """``<id:visit_id>`` in a route: a record id as ``parse_id`` reads it; anything else does not match (404)."""

    regex = ID_TEXT.pattern

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError()
        return parsed

    def to_url(self, value) -> str:
        return str(int(value))
