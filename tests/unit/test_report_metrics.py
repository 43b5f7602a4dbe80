"""The dashboard's figures on the hand-built world of tests/reports_data.py (its docstring works the numbers)."""

from datetime import date

import pytest

from campaign_app.models import Channel, Occupation, Payer
from campaign_app.reports.metrics import SMALL_NUMBER_THRESHOLD, Figures, ProgrammeUse, Rate, figures
from campaign_app.reports.selection import Selection
from tests.conftest import counting_statements
from tests.reports_data import (
    BUOL,
    DAMPAL_SELATAN,
    KOMBO,
    add_copies,
    load_world,
    sign,
    void,
)

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def world(app_context, world_keys):
    return load_world(world_keys)


def of(world, **filters) -> Figures:
    return figures(Selection(branch_ids={world.branch.id}, **filters))


# --- rates and the small-number rule --------------------------------------------------------------

def test_the_small_number_threshold_is_thirty_cases():
    assert SMALL_NUMBER_THRESHOLD == 30


def test_a_rate_is_its_numerator_over_its_denominator():
    assert Rate(12, 48).value == 0.25


def test_a_rate_on_fewer_cases_than_the_threshold_is_not_comparable():
    rate = Rate(12, 20)
    assert (rate.value, rate.comparable) == (0.6, False)


def test_a_rate_on_as_many_cases_as_the_threshold_is_comparable():
    assert Rate(3, SMALL_NUMBER_THRESHOLD).comparable


def test_a_rate_over_nothing_has_no_value_and_is_not_comparable():
    rate = Rate(0, 0, threshold=0)
    assert (rate.value, rate.comparable) == (None, False)


def test_a_rate_may_have_its_own_threshold():
    assert Rate(1, 5, threshold=5).comparable and not Rate(1, 4, threshold=5).comparable


# --- the branch's figures -------------------------------------------------------------------------

def test_visits_planned_are_all_but_the_cancelled_and_done_are_the_closed(world):
    result = of(world)
    assert (result.visits_planned, result.visits_done) == (5, 3)


def test_attendance_adds_up_women_and_men_of_done_visits(world):
    result = of(world)
    assert (result.attendance_women, result.attendance_men, result.attendance) == (27, 23, 50)


def test_sign_ups_count_every_live_one_and_apart_those_of_done_visits(world):
    result = of(world)
    assert (result.signups, result.signups_at_done_visits) == (9, 8)


def test_a_void_sign_up_is_never_counted(world):
    void(sign(world.visits["V4"], world.citra))
    assert of(world).signups == 9


def test_sign_ups_per_visit_are_those_of_done_visits_over_done_visits(world):
    rate = of(world).signups_per_visit
    assert (rate.numerator, rate.denominator, rate.comparable) == (8, 3, False)


def test_officer_days_are_distinct_officers_and_dates_of_done_visits(world):
    result = of(world)
    assert result.officer_days == 4
    assert result.signups_per_officer_day.value == 2


def test_conversion_is_sign_ups_over_attendance_of_done_visits(world):
    rate = of(world).conversion
    assert (rate.numerator, rate.denominator, rate.value, rate.comparable) == (8, 50, 0.16, True)


def test_activation_is_activated_over_sign_ups_and_rests_on_too_few_here(world):
    rate = of(world).activation
    assert (rate.numerator, rate.denominator, rate.comparable) == (3, 9, False)


def test_cost_is_the_planned_cost_of_done_visits(world):
    assert of(world).cost == 1_000_000


def test_cost_per_sign_up_and_per_activated_participant(world):
    result = of(world)
    assert result.cost_per_signup.value == 125_000
    assert (result.cost_per_activated.numerator, result.cost_per_activated.denominator) == (1_000_000, 3)


def test_village_coverage_is_villages_visited_over_the_campaigns_target_villages(world):
    world.toli_toli.target_villages, world.buol.target_villages = 4, 2
    rate = of(world).village_coverage
    assert (rate.numerator, rate.denominator, rate.comparable) == (3, 6, True)


def test_village_target_is_that_of_the_campaigns_chosen(world):
    world.toli_toli.target_villages, world.buol.target_villages = 4, 2
    rate = of(world, campaign_ids={world.buol.id}).village_coverage
    assert (rate.numerator, rate.denominator) == (1, 2)


def test_village_target_leaves_out_campaigns_outside_the_period(world):
    world.toli_toli.target_villages = 4
    assert of(world, date_from=date(2030, 1, 1)).village_target == 0


def test_worker_coverage_is_sign_ups_at_done_visits_over_workers_of_the_villages_visited(world):
    result = of(world)
    assert (result.worker_coverage.numerator, result.worker_coverage.denominator) == (8, 2000)
    assert result.villages_with_estimate == 3


def test_worker_coverage_counts_only_the_villages_visited_in_the_selection(world):
    result = of(world, campaign_ids={world.buol.id})
    assert (result.worker_coverage.numerator, result.worker_coverage.denominator) == (2, 1000)


def test_share_of_women_among_sign_ups(world):
    rate = of(world).women_share
    assert (rate.numerator, rate.denominator) == (5, 9)


