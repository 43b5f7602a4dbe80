"""Breakdowns of the dashboard's figures on the hand-built world of tests/reports_data.py.

Per regency: Toli-Toli (V1, V2; V5 cancelled, V6 planned) 2 done, attendance 30, cost 800,000, 6 sign-ups,
2 activated; Buol (V3, V4) 1 done, attendance 20, cost 200,000, 3 sign-ups (2 at done visits), 1 activated.
Per officer: Ani (V1, V2) 2 done, attendance 30, 5 sign-ups; Budi (V1; V6 planned) 1 done, attendance 20,
1 sign-up; Citra (V3, V4) 1 done, attendance 20, 3 sign-ups.
"""

from datetime import date

import pytest
from sqlalchemy import func, select

from campaign_app.branches.service import get_or_create_branch
from campaign_app.extensions import db
from campaign_app.models import Branch, Channel, Occupation, Payer
from campaign_app.reports.breakdowns import DIMENSIONS, SORTS, UnknownBreakdown, breakdown, too_wide
from campaign_app.reports.metrics import figures
from campaign_app.reports.selection import Selection
from tests.conftest import counting_statements
from tests.reports_data import (
    BAOLAN,
    BUOL,
    BUOL_VILLAGES,
    DAMPAL_SELATAN,
    KOMBO,
    MOMUNU,
    MOMUNU_DISTRICT,
    PINAMULA,
    TAMBUN,
    TAMPIALA,
    TOLI_TOLI,
    add_copies,
    load_world,
)

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def world(app_context, world_keys):
    return load_world(world_keys)


def selection_of(world, **filters) -> Selection:
    return Selection(branch_ids={world.branch.id}, **filters)


def rows_of(world, by, **options):
    filters = options.pop("filters", {})
    return breakdown(selection_of(world, **filters), by, **options).rows


def figures_by_key(rows) -> dict:
    return {row.key: (row.visits_done, row.attendance, row.cost, row.signups, row.signups_at_done_visits,
                      row.activated) for row in rows}


# --- each dimension -------------------------------------------------------------------------------

def test_by_regency(world):
    rows = rows_of(world, "regency")
    assert figures_by_key(rows) == {TOLI_TOLI: (2, 30, 800_000, 6, 6, 2), BUOL: (1, 20, 200_000, 3, 2, 1)}
    assert [row.label for row in rows] == ["Kabupaten Toli-Toli", "Kabupaten Buol"]


def test_by_campaign_names_each_campaign_s_branch(world):
    rows = rows_of(world, "campaign")
    assert figures_by_key(rows) == {world.toli_toli.id: (2, 30, 800_000, 6, 6, 2),
                                    world.buol.id: (1, 20, 200_000, 3, 2, 1)}
    assert {(row.label, row.parent_label) for row in rows} == {("Toli-Toli", "Cabang Uji Utara"),
                                                               ("Buol", "Cabang Uji Utara")}


def test_by_branch_for_a_viewer_of_two_branches(world):
    rows = breakdown(Selection(branch_ids={world.branch.id, world.luwuk.id}), "branch").rows
    assert {row.key: row.label for row in rows} == {world.branch.id: "Cabang Uji Utara",
                                                    world.luwuk.id: "Kantor Cabang Luwuk"}
    assert figures_by_key(rows)[world.branch.id] == (3, 50, 1_000_000, 9, 8, 3)


def test_branch_and_campaign_rows_drill_down_to_a_set_of_one(world):
    branch_row = rows_of(world, "branch")[0]
    assert branch_row.drill.by == "campaign"
    assert branch_row.drill.selection.branch_ids == frozenset({world.branch.id})
    campaign_row = rows_of(world, "campaign")[0]
    assert campaign_row.drill.by == "regency"
    assert campaign_row.drill.selection.campaign_ids == frozenset({world.toli_toli.id})


