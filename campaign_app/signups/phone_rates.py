"""The rate table in force as the officer's phone works a contribution out with it (static/js/signup.js): in the
offline pack, and on the sign-up page for its preview."""

from datetime import date

from sqlalchemy import RowMapping, bindparam, select

from campaign_app.extensions import db
from campaign_app.models import RateTable

# What the phone works with, read as one plain row: the sign-up form shows it on every request, and loading the whole
# rate table as a record cost more than reading it.
PHONE_RATE_COLUMNS = ("id", "effective_from", "jkk_rate", "jkk_minimum", "jkk_maximum", "jkm_flat", "jht_rate",
                      "enrolment_min_age", "enrolment_age_limit")
_rate_tables = RateTable.__table__
IN_FORCE = (select(*(_rate_tables.c[name] for name in PHONE_RATE_COLUMNS))
            .where(_rate_tables.c.effective_from <= bindparam("day"))
            .order_by(_rate_tables.c.effective_from.desc()).limit(1))


def phone_rates(day: date) -> dict | None:
    """The rate table in force on ``day`` (as ``rates_in_force`` finds it) as the phone works out a contribution with
    it, or None when none is in force."""
    row = db.session.execute(IN_FORCE, {"day": day}).first()
    return as_phone_rates(row._mapping) if row is not None else None


def as_phone_rates(row: RowMapping) -> dict | None:
    """The phone's rate table from a row of ``PHONE_RATE_COLUMNS`` (None when its id is: no table in force)."""
    if row["id"] is None:
        return None
    rates = {name: row[name] for name in PHONE_RATE_COLUMNS}
    rates.update(effective_from=row["effective_from"].isoformat(), jkk_rate=str(row["jkk_rate"]),
                 jht_rate=str(row["jht_rate"]))
    return rates
