"""Active participants: per place, the sign-ups paid up in a month and the members (in arrears within the lapse
rule), from the payment histories."""

from datetime import date, timedelta

import pytest
from sqlalchemy import delete

from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.models import PaymentHistory, SignUpStatus
from campaign_app.rates.lapse import create_lapse_rule
from campaign_app.signups.active import ActiveCount, Place, active_participants
from campaign_app.signups.payment_status import apply_payment_status_file
from tests.factories import NEAR_VILLAGE, SIGNUP_NOW, branch_named, in_progress_visit, make_signup, nik_for, user_named

HEADER = "nik;status;periode_terakhir\n"
VILLAGE = NEAR_VILLAGE


@pytest.fixture(autouse=True)
def english(app_context):
    with force_locale("en"):
        yield


@pytest.fixture
def admin(app_context):
    # Only the histories a test writes: the demo's own (demo/payments.py) are taken away.
    db.session.execute(delete(PaymentHistory))
    return user_named("admin")


def paid(admin, rows: dict[str, str], month: date) -> None:
    data = HEADER + "".join(f"{nik};aktif;{period}\n" for nik, period in rows.items())
    apply_payment_status_file(data.encode(), month, admin, SIGNUP_NOW + timedelta(days=400))


@pytest.fixture
def three(admin):
    """Three sign-ups of November 2026 in one village: paid through November, through January, through March."""
    visit = in_progress_visit()
    niks = [nik_for() for _ in range(3)]
    signups = [make_signup(visit, nik=nik) for nik in niks]
    paid(admin, dict(zip(niks, ["2026-11", "2027-01", "2027-03"], strict=True)), date(2027, 3, 1))
    return signups


def test_paid_up_and_members_per_branch(three):
    # At March's end: one paid up; January's payer two months behind (a member); November's four (lapsed).
    assert active_participants(date(2027, 3, 1)) == [ActiveCount(branch_named().id, paid_up=1, members=2)]


def test_a_participant_more_months_behind_than_the_rule_is_no_member(three):
    # In April: January's payer three months behind, March's one: both members, neither paid up.
    [count] = active_participants(date(2027, 4, 1))
    assert (count.paid_up, count.in_arrears, count.members) == (0, 2, 2)


def test_the_lapse_rule_in_force_decides(three, admin):
    create_lapse_rule(effective_from=date(2027, 4, 1), arrears_months=1, created_by=admin, today=date(2027, 1, 1))
    [count] = active_participants(date(2027, 4, 1))
    # Under one month of arrears only March's payer is a member in April.
    assert count.members == 1


def test_no_one_is_counted_before_the_sign_up_month(three):
    assert active_participants(date(2026, 10, 1)) == []


@pytest.mark.parametrize(("place", "key"), [(Place.VILLAGE, VILLAGE), (Place.DISTRICT, VILLAGE[:8]),
                                            (Place.REGENCY, VILLAGE[:5])])
def test_counted_per_region(three, place, key):
    # In January: January's and March's payers paid up, November's two months behind.
    assert active_participants(date(2027, 1, 1), by=place) == [ActiveCount(key, paid_up=2, members=3)]


def test_a_voided_sign_up_counts_nowhere(three):
    three[2].status = SignUpStatus.VOID
    db.session.flush()
    [count] = active_participants(date(2027, 3, 1))
    assert (count.paid_up, count.members) == (0, 1)


def test_only_the_branches_asked_for(three):
    assert active_participants(date(2027, 3, 1), branch_ids={branch_named().id + 1000}) == []
