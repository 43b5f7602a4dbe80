"""Sign-ups per village, for coverage and for "where next".

Workers are not signed up in Jangkau yet: until they are, every village has 0 sign-ups. When sign-ups
are recorded, these two functions count them (the SQL one as a correlated count over the village's
visits), and every page that shows coverage or ranks villages subtracts them without other changes.
"""

from sqlalchemy import Integer, literal
from sqlalchemy.sql.elements import ColumnElement


def signups_in(village_code: ColumnElement) -> ColumnElement[int]:
    """The number of workers signed up in the village whose code is ``village_code``, as SQL."""
    return literal(0, Integer)


def signups_so_far(village_code: str) -> int:
    """The number of workers signed up in the village so far."""
    return 0
