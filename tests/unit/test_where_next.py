""""Where next": the ranking of villages to visit, on hand-built villages of Palu Timur (72.71.01).

Score = informal workers not yet enrolled × share of a year since the last done visit (never: a year)
÷ (access factor × (1 + travel hours)). In the villages below, with no visit:
Besusu Barat 1000, Besusu Timur 3000 × 73/365 = 600, Besusu Tengah 2000 / (2 × 2) = 500,
Lolu Selatan 500 / 2.5 = 200, Lolu Utara (no estimate) 0.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, event, select

from campaign_app.extensions import db
from campaign_app.models import SignUp, SignUpStatus, Village, Visit, VisitOfficer, VisitStatus
from campaign_app.summaries import bulk_execute
from campaign_app.villages import ranking
from tests.factories import TODAY, branch_named, make_campaign, make_officer, make_signup, make_visit

pytestmark = pytest.mark.usefixtures("app_context")

DISTRICT = "72.71.01"
BARAT, TENGAH, TIMUR, LOLU_SELATAN, LOLU_UTARA = (
    "72.71.01.1004", "72.71.01.1006", "72.71.01.1007", "72.71.01.1009", "72.71.01.1010")


def set_village(code, workers, access=None, hours=None, population=10_000):
    village = db.session.get(Village, code)
    village.estimated_population = population if workers is not None else None
    village.estimated_informal_workers = workers
    village.access_class = access
    village.travel_hours = Decimal(hours) if hours is not None else None


def visit(code, days_from_today, status):
    day = TODAY + timedelta(days=days_from_today)
    campaign = make_campaign(starts_on=min(day, TODAY) - timedelta(days=1), ends_on=TODAY + timedelta(days=90))
    made = make_visit(campaign, village_code=code, on=day, today=min(day, TODAY))
    made.status = status
    db.session.flush()
    return made


@pytest.fixture(autouse=True)
def palu_timur(app_context):
    """The five villages of Palu Timur with hand-set values and no visits or sign-ups (the demo's are removed)."""
    codes = select(Village.code).where(Village.district_code == DISTRICT)
    visit_ids = select(Visit.id).where(Visit.village_code.in_(codes))
    bulk_execute(db.session, delete(SignUp).where(SignUp.visit_id.in_(visit_ids)))
    bulk_execute(db.session, delete(VisitOfficer).where(VisitOfficer.visit_id.in_(visit_ids)))
    bulk_execute(db.session, delete(Visit).where(Visit.village_code.in_(codes)))
    set_village(BARAT, 1000, "road", "0")
    set_village(TENGAH, 2000, "boat", "1")
    set_village(TIMUR, 3000, "road", "0")
    set_village(LOLU_SELATAN, 500, "on_foot", "0")
    set_village(LOLU_UTARA, None)
    visit(TIMUR, -73, VisitStatus.DONE)
    db.session.flush()


def ranked(branch_ids=None, **filters) -> list[str]:
    filters.setdefault("district_code", DISTRICT)
    branch_ids = branch_ids if branch_ids is not None else {branch_named().id}
    return [v.code for v in ranking.where_next(branch_ids, TODAY, **filters).items]


def scores() -> dict[str, float]:
    return {v.code: round(v.score, 6) for v in ranking.where_next({branch_named().id}, TODAY,
                                                                  district_code=DISTRICT).items}


def test_villages_come_in_order_of_score():
    assert ranked() == [BARAT, TIMUR, TENGAH, LOLU_SELATAN, LOLU_UTARA]


def test_scores_follow_the_formula():
    assert scores() == {BARAT: 1000, TIMUR: 600, TENGAH: 500, LOLU_SELATAN: 200, LOLU_UTARA: 0}


def test_a_village_with_a_visit_planned_is_left_out():
    visit(BARAT, 10, VisitStatus.PLANNED)
    assert ranked() == [TIMUR, TENGAH, LOLU_SELATAN, LOLU_UTARA]


def test_a_visit_planned_for_today_counts_as_planned():
    visit(BARAT, 0, VisitStatus.PLANNED)
    assert BARAT not in ranked()


def test_a_village_with_a_visit_in_progress_is_left_out():
    visit(TENGAH, 0, VisitStatus.IN_PROGRESS)
    assert ranked() == [BARAT, TIMUR, LOLU_SELATAN, LOLU_UTARA]


def test_a_planned_visit_whose_day_has_passed_does_not_hold_the_village_back():
    visit(BARAT, -3, VisitStatus.PLANNED)
    assert ranked() == [BARAT, TIMUR, TENGAH, LOLU_SELATAN, LOLU_UTARA]


def test_postponed_and_cancelled_visits_neither_exclude_nor_count_as_visits():
    visit(BARAT, -5, VisitStatus.POSTPONED)
    visit(BARAT, 5, VisitStatus.CANCELLED)
    assert scores()[BARAT] == 1000


def test_a_recent_visit_drops_a_village():
    visit(BARAT, -73, VisitStatus.DONE)  # 1000 × 0.2 = 200: ties with Lolu Selatan, and the code decides
    assert ranked() == [TIMUR, TENGAH, BARAT, LOLU_SELATAN, LOLU_UTARA]


def test_the_last_done_visit_is_the_one_that_counts():
    visit(TIMUR, -300, VisitStatus.DONE)
    assert scores()[TIMUR] == 600


def test_a_visit_more_than_a_year_ago_counts_as_never():
    bulk_execute(db.session, delete(Visit).where(Visit.village_code == TIMUR))
    visit(TIMUR, -500, VisitStatus.DONE)
    assert scores()[TIMUR] == 3000
    assert ranked()[0] == TIMUR


def test_days_since_the_visit_are_shown_as_they_are_but_counted_up_to_a_year():
    bulk_execute(db.session, delete(Visit).where(Visit.village_code == TIMUR))
    visit(TIMUR, -500, VisitStatus.DONE)
    timur = next(v for v in ranking.where_next(None, TODAY, district_code=DISTRICT).items if v.code == TIMUR)
    assert (timur.days, timur.days_since) == (365, 500)


def test_unknown_access_counts_as_road_and_unknown_travel_as_no_time():
    set_village(LOLU_SELATAN, 500, None, None)
    assert scores()[LOLU_SELATAN] == 500


def test_travel_hours_divide_the_score():
    set_village(BARAT, 1000, "road", "4")
    assert scores()[BARAT] == 200


def signed_up_long_ago(code, count, void=0):
    """``count`` workers signed up at a visit more than a year ago (so it counts as never visited); ``void`` voided."""
    day = TODAY - timedelta(days=400)
    officer = make_officer()
    made = make_visit(make_campaign(starts_on=day, ends_on=TODAY + timedelta(days=90)), village_code=code, on=day,
                      today=day, officers=[officer])
    made.status = VisitStatus.IN_PROGRESS
    signups = [make_signup(made, officer) for _ in range(count)]
    for signup in signups[count - void:]:
        signup.status = SignUpStatus.VOID
    made.status = VisitStatus.DONE
    db.session.flush()


def test_sign_ups_are_subtracted_from_the_workers():
    set_village(BARAT, 10, "road", "0")
    signed_up_long_ago(BARAT, 4)
    barat = next(v for v in ranking.where_next(None, TODAY, district_code=DISTRICT).items if v.code == BARAT)
    assert (barat.signups, barat.not_enrolled, round(barat.score, 6)) == (4, 6, 6)


def test_void_sign_ups_are_not_subtracted():
    set_village(BARAT, 10, "road", "0")
    signed_up_long_ago(BARAT, 4, void=3)
    assert scores()[BARAT] == 9


def test_sign_ups_elsewhere_are_not_subtracted():
    signed_up_long_ago(TENGAH, 3)
    assert scores()[BARAT] == 1000


def test_a_village_with_more_sign_ups_than_estimated_workers_has_none_left():
    set_village(BARAT, 2, "road", "0")
    signed_up_long_ago(BARAT, 3)
    barat = next(v for v in ranking.where_next(None, TODAY, district_code=DISTRICT).items if v.code == BARAT)
    assert (barat.not_enrolled, barat.score) == (0, 0)


def test_a_regency_filter_keeps_its_villages_only():
    found = ranking.where_next({branch_named().id}, TODAY, regency_code="72.10").items
    assert found and all(v.code.startswith("72.10.") for v in found)


def test_another_branchs_villages_never_appear():
    assert ranked(regency_code="72.01", district_code=None) == []
    palu = ranking.where_next({branch_named().id}, TODAY, per_page=1000)
    assert all(v.code[:5] in {"72.71", "72.10", "72.03", "72.08"} for v in palu.items)


def test_the_ranking_is_paginated():
    assert ranked(page=2, per_page=2) == [TENGAH, LOLU_SELATAN]


def test_the_ranking_takes_two_statements_whatever_the_data():
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        ranking.where_next(None, TODAY, per_page=25)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 2
