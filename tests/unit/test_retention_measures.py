"""The retention measures of a dashboard selection, read from the roll-up: paid up at M+3, M+6, M+12 among the
cohorts old enough, contribution-months per 100, cost per participant still paid up, the survival curve and the
participants paid up per place."""

from datetime import date

import pytest

from campaign_app.extensions import db
from campaign_app.models import Payer, VisitStatus
from campaign_app.reports.retention import Place, active_by_place, retention, survival_curve
from campaign_app.reports.selection import Selection
from campaign_app.signups.active import active_participants
from tests.factories import in_progress_visit, user_named
from tests.retention_data import paid, signed_up, without_histories


@pytest.fixture
def admin(app_context):
    without_histories()
    return user_named("admin")


def of(visit, **filters) -> Selection:
    return Selection(branch_ids=None, campaign_ids={visit.campaign_id}, **filters)


def test_before_any_payment_file_every_measure_is_too_young(admin):
    visit = in_progress_visit()
    signed_up(visit, 2)
    measures = retention(of(visit))
    assert measures.latest_month is None and measures.signups == 0
    assert all(paid_up.too_young for paid_up in measures.paid_up.values()) and measures.contributions_too_young


def test_only_cohorts_old_enough_count_and_younger_measures_say_so(admin):
    visit = in_progress_visit()
    niks = signed_up(visit, 3)
    # The file of March 2027: November's cohort is old enough for M+3 (February), not for M+6 (May).
    paid(admin, dict(zip(niks, ["2026-11", "2027-01", "2027-03"], strict=True)), date(2027, 3, 1))
    measures = retention(of(visit))
    assert measures.latest_month == date(2027, 3, 1) and measures.signups == 3
    assert (measures.paid_up[3].paid_up, measures.paid_up[3].eligible) == (1, 3)
    assert measures.paid_up[6].too_young and measures.paid_up[12].too_young
    assert measures.costs[6].too_young and measures.contributions_too_young


def test_a_share_of_fewer_than_30_sign_ups_is_not_comparable(admin):
    visit = in_progress_visit()
    niks = signed_up(visit, 2)
    paid(admin, dict.fromkeys(niks, "2027-03"), date(2027, 3, 1))
    assert not retention(of(visit)).paid_up[3].share.comparable


def test_a_share_of_30_sign_ups_is_a_rate(admin):
    visit = in_progress_visit()
    niks = signed_up(visit, 30)
    paid(admin, {nik: "2027-03" if n % 3 else "2026-12" for n, nik in enumerate(niks)}, date(2027, 3, 1))
    share = retention(of(visit)).paid_up[3].share
    assert share.comparable and share.value == pytest.approx(20 / 30)


def test_contribution_months_per_100_sign_ups_in_their_first_year(admin):
    visit = in_progress_visit()
    niks = signed_up(visit, 2)
    # One pays twelve months (November to October), the other November only.
    paid(admin, {niks[0]: "2027-10", niks[1]: "2026-11"}, date(2027, 10, 1))
    measures = retention(of(visit))
    assert measures.contribution_months_per_100.value == pytest.approx((12 + 1) / 2 * 100)
    assert measures.paid_up[12].too_young  # M+12 is November 2027, not reported yet


def test_cost_per_participant_still_paid_up_at_six_months(admin):
    visit = in_progress_visit()
    niks = signed_up(visit, 3)
    visit.status = VisitStatus.DONE
    db.session.flush()
    paid(admin, {niks[0]: "2027-05", niks[1]: "2027-05", niks[2]: "2026-12"}, date(2027, 5, 1))
    cost = retention(of(visit)).costs[6]
    assert (cost.cost, cost.paid_up) == (visit.planned_cost, 2)
    assert cost.per_participant.value == visit.planned_cost / 2 and not cost.per_participant.comparable


def test_a_payer_narrows_the_sign_ups_and_leaves_cost_out(admin):
    visit = in_progress_visit()
    niks = signed_up(visit, 2) + signed_up(visit, 1, payer=Payer.EMPLOYER)
    paid(admin, dict.fromkeys(niks, "2027-05"), date(2027, 5, 1))
    measures = retention(of(visit, payer=Payer.EMPLOYER))
    assert measures.signups == 1 and measures.costs[6].cost is None


def test_the_officer_filter_keeps_the_sign_ups_they_recorded(admin):
    visit = in_progress_visit()
    niks = signed_up(visit, 2)
    paid(admin, dict.fromkeys(niks, "2027-03"), date(2027, 3, 1))
    assert retention(of(visit, officer_id=visit.officers[0].id)).signups == 2
    assert retention(of(visit, officer_id=user_named("admin").id)).signups == 0


def test_the_survival_curve_per_campaign(admin):
    first, second = in_progress_visit(), in_progress_visit()
    paid(admin, {**dict.fromkeys(signed_up(first, 2), "2027-03"), **dict.fromkeys(signed_up(second, 1), "2026-11")},
         date(2027, 3, 1))
    curves = {curve.campaign_id: curve for curve in survival_curve(
        Selection(branch_ids=None, campaign_ids={first.campaign_id, second.campaign_id}))}
    assert [(p.eligible, p.paid_up) for p in curves[first.campaign_id].points[:6]] == [(2, 2)] * 5 + [(0, 0)]
    assert [p.paid_up for p in curves[second.campaign_id].points[:5]] == [1, 0, 0, 0, 0]
    assert curves[second.campaign_id].points[5].too_young


def test_one_curve_for_the_whole_selection(admin):
    visit = in_progress_visit()
    paid(admin, dict.fromkeys(signed_up(visit, 2), "2027-03"), date(2027, 3, 1))
    [curve] = survival_curve(of(visit), by_campaign=False)
    assert curve.campaign_id is None and curve.signups == 2


def test_paid_up_per_place_agrees_with_the_histories(admin):
    visit = in_progress_visit()
    niks = signed_up(visit, 3)
    paid(admin, dict(zip(niks, ["2026-11", "2027-01", "2027-03"], strict=True)), date(2027, 3, 1))
    active = active_by_place(date(2027, 1, 1), Place.BRANCH, Selection(branch_ids=None))
    [counted] = active_participants(date(2027, 1, 1))
    assert [(place.key, place.paid_up) for place in active.places] == [(counted.key, counted.paid_up)]
    trend = {point.month: point.paid_up for point in active.trend}
    assert (trend[date(2026, 11, 1)], trend[date(2027, 1, 1)], len(trend)) == (3, 2, 13)


@pytest.mark.parametrize("place", [Place.REGENCY, Place.DISTRICT, Place.VILLAGE])
def test_paid_up_per_region(admin, place):
    visit = in_progress_visit()
    paid(admin, dict.fromkeys(signed_up(visit, 2), "2027-03"), date(2027, 3, 1))
    [row] = active_by_place(date(2027, 2, 1), place, of(visit)).places
    assert row.key == visit.village_code[:len(row.key)] and row.paid_up == 2 and row.name
