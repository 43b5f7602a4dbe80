"""The subsidy cliff: programmes whose period ends within 60 days, with their participants paid up in the latest month
a payment file reported."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete

from campaign_app.extensions import db
from campaign_app.models import Payer, PaymentHistory, ReportedPaymentMonth, SignUpStatus
from campaign_app.signups.payment_status import apply_payment_status_file
from campaign_app.subsidies.cliff import CLIFF_DAYS, subsidy_cliff
from campaign_app.subsidies.service import create_programme
from tests.factories import SIGNUP_NOW, branch_named, in_progress_visit, make_signup, nik_for, user_named

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
# Far past the demo's programmes: only this module's end near it.
DAY = date(2031, 1, 1)
JANUARY = date(2027, 1, 1)


@pytest.fixture
def admin(app_context):
    db.session.execute(delete(PaymentHistory))
    db.session.execute(delete(ReportedPaymentMonth))
    return user_named("admin")


def programme(admin, name: str, ends_on: date):
    return create_programme(name=name, payer="Pemerintah Kota Palu", starts_on=date(2026, 1, 1), ends_on=ends_on,
                            quota=100, created_by=admin, now=NOW)


def names(cliff) -> list[str]:
    return [p.name for p in cliff.programmes]


def test_a_programme_is_on_the_cliff_from_sixty_days_before_its_last_day_to_that_day(admin):
    for name, days in (("Yesterday", -1), ("Today", 0), ("In 60 days", CLIFF_DAYS), ("In 61 days", CLIFF_DAYS + 1)):
        programme(admin, name, DAY + timedelta(days=days))
    cliff = subsidy_cliff(DAY, None)
    assert names(cliff) == ["Today", "In 60 days"]
    assert [p.days_left for p in cliff.programmes] == [0, 60]


def test_before_any_payment_file_the_active_participants_are_not_known(admin):
    programme(admin, "Ending", DAY)
    cliff = subsidy_cliff(DAY, None)
    assert cliff.reported_month is None and cliff.programmes[0].paid_up is None


@pytest.fixture
def paying(admin):
    """A programme ending on DAY paying for three sign-ups of Palu: paid through January 2027 (paid up in the file of
    January), through December (behind), and one through January that is voided."""
    ending = programme(admin, "Ending", DAY)
    visit = in_progress_visit()
    niks = [nik_for() for _ in range(3)]
    signups = [make_signup(visit, nik=nik, payer=Payer.SUBSIDY, subsidy_programme_id=ending.id) for nik in niks]
    data = "nik;status;periode_terakhir\n" + "".join(
        f"{nik};aktif;{period}\n" for nik, period in zip(niks, ["2027-01", "2026-12", "2027-01"], strict=True))
    apply_payment_status_file(data.encode(), JANUARY, admin, SIGNUP_NOW + timedelta(days=90))
    signups[2].status = SignUpStatus.VOID
    db.session.flush()
    return ending


def test_the_active_participants_are_the_live_sign_ups_paid_up_in_the_month_reported(paying):
    cliff = subsidy_cliff(DAY, None)
    assert cliff.reported_month == JANUARY
    assert [(p.name, p.paid_up) for p in cliff.programmes] == [("Ending", 1)]


def test_the_active_participants_are_those_of_the_branches_asked_for(paying):
    assert subsidy_cliff(DAY, {branch_named().id}).programmes[0].paid_up == 1
    assert subsidy_cliff(DAY, {branch_named().id + 1000}).programmes[0].paid_up == 0
