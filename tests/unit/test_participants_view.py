"""The active participants the reports list: the level a selection is listed by, and each village's share of its
estimated informal workers."""

from datetime import date

import pytest

from campaign_app.extensions import db
from campaign_app.models import Village
from campaign_app.reports.participants import ActiveRow, active_view, place_for
from campaign_app.reports.selection import Selection
from campaign_app.signups.active import Place
from tests.factories import in_progress_visit, make_signup, nik_for, user_named
from tests.retention_data import paid, without_histories


@pytest.fixture
def admin(app_context):
    without_histories()
    return user_named("admin")


@pytest.mark.parametrize(("filters", "place"), [
    ({"branch_ids": None}, Place.BRANCH), ({"branch_ids": {1, 2}}, Place.BRANCH), ({"branch_ids": {1}}, Place.REGENCY),
    ({"branch_ids": None, "regency_code": "72.71"}, Place.DISTRICT),
    ({"branch_ids": None, "regency_code": "72.71", "district_code": "72.71.01"}, Place.VILLAGE),
])
def test_a_selection_is_listed_one_level_below_what_it_names(filters, place):
    assert place_for(Selection(**filters)) == place


def test_a_village_s_share_rests_on_its_estimate():
    assert ActiveRow("72.71.01.1001", "A", 12, 40).worker_share.value == pytest.approx(0.3)
    assert not ActiveRow("72.71.01.1001", "A", 12, 20).worker_share.comparable


def test_a_village_without_an_estimate_has_no_share():
    assert ActiveRow("72.71.01.1001", "A", 12, None).worker_share is None


def test_villages_carry_their_estimate_of_informal_workers(admin):
    visit = in_progress_visit()
    niks = [nik_for() for _ in range(2)]
    for nik in niks:
        make_signup(visit, nik=nik)
    paid(admin, dict.fromkeys(niks, "2027-01"), date(2027, 1, 1))
    village = db.session.get(Village, visit.village_code)
    village.estimated_informal_workers = 80
    db.session.flush()
    view = active_view(date(2027, 1, 1), Selection(branch_ids=None, regency_code=visit.village_code[:5],
                                                   district_code=visit.village_code[:8]))
    assert view.place == Place.VILLAGE and view.total == 2
    [row] = view.rows
    assert (row.key, row.paid_up, row.estimated_workers) == (visit.village_code, 2, 80)
    assert len(view.active.trend) == 13
