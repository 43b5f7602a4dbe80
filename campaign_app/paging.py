"""Pages of query results, rows or objects, in two statements: the count, then the page."""

from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import Select, func, select

from campaign_app.extensions import db

# Deep pages are never useful and a huge OFFSET overflows SQLite's integers.
MAX_PAGE = 10_000


@dataclass
class Page:
    """One page of results, with what the ``pager`` macro needs."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def first_number(self) -> int:
        """The position in the whole result of this page's first item (1 for the first)."""
        return (self.page - 1) * self.per_page + 1


def paginate(statement: Select, page: int, per_page: int, scalars: bool = False) -> Page:
    """Page ``page`` of ``statement`` (the last page when past the end), as rows or (``scalars``) objects."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    page = min(max(page, 1), MAX_PAGE, max(1, ceil(total / per_page)))
    limited = statement.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(limited)
    items = list(result.scalars()) if scalars else list(result)
    return Page(items=items, page=page, per_page=per_page, total=total)
