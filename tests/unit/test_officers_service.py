"""The officers' roster, agendas, leave and home list, as the services compute them."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from campaign_app.extensions import db
from campaign_app.models import (
    District,
    OfficerLeave,
    Role,
    Village,
    VisitOfficer,
    VisitStatus,
    branch_regencies,
)
from campaign_app.officers import service
from campaign_app.validation import Refused
from campaign_app.visits.assignments import assign_officer, record_leave, visits_during
from tests.factories import (
    NEAR_VILLAGE,
    OTHER_NEAR_VILLAGE,
    TODAY,
    branch_named,
    make_campaign,
    make_officer,
    make_visit,
    user_named,
)

DAY = timedelta(days=1)
LUWUK = "Kantor Cabang Luwuk"


@pytest.fixture
def officer(app_context):
    return make_officer(name="Aa Petugas Uji")


@pytest.fixture
def campaign(app_context):
    # Runs from two months back, so that tests can place visits in the past too.
    return make_campaign(starts_on=TODAY - 60 * DAY, ends_on=TODAY + 120 * DAY)


def past_visit(campaign, officer, on: date, village_code: str = NEAR_VILLAGE):
    return make_visit(campaign, village_code=village_code, on=on, officers=[officer], today=on)


@contextmanager
def counting_statements():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def a_village_of(branch) -> str:
    return db.session.scalar(
        select(Village.code).join(District, District.code == Village.district_code)
        .join(branch_regencies, branch_regencies.c.regency_code == District.regency_code)
        .where(branch_regencies.c.branch_id == branch.id).order_by(Village.code).limit(1)
    )


def roster_row(officer, week_start=TODAY, today=TODAY):
    _page, rows = service.roster({officer.branch_id}, week_start, today, per_page=100)
    return next(row for row in rows if row.officer.id == officer.id)


# --- weeks ---------------------------------------------------------------------------------------

def test_a_week_starts_on_monday():
    assert service.week_start_of(date(2026, 11, 8)) == date(2026, 11, 2)  # a Sunday
    assert service.week_start_of(TODAY) == TODAY


def test_the_roster_shows_weeks_within_a_quarter_of_today():
    assert service.week_in_range(TODAY + 13 * 7 * DAY, TODAY)
    assert service.week_in_range(TODAY - 13 * 7 * DAY, TODAY)
    assert not service.week_in_range(TODAY + 14 * 7 * DAY, TODAY)


# --- the roster ----------------------------------------------------------------------------------

def test_the_roster_shows_each_day_of_the_week_with_visits(officer, campaign):
    make_visit(campaign, on=TODAY, officers=[officer])
    make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, on=TODAY + 2 * DAY, officers=[officer])
    row = roster_row(officer)
    assert row.visit_days == [TODAY, TODAY + 2 * DAY]
    assert row.week_visits == 2


def test_workload_counts_working_days_only(officer, campaign):
    make_visit(campaign, on=TODAY, officers=[officer])
    make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, on=TODAY + 5 * DAY, officers=[officer])  # Saturday
    row = roster_row(officer)
    assert (row.week_visits, row.booked_days) == (2, 1)


def test_two_visits_on_one_day_count_as_two_visits_and_one_booked_day(officer, campaign):
    first = make_visit(campaign, on=TODAY, officers=[officer])
    second = make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, on=TODAY)
    # Stored without the clash rules (an import, say): the roster still counts the day once.
    db.session.add(VisitOfficer(visit=second, officer=officer))
    db.session.flush()
    row = roster_row(officer)
    assert (row.week_visits, row.booked_days, row.visit_days) == (2, 1, [first.visit_date])


def test_the_roster_leaves_out_cancelled_and_postponed_visits(officer, campaign):
    make_visit(campaign, on=TODAY, officers=[officer]).status = VisitStatus.CANCELLED
    make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, on=TODAY + DAY, officers=[officer]).status = \
        VisitStatus.POSTPONED
    db.session.flush()
    row = roster_row(officer)
    assert (row.week_visits, row.upcoming_visits) == (0, 0)


def test_upcoming_visits_are_counted_for_thirty_days_from_today(officer, campaign):
    make_visit(campaign, on=TODAY + 29 * DAY, officers=[officer])
    make_visit(campaign, on=TODAY + 30 * DAY, officers=[officer])
    assert roster_row(officer).upcoming_visits == 1


def test_the_roster_shows_another_week_than_this_one(officer, campaign):
    make_visit(campaign, on=TODAY + 7 * DAY, officers=[officer])
    assert roster_row(officer, week_start=TODAY + 7 * DAY).visit_days == [TODAY + 7 * DAY]
    assert roster_row(officer).visit_days == []


def test_the_roster_counts_leave_days_this_week_and_ahead(officer):
    record_leave(officer, TODAY + 3 * DAY, TODAY + 9 * DAY)  # Thursday to next Wednesday
    record_leave(officer, TODAY + 28 * DAY, TODAY + 40 * DAY)  # only two days inside the thirty
    row = roster_row(officer)
    assert row.leave_days_this_week == [TODAY + 3 * DAY, TODAY + 4 * DAY, TODAY + 5 * DAY, TODAY + 6 * DAY]
    assert row.upcoming_leave_days == 7 + 2


def test_the_roster_lists_only_active_officers_of_the_branches_asked_for(officer):
    retired = make_officer(name="Aa Pensiun")
    retired.active = False
    luwuk_officer = make_officer(branch=branch_named(LUWUK))
    _page, rows = service.roster({officer.branch_id}, TODAY, TODAY, per_page=100)
    ids = {row.officer.id for row in rows}
    assert officer.id in ids
    assert retired.id not in ids
    assert luwuk_officer.id not in ids
    assert all(row.officer.role == Role.OFFICER for row in rows)


def test_the_roster_of_every_branch_includes_each_branch(officer):
    luwuk_officer = make_officer(branch=branch_named(LUWUK))
    _page, rows = service.roster(None, TODAY, TODAY, per_page=1000)
    assert {officer.id, luwuk_officer.id} <= {row.officer.id for row in rows}


def test_a_page_past_the_end_shows_the_last_page(officer):
    page, rows = service.roster({officer.branch_id}, TODAY, TODAY, page=999, per_page=2)
    assert page.page == page.pages
    assert rows


def test_the_roster_issues_the_same_statements_however_many_officers(officer, campaign):
    branch_ids = {officer.branch_id}

    def statements() -> int:
        db.session.expire_all()
        with counting_statements() as seen:
            service.roster(branch_ids, TODAY, TODAY, per_page=100)
        return len(seen)

    before = statements()
    for n in range(5):
        other = make_officer()
        make_visit(campaign, village_code=NEAR_VILLAGE, on=TODAY + (n + 1) * DAY, officers=[other])
        record_leave(other, TODAY + 20 * DAY, TODAY + 21 * DAY)
    assert statements() == before == 5


# --- one officer ---------------------------------------------------------------------------------

def test_a_coordinator_sees_an_officer_of_their_branch(officer):
    assert service.visible_officer(user_named("koordinator"), officer.id) == officer


def test_a_coordinator_does_not_see_an_officer_of_another_branch(app_context):
    stranger = make_officer(branch=branch_named(LUWUK))
    assert service.visible_officer(user_named("koordinator"), stranger.id) is None
    assert service.visible_officer(user_named("manajer"), stranger.id) == stranger


def test_a_user_who_is_not_an_officer_is_no_officer(app_context):
    coordinator = user_named("koordinator")
    assert service.visible_officer(coordinator, coordinator.id) is None
    assert service.visible_officer(coordinator, 2_147_483_647) is None


def test_the_agenda_lists_upcoming_visits_soonest_first_and_counts_them_all(officer, campaign):
    for n in range(service.AGENDA_UPCOMING_LIMIT + 2):
        make_visit(campaign, on=TODAY + (n + 1) * DAY, officers=[officer])
    agenda = service.agenda(officer, TODAY)
    assert len(agenda.upcoming) == service.AGENDA_UPCOMING_LIMIT
    assert agenda.upcoming_total == service.AGENDA_UPCOMING_LIMIT + 2
    assert agenda.upcoming[0].visit_date == TODAY + DAY


def test_the_agenda_lists_recent_visits_newest_first(officer, campaign):
    past_visit(campaign, officer, TODAY - 10 * DAY)
    past_visit(campaign, officer, TODAY - 3 * DAY)
    make_visit(campaign, on=TODAY, officers=[officer])
    agenda = service.agenda(officer, TODAY)
    assert [v.visit_date for v in agenda.recent] == [TODAY - 3 * DAY, TODAY - 10 * DAY]
    assert [v.visit_date for v in agenda.upcoming] == [TODAY]


def test_the_agenda_shows_current_and_coming_leave_only(officer):
    record_leave(officer, TODAY - 10 * DAY, TODAY - 8 * DAY)
    current = record_leave(officer, TODAY - DAY, TODAY + DAY)
    coming = record_leave(officer, TODAY + 20 * DAY, TODAY + 21 * DAY)
    assert service.agenda(officer, TODAY).leaves == [current, coming]


def test_the_agenda_lists_visits_that_fall_in_a_leave(officer, campaign):
    during = make_visit(campaign, on=TODAY + 2 * DAY, officers=[officer])
    make_visit(campaign, on=TODAY + 5 * DAY, officers=[officer])
    record_leave(officer, TODAY + DAY, TODAY + 3 * DAY)
    agenda = service.agenda(officer, TODAY)
    assert agenda.during_leave == [during]
    assert agenda.during_leave_ids == {during.id}


def test_visits_to_assign_are_the_branchs_coming_planned_visits_the_officer_is_not_on(officer, campaign):
    on_it = make_visit(campaign, on=TODAY + DAY, officers=[officer])
    free = make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, on=TODAY + 2 * DAY)
    cancelled = make_visit(campaign, on=TODAY + 3 * DAY)
    cancelled.status = VisitStatus.CANCELLED
    past = make_visit(campaign, on=TODAY - DAY, today=TODAY - DAY)
    db.session.flush()
    ids = {v.id for v in service.assignable_visits(officer, TODAY, limit=1000)}
    assert free.id in ids
    assert not ids & {on_it.id, cancelled.id, past.id}
    assert all(v.branch_id == officer.branch_id for v in service.assignable_visits(officer, TODAY, limit=1000))


def test_a_visit_of_another_branch_is_not_the_officers(officer, app_context):
    luwuk = branch_named(LUWUK)
    visit = make_visit(make_campaign(branch=luwuk), village_code=a_village_of(luwuk))
    assert service.branch_visit(officer, visit.id) is None
    assert service.branch_visit(officer, 2_147_483_647) is None


def test_unassigning_takes_the_officer_off(officer, campaign):
    visit = make_visit(campaign, officers=[officer])
    service.unassign(visit, officer)
    assert visit.officers == []


def test_unassigning_an_officer_who_is_not_on_the_visit_is_refused(officer, campaign):
    visit = make_visit(campaign)
    with pytest.raises(Refused) as refused:
        service.unassign(visit, officer)
    assert "tidak ditugaskan" in refused.value.errors[None][0]


def test_unassigning_from_a_visit_that_is_done_is_refused(officer, campaign):
    visit = make_visit(campaign, officers=[officer])
    visit.status = VisitStatus.DONE
    with pytest.raises(Refused):
        service.unassign(visit, officer)
    assert visit.officers == [officer]


# --- leave ---------------------------------------------------------------------------------------

def add_leave(officer, starts_on, ends_on, reason="Cuti tahunan"):
    return service.add_leave(officer, starts_on, ends_on, reason, recorded_by=None, today=TODAY)


def test_leave_is_recorded(officer):
    leave = add_leave(officer, TODAY + DAY, TODAY + 3 * DAY)
    assert (leave.officer_id, leave.starts_on, leave.ends_on, leave.reason) == \
        (officer.id, TODAY + DAY, TODAY + 3 * DAY, "Cuti tahunan")


def test_a_blank_reason_is_stored_as_none(officer):
    assert add_leave(officer, TODAY, TODAY, reason="   ").reason is None


def test_leave_ending_before_it_starts_is_refused(officer):
    with pytest.raises(Refused) as refused:
        add_leave(officer, TODAY + 3 * DAY, TODAY + DAY)
    assert "ends_on" in refused.value.errors


def test_leave_of_sixty_days_is_accepted_and_longer_refused(officer):
    add_leave(officer, TODAY, TODAY + 59 * DAY)
    with pytest.raises(Refused) as refused:
        add_leave(make_officer(), TODAY, TODAY + 60 * DAY)
    assert "60" in refused.value.errors["ends_on"][0]


def test_leave_starting_in_the_past_is_refused(officer):
    with pytest.raises(Refused) as refused:
        add_leave(officer, TODAY - DAY, TODAY + DAY)
    assert "starts_on" in refused.value.errors


def test_leave_more_than_a_year_ahead_is_refused(officer):
    with pytest.raises(Refused) as refused:
        add_leave(officer, TODAY + 400 * DAY, TODAY + 401 * DAY)
    assert "starts_on" in refused.value.errors


def test_a_far_future_date_is_refused_without_overflow(officer):
    with pytest.raises(Refused):
        add_leave(officer, date(9999, 12, 30), date(9999, 12, 31))
    with pytest.raises(Refused):
        add_leave(officer, date(1, 1, 1), date(9999, 12, 31))


def test_leave_overlapping_another_is_refused_naming_it(officer):
    add_leave(officer, TODAY + 2 * DAY, TODAY + 4 * DAY)
    with pytest.raises(Refused) as refused:
        add_leave(officer, TODAY + 4 * DAY, TODAY + 6 * DAY)
    message = refused.value.errors["starts_on"][0]
    assert "4 Nov 2026" in message and "6 Nov 2026" in message
    assert db.session.scalar(select(OfficerLeave.id).where(OfficerLeave.ends_on == TODAY + 6 * DAY)) is None


def test_leave_right_after_another_is_accepted(officer):
    add_leave(officer, TODAY + 2 * DAY, TODAY + 4 * DAY)
    add_leave(officer, TODAY + 5 * DAY, TODAY + 6 * DAY)


def test_another_officers_leave_does_not_overlap(officer):
    add_leave(make_officer(), TODAY, TODAY + 3 * DAY)
    add_leave(officer, TODAY, TODAY + 3 * DAY)


def test_an_over_long_reason_is_refused(officer):
    with pytest.raises(Refused) as refused:
        add_leave(officer, TODAY, TODAY, reason="x" * (service.REASON_MAX + 1))
    assert "reason" in refused.value.errors


def test_leave_keeps_the_visits_already_assigned_in_it(officer, campaign):
    visit = make_visit(campaign, on=TODAY + 2 * DAY, officers=[officer])
    add_leave(officer, TODAY + DAY, TODAY + 3 * DAY)
    assert visit.officers == [officer]
    assert visits_during(officer, TODAY + DAY, TODAY + 3 * DAY) == [visit]


def test_removed_leave_frees_the_officer_again(officer, campaign):
    leave = add_leave(officer, TODAY, TODAY)
    service.remove_leave(leave)
    assign_officer(make_visit(campaign, on=TODAY), officer)


def test_a_leave_is_found_only_for_its_officer(officer):
    leave = add_leave(officer, TODAY, TODAY)
    assert service.officer_leave(officer, leave.id) == leave
    assert service.officer_leave(make_officer(), leave.id) is None
    assert service.officer_leave(officer, 2_147_483_647) is None


# --- the officer's home ----------------------------------------------------------------------------

def test_home_lists_the_officers_visits_of_the_next_fourteen_days(officer, campaign):
    today_visit = make_visit(campaign, on=TODAY, officers=[officer])
    last_day = make_visit(campaign, on=TODAY + 13 * DAY, officers=[officer])
    make_visit(campaign, on=TODAY + 14 * DAY, officers=[officer])
    past_visit(campaign, officer, TODAY - DAY)
    make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, on=TODAY + DAY)  # someone else's
    assert service.upcoming_for_officer(officer, TODAY) == [today_visit, last_day]


def test_home_leaves_out_cancelled_visits_but_shows_postponed_ones(officer, campaign):
    cancelled = make_visit(campaign, on=TODAY, officers=[officer])
    cancelled.status = VisitStatus.CANCELLED
    postponed = make_visit(campaign, on=TODAY + DAY, officers=[officer])
    postponed.status = VisitStatus.POSTPONED
    db.session.flush()
    assert service.upcoming_for_officer(officer, TODAY) == [postponed]


def test_home_shows_at_most_the_limit(officer, campaign):
    for n in range(12):
        make_visit(campaign, on=TODAY + n * DAY, officers=[officer])
    assert len(service.upcoming_for_officer(officer, TODAY, limit=10)) == 10


def test_home_list_is_one_statement(officer, campaign):
    make_visit(campaign, on=TODAY, officers=[officer])
    db.session.expire_all()
    officer.id  # noqa: B018  (loaded again before counting)
    with counting_statements() as seen:
        visits = service.upcoming_for_officer(officer, TODAY)
        [(v.village.name, v.campaign.name) for v in visits]
    assert len(seen) == 1
