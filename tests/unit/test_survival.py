"""The survival curves the reports show (M+0 to M+12, most sign-ups first) and the comparison's ranking by
participants still paid up in the latest month reported."""

from datetime import date

import pytest

from campaign_app.reports.retention import CurvePoint, SurvivalCurve
from campaign_app.reports.selection import Selection
from campaign_app.reports.survival import (
    SHOWN_MONTHS,
    campaign_curves,
    compare_survival,
    curves_chart,
    drawn_share,
    ranks,
    still_paid_up,
)
from tests.factories import in_progress_visit, user_named
from tests.retention_data import paid, signed_up, without_histories


@pytest.fixture
def admin(app_context):
    without_histories()
    return user_named("admin")


def of(*visits) -> Selection:
    return Selection(branch_ids=None, campaign_ids={visit.campaign_id for visit in visits})


def test_equal_values_share_a_rank():
    assert ranks([5, 9, 5, 1]) == [2, 1, 2, 4]


def test_a_share_is_drawn_only_on_30_sign_ups_old_enough_or_more():
    assert drawn_share(CurvePoint(3, 15, 30)) == 0.5
    assert drawn_share(CurvePoint(3, 15, 29)) is None and drawn_share(CurvePoint(3, 0, 0)) is None


def test_curves_with_nothing_to_draw_make_no_chart():
    curve = SurvivalCurve(1, "A", 2, tuple(CurvePoint(k, 2, 2) for k in range(SHOWN_MONTHS)))
    assert curves_chart([curve]) is None


def test_the_campaigns_with_most_sign_ups_come_first_and_the_others_are_counted(admin):
    small, large = in_progress_visit(), in_progress_visit()
    paid(admin, dict.fromkeys(signed_up(small, 1) + signed_up(large, 2), "2027-01"), date(2027, 1, 1))
    curves = campaign_curves(of(small, large), shown=1)
    assert [curve.campaign_id for curve in curves.curves] == [large.campaign_id] and curves.hidden == 1
    assert len(curves.curves[0].points) == SHOWN_MONTHS


def test_a_cohort_too_young_shows_no_share_beyond_its_age(admin):
    visit = in_progress_visit()
    paid(admin, dict.fromkeys(signed_up(visit, 30), "2027-01"), date(2027, 1, 1))
    [curve] = campaign_curves(of(visit)).curves
    # Signed up in November 2026, reported to January 2027: M+0 to M+2 only.
    assert [drawn_share(point) for point in curve.points[:4]] == [1.0, 1.0, 1.0, None]
    assert all(point.too_young for point in curve.points[3:])
    [line] = curves_chart([curve]).lines
    assert len(line.dots) == 3


def test_participants_still_paid_up_in_the_latest_month_per_campaign(admin):
    first, second = in_progress_visit(), in_progress_visit()
    niks = signed_up(first, 2)
    paid(admin, {niks[0]: "2027-01", niks[1]: "2026-12", **dict.fromkeys(signed_up(second, 1), "2027-01")},
         date(2027, 1, 1))
    still = still_paid_up(of(first, second))
    assert still.month == date(2027, 1, 1)
    assert still.by_campaign == {first.campaign_id: 1, second.campaign_id: 1}


def test_before_any_payment_file_no_one_is_still_paid_up(admin):
    visit = in_progress_visit()
    signed_up(visit, 1)
    assert still_paid_up(of(visit)).month is None


def test_the_comparison_ranks_by_participants_still_paid_up_then_by_sign_ups(admin):
    many, kept = in_progress_visit(), in_progress_visit()
    paid(admin, {**dict.fromkeys(signed_up(many, 3), "2026-11"), **dict.fromkeys(signed_up(kept, 2), "2027-01")},
         date(2027, 1, 1))
    compared = compare_survival(None, [(many.campaign_id, "Many", 3), (kept.campaign_id, "Kept", 2)])
    assert [(row.name, row.still_paid_up, row.still_paid_up_rank, row.signups_rank) for row in compared.ranking] \
        == [("Kept", 2, 1, 2), ("Many", 0, 2, 1)]
    # The curves stay in the comparison's order.
    assert [curve.campaign_id for curve in compared.curves] == [many.campaign_id, kept.campaign_id]


def test_a_compared_campaign_with_no_one_followed_has_an_empty_curve(admin):
    visit = in_progress_visit()
    compared = compare_survival(None, [(visit.campaign_id, "None yet", 0)])
    assert all(point.too_young for point in compared.curves[0].points)
