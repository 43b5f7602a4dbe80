"""Where the payment status import meets the database: the file's rows loaded into a temporary table a batch at a
time, matched to the live sign-ups and their histories in one join, read back a page at a time, and each page's
histories written in one upsert.

One join for the whole file, not a look-up per batch: the database hashes the file's blind indexes once and reads
the sign-ups once, where thousands of index probes per batch cost more than everything else together. It also finds
a NIK given twice anywhere in the file (the first line wins). On PostgreSQL the rows go in by COPY and each page's
histories by one INSERT ... SELECT FROM unnest(arrays) ON CONFLICT; SQLite, in process, takes executemany. Memory
holds one batch or one page, whatever the file's size.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import NamedTuple, TypedDict

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    func,
    literal_column,
    null,
    select,
    text,
)
from sqlalchemy.dialects import sqlite

from campaign_app.clock import WITA
from campaign_app.database import wrote_around_sqlalchemy
from campaign_app.models import PaymentHistory, SignUp
from campaign_app.models.payments import month_number
from campaign_app.summaries.retention import SignUpFacts

_tables = MetaData()
# What the retention roll-up needs of a matched sign-up (``SignUpFacts``), read in the same join.
SIGNUP_FACTS = ("visit_id", "officer_id", "payer", "village_code", "status")
# The file's rows that passed the checks: the line, the NIK's blind index, the NIK masked (for the report) and the
# month paid through (None: listed, not paid).
file_rows = Table("payment_file_rows", _tables, Column("line", Integer, nullable=False),
                  Column("nik_index", String(64), nullable=False), Column("masked", String(20), nullable=False),
                  Column("reported", Integer), prefixes=["TEMPORARY"])
# Each row with the first line of its NIK in the file and, when a live sign-up has the NIK, the sign-up and its
# history as it was before the file.
file_matches = Table("payment_file_matches", _tables, Column("line", Integer, primary_key=True, autoincrement=False),
                     Column("masked", String(20), nullable=False), Column("reported", Integer),
                     Column("first_line", Integer, nullable=False), Column("signup_id", Integer),
                     Column("consent_at", SignUp.__table__.c.consent_at.type),
                     Column("paid_months", PaymentHistory.__table__.c.paid_months.type),
                     Column("paid_through", Integer), Column("signup_month", Integer),
                     *(Column(name, SignUp.__table__.c[name].type) for name in SIGNUP_FACTS),
                     prefixes=["TEMPORARY"])
# A page's histories to write, on PostgreSQL: COPY in, then one INSERT ... SELECT ... ON CONFLICT (sending them as
# arrays cost more in Python than everything else the page does).
file_writes = Table("payment_file_writes", _tables, Column("signup_id", Integer, nullable=False),
                    Column("signup_month", Integer, nullable=False), Column("paid_months", BigInteger, nullable=False),
                    Column("paid_through", Integer, nullable=False), prefixes=["TEMPORARY"])
# The sign-up's month (month_number of its consent in WITA, UTC+8 all year), computed by PostgreSQL in the join.
_SIGNUP_MONTH = ("CAST(EXTRACT(YEAR FROM signups.consent_at AT TIME ZONE 'Asia/Makassar') * 12"
                 " + EXTRACT(MONTH FROM signups.consent_at AT TIME ZONE 'Asia/Makassar') - 1 AS INTEGER)")


class FileRow(NamedTuple):
    """A row to match: its line, the NIK's blind index and masked form, the month paid through."""

    line: int
    nik_index: str
    masked: str
    reported: int | None


class Match(NamedTuple):
    """A row of the file as matched: ``signup_id`` None when no live sign-up has its NIK; ``paid_months`` None
    when the sign-up has no history yet; ``first_line`` another line when its NIK came earlier in the file."""

    line: int
    masked: str
    reported: int | None
    first_line: int
    signup_id: int | None
    signup_month: int | None
    paid_months: int | None
    paid_through: int | None
    facts: SignUpFacts | None


class HistoryWrite(TypedDict):
    """A history as it is to be stored (a dict: the retention roll-up reads the same rows by name)."""

    signup_id: int
    signup_month: int
    paid_months: int
    paid_through: int


