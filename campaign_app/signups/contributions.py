"""Monthly contributions, computed from the rate table in force on the day of the sign-up."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from sqlalchemy import bindparam, select

from campaign_app.extensions import db
from campaign_app.models import RateTable


class NoRateTable(LookupError):
    """No rate table is in force on the date asked for."""


@dataclass(frozen=True)
class Contribution:
    """What a worker pays each month, in whole Rupiah, and the rate table it came from."""

    rate_table_id: int
    jkk: int
    jkm: int
    jht: int

    @property
    def total(self) -> int:
        return self.jkk + self.jkm + self.jht


# Built once: every sign-up runs it.
_IN_FORCE = (select(RateTable).where(RateTable.effective_from <= bindparam("day"))
             .order_by(RateTable.effective_from.desc()).limit(1))


def rates_in_force(day: date) -> RateTable | None:
    """The rate table in force on ``day``: the latest whose ``effective_from`` is not after it (None: there is none).
    A sign-up reads it once and hands it to every check that needs it."""
    return db.session.scalar(_IN_FORCE, {"day": day})


def rate_table_on(day: date) -> RateTable:
    """The rate table in force on ``day``; raises ``NoRateTable`` when there is none."""
    table = rates_in_force(day)
    if table is None:
        raise NoRateTable(day)
    return table


# What the lowest bracket is taken to be when JKK is not a share of income (a rate of 0 %).
FLAT_BRACKET_INCOME = 1_000_000


def lowest_bracket_income(table: RateTable) -> int:
    """The smallest whole-Rupiah income whose JKK share reaches the JKK minimum (Rp1.000.000 at 1 % of Rp10.000).

    Below it every income pays the same: a lower declared income is unusual, and is confirmed when typed.
    """
    if table.jkk_rate <= 0:
        return FLAT_BRACKET_INCOME
    return int((Decimal(table.jkk_minimum) / table.jkk_rate).to_integral_value(rounding=ROUND_CEILING))


def _rupiah(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def compute_contribution(declared_income: int, with_jht: bool, day: date) -> Contribution:
    """JKK (a share of income within its floor and ceiling), JKM (flat) and, if chosen, JHT (a share)."""
    return contribution_under(rate_table_on(day), declared_income, with_jht)


def contribution_under(table: RateTable, declared_income: int, with_jht: bool) -> Contribution:
    """The contribution ``compute_contribution`` gives, under the rate table ``table``."""
    if declared_income < 0:
        raise ValueError("declared income below zero")
    income = Decimal(declared_income)
    jkk = min(max(_rupiah(income * table.jkk_rate), table.jkk_minimum), table.jkk_maximum)
    jht = _rupiah(income * table.jht_rate) if with_jht else 0
    return Contribution(rate_table_id=table.id, jkk=jkk, jkm=table.jkm_flat, jht=jht)
