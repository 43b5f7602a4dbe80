"""Participants lapsing: who in a village has lapsed or is one month from lapsing, as of the latest month a payment
file reported, under the lapse rule in force then and the month after.

Five sign-ups of November 2026 in Besusu Barat; the file of March 2027 says they paid through November (4 months
behind in March), December (3), January (2), March (0), and nothing (never paid). Under the default rule (3 months of
arrears): November's has lapsed, December's is one month from lapsing.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete

from campaign_app.extensions import db
from campaign_app.models import PaymentHistory, ReportedPaymentMonth, SignUpStatus, Village, VisitStatus
from campaign_app.models.payments import month_number
from campaign_app.rates.lapse import create_lapse_rule
from campaign_app.signups.payment_status import apply_payment_status_file
from campaign_app.villages import ranking
from campaign_app.villages.lapsing import (
    LapseCounts,
    LapseStanding,
    lapse_counts,
    lapse_standing,
    lapsing_participants,
)
from tests.factories import (
    NEAR_VILLAGE,
    OTHER_NEAR_VILLAGE,
    SIGNUP_NOW,
    TODAY,
    branch_named,
    in_progress_visit,
    make_signup,
    nik_for,
    user_named,
)

HEADER = "nik;status;periode_terakhir\n"
MARCH = date(2027, 3, 1)
PERIODS = {"november": "2026-11", "december": "2026-12", "january": "2027-01", "march": "2027-03", "never": ""}


@pytest.fixture
def admin(app_context):
    # Only the histories and months a test writes: the demo's (demo/payments.py) are taken away.
    db.session.execute(delete(PaymentHistory))
    db.session.execute(delete(ReportedPaymentMonth))
    return user_named("admin")


def paid(admin, rows: dict[str, str], month: date) -> None:
    data = HEADER + "".join(f"{nik};{'aktif' if period else 'nonaktif'};{period}\n" for nik, period in rows.items())
    apply_payment_status_file(data.encode(), month, admin, SIGNUP_NOW + timedelta(days=400))


@pytest.fixture
def five(admin):
    """The five sign-ups of the module's note, by the month they paid through, after March's file."""
    visit = in_progress_visit(village_code=NEAR_VILLAGE)
    niks = {name: nik_for() for name in PERIODS}
    signups = {name: make_signup(visit, nik=nik) for name, nik in niks.items()}
    paid(admin, {niks[name]: period for name, period in PERIODS.items()}, MARCH)
    return signups


def listed(standing, branch_ids=None, village=NEAR_VILLAGE) -> list[tuple[int, bool]]:
    return [(p.signup.id, p.lapsed) for p in lapsing_participants(village, branch_ids, standing).items]


def test_the_standing_is_the_latest_month_reported_under_the_default_rule(five):
    assert lapse_standing() == LapseStanding(month_number(MARCH), 3, 3)


def test_there_is_no_standing_before_any_payment_file(admin):
    assert lapse_standing() is None


def test_more_months_behind_than_the_rule_allows_has_lapsed_and_as_many_is_one_month_from_it(five):
    # November's payer is 4 months behind in March (lapsed), December's 3 (April unpaid lapses them): listed first.
    assert listed(lapse_standing()) == [(five["december"].id, False), (five["november"].id, True)]


def test_the_counts_agree_with_the_list(five):
    assert lapse_counts(NEAR_VILLAGE, None, lapse_standing()) == LapseCounts(lapsed=1, one_month_left=1)


def test_a_stricter_rule_from_next_month_puts_one_month_fewer_behind_on_the_list(five, admin):
    create_lapse_rule(effective_from=date(2027, 4, 1), arrears_months=2, created_by=admin, today=TODAY)
    standing = lapse_standing()
    # January's payer, 2 months behind, lapses in April under 2 months; lapsed in March is still judged by 3.
    assert (standing.arrears_allowed, standing.arrears_allowed_next) == (3, 2)
    assert listed(standing) == [(five["january"].id, False), (five["december"].id, False), (five["november"].id, True)]


def test_the_rule_in_force_in_the_month_reported_decides_who_has_lapsed(five, admin):
    create_lapse_rule(effective_from=date(2027, 3, 1), arrears_months=1, created_by=admin, today=TODAY)
    assert lapse_counts(NEAR_VILLAGE, None, lapse_standing()) == LapseCounts(lapsed=3, one_month_left=0)


def test_a_participant_who_never_paid_or_is_paid_up_is_not_listed(five):
    ids = {signup_id for signup_id, _lapsed in listed(lapse_standing())}
    assert not ids & {five["never"].id, five["march"].id, five["january"].id}


def test_a_voided_sign_up_is_not_listed(five):
    five["november"].status = SignUpStatus.VOID
    db.session.flush()
    assert listed(lapse_standing()) == [(five["december"].id, False)]


def test_only_the_village_and_the_branches_asked_for(five):
    standing = lapse_standing()
    assert listed(standing, village=OTHER_NEAR_VILLAGE) == []
    assert listed(standing, branch_ids={branch_named().id + 1000}) == []
    assert len(listed(standing, branch_ids={branch_named().id})) == 2


def test_where_next_adds_each_participant_lapsing_as_a_worker_not_yet_enrolled(five):
    # The visit done today: its workers not yet enrolled weigh nothing (no time since it), the 2 lapsing still do.
    visit = five["march"].visit
    visit.status = VisitStatus.DONE
    village = db.session.get(Village, NEAR_VILLAGE)
    village.access_class, village.travel_hours = "boat", Decimal("1")
    db.session.flush()
    standing = LapseStanding(month_number(MARCH), 3, 3)

    def ranked(**kwargs):
        page = ranking.where_next(None, TODAY, district_code=NEAR_VILLAGE[:8], per_page=1000, **kwargs)
        return next(v for v in page.items if v.code == NEAR_VILLAGE)

    weighed, plain = ranked(standing=standing), ranked()
    assert (weighed.lapsing, plain.lapsing, plain.score) == (2, 0, 0)
    # Boat (×2) and an hour's travel (1 + 1): 2 / 4.
    assert weighed.score == pytest.approx(0.5)