def start(connection: Connection) -> None:
    """Create the file's temporary tables on ``connection`` (dropped by ``finish``, or with the transaction)."""
    _tables.create_all(connection)


def finish(connection: Connection) -> None:
    """Drop the file's temporary tables."""
    _tables.drop_all(connection)


def load(connection: Connection, rows: Sequence[FileRow]) -> None:
    """Add a batch of the file's rows: one COPY on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        wrote_around_sqlalchemy(connection)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy("COPY payment_file_rows (line, nik_index, masked, reported) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    connection.execute(file_rows.insert(), [row._asdict() for row in rows])


def match(connection: Connection) -> None:
    """Match every row of the file to the live sign-up with its NIK's blind index and its history: one join."""
    r, signup, history = file_rows.c, SignUp.__table__.c, PaymentHistory.__table__.c
    # PostgreSQL gives the sign-up's month; SQLite, the consent moment, converted in Python (``pages``).
    in_sql = connection.dialect.name == "postgresql"
    month = literal_column(_SIGNUP_MONTH, Integer) if in_sql else null()
    consent = null() if in_sql else signup.consent_at
    # The window sorts a million hex digests: bytewise ("C") on PostgreSQL, not by the database's collation.
    partition = r.nik_index.collate("C") if in_sql else r.nik_index
    joined = (select(r.line, r.masked, r.reported, func.min(r.line).over(partition_by=partition), signup.id,
                     consent, history.paid_months, history.paid_through, month,
                     *(signup[name] for name in SIGNUP_FACTS))
              .select_from(file_rows)
              # The status as a literal: the partial index of live NIKs then serves any plan.
              .outerjoin(SignUp.__table__, (signup.nik_index == r.nik_index)
                         & (literal_column("signups.status") != literal_column("'void'")))
              .outerjoin(PaymentHistory.__table__, history.signup_id == signup.id))
    connection.execute(file_matches.insert().from_select(
        ["line", "masked", "reported", "first_line", "signup_id", "consent_at", "paid_months", "paid_through",
         "signup_month", *SIGNUP_FACTS], joined))


def pages(connection: Connection, size: int) -> Iterator[list[Match]]:
    """The matched rows in the file's order, ``size`` at a time (one indexed query each)."""
    m = file_matches.c
    after = 0
    page = select(m.line, m.masked, m.reported, m.first_line, m.signup_id, m.signup_month, m.paid_months,
                  m.paid_through, m.consent_at, *(m[name] for name in SIGNUP_FACTS))
    while rows := connection.execute(page.where(m.line > after).order_by(m.line).limit(size)).all():
        after = rows[-1].line
        yield [Match(line, masked, reported, first_line, signup_id,
                     month if consent_at is None else month_number(consent_at.astimezone(WITA).date()),
                     paid_months, paid_through,
                     None if signup_id is None else SignUpFacts(signup_id, *facts, paid_months))
               for line, masked, reported, first_line, signup_id, month, paid_months, paid_through, consent_at, *facts
               in rows]


_COPIED_UPSERT = text("""
INSERT INTO payment_histories (signup_id, signup_month, paid_months, paid_through, updated_at)
SELECT signup_id, signup_month, paid_months, paid_through, :updated_at FROM payment_file_writes
ON CONFLICT (signup_id) DO UPDATE SET paid_months = excluded.paid_months, paid_through = excluded.paid_through,
    updated_at = excluded.updated_at
""")


def upsert_histories(connection: Connection, rows: Sequence[HistoryWrite], now: datetime) -> None:
    """Insert or update these histories in one statement (INSERT ... ON CONFLICT DO UPDATE)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        wrote_around_sqlalchemy(connection)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy("COPY payment_file_writes (signup_id, signup_month, paid_months, paid_through) "
                         "FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row["signup_id"], row["signup_month"], row["paid_months"], row["paid_through"]))
        connection.execute(_COPIED_UPSERT, {"updated_at": now})
        connection.execute(text("TRUNCATE payment_file_writes"))
        return
    history = PaymentHistory.__table__
    statement = sqlite.insert(history)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[history.c.signup_id],
        set_={name: statement.excluded[name] for name in ("paid_months", "paid_through", "updated_at")}),
        [{**row, "updated_at": now} for row in rows])
