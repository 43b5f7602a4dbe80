"""Visit rules: the status table, rescheduling, double submits, and the look-ups behind the pages."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.models import Role, User, Visit, VisitStatus
from campaign_app.validation import Refused
from campaign_app.visits import queries
from campaign_app.visits.assignments import AssignmentRefused, record_leave
from campaign_app.visits.service import (
    COST_MAX,
    REASON_MAX,
    TRANSITIONS,
    allowed_transitions,
    change_status,
    remove_officer,
    reschedule_visit,
)
from tests.factories import (
    FAR_VILLAGE,
    NEAR_VILLAGE,
    OTHER_NEAR_VILLAGE,
    TODAY,
    branch_named,
    make_campaign,
    make_officer,
    make_visit,
    set_travel_hours,
    user_named,
)

DAY = timedelta(days=1)
S = VisitStatus


@pytest.fixture
def campaign(app_context):
    return make_campaign()


@pytest.fixture
def officer(app_context):
    return make_officer()


def visit_in(status: str, campaign, **fields) -> Visit:
    visit = make_visit(campaign, **fields)
    visit.status = status
    return visit


def visit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit))


# --- the status table -----------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end"), list(TRANSITIONS), ids=lambda s: str(s))
def test_each_transition_in_the_table_is_allowed(campaign, start, end):
    visit = visit_in(start, campaign)
    change_status(visit, end, "Jalan longsor")
    assert visit.status == end


@pytest.mark.parametrize(("start", "end"), [
    (S.PLANNED, S.DONE), (S.IN_PROGRESS, S.POSTPONED), (S.IN_PROGRESS, S.CANCELLED), (S.DONE, S.PLANNED),
    (S.CANCELLED, S.PLANNED), (S.POSTPONED, S.CANCELLED), (S.POSTPONED, S.IN_PROGRESS), (S.PLANNED, S.PLANNED),
])
def test_a_transition_outside_the_table_is_refused(campaign, start, end):
    visit = visit_in(start, campaign)
    with pytest.raises(Refused) as refused:
        change_status(visit, end, "Alasan")
    assert "status" in refused.value.errors
    assert visit.status == start


def test_only_planned_visits_may_be_postponed_or_cancelled():
    planned_exits = {end for (start, end) in TRANSITIONS if start == S.PLANNED}
    stops = {(start, end) for (start, end) in TRANSITIONS if end in (S.POSTPONED, S.CANCELLED)}
    assert {S.POSTPONED, S.CANCELLED} <= planned_exits
    assert all(start == S.PLANNED for start, _ in stops)


@pytest.mark.parametrize("end", [S.POSTPONED, S.CANCELLED])
def test_postponing_or_cancelling_needs_a_reason(campaign, end):
    visit = make_visit(campaign)
    with pytest.raises(Refused) as refused:
        change_status(visit, end, "   ")
    assert "reason" in refused.value.errors
    assert visit.status == S.PLANNED


def test_the_reason_is_kept_with_the_status(campaign):
    visit = make_visit(campaign)
    change_status(visit, S.POSTPONED, "  Jembatan putus  ")
    assert (visit.status, visit.status_reason) == (S.POSTPONED, "Jembatan putus")


def test_a_reason_longer_than_the_limit_is_refused(campaign):
    visit = make_visit(campaign)
    change_status(visit, S.CANCELLED, "x" * REASON_MAX)
    other = make_visit(campaign, village_code=OTHER_NEAR_VILLAGE)
    with pytest.raises(Refused):
        change_status(other, S.CANCELLED, "x" * (REASON_MAX + 1))


def test_a_reason_with_control_characters_is_refused(campaign):
    with pytest.raises(Refused):
        change_status(make_visit(campaign), S.CANCELLED, "Banjir\x00")


def test_an_unknown_status_is_refused(campaign):
    with pytest.raises(Refused):
        change_status(make_visit(campaign), "lost")


def test_starting_and_finishing_is_the_officers_job(campaign):
    visit = make_visit(campaign)
    with pytest.raises(Refused):
        change_status(visit, S.IN_PROGRESS, role=Role.COORDINATOR)
    change_status(visit, S.IN_PROGRESS, role=Role.OFFICER)
    change_status(visit, S.DONE, role=Role.OFFICER)
    assert visit.status == S.DONE


def test_a_coordinator_may_reopen_a_done_visit_but_an_officer_may_not(campaign):
    visit = visit_in(S.DONE, campaign)
    with pytest.raises(Refused):
        change_status(visit, S.IN_PROGRESS, role=Role.OFFICER)
    change_status(visit, S.IN_PROGRESS, role=Role.COORDINATOR)
    assert visit.status == S.IN_PROGRESS


def test_an_officer_may_not_postpone(campaign):
    with pytest.raises(Refused):
        change_status(make_visit(campaign), S.POSTPONED, "Hujan", role=Role.OFFICER)


def test_a_change_without_a_reason_clears_the_old_one(campaign):
    visit = visit_in(S.DONE, campaign)
    visit.status_reason = "old"
    change_status(visit, S.IN_PROGRESS)
    assert visit.status_reason is None


def test_allowed_transitions_depend_on_status_and_role(campaign):
    visit = make_visit(campaign)
    assert set(allowed_transitions(visit, Role.COORDINATOR)) == {S.POSTPONED, S.CANCELLED}
    assert allowed_transitions(visit, Role.OFFICER) == [S.IN_PROGRESS]
    assert allowed_transitions(visit, Role.MANAGER) == []


def test_refusal_messages_name_both_statuses(campaign, app):
    visit = visit_in(S.CANCELLED, campaign)
    with app.test_request_context(), force_locale("en"), pytest.raises(Refused) as refused:
        change_status(visit, S.PLANNED)
    assert refused.value.errors["status"] == ["A visit that is cancelled cannot become planned."]


# --- rescheduling ---------------------------------------------------------------------------------

def test_rescheduling_moves_the_date_and_time(campaign, officer):
    visit = make_visit(campaign, officers=[officer])
    reschedule_visit(visit, visit_date=TODAY + 3 * DAY, start_time=time(13, 30), today=TODAY)
    assert (visit.visit_date, visit.start_time) == (TODAY + 3 * DAY, time(13, 30))


def test_rescheduling_to_the_same_day_does_not_clash_with_itself(campaign, officer):
    visit = make_visit(campaign, officers=[officer])
    reschedule_visit(visit, visit_date=TODAY, start_time=time(8), today=TODAY)
    assert visit.start_time == time(8)


def test_rescheduling_a_postponed_visit_plans_it_again(campaign):
    visit = make_visit(campaign)
    change_status(visit, S.POSTPONED, "Banjir")
    reschedule_visit(visit, visit_date=TODAY + 7 * DAY, start_time=None, today=TODAY)
    assert (visit.status, visit.status_reason) == (S.PLANNED, None)


def test_rescheduling_onto_a_day_an_officer_is_booked_is_refused_naming_the_visit(campaign, officer, app):
    make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, on=TODAY + 2 * DAY, officers=[officer])
    visit = make_visit(campaign, village_code=NEAR_VILLAGE, on=TODAY, officers=[officer])
    with app.test_request_context(), force_locale("en"), pytest.raises(Refused) as refused:
        reschedule_visit(visit, visit_date=TODAY + 2 * DAY, start_time=None, today=TODAY)
    (message,) = refused.value.errors["visit_date"]
    assert "Lolu Selatan" in message and officer.full_name in message
    assert visit.visit_date == TODAY


def test_rescheduling_onto_an_officers_leave_is_refused(campaign, officer):
    visit = make_visit(campaign, officers=[officer])
    record_leave(officer, TODAY + 5 * DAY, TODAY + 6 * DAY)
    with pytest.raises(Refused):
        reschedule_visit(visit, visit_date=TODAY + 6 * DAY, start_time=None, today=TODAY)


def test_rescheduling_a_far_visit_next_to_another_is_refused(campaign, officer):
    set_travel_hours(FAR_VILLAGE, "7")
    make_visit(campaign, village_code=NEAR_VILLAGE, on=TODAY + 4 * DAY, officers=[officer])
    far = make_visit(campaign, village_code=FAR_VILLAGE, on=TODAY + DAY, officers=[officer])
    with pytest.raises(Refused):
        reschedule_visit(far, visit_date=TODAY + 3 * DAY, start_time=None, today=TODAY)


def test_rescheduling_into_the_past_is_refused(campaign):
    visit = make_visit(campaign, on=TODAY + DAY)
    with pytest.raises(Refused) as refused:
        reschedule_visit(visit, visit_date=TODAY - DAY, start_time=None, today=TODAY)
    assert "visit_date" in refused.value.errors


def test_rescheduling_outside_the_campaign_is_refused(campaign):
    visit = make_visit(campaign)
    with pytest.raises(Refused) as refused:
        reschedule_visit(visit, visit_date=campaign.ends_on + DAY, start_time=None, today=TODAY)
    assert "visit_date" in refused.value.errors


def test_rescheduling_in_a_closed_campaign_is_refused(campaign):
    visit = make_visit(campaign)
    campaign.status = "closed"
    with pytest.raises(Refused) as refused:
        reschedule_visit(visit, visit_date=TODAY + DAY, start_time=None, today=TODAY)
    assert None in refused.value.errors


@pytest.mark.parametrize("status", [S.DONE, S.CANCELLED, S.IN_PROGRESS])
def test_only_planned_or_postponed_visits_are_rescheduled(campaign, status):
    visit = visit_in(status, campaign)
    with pytest.raises(Refused):
        reschedule_visit(visit, visit_date=TODAY + DAY, start_time=None, today=TODAY)


# --- scheduling: double submits and limits -------------------------------------------------------

def test_the_same_form_submitted_twice_makes_one_visit(campaign, officer):
    before = visit_count()
    first = make_visit(campaign, officers=[officer], form_key="a" * 32)
    second = make_visit(campaign, officers=[officer], form_key="a" * 32)
    assert first.id == second.id
    assert visit_count() == before + 1


def test_two_forms_make_two_visits(campaign):
    before = visit_count()
    make_visit(campaign, form_key="b" * 32)
    make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, form_key="c" * 32)
    assert visit_count() == before + 2


def test_a_cost_above_the_limit_is_refused(campaign):
    with pytest.raises(Refused) as refused:
        make_visit(campaign, planned_cost=COST_MAX + 1)
    assert "planned_cost" in refused.value.errors


def test_a_village_of_another_branch_is_refused(campaign):
    with pytest.raises(Refused) as refused:
        make_visit(campaign, village_code="72.01.01.1009")
    assert "village" in refused.value.errors


# --- officers on a visit --------------------------------------------------------------------------

def test_an_officer_is_taken_off_a_planned_visit(campaign, officer):
    visit = make_visit(campaign, officers=[officer])
    assert remove_officer(visit, officer)
    assert visit.officers == []


def test_officers_of_a_finished_visit_stay(campaign, officer):
    visit = make_visit(campaign, officers=[officer])
    visit.status = S.DONE
    with pytest.raises(AssignmentRefused):
        remove_officer(visit, officer)


# --- villages ---------------------------------------------------------------------------------------

def test_villages_match_part_of_the_name_in_the_branch(app_context):
    palu = branch_named()
    names = [match.name for match in queries.village_matches("besusu", {palu.id})]
    assert names == ["Besusu Barat", "Besusu Tengah", "Besusu Timur"]


def test_villages_match_a_code_prefix(app_context):
    matches = queries.village_matches("72.71.01.100", {branch_named().id})
    assert matches and all(m.code.startswith("72.71.01.100") for m in matches)


def test_village_matches_are_at_most_ten_names_starting_with_the_text_first(app_context):
    matches = queries.village_matches("ba", {branch_named().id})
    assert len(matches) == 10
    assert matches[0].name.lower().startswith("ba")


def test_villages_of_another_branch_do_not_match(app_context):
    luwuk = branch_named("Kantor Cabang Luwuk")
    luwuk_village = queries.village_matches("a", {luwuk.id})[0]
    assert luwuk_village.code not in {m.code for m in queries.village_matches(luwuk_village.name, {branch_named().id})}


def test_a_typed_code_resolves_to_its_village(app_context):
    village, candidates = queries.resolve_village(NEAR_VILLAGE, branch_named().id)
    assert (village.name, candidates) == ("Besusu Barat", [])


def test_a_typed_exact_name_resolves_in_any_case(app_context):
    village, _ = queries.resolve_village("besusu barat", branch_named().id)
    assert village.code == NEAR_VILLAGE


def test_a_partial_name_lists_candidates(app_context):
    village, candidates = queries.resolve_village("Besusu", branch_named().id)
    assert village is None and len(candidates) == 3


def test_a_name_shared_by_several_villages_lists_them(app_context):
    palu = branch_named()
    shared = db.session.execute(select(queries.Village.name).join(queries.District).where(
        queries.District.regency_code.in_(["72.71", "72.10", "72.03", "72.08"]))
        .group_by(queries.Village.name).having(func.count() > 1).limit(1)).scalar()
    village, candidates = queries.resolve_village(shared, palu.id)
    assert village is None and len(candidates) > 1 and {c.name for c in candidates} == {shared}


def test_a_code_of_another_branch_resolves_to_nothing(app_context):
    assert queries.resolve_village("72.01.01.1009", branch_named().id) == (None, [])


# --- the list and the week --------------------------------------------------------------------------

@pytest.fixture
def coordinator(app_context) -> User:
    return user_named("koordinator")


def test_the_list_starts_today_then_the_coming_days_soonest_first_then_the_past_latest_first(coordinator):
    campaign = make_campaign(starts_on=TODAY - 30 * DAY)
    for offset in (-9, 9, -1, 1, 0):
        make_visit(campaign, on=TODAY + offset * DAY, today=TODAY - 30 * DAY)
    items = queries.search_visits(coordinator, queries.VisitFilters(campaign_id=campaign.id), today=TODAY).items
    assert [(v.visit_date - TODAY).days for v in items] == [0, 1, 9, -1, -9]
    assert [queries.when(v.visit_date, TODAY) for v in items] == ["today", "coming", "coming", "past", "past"]


def test_a_days_visits_in_the_list_go_by_start_time_untimed_last(coordinator, campaign):
    untimed = make_visit(campaign, village_code=FAR_VILLAGE, start_time=None)
    late = make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, start_time=time(14, 0))
    early = make_visit(campaign, start_time=time(8, 0))
    items = queries.search_visits(coordinator, queries.VisitFilters(campaign_id=campaign.id), today=TODAY).items
    assert [v.id for v in items] == [early.id, late.id, untimed.id]


def test_the_list_filters_by_status_officer_regency_and_period(coordinator, campaign, officer):
    near = make_visit(campaign, on=TODAY + DAY, officers=[officer])
    far = make_visit(campaign, village_code=FAR_VILLAGE, on=TODAY + 20 * DAY)
    change_status(far, S.POSTPONED, "Hujan")

    def found(**filters) -> list[int]:
        chosen = queries.VisitFilters(campaign_id=campaign.id, **filters)
        return [v.id for v in queries.search_visits(coordinator, chosen, today=TODAY).items]

    assert found(status=S.POSTPONED) == [far.id]
    assert found(officer_id=officer.id) == [near.id]
    assert found(regency_code="72.10") == [far.id]
    assert found(date_from=TODAY + 10 * DAY) == [far.id]
    assert found(date_to=TODAY + 10 * DAY) == [near.id]


def test_status_counts_are_made_in_sql_for_the_filtered_visits(coordinator, campaign):
    make_visit(campaign)
    change_status(make_visit(campaign, village_code=OTHER_NEAR_VILLAGE), S.CANCELLED, "Banjir")
    counts = queries.status_counts(coordinator, queries.VisitFilters(campaign_id=campaign.id))
    assert counts == {S.PLANNED: 1, S.CANCELLED: 1}


def test_a_coordinator_lists_no_visit_of_another_branch(coordinator):
    luwuk = branch_named("Kantor Cabang Luwuk")
    items = queries.search_visits(coordinator, queries.VisitFilters(), today=TODAY, per_page=1000).items
    assert items and all(v.branch_id != luwuk.id for v in items)


def test_the_week_has_seven_days_with_their_visits(coordinator, campaign):
    visit = make_visit(campaign, on=TODAY + 2 * DAY)
    week = queries.week_visits(coordinator, TODAY)
    assert list(week) == [TODAY + n * DAY for n in range(7)]
    assert visit in week[TODAY + 2 * DAY]
