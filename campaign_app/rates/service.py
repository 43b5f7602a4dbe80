"""Rules and queries for contribution rate tables: dated, added ahead of time, never rewriting the past."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_date, format_decimal
from sqlalchemy import select

from campaign_app.audit.service import record
from campaign_app.database import added_first
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import AuditAction, RateTable, User
from campaign_app.models.signups import ENROLMENT_AGE_LIMIT, ENROLMENT_MIN_AGE
from campaign_app.signups.contributions import Contribution, NoRateTable, compute_contribution, lowest_bracket_income
from campaign_app.validation import Refused

# The BPU enrolment range when none is given: working age to under 65.
DEFAULT_MIN_AGE, DEFAULT_MAX_AGE = ENROLMENT_MIN_AGE, ENROLMENT_AGE_LIMIT - 1

PERCENT_MAX = Decimal(100)
# The column keeps five decimals of the fraction: three of the percentage (0,054 %).
PERCENT_DECIMALS = 3
# Ages a person can have: an enrolment range outside it is a typing mistake.
AGE_MAX = 120
# A hundred million Rupiah a month: far above any floor, ceiling or flat contribution.
AMOUNT_MAX = 100_000_000


@dataclass(frozen=True)
class RateTableRow:
    """A rate table as the list shows it: in force today, already replaced, or still to come."""

    table: RateTable
    in_force: bool
    upcoming: bool


@dataclass(frozen=True)
class WorkedExample:
    """What a worker at the lowest bracket pays under ``table``: income, and the contribution parts."""

    table: RateTable
    income: int
    contribution: Contribution

    @property
    def without_jht(self) -> int:
        return self.contribution.jkk + self.contribution.jkm


def percent_of(rate: Decimal) -> Decimal:
    """The stored fraction as the percentage people type: ``0.0054`` → ``0.54``."""
    # Through text in fixed notation: normalize() alone would write ten per cent as 1E+1.
    return Decimal(format((rate * 100).normalize(), "f"))


def rate_text(rate: Decimal) -> str:
    """The stored fraction as a percentage in the reader's language: ``0.0054`` → ``0,54%`` in Indonesian."""
    return f"{format_decimal(percent_of(rate))}%"


def _percent_problem(value: Decimal | None) -> str | None:
    if value is None or not value.is_finite():
        return _("Enter a percentage such as 1 or 0,54.")
    if not 0 <= value <= PERCENT_MAX:
        return _("Enter a percentage from 0 to 100.")
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite (checked above): only NaN and infinity have a letter here
    if -exponent > PERCENT_DECIMALS:
        return _("Use at most %(count)d decimals.", count=PERCENT_DECIMALS)
    return None


def _amount_problem(value: int | None) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return _("Enter an amount in whole Rupiah, such as 10.000.")
    if not 0 <= value <= AMOUNT_MAX:
        return _("Enter an amount from Rp0 to Rp%(max)s.", max=format_decimal(AMOUNT_MAX))
    return None


def _table_on(day: date) -> RateTable | None:
    return db.session.scalar(select(RateTable).where(RateTable.effective_from == day))


def _same_values(table: RateTable, values: dict) -> bool:
    return all(getattr(table, name) == value for name, value in values.items())


def _validate(effective_from: date | None, jkk_percent, jkk_minimum, jkk_maximum, jkm_flat, jht_percent,
              today: date, min_age, max_age) -> None:
    errors: dict[str | None, list[str]] = {}
    if not isinstance(effective_from, date):
        errors["effective_from"] = [_("Enter the first day the rates apply.")]
    elif effective_from <= today:
        errors["effective_from"] = [_(
            "A new rate table takes effect after today (%(today)s): a rate change never rewrites the past.",
            today=format_date(today))]
    for field, problem in (("jkk_rate", _percent_problem(jkk_percent)), ("jht_rate", _percent_problem(jht_percent)),
                           ("jkk_minimum", _amount_problem(jkk_minimum)),
                           ("jkk_maximum", _amount_problem(jkk_maximum)), ("jkm_flat", _amount_problem(jkm_flat))):
        if problem:
            errors[field] = [problem]
    if "jkk_minimum" not in errors and "jkk_maximum" not in errors and jkk_minimum > jkk_maximum:
        errors["jkk_maximum"] = [_("The maximum is below the minimum.")]
    for field, age in (("enrolment_min_age", min_age), ("enrolment_max_age", max_age)):
        if not isinstance(age, int) or isinstance(age, bool) or not 0 < age <= AGE_MAX:
            errors[field] = [_("Enter an age from 1 to %(max)d.", max=AGE_MAX)]
    if "enrolment_min_age" not in errors and "enrolment_max_age" not in errors and min_age > max_age:
        errors["enrolment_max_age"] = [_("The oldest age is below the youngest.")]
    if errors:
        raise Refused(errors)