def test_branch_and_campaign_breakdowns_read_the_same_from_the_visits_and_from_the_roll_up(world):
    for by in ("branch", "campaign"):
        assert rows_of(world, by, rolled_up=False) == rows_of(world, by), by


def test_by_district_names_each_district_s_regency(world):
    rows = rows_of(world, "district")
    assert figures_by_key(rows) == {DAMPAL_SELATAN: (1, 20, 500_000, 4, 4, 1), BAOLAN: (1, 10, 300_000, 2, 2, 1),
                                    MOMUNU_DISTRICT: (1, 20, 200_000, 3, 2, 1)}
    assert {row.key: (row.label, row.parent_label) for row in rows}[BAOLAN] == ("Baolan", "Kabupaten Toli-Toli")


def test_by_village_leaves_out_villages_with_only_cancelled_visits(world):
    rows = rows_of(world, "village")
    assert figures_by_key(rows) == {KOMBO: (1, 20, 500_000, 4, 4, 1), TAMBUN: (1, 10, 300_000, 2, 2, 1),
                                    MOMUNU: (1, 20, 200_000, 2, 2, 1), PINAMULA: (0, 0, 0, 1, 0, 0),
                                    TAMPIALA: (0, 0, 0, 0, 0, 0)}
    assert {row.key: (row.label, row.parent_label) for row in rows}[KOMBO] == ("Kombo", "Dampal Selatan")


def test_by_officer_counts_a_visit_for_each_of_its_officers_and_a_sign_up_for_who_recorded_it(world):
    rows = rows_of(world, "officer")
    assert figures_by_key(rows) == {world.ani.id: (2, 30, 800_000, 5, 5, 2), world.budi.id: (1, 20, 500_000, 1, 1, 0),
                                    world.citra.id: (1, 20, 200_000, 3, 2, 1)}
    assert [row.label for row in rows] == ["Ani", "Citra", "Budi"]


def test_by_channel(world):
    rows = rows_of(world, "channel")
    assert figures_by_key(rows) == {Channel.VILLAGE_MEETING: (2, 30, 800_000, 6, 6, 2),
                                    Channel.MARKET_STALL: (1, 20, 200_000, 3, 2, 1)}


def test_by_occupation_has_sign_ups_only(world):
    rows = rows_of(world, "occupation")
    assert figures_by_key(rows) == {Occupation.FARMER: (None, None, None, 5, 4, 2),
                                    Occupation.TRADER: (None, None, None, 2, 2, 1),
                                    Occupation.FISHER: (None, None, None, 1, 1, 0),
                                    Occupation.OJEK_DRIVER: (None, None, None, 1, 1, 0)}
    assert rows[0].conversion is None and rows[0].cost_per_signup is None


def test_by_payer(world):
    rows = rows_of(world, "payer")
    assert [(row.key, row.signups) for row in rows] == [(Payer.SELF, 6), (Payer.SUBSIDY, 2), (Payer.EMPLOYER, 1)]


def test_the_rows_add_up_to_the_figures(world):
    total = figures(selection_of(world))
    for by in ("regency", "district", "village", "channel", "occupation", "payer"):
        assert sum(row.signups for row in rows_of(world, by)) == total.signups, by


# --- rates on rows ---------------------------------------------------------------------------------

def test_a_row_carries_its_rates(world):
    ani = {row.key: row for row in rows_of(world, "officer")}[world.ani.id]
    assert (ani.conversion.numerator, ani.conversion.denominator, ani.conversion.comparable) == (5, 30, True)
    assert (ani.activation.value, ani.cost_per_signup.value) == (0.4, 160_000)


# --- sorting --------------------------------------------------------------------------------------

def test_sorted_by_sign_ups_descending_by_default_ties_by_key(world):
    assert [row.key for row in rows_of(world, "occupation")] == [
        Occupation.FARMER, Occupation.TRADER, Occupation.FISHER, Occupation.OJEK_DRIVER]