def test_occupation_mix_lists_every_occupation(world):
    assert of(world).occupations == {
        Occupation.FARMER: 5, Occupation.FISHER: 1, Occupation.TRADER: 2, Occupation.OJEK_DRIVER: 1,
        Occupation.DAY_LABOURER: 0, Occupation.LIVESTOCK_KEEPER: 0, Occupation.CRAFTSPERSON: 0, Occupation.OTHER: 0}


def test_payer_mix(world):
    assert of(world).payers == {Payer.SELF: 6, Payer.EMPLOYER: 1, Payer.SUBSIDY: 2}


def test_subsidy_use_counts_the_selection_and_the_programme_overall(world):
    result = of(world)
    assert result.subsidised == 2
    assert result.programmes == [ProgrammeUse(world.programme.id, "Subsidi Uji", 100, 2, 3)]
    assert result.programmes[0].quota_used.value == 0.03


# --- filters --------------------------------------------------------------------------------------

def test_campaign_filter(world):
    result = of(world, campaign_ids={world.buol.id})
    assert (result.visits_planned, result.visits_done, result.attendance, result.signups) == (2, 1, 20, 3)


def test_several_campaigns_add_up(world):
    result = of(world, campaign_ids={world.buol.id, world.toli_toli.id})
    assert (result.visits_planned, result.signups) == (5, 9)


def test_period_filter_is_on_the_visit_date_both_ends_included(world):
    result = of(world, date_from=date(2026, 9, 7), date_to=date(2026, 9, 14))
    assert (result.visits_planned, result.visits_done, result.attendance, result.signups) == (2, 2, 30, 6)


def test_regency_filter_narrows_visits_sign_ups_and_villages_in_scope(world):
    result = of(world, regency_code=BUOL)
    assert (result.visits_done, result.signups, result.villages_in_scope) == (1, 3, 115)
    assert result.informal_workers == 1000


def test_district_filter(world):
    result = of(world, district_code=DAMPAL_SELATAN)
    assert (result.visits_planned, result.visits_done, result.signups, result.villages_in_scope) == (2, 1, 4, 13)


def test_village_filter(world):
    result = of(world, village_code=KOMBO)
    assert (result.visits_done, result.signups, result.villages_in_scope, result.villages_visited) == (1, 4, 1, 1)


def test_channel_filter(world):
    result = of(world, channel=Channel.VILLAGE_MEETING)
    assert (result.visits_planned, result.visits_done, result.signups) == (3, 2, 6)


def test_officer_filter_keeps_the_officer_s_visits_days_and_own_sign_ups(world):
    result = of(world, officer_id=world.budi.id)
    assert (result.visits_planned, result.visits_done, result.attendance) == (2, 1, 20)
    assert (result.officer_days, result.signups, result.subsidised) == (1, 1, 1)


def test_filters_combine(world):
    result = of(world, officer_id=world.ani.id, date_from=date(2026, 9, 10))
    assert (result.visits_done, result.officer_days, result.signups, result.activated) == (1, 1, 2, 1)


# --- branch scoping and empty selections ----------------------------------------------------------

def test_another_branch_s_sign_ups_are_never_counted(world):
    result = of(world, campaign_ids={world.luwuk_campaign.id})
    assert (result.visits_planned, result.attendance, result.signups, result.programmes) == (0, 0, 0, [])


def test_a_viewer_of_both_branches_sees_both(world):
    result = figures(Selection(branch_ids={world.branch.id, world.luwuk.id},
                               campaign_ids={world.toli_toli.id, world.buol.id, world.luwuk_campaign.id}))
    assert (result.visits_done, result.attendance, result.signups, result.subsidised) == (4, 100, 11, 3)


def test_choosing_a_branch_the_viewer_may_not_see_selects_nothing(world):
    selection = Selection.for_viewer({world.branch.id}, branch_id=world.luwuk.id)
    result = figures(selection)
    assert (result.visits_planned, result.signups, result.villages_in_scope) == (0, 0, 0)


def test_choosing_one_of_the_viewer_s_branches_narrows_to_it(world):
    selection = Selection.for_viewer({world.branch.id, world.luwuk.id}, branch_id=world.branch.id)
    assert selection.branch_ids == frozenset({world.branch.id})


def test_an_empty_selection_gives_zeros_and_rates_without_value(world):
    result = of(world, date_from=date(2030, 1, 1))
    assert (result.visits_planned, result.visits_done, result.attendance, result.signups, result.cost,
            result.officer_days) == (0, 0, 0, 0, 0, 0)
    rates = [result.signups_per_visit, result.signups_per_officer_day, result.conversion, result.activation,
             result.cost_per_signup, result.cost_per_activated, result.women_share]
    assert [rate.value for rate in rates] == [None] * len(rates)
    assert not any(rate.comparable for rate in rates)


def test_a_selection_of_no_branch_gives_zeros_everywhere(app_context):
    result = figures(Selection(branch_ids=frozenset()))
    assert result == Figures()
    assert result.village_coverage.value is None and result.worker_coverage.value is None


# --- statements -----------------------------------------------------------------------------------

def test_figures_issue_five_statements_whatever_the_data(app, world):
    selection = Selection(branch_ids={world.branch.id})
    add_copies(world, 1)
    with counting_statements(app) as small:
        figures(selection)
    add_copies(world, 4)
    with counting_statements(app) as large:
        result = figures(selection)
    assert len(small) == len(large) == 5
    assert result.signups == 9 + 5 * 2
