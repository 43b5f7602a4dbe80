"""Demo payment histories: what the membership system's monthly files would have said of the demo's participants.

Every activated sign-up pays from its first payment's month and, each later month up to last month, may stop:
self-payers stop more often than workers whose contributions a programme pays, and the campaigns of village
meetings keep their participants far better than door-to-door drives (which sign up more). A few who stopped pay
again some months later (a restart: the months between stay unpaid). Deterministic (seeded per sign-up); a sign-up
that has a history already is left as it is, so running the seed again adds nothing. The retention roll-up follows
them as it follows an imported file (``summaries.retention.follow_payment_histories``).
"""

import random
import secrets
import zlib
from datetime import UTC, date, datetime

from sqlalchemy import insert, select

from campaign_app.clock import WITA
from campaign_app.extensions import db
from campaign_app.models import (
    Campaign,
    Channel,
    ImportState,
    Payer,
    PaymentHistory,
    PaymentImport,
    Role,
    SignUp,
    SignUpStatus,
    User,
    Visit,
)
from campaign_app.models.payments import MONTHS_KEPT, month_number, month_start
from campaign_app.rates.lapse import lapse_months
from campaign_app.summaries.retention import follow_payment_histories

# The chance, each month, that a participant stops paying: by payer, times the campaign's channel's factor.
STOPS = {Payer.SELF: 0.14, Payer.EMPLOYER: 0.06, Payer.SUBSIDY: 0.03}
CHANNEL_FACTOR = {Channel.VILLAGE_MEETING: 0.4, Channel.DOOR_TO_DOOR: 1.8}
# The chance, each month after stopping, of paying again.
RESTARTS = 0.05


def draw_history(signup_id: int, payer: str, channel: str, first_month: int, signup_month: int,
             last_month: int) -> tuple[int, int | None]:
    """The bits of the months paid from ``first_month`` to ``last_month``, and the last month paid."""
    rng = random.Random(zlib.crc32(f"payments-{signup_id}".encode()))
    stop = STOPS.get(Payer(payer), STOPS[Payer.SELF]) * CHANNEL_FACTOR.get(Channel(channel), 1.0)
    paid, through, paying = 0, None, True
    for month in range(first_month, last_month + 1):
        if month - signup_month >= MONTHS_KEPT:
            break
        if month > first_month:
            paying = rng.random() >= stop if paying else rng.random() < RESTARTS
        if paying:
            paid |= 1 << (month - signup_month)
            through = month
    return paid, through


def history_row(signup_id: int, payer: str, channel: str, consent_at: datetime, first_payment_on: date,
                last_month: int) -> tuple[int, int, int, int | None] | None:
    """``(signup_id, signup_month, paid_months, paid_through)`` of an activated sign-up, or None when it first paid
    after ``last_month``."""
    if consent_at.tzinfo is None:
        consent_at = consent_at.replace(tzinfo=UTC)  # SQLite gives back the UTC time it stored, without a zone
    signup_month = month_number(consent_at.astimezone(WITA).date())
    first_month = max(month_number(first_payment_on), signup_month)
    if first_month > last_month:
        return None
    return (signup_id, signup_month, *draw_history(signup_id, payer, channel, first_month, signup_month, last_month))


def seed_payment_histories(today: date) -> int:
    """A payment history for each activated sign-up without one, up to the month before ``today``; how many."""
    last_month = month_number(today) - 1
    rows = db.session.execute(
        select(SignUp.id, SignUp.payer, SignUp.consent_at, SignUp.first_payment_on, Campaign.channel)
        .join(Visit, Visit.id == SignUp.visit_id).join(Campaign, Campaign.id == Visit.campaign_id)
        .outerjoin(PaymentHistory, PaymentHistory.signup_id == SignUp.id)
        .where(SignUp.status == SignUpStatus.ACTIVATED, SignUp.first_payment_on.is_not(None),
               PaymentHistory.signup_id.is_(None))).all()
    histories = []
    for signup_id, payer, consent_at, first_payment_on, channel in rows:
        row = history_row(signup_id, payer, channel, consent_at, first_payment_on, last_month)
        if row is not None:
            histories.append(dict(zip(("signup_id", "signup_month", "paid_months", "paid_through"), row,
                                      strict=True)))
    # As a file of last month would: the retention roll-up follows (reactivations detected), the month is noted.
    follow_payment_histories(db.session.connection(), histories, lapse=lapse_months(today.replace(day=1)),
                             file_month=last_month)
    if histories:
        # The demo's own data, loaded as a file would be but not in a request: no one's action to audit.
        db.session.execute(insert(PaymentHistory), histories)
        _imported_as_a_file(today, len(histories))
    return len(histories)


def _imported_as_a_file(today: date, rows: int) -> None:
    """The import job such a file of last month would have left, so that the administrator can read its report."""
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id).limit(1))
    if admin is None:
        return
    month = month_start(month_number(today) - 1)
    moment = datetime(today.year, today.month, 1, 1, 0, tzinfo=UTC)
    db.session.add(PaymentImport(
        upload_key=secrets.token_urlsafe(24), month=month, file_name=f"status-{month:%Y-%m}.csv",
        stored_name=secrets.token_hex(16), size_bytes=rows * 31 + 28, digest=secrets.token_hex(32), language="id",
        state=ImportState.DONE, attempts=1, bytes_read=rows * 31 + 28, rows_read=rows, matched=rows, unchanged=0,
        not_paid=0, unknown_count=0, invalid_count=0, listed={"invalid": [], "unknown": []}, created_by_id=admin.id,
        created_at=moment, started_at=moment, heartbeat_at=moment, finished_at=moment))
