"""Which officer may take which visit: booked days, travel days and leave."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import Visit, VisitStatus
from campaign_app.validation import Refused
from campaign_app.visits.assignments import (
    AssignmentRefused,
    assign_officer,
    find_clashes,
    record_leave,
    unassign_officer,
    visits_during,
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
)

DAY = timedelta(days=1)


@pytest.fixture
def officer(app_context):
    return make_officer()


@pytest.fixture
def campaign(app_context):
    return make_campaign()


def test_a_free_officer_is_assigned(officer, campaign):
    visit = make_visit(campaign)
    assign_officer(visit, officer)
    assert visit.officers == [officer]


def test_assigning_twice_changes_nothing(officer, campaign):
    visit = make_visit(campaign)
    assign_officer(visit, officer)
    assign_officer(visit, officer)
    assert len(visit.assignments) == 1


def test_an_officer_booked_that_day_is_refused_naming_the_visit(officer, campaign):
    make_visit(campaign, village_code=NEAR_VILLAGE, officers=[officer])
    second = make_visit(campaign, village_code=OTHER_NEAR_VILLAGE)
    with pytest.raises(AssignmentRefused) as refused:
        assign_officer(second, officer)
    assert "Besusu Barat" in refused.value.reasons[0]


def test_a_cancelled_visit_no_longer_books_its_officers(officer, campaign):
    first = make_visit(campaign, officers=[officer])
    first.status = VisitStatus.CANCELLED
    assign_officer(make_visit(campaign, village_code=OTHER_NEAR_VILLAGE), officer)


def test_near_visits_on_consecutive_days_are_fine(officer, campaign):
    set_travel_hours(NEAR_VILLAGE, "1")
    set_travel_hours(OTHER_NEAR_VILLAGE, "2")
    make_visit(campaign, NEAR_VILLAGE, on=TODAY, officers=[officer])
    make_visit(campaign, OTHER_NEAR_VILLAGE, on=TODAY + DAY, officers=[officer])


def test_a_far_visit_blocks_the_day_after(officer, campaign):
    set_travel_hours(FAR_VILLAGE, "6")
    make_visit(campaign, FAR_VILLAGE, on=TODAY, officers=[officer])
    next_day = make_visit(campaign, NEAR_VILLAGE, on=TODAY + DAY)
    clashes = find_clashes(officer, next_day.visit_date, None, exclude_visit_id=next_day.id)
    assert [c.kind for c in clashes] == ["travelling"]


def test_a_far_visit_blocks_the_day_before(officer, campaign):
    set_travel_hours(FAR_VILLAGE, "6")
    make_visit(campaign, FAR_VILLAGE, on=TODAY + DAY, officers=[officer])
    with pytest.raises(Refused) as refused:
        make_visit(campaign, NEAR_VILLAGE, on=TODAY, officers=[officer])
    assert "Sidondo II" in refused.value.errors["officers"][0]


def test_a_far_visit_needs_free_days_around_it(officer, campaign):
    set_travel_hours(FAR_VILLAGE, "5.5")
    make_visit(campaign, NEAR_VILLAGE, on=TODAY, officers=[officer])
    far = make_visit(campaign, FAR_VILLAGE, on=TODAY + DAY)
    clashes = find_clashes(officer, far.visit_date, far.village.travel_hours, exclude_visit_id=far.id)
    assert [c.kind for c in clashes] == ["needs_travel_days"]


def test_exactly_half_a_day_of_travel_blocks_nothing_around_it(officer, campaign):
    set_travel_hours(FAR_VILLAGE, "4")
    make_visit(campaign, FAR_VILLAGE, on=TODAY, officers=[officer])
    make_visit(campaign, NEAR_VILLAGE, on=TODAY + DAY, officers=[officer])


def test_an_officer_on_leave_is_refused(officer, campaign):
    leave = record_leave(officer, TODAY, TODAY + 2 * DAY, "Cuti tahunan")
    clashes = find_clashes(officer, TODAY + DAY, None)
    assert [(c.kind, c.leave) for c in clashes] == [("on_leave", leave)]


def test_leave_the_day_before_blocks_only_far_visits(officer, campaign):
    set_travel_hours(FAR_VILLAGE, "8")
    record_leave(officer, TODAY, TODAY)
    assert find_clashes(officer, TODAY + DAY, None) == []
    assert [c.kind for c in find_clashes(officer, TODAY + DAY, set_travel_hours(FAR_VILLAGE, "8").travel_hours)] \
        == ["on_leave"]


def test_a_refused_officer_leaves_no_visit_behind(officer, campaign):
    record_leave(officer, TODAY, TODAY)
    before = db.session.scalar(select(func.count()).select_from(Visit))
    with pytest.raises(Refused):
        make_visit(campaign, on=TODAY, officers=[officer])
    assert db.session.scalar(select(func.count()).select_from(Visit)) == before


def test_an_officer_of_another_branch_is_refused(campaign):
    stranger = make_officer(branch_named("Kantor Cabang Luwuk"))
    with pytest.raises(AssignmentRefused):
        assign_officer(make_visit(campaign), stranger)


def test_a_cancelled_visit_takes_no_officer(officer, campaign):
    visit = make_visit(campaign)
    visit.status = VisitStatus.CANCELLED
    with pytest.raises(AssignmentRefused):
        assign_officer(visit, officer)


def test_unassigning_frees_the_day(officer, campaign):
    first = make_visit(campaign, officers=[officer])
    assert unassign_officer(first, officer)
    make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, officers=[officer])


def test_visits_during_a_leave_are_listed_for_reassignment(officer, campaign):
    visit = make_visit(campaign, on=TODAY + DAY, officers=[officer])
    record_leave(officer, TODAY, TODAY + 3 * DAY)
    assert visits_during(officer, TODAY, TODAY + 3 * DAY) == [visit]
