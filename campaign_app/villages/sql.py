"""SQL pieces the village queries share, written once for SQLite and PostgreSQL."""

from datetime import date

from sqlalchemy import Date, Integer, SQLColumnExpression, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from campaign_app.models import Visit, VisitStatus


class days_between(FunctionElement):  # noqa: N801  (reads like the SQL function it stands for)
    """Whole days from the date ``earlier`` to the date ``later``: ``days_between(later, earlier)``."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw):
    # PostgreSQL: subtracting two dates gives whole days.
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({later} - {earlier})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    # SQLite keeps dates as ISO text.
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def day(value: date) -> ColumnElement:
    """A date as a bound SQL value, typed so that date arithmetic works on every database."""
    return literal(value, Date)


def last_done_visit(village_code: SQLColumnExpression[str], today: date):
    """The date of the village's last visit that was done (on or before ``today``), as a scalar subquery."""
    return (
        select(func.max(Visit.visit_date))
        .where(Visit.village_code == village_code, Visit.status == VisitStatus.DONE, Visit.visit_date <= today)
        .scalar_subquery()
    )