def test_sorted_ascending(world):
    assert [row.key for row in rows_of(world, "regency", descending=False)] == [BUOL, TOLI_TOLI]


def test_sorted_by_label(world):
    assert [row.label for row in rows_of(world, "regency", sort="label", descending=False)] == [
        "Kabupaten Buol", "Kabupaten Toli-Toli"]


def test_sorted_by_attendance(world):
    assert [row.key for row in rows_of(world, "district", sort="attendance", descending=False)] == [
        BAOLAN, DAMPAL_SELATAN, MOMUNU_DISTRICT]


def test_sorted_by_cost_per_sign_up_puts_rows_on_too_few_sign_ups_last_by_label(world):
    add_copies(world, 1)  # a done visit at Kombo with 2 more sign-ups: still under 30 everywhere
    rows = rows_of(world, "village", sort="cost_per_signup")
    assert all(not row.cost_per_signup.comparable for row in rows)
    assert [row.label for row in rows] == ["Kombo", "Momunu", "Pinamula", "Tambun", "Tampiala"]


def test_a_rate_on_too_few_cases_is_not_ranked_whatever_the_direction(world):
    # Only Ani's conversion rests on 30 attendees: she comes first, the others after her by name, both ways.
    for descending in (True, False):
        rows = rows_of(world, "officer", sort="conversion", descending=descending)
        assert [row.label for row in rows] == ["Ani", "Budi", "Citra"]
        assert [row.conversion.comparable for row in rows] == [True, False, False]


def test_comparable_rates_are_ranked(world):
    # Each copy: 10 attendees, 2 sign-ups. Toli-Toli 6 + 4 of 30 + 20 (20%); Buol 2 + 6 of 20 + 30 (16%).
    add_copies(world, 2)
    add_copies(world, 3, day=date(2026, 11, 16), campaign=world.buol, villages=BUOL_VILLAGES)
    for descending, order in ((True, [TOLI_TOLI, BUOL]), (False, [BUOL, TOLI_TOLI])):
        rows = rows_of(world, "regency", sort="conversion", descending=descending)
        assert [(row.key, row.conversion.numerator, row.conversion.denominator) for row in rows] == sorted(
            [(TOLI_TOLI, 10, 50), (BUOL, 8, 50)], key=lambda r: order.index(r[0]))
        assert all(row.conversion.comparable for row in rows)


def test_every_sort_of_every_dimension_runs(world):
    for by in DIMENSIONS:
        for sort in SORTS:
            assert rows_of(world, by, sort=sort, descending=False), (by, sort)


def test_an_unknown_sort_is_refused(world):
    with pytest.raises(UnknownBreakdown):
        breakdown(selection_of(world), "regency", sort="signups; DROP TABLE signups")


def test_an_unknown_dimension_is_refused(world):
    with pytest.raises(UnknownBreakdown):
        breakdown(selection_of(world), "province")


# --- paging ---------------------------------------------------------------------------------------

def test_a_page_says_whether_rows_follow(world):
    first = breakdown(selection_of(world), "village", sort="key", descending=False, limit=3)
    second = breakdown(selection_of(world), "village", sort="key", descending=False, limit=3, offset=3)
    assert ([row.key for row in first.rows], first.has_more) == ([KOMBO, TAMPIALA, TAMBUN], True)
    assert ([row.key for row in second.rows], second.has_more) == ([MOMUNU, PINAMULA], False)


# --- drilling down --------------------------------------------------------------------------------

def test_a_regency_row_drills_down_to_its_districts_keeping_the_other_filters(world):
    selection = selection_of(world, campaign_ids={world.toli_toli.id, world.buol.id})
    row = breakdown(selection, "regency").rows[0]
    assert row.drill.by == "district"
    assert row.drill.selection == selection.narrowed(regency_code=TOLI_TOLI)


