"""What the retention tests share: a slate without the demo's payment histories, sign-ups made, and payment
files applied."""

from datetime import date, timedelta

from sqlalchemy import delete

from campaign_app.extensions import db
from campaign_app.models import PaymentHistory, Reactivation, ReportedPaymentMonth
from campaign_app.signups.payment_status import apply_payment_status_file
from campaign_app.summaries import retention
from tests.factories import SIGNUP_NOW, make_signup, nik_for

HEADER = "nik;status;periode_terakhir\n"


def without_histories() -> None:
    """Take away the demo's payment histories, reactivations and reported months, and count the roll-up again."""
    for model in (Reactivation, PaymentHistory, ReportedPaymentMonth):
        db.session.execute(delete(model))
    retention.rebuild(db.session.connection())


def paid(admin, rows: dict[str, str], month: date) -> None:
    """Apply the payment file of ``month`` saying each NIK's last period paid."""
    data = HEADER + "".join(f"{nik};aktif;{period}\n" for nik, period in rows.items())
    apply_payment_status_file(data.encode(), month, admin, SIGNUP_NOW + timedelta(days=400))


def signed_up(visit, count: int, **fields) -> list[str]:
    """``count`` sign-ups at ``visit`` (with ``fields``): their NIKs, for a payment file to name."""
    niks = [nik_for() for _ in range(count)]
    for nik in niks:
        make_signup(visit, nik=nik, **fields)
    return niks