def create_rate_table(*, effective_from: date, jkk_percent: Decimal, jkk_minimum: int, jkk_maximum: int,
                      jkm_flat: int, jht_percent: Decimal, created_by: User, today: date,
                      now: datetime | None = None, enrolment_min_age: int = DEFAULT_MIN_AGE,
                      enrolment_max_age: int = DEFAULT_MAX_AGE) -> RateTable:
    """Add a rate table in force from ``effective_from``, which must come after ``today``; audited.

    Rates are percentages (``Decimal("0.54")`` for 0,54 %) from 0 to 100 with at most three decimals;
    amounts are whole Rupiah from 0 to 100,000,000, the JKK minimum not above its maximum. Workers from
    ``enrolment_min_age`` to ``enrolment_max_age`` years (both included, 1 to 120) may enrol under it. One table per
    date: another table on that date is refused, while the very same values again (a double submit)
    return the table already stored without a second audit entry. Raises ``Refused`` per field.
    """
    _validate(effective_from, jkk_percent, jkk_minimum, jkk_maximum, jkm_flat, jht_percent, today,
              enrolment_min_age, enrolment_max_age)
    values = {"jkk_rate": jkk_percent / 100, "jkk_minimum": jkk_minimum, "jkk_maximum": jkk_maximum,
              "jkm_flat": jkm_flat, "jht_rate": jht_percent / 100, "enrolment_min_age": enrolment_min_age,
              "enrolment_age_limit": enrolment_max_age + 1}
    existing = _table_on(effective_from)
    if existing is None:
        table = RateTable(effective_from=effective_from, created_by_id=created_by.id, **values)
        if not added_first(table):
            # Another request stored a table for this date first.
            existing = _table_on(effective_from)
        else:
            details = {"effective_from": effective_from.isoformat(), "jkk_rate": str(percent_of(table.jkk_rate)),
                       "jkk_minimum": jkk_minimum, "jkk_maximum": jkk_maximum, "jkm_flat": jkm_flat,
                       "jht_rate": str(percent_of(table.jht_rate)), "enrolment_min_age": enrolment_min_age,
                       "enrolment_max_age": enrolment_max_age}
            record(AuditAction.RATE_TABLE_CREATED, actor=created_by, subject_type="rate_table", subject_id=table.id,
                   details=details, now=now)
            return table
    if existing is not None and _same_values(existing, values):
        return existing
    raise Refused.on("effective_from", _(
        "A rate table already takes effect on %(day)s; rates once set are not changed. Choose another date.",
        day=format_date(effective_from)))


def rate_tables(today: date) -> list[RateTableRow]:
    """Every rate table, latest first, marking the one in force ``today`` and those still to come. One query."""
    tables = db.session.scalars(select(RateTable).order_by(RateTable.effective_from.desc())).all()
    in_force = next((t for t in tables if t.effective_from <= today), None)
    return [RateTableRow(table=t, in_force=t is in_force, upcoming=t.effective_from > today) for t in tables]


def worked_example(table: RateTable) -> WorkedExample | None:
    """The contribution at the lowest bracket under ``table``, computed as a sign-up on its first day would be.

    None when no table is in force on that day (cannot happen for a stored table; kept for safety).
    """
    income = lowest_bracket_income(table)
    try:
        contribution = compute_contribution(income, True, table.effective_from)
    except NoRateTable:
        return None
    return WorkedExample(table=table, income=income, contribution=contribution)