def test_a_drill_down_shows_the_row_s_own_figures(world):
    for row in rows_of(world, "district"):
        narrowed = figures(row.drill.selection)
        assert (narrowed.visits_done, narrowed.attendance, narrowed.signups) == (
            row.visits_done, row.attendance, row.signups)


def test_drill_downs_of_each_dimension(world):
    drills = {by: rows_of(world, by)[0].drill for by in DIMENSIONS}
    assert drills["district"].by == "village" and drills["district"].selection.district_code == DAMPAL_SELATAN
    assert drills["village"].by is None and drills["village"].selection.village_code == KOMBO
    assert drills["officer"].by == "village" and drills["officer"].selection.officer_id == world.ani.id
    assert drills["channel"].by == "regency" and drills["channel"].selection.channel == Channel.VILLAGE_MEETING
    assert drills["occupation"] is None and drills["payer"] is None


# --- filters and branches -------------------------------------------------------------------------

def test_filters_apply_to_breakdowns(world):
    rows = rows_of(world, "village", filters={"officer_id": world.budi.id})
    assert figures_by_key(rows) == {KOMBO: (1, 20, 500_000, 1, 1, 0), TAMPIALA: (0, 0, 0, 0, 0, 0)}


def test_another_branch_never_shows_in_a_breakdown(world):
    for by in DIMENSIONS:
        assert rows_of(world, by, filters={"campaign_ids": {world.luwuk_campaign.id}}) == [], by


def test_an_empty_selection_has_no_rows(world):
    assert breakdown(Selection(branch_ids=frozenset()), "officer").rows == []


# --- statements -----------------------------------------------------------------------------------

def test_each_breakdown_is_one_statement_whatever_the_data(app, world):
    selection = selection_of(world)
    add_copies(world, 1)
    counts = {}
    for scale in ("1x", "5x"):
        for by in DIMENSIONS:
            with counting_statements(app) as statements:
                breakdown(selection, by, sort="conversion")
            counts[scale, by] = len(statements)
        add_copies(world, 4)
    assert {counts["1x", by] for by in DIMENSIONS} == {counts["5x", by] for by in DIMENSIONS} == {1}


SEPTEMBER = {"date_from": date(2026, 9, 1), "date_to": date(2026, 9, 30)}


@pytest.mark.parametrize(("filters", "wide"), [
    ({"branch_ids": set(range(1, 22)), **SEPTEMBER}, True),
    ({"branch_ids": set(range(1, 22)), "channel": "market_stall"}, True),
    ({"branch_ids": set(range(1, 21)), **SEPTEMBER}, False),
    ({"branch_ids": set(range(1, 22)), **SEPTEMBER, "regency_code": "72.04"}, False),
    ({"branch_ids": set(range(1, 22)), **SEPTEMBER, "campaign_ids": {1}}, False),
    ({"branch_ids": set(range(1, 22)), **SEPTEMBER, "officer_id": 1}, False),
])
def test_districts_villages_and_officers_of_a_period_are_ranked_within_at_most_20_branches(filters, wide):
    selection = Selection(**filters)
    assert [too_wide(selection, by) for by in ("district", "village", "officer")] == [wide] * 3
    assert not too_wide(selection, "regency")


def test_districts_villages_and_officers_of_all_time_are_ranked_across_any_number_of_branches():
    selection = Selection(branch_ids=set(range(1, 300)))
    assert [too_wide(selection, by) for by in ("district", "village", "officer")] == [False] * 3


def test_a_period_of_every_branch_is_too_wide_once_there_are_more_than_20_branches(world):
    for n in range(20 - db.session.scalar(select(func.count()).select_from(Branch))):
        get_or_create_branch(f"Kantor Cabang Uji {n}", [])
    assert too_wide(Selection(branch_ids=None, **SEPTEMBER), "village") is False
    get_or_create_branch("Kantor Cabang ke-21", [])
    assert too_wide(Selection(branch_ids=None, **SEPTEMBER), "village") is True
    assert too_wide(Selection(branch_ids=None), "village") is False
