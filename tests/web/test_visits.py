"""Visit pages: schedule a visit, look it up, move, postpone or cancel it, staff it, and the lists."""

import gzip
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import Campaign, CampaignStatus, Role, User, Visit, VisitStatus
from campaign_app.visits.assignments import record_leave
from tests.factories import (
    FAR_VILLAGE,
    NEAR_VILLAGE,
    OTHER_NEAR_VILLAGE,
    TODAY,
    branch_named,
    make_campaign,
    make_officer,
    make_visit,
    user_named,
)

HTMX = {"HX-Request": "true"}
DAY = timedelta(days=1)
FRAGMENT_BUDGET = 4 * 1024
LUWUK = "Kantor Cabang Luwuk"
LUWUK_VILLAGE = "72.01.01.1009"


@dataclass
class Plan:
    """What a test schedules with: an open campaign of Palu, three officers of Palu, one of Luwuk."""

    campaign_id: int
    officer_ids: list[int]
    officer_names: list[str]
    stranger_id: int
    closed_campaign_id: int


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("campaign_app.clock.today", lambda: TODAY)


@pytest.fixture
def plan(app) -> Plan:
    with app.app_context():
        campaign = make_campaign(name="Kampanye Uji Web")
        closed = make_campaign(name="Kampanye Tutup")
        closed.status = CampaignStatus.CLOSED
        officers = [make_officer(name=f"Petugas Web {n}") for n in "ABC"]
        stranger = make_officer(branch_named(LUWUK), name="Petugas Luwuk")
        db.session.commit()
        return Plan(campaign.id, [o.id for o in officers], [o.full_name for o in officers], stranger.id, closed.id)


def text(response) -> str:
    return response.get_data(as_text=True)


def visit_form(plan: Plan, **changes) -> dict:
    form = {"campaign": str(plan.campaign_id), "village": "", "village_code": NEAR_VILLAGE,
            "visit_date": (TODAY + 2 * DAY).isoformat(), "start_time": "09:00",
            "planned_activity": "Sosialisasi JKK dan JKM", "planned_cost": "500.000",
            "officers": [str(plan.officer_ids[0]), str(plan.officer_ids[1])], "form_key": "f" * 32}
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def visits_of(app, campaign_id: int) -> list[tuple]:
    with app.app_context():
        visits = db.session.scalars(select(Visit).where(Visit.campaign_id == campaign_id).order_by(Visit.id)).all()
        return [(v.id, v.village_code, v.visit_date, v.planned_cost, sorted(a.officer_id for a in v.assignments))
                for v in visits]


def scheduled(app, plan: Plan, on=TODAY + 2 * DAY, village=NEAR_VILLAGE, officers=(0,), status=None) -> int:
    with app.app_context():
        campaign = db.session.get(Campaign, plan.campaign_id)
        visit = make_visit(campaign, village_code=village, on=on,
                           officers=[db.session.get(User, plan.officer_ids[n]) for n in officers])
        if status:
            visit.status = status
        db.session.commit()
        return visit.id


def stored(app, visit_id: int) -> Visit:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        visit.officer_ids = sorted(a.officer_id for a in visit.assignments)
        db.session.expunge(visit)
        return visit


def luwuk_visit(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Visit.id).where(Visit.branch_id == branch_named(LUWUK).id).limit(1))


# --- access ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["officer", "manager"])
def test_only_planners_may_schedule(auth, client, role):
    auth.login_as(role)
    assert client.get("/visits/new").status_code == 403
    assert client.post("/visits/new").status_code == 403


def test_an_officer_sees_a_visit_they_are_assigned_to(app, auth, client, plan):
    with app.app_context():
        petugas = user_named("petugas")
        visit = make_visit(db.session.get(Campaign, plan.campaign_id), officers=[petugas], on=TODAY + 30 * DAY)
        db.session.commit()
        visit_id = visit.id
    auth.login_as("officer")
    assert client.get(f"/visits/{visit_id}").status_code == 200


def test_an_officer_gets_not_found_for_a_visit_of_others(app, auth, client, plan):
    visit_id = scheduled(app, plan)
    auth.login_as("officer")
    assert client.get(f"/visits/{visit_id}").status_code == 404


def test_a_coordinator_gets_not_found_for_another_branchs_visit(app, coordinator):
    visit_id = luwuk_visit(app)
    for path in (f"/visits/{visit_id}", f"/visits/{visit_id}/reschedule"):
        assert coordinator.get(path).status_code == 404
    assert coordinator.post(f"/visits/{visit_id}/cancel", data={"reason": "x"}).status_code == 404


def test_a_manager_reads_a_visit_without_the_planning_actions(app, auth, client, plan):
    visit_id = scheduled(app, plan)
    auth.reading_english("manager")
    page = text(client.get(f"/visits/{visit_id}"))
    assert "Besusu Barat" in page
    assert "/reschedule" not in page and "/postpone" not in page and f"/visits/{visit_id}/officers" not in page


def test_an_unknown_or_huge_visit_id_is_not_found(coordinator):
    assert coordinator.get("/visits/999999").status_code == 404
    assert coordinator.get("/visits/99999999999999999999").status_code == 404


# --- the form -------------------------------------------------------------------------------------

def test_the_form_preselects_the_campaign_and_offers_the_branchs_officers(coordinator, plan):
    response = coordinator.get(f"/visits/new?campaign_id={plan.campaign_id}")
    page = text(response)
    assert response.status_code == 200
    assert re.search(rf'<option selected value="{plan.campaign_id}">|<option value="{plan.campaign_id}" selected', page)
    assert all(name in page for name in plan.officer_names)
    assert "Petugas Luwuk" not in page and "Kampanye Tutup" not in page
    assert re.search(r'name="form_key" type="hidden" value="[0-9a-f]{32}"', page)


def test_each_form_gets_its_own_key(coordinator):
    keys = {re.search(r'name="form_key" type="hidden" value="(\w+)"', text(coordinator.get("/visits/new"))).group(1)
            for _ in range(2)}
    assert len(keys) == 2


def test_the_form_preselects_a_village_from_its_code(coordinator):
    page = text(coordinator.get(f"/visits/new?village_code={NEAR_VILLAGE}"))
    assert f'value="{NEAR_VILLAGE}" checked' in page and 'value="Besusu Barat"' in page


def test_the_form_says_when_a_preselected_village_is_not_the_branchs(coordinator):
    page = text(coordinator.get(f"/visits/new?village_code={LUWUK_VILLAGE}"))
    assert "is not served by this branch" in page


def test_village_search_answers_htmx_with_a_short_list_of_matches(coordinator):
    response = coordinator.get("/visits/village-options?q=besusu", headers=HTMX)
    page = text(response)
    assert response.status_code == 200 and "<html" not in page
    assert page.count('type="radio"') == 3 and "Besusu Tengah" in page
    assert len(gzip.compress(response.data)) <= FRAGMENT_BUDGET


def test_village_search_returns_at_most_ten(coordinator):
    assert text(coordinator.get("/visits/village-options?q=a", headers=HTMX)).count('type="radio"') == 10


def test_village_search_finds_no_village_of_another_branch(coordinator):
    page = text(coordinator.get("/visits/village-options?q=Tolando", headers=HTMX))
    assert LUWUK_VILLAGE not in page and "No village served by this branch matches" in page


def test_village_search_without_htmx_goes_to_the_form_with_the_text(coordinator):
    response = coordinator.get("/visits/village-options?q=besusu")
    assert response.status_code == 303 and response.location.endswith("/visits/new?village=besusu")
    page = text(coordinator.get(response.location))
    assert page.count('name="village_code"') == 3


@pytest.mark.parametrize("query", ["\x00", "%", "_", "x" * 500, "' or 1=1 --"])
def test_village_search_survives_odd_text(coordinator, query):
    assert coordinator.get("/visits/village-options", query_string={"q": query}, headers=HTMX).status_code == 200


@pytest.mark.parametrize(("day", "expected"), [
    ("2026-12-25", "national holiday: Kelahiran Yesus Kristus"),
    ("2026-12-24", "cuti bersama"),
    ("2026-11-07", "weekend"),
])
def test_date_check_warns_about_days_off(coordinator, day, expected):
    response = coordinator.get(f"/visits/date-check?visit_date={day}", headers=HTMX)
    assert response.status_code == 200 and "<html" not in text(response)
    assert expected in text(response)


@pytest.mark.parametrize("day", ["2026-11-03", "2026-02-30", "", "9999-12-31", "\x00"])
def test_date_check_is_silent_on_working_days_and_nonsense(coordinator, day):
    response = coordinator.get("/visits/date-check", query_string={"visit_date": day}, headers=HTMX)
    assert response.status_code == 200 and "warning" not in text(response)


def test_date_check_without_htmx_goes_to_the_form_with_the_date(coordinator):
    response = coordinator.get("/visits/date-check?visit_date=2026-12-25")
    assert response.status_code == 303
    assert "national holiday" in text(coordinator.get(response.location))


def date_check(client, plan: Plan, day, officers=(), **more) -> str:
    """The warnings an htmx date check answers for ``day`` in the plan's campaign with ``officers`` ticked."""
    query = {"visit_date": day.isoformat(), "campaign": str(plan.campaign_id),
             "officers": [str(plan.officer_ids[n]) for n in officers], **more}
    response = client.get("/visits/date-check", query_string=query, headers=HTMX)
    assert response.status_code == 200 and "<html" not in text(response)
    return text(response)


def test_while_picking_a_date_outside_the_campaign_it_is_said_before_submitting(coordinator, plan):
    answer = date_check(coordinator, plan, TODAY + 200 * DAY)
    said = "The campaign runs from Nov 2, 2026 to Mar 2, 2027; choose a date in it."
    assert f'<p class="flash error">{said}</p>' in answer


def test_while_picking_a_past_date_it_is_said_before_submitting(coordinator, plan):
    assert "The date has passed" in date_check(coordinator, plan, TODAY - DAY)


def test_while_picking_an_officer_on_leave_that_day_it_is_said_before_submitting(app, coordinator, plan):
    with app.app_context():
        record_leave(db.session.get(User, plan.officer_ids[1]), TODAY + 2 * DAY, TODAY + 4 * DAY)
        db.session.commit()
    answer = date_check(coordinator, plan, TODAY + 3 * DAY, officers=(0, 1))
    assert f"{plan.officer_names[1]} is on leave from Nov 4, 2026 to Nov 6, 2026." in answer
    assert plan.officer_names[0] not in answer
    assert plan.officer_names[1] not in date_check(coordinator, plan, TODAY + 5 * DAY, officers=(1,))


def test_while_picking_a_booked_officer_it_is_said_in_indonesian_too(app, auth, client, plan):
    scheduled(app, plan, on=TODAY + 2 * DAY, village=OTHER_NEAR_VILLAGE, officers=(1,))
    auth.login_as("coordinator")
    answer = date_check(client, plan, TODAY + 2 * DAY, officers=(1,), village_code=NEAR_VILLAGE)
    assert f"{plan.officer_names[1]} sudah bertugas hari itu: kunjungan ke Lolu Selatan" in answer


def test_the_date_check_ignores_officers_of_another_branch(app, coordinator, plan):
    with app.app_context():
        record_leave(db.session.get(User, plan.stranger_id), TODAY, TODAY + 9 * DAY)
        db.session.commit()
    answer = coordinator.get("/visits/date-check", headers=HTMX, query_string={
        "visit_date": (TODAY + 2 * DAY).isoformat(), "campaign": str(plan.campaign_id),
        "officers": [str(plan.stranger_id), "abc", "99999999999999999999"]})
    assert answer.status_code == 200 and "Petugas Luwuk" not in text(answer)


def test_the_form_asks_again_when_the_date_campaign_or_officers_change(coordinator, plan):
    page = text(coordinator.get("/visits/new"))
    assert ('hx-trigger="change from:#visit_date, change from:#campaign, change from:#officer-picks" '
            'hx-include="#visit_date, #campaign, #officer-picks, [name=village_code]"') in page
    assert '<fieldset id="officer-picks"' in page


def test_with_no_open_campaign_the_form_says_so_and_leads_to_creating_one(app, coordinator):
    from campaign_app.campaigns.service import close_campaign
    from campaign_app.models.people import utcnow

    with app.app_context():
        for campaign in db.session.scalars(select(Campaign).where(Campaign.status == CampaignStatus.OPEN)):
            close_campaign(campaign, utcnow())
        db.session.commit()
    page = text(coordinator.get("/visits/new"))
    assert "No campaign is open: a visit is scheduled for an open campaign." in page
    assert '<a class="button primary" href="/campaigns/new">Create a campaign</a>' in page
    assert 'name="visit_date"' not in page


# --- scheduling -----------------------------------------------------------------------------------

def test_scheduling_stores_the_visit_with_its_officers_and_opens_it(app, coordinator, plan):
    response = coordinator.post("/visits/new", data=visit_form(plan))
    assert response.status_code == 303
    ((visit_id, village, day, cost, officers),) = visits_of(app, plan.campaign_id)
    assert response.location == f"/visits/{visit_id}"
    assert (village, day, cost, officers) == (NEAR_VILLAGE, TODAY + 2 * DAY, 500_000, plan.officer_ids[:2])
    page = text(coordinator.get(response.location))
    assert "scheduled" in page and plan.officer_names[0] in page and "Rp500.000" in page


def test_the_same_form_posted_twice_makes_one_visit(app, coordinator, plan):
    first = coordinator.post("/visits/new", data=visit_form(plan))
    second = coordinator.post("/visits/new", data=visit_form(plan))
    assert len(visits_of(app, plan.campaign_id)) == 1
    assert first.status_code == second.status_code == 303
    assert first.location == second.location


def test_a_typed_exact_name_is_resolved_without_javascript(app, coordinator, plan):
    response = coordinator.post("/visits/new", data=visit_form(plan, village="besusu timur", village_code=""))
    assert response.status_code == 303
    assert visits_of(app, plan.campaign_id)[0][1] == "72.71.01.1007"


def test_a_typed_code_is_resolved_without_javascript(app, coordinator, plan):
    response = coordinator.post("/visits/new", data=visit_form(plan, village=OTHER_NEAR_VILLAGE, village_code=""))
    assert response.status_code == 303
    assert visits_of(app, plan.campaign_id)[0][1] == OTHER_NEAR_VILLAGE


def test_a_partial_name_lists_the_candidates_and_keeps_what_was_typed(app, coordinator, plan):
    response = coordinator.post("/visits/new", data=visit_form(plan, village="Besusu", village_code="",
                                                               planned_activity="Lapak pasar"))
    page = text(response)
    assert response.status_code == 422
    assert "Several villages match" in page and page.count('name="village_code"') == 3
    assert 'value="Lapak pasar"' in page and 'value="500.000"' in page
    assert visits_of(app, plan.campaign_id) == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"village": "Desa Tidak Ada", "village_code": ""}, "No village served by this branch matches"),
    ({"village": "", "village_code": ""}, "Type the village"),
    ({"village": "", "village_code": LUWUK_VILLAGE}, "is not served by this branch"),
    ({"visit_date": (TODAY - DAY).isoformat()}, "The date has passed"),
    ({"visit_date": (TODAY + 400 * DAY).isoformat()}, "The campaign runs from"),
    ({"visit_date": "2026-02-30"}, "Enter a real date"),
    ({"visit_date": "9999-12-31"}, "between 2000 and 2099"),
    ({"visit_date": ""}, "Choose the date"),
    ({"start_time": "25:99"}, "Enter a time"),
    ({"planned_activity": ""}, "Describe the activity"),
    ({"planned_activity": "x" * 201}, "At most 200 characters"),
    ({"planned_cost": "99999999999999999999999"}, "at most Rp999.999.999.999"),
    ({"planned_cost": "-5"}, "zero or more"),
    ({"planned_cost": "banyak sekali"}, "whole Rupiah"),
    ({"planned_cost": ""}, "Enter the cost"),
    ({"campaign": "99999999999999999999"}, "open campaigns listed"),
    ({"campaign": "abc"}, "open campaigns listed"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(app, coordinator, plan, changes, message):
    response = coordinator.post("/visits/new", data=visit_form(plan, **changes))
    assert response.status_code == 422
    assert message in text(response)
    assert visits_of(app, plan.campaign_id) == []


def test_a_closed_campaign_is_refused(app, coordinator, plan):
    response = coordinator.post("/visits/new", data=visit_form(plan, campaign=str(plan.closed_campaign_id)))
    assert response.status_code == 422 and "open campaigns listed" in text(response)
    assert visits_of(app, plan.closed_campaign_id) == []


def test_an_officer_of_another_branch_is_refused(app, coordinator, plan):
    response = coordinator.post("/visits/new", data=visit_form(plan, officers=[str(plan.stranger_id)]))
    assert response.status_code == 422 and "officers of this branch" in text(response)
    assert visits_of(app, plan.campaign_id) == []


def test_words_for_the_cost_are_understood(app, coordinator, plan):
    assert coordinator.post("/visits/new", data=visit_form(plan, planned_cost="1,5 juta")).status_code == 303
    assert visits_of(app, plan.campaign_id)[0][3] == 1_500_000


def test_a_booked_officer_is_refused_naming_the_visit_and_the_form_is_kept(app, coordinator, plan):
    scheduled(app, plan, village=OTHER_NEAR_VILLAGE, officers=(1,))
    response = coordinator.post("/visits/new", data=visit_form(plan, planned_activity="Pertemuan kelompok tani"))
    page = text(response)
    assert response.status_code == 422
    assert f"{plan.officer_names[1]} is already booked that day: visit to Lolu Selatan" in page
    assert 'value="Pertemuan kelompok tani"' in page and f'value="{NEAR_VILLAGE}" checked' in page
    assert len(visits_of(app, plan.campaign_id)) == 1


def test_an_officer_on_leave_is_refused(app, coordinator, plan):
    with app.app_context():
        record_leave(db.session.get(User, plan.officer_ids[0]), TODAY, TODAY + 5 * DAY)
        db.session.commit()
    response = coordinator.post("/visits/new", data=visit_form(plan))
    assert response.status_code == 422 and "is on leave" in text(response)


def test_day_off_warnings_show_again_after_submit(coordinator, plan):
    response = coordinator.post("/visits/new", data=visit_form(plan, visit_date="2026-12-25", planned_activity=""))
    assert response.status_code == 422 and "national holiday" in text(response)


def test_a_visit_on_a_holiday_is_scheduled_with_a_warning(app, coordinator, plan):
    response = coordinator.post("/visits/new", data=visit_form(plan, visit_date="2026-12-25"))
    assert response.status_code == 303
    assert "national holiday" in text(coordinator.get(response.location))


def test_a_tampered_form_key_still_schedules(app, coordinator, plan):
    assert coordinator.post("/visits/new", data=visit_form(plan, form_key="<script>")).status_code == 303


# --- the visit page and its officers --------------------------------------------------------------

def test_the_visit_page_shows_details_officers_and_status_reason(app, coordinator, plan):
    visit_id = scheduled(app, plan, officers=(0, 1))
    coordinator.post(f"/visits/{visit_id}/postpone", data={"reason": "Jembatan putus"})
    page = text(coordinator.get(f"/visits/{visit_id}"))
    assert "Besusu Barat" in page and "Kampanye Uji Web" in page and "Rp500.000" in page
    assert plan.officer_names[0] in page and plan.officer_names[1] in page
    assert "Postponed" in page and "Jembatan putus" in page


def test_assigning_with_htmx_swaps_only_the_officers_block(app, coordinator, plan):
    visit_id = scheduled(app, plan, officers=(0,))
    response = coordinator.post(f"/visits/{visit_id}/officers", data={"officer_id": plan.officer_ids[2]},
                                headers=HTMX)
    page = text(response)
    assert response.status_code == 200 and "<html" not in page and plan.officer_names[2] in page
    assert len(gzip.compress(response.data)) <= FRAGMENT_BUDGET
    assert stored(app, visit_id).officer_ids == sorted([plan.officer_ids[0], plan.officer_ids[2]])


def test_assigning_without_javascript_redirects_back_with_a_message(app, coordinator, plan):
    visit_id = scheduled(app, plan, officers=(0,))
    response = coordinator.post(f"/visits/{visit_id}/officers", data={"officer_id": plan.officer_ids[2]})
    assert response.status_code == 303 and response.location == f"/visits/{visit_id}"
    assert "is assigned to this visit" in text(coordinator.get(response.location))


def test_a_clash_is_shown_inline_with_htmx(app, coordinator, plan):
    scheduled(app, plan, village=OTHER_NEAR_VILLAGE, officers=(2,))
    visit_id = scheduled(app, plan, officers=(0,))
    response = coordinator.post(f"/visits/{visit_id}/officers", data={"officer_id": plan.officer_ids[2]},
                                headers=HTMX)
    page = text(response)
    assert response.status_code == 422 and "<html" not in page
    assert "already booked that day: visit to Lolu Selatan" in page
    assert stored(app, visit_id).officer_ids == [plan.officer_ids[0]]


def test_a_clash_without_javascript_is_shown_on_the_visit_page(app, coordinator, plan):
    scheduled(app, plan, village=OTHER_NEAR_VILLAGE, officers=(2,))
    visit_id = scheduled(app, plan, officers=(0,))
    response = coordinator.post(f"/visits/{visit_id}/officers", data={"officer_id": plan.officer_ids[2]})
    page = text(response)
    assert response.status_code == 422 and page.startswith("<!doctype html>")
    assert "already booked that day: visit to Lolu Selatan" in page
    assert stored(app, visit_id).officer_ids == [plan.officer_ids[0]]


@pytest.mark.parametrize("officer", ["stranger", "", "abc", "99999999999999999999"])
def test_only_the_branchs_officers_may_be_assigned(app, coordinator, plan, officer):
    visit_id = scheduled(app, plan, officers=(0,))
    value = str(plan.stranger_id) if officer == "stranger" else officer
    response = coordinator.post(f"/visits/{visit_id}/officers", data={"officer_id": value}, headers=HTMX)
    assert response.status_code == 422 and "Choose" in text(response)
    assert stored(app, visit_id).officer_ids == [plan.officer_ids[0]]


def test_unassigning_with_htmx_swaps_the_block(app, coordinator, plan):
    visit_id = scheduled(app, plan, officers=(0, 1))
    response = coordinator.post(f"/visits/{visit_id}/officers/{plan.officer_ids[1]}/remove", headers=HTMX)
    assert response.status_code == 200 and "<html" not in text(response)
    assigned = text(response).split('<ul class="officers">')[1].split("</ul>")[0]
    assert plan.officer_names[1] not in assigned and plan.officer_names[0] in assigned
    assert stored(app, visit_id).officer_ids == [plan.officer_ids[0]]


def test_unassigning_without_javascript_redirects_back(app, coordinator, plan):
    visit_id = scheduled(app, plan, officers=(0, 1))
    response = coordinator.post(f"/visits/{visit_id}/officers/{plan.officer_ids[1]}/remove")
    assert response.status_code == 303
    assert "is no longer on this visit" in text(coordinator.get(response.location))


def test_officers_of_a_done_visit_cannot_be_changed(app, coordinator, plan):
    visit_id = scheduled(app, plan, officers=(0,), status=VisitStatus.DONE)
    response = coordinator.post(f"/visits/{visit_id}/officers/{plan.officer_ids[0]}/remove", headers=HTMX)
    assert "only be changed on planned or ongoing visits" in text(response)
    assert stored(app, visit_id).officer_ids == [plan.officer_ids[0]]


# --- postpone, cancel, reschedule -----------------------------------------------------------------

@pytest.mark.parametrize(("action", "status"), [("postpone", VisitStatus.POSTPONED),
                                                ("cancel", VisitStatus.CANCELLED)])
def test_a_planned_visit_is_postponed_or_cancelled_with_a_reason(app, coordinator, plan, action, status):
    visit_id = scheduled(app, plan)
    response = coordinator.post(f"/visits/{visit_id}/{action}", data={"reason": "Banjir di jalan desa"})
    assert response.status_code == 303
    visit = stored(app, visit_id)
    assert (visit.status, visit.status_reason) == (status, "Banjir di jalan desa")


@pytest.mark.parametrize(("reason", "message"), [("", "Give the reason"), ("x" * 501, "At most 500")])
def test_a_missing_or_bad_reason_is_refused(app, coordinator, plan, reason, message):
    visit_id = scheduled(app, plan)
    response = coordinator.post(f"/visits/{visit_id}/cancel", data={"reason": reason})
    assert response.status_code == 422 and message in text(response)
    assert stored(app, visit_id).status == VisitStatus.PLANNED


def test_a_cancelled_visit_cannot_be_postponed(app, coordinator, plan):
    visit_id = scheduled(app, plan, status=VisitStatus.CANCELLED)
    response = coordinator.post(f"/visits/{visit_id}/postpone", data={"reason": "Hujan"})
    assert response.status_code == 422 and "cannot become postponed" in text(response)


def test_rescheduling_moves_the_visit(app, coordinator, plan):
    visit_id = scheduled(app, plan)
    assert 'value="2026-11-04"' in text(coordinator.get(f"/visits/{visit_id}/reschedule"))
    response = coordinator.post(f"/visits/{visit_id}/reschedule", data={"visit_date": "2026-11-10",
                                                                       "start_time": "13:30"})
    assert response.status_code == 303
    assert str(stored(app, visit_id).visit_date) == "2026-11-10"


def test_rescheduling_a_postponed_visit_plans_it_again(app, coordinator, plan):
    visit_id = scheduled(app, plan)
    coordinator.post(f"/visits/{visit_id}/postpone", data={"reason": "Hujan"})
    coordinator.post(f"/visits/{visit_id}/reschedule", data={"visit_date": "2026-11-12"})
    assert stored(app, visit_id).status == VisitStatus.PLANNED


@pytest.mark.parametrize(("day", "message"), [
    ((TODAY - DAY).isoformat(), "The date has passed"),
    ((TODAY + 400 * DAY).isoformat(), "The campaign runs from"),
    ("2026-02-30", "Enter a real date"),
    ("", "Choose the new date"),
])
def test_rescheduling_refuses_bad_dates(app, coordinator, plan, day, message):
    visit_id = scheduled(app, plan)
    response = coordinator.post(f"/visits/{visit_id}/reschedule", data={"visit_date": day})
    assert response.status_code == 422 and message in text(response)
    assert stored(app, visit_id).visit_date == TODAY + 2 * DAY


def test_rescheduling_onto_a_booked_day_names_the_clashing_visit(app, coordinator, plan):
    scheduled(app, plan, on=TODAY + 5 * DAY, village=OTHER_NEAR_VILLAGE, officers=(0,))
    visit_id = scheduled(app, plan, officers=(0,))
    response = coordinator.post(f"/visits/{visit_id}/reschedule",
                                data={"visit_date": (TODAY + 5 * DAY).isoformat()})
    assert response.status_code == 422 and "visit to Lolu Selatan" in text(response)


def test_while_rescheduling_the_new_date_is_checked_against_the_campaign_and_the_visits_officers(app, coordinator,
                                                                                                  plan):
    scheduled(app, plan, on=TODAY + 5 * DAY, village=OTHER_NEAR_VILLAGE, officers=(0,))
    visit_id = scheduled(app, plan, officers=(0,))
    page = text(coordinator.get(f"/visits/{visit_id}/reschedule"))
    context = re.search(r'<div id="date-context" hidden>(.*?)</div>', page).group(1)
    carried = re.findall(r'name="(\w+)" value="([^"]*)"', context)
    assert ("campaign", str(plan.campaign_id)) in carried and ("officers", str(plan.officer_ids[0])) in carried
    assert "hx-include=\"#date-context\"" in page

    def check(day) -> str:
        query = [("visit_date", day.isoformat()), *carried]
        return text(coordinator.get("/visits/date-check", query_string=query, headers=HTMX))

    assert "The campaign runs from" in check(TODAY + 200 * DAY)
    assert "Lolu Selatan" in check(TODAY + 5 * DAY)


def test_a_done_visit_offers_no_rescheduling(app, coordinator, plan):
    visit_id = scheduled(app, plan, status=VisitStatus.DONE)
    assert "Only planned or postponed" in text(coordinator.get(f"/visits/{visit_id}/reschedule"))
    assert coordinator.post(f"/visits/{visit_id}/reschedule", data={"visit_date": "2026-11-10"}).status_code == 422


# --- lists ----------------------------------------------------------------------------------------

def test_the_list_shows_today_first_then_the_coming_days_then_the_past(app, coordinator, plan):
    with app.app_context():
        campaign = make_campaign(name="Kampanye Urutan", starts_on=TODAY - 30 * DAY)
        for offset, village in ((-3, "72.71.01.1007"), (9, FAR_VILLAGE), (0, NEAR_VILLAGE), (1, OTHER_NEAR_VILLAGE)):
            make_visit(campaign, village_code=village, on=TODAY + offset * DAY, today=TODAY - 30 * DAY)
        db.session.commit()
        campaign_id = campaign.id
    page = text(coordinator.get(f"/visits/?campaign={campaign_id}"))
    assert "<html" in page and "4 visits" in page
    order = [page.index(marker) for marker in (">Today</th>", "Besusu Barat", ">Coming days</th>", "Lolu Selatan",
                                                "Sidondo II", ">Past</th>", "Oct 30, 2026")]
    assert order == sorted(order)


def test_the_lists_parts_are_headed_in_indonesian(app, auth, client, plan):
    scheduled(app, plan, on=TODAY)
    auth.login_as("coordinator")
    page = text(client.get(f"/visits/?campaign={plan.campaign_id}"))
    assert '<th scope="rowgroup" colspan="5">Hari ini</th>' in page


def test_the_filters_are_folded_until_one_is_used(coordinator, plan):
    folded = text(coordinator.get("/visits/"))
    assert '<details class="card fold">' in folded
    assert '<summary>Filters<span id="filters-in-use"></span></summary>' in folded
    used = text(coordinator.get(f"/visits/?campaign={plan.campaign_id}&status=planned"))
    assert '<details class="card fold" open>' in used
    assert '<summary>Filters<span id="filters-in-use"> · 2 in use</span></summary>' in used


def test_a_filter_changed_through_htmx_updates_how_many_are_in_use(coordinator, plan):
    fragment = text(coordinator.get(f"/visits/?campaign={plan.campaign_id}", headers=HTMX))
    assert '<span hx-swap-oob="innerHTML:#filters-in-use"> · 1 in use</span>' in fragment


def test_a_bad_filter_keeps_the_filters_open_to_show_its_message(coordinator):
    page = text(coordinator.get("/visits/?date_from=2026-02-30"))
    assert '<details class="card fold" open>' in page


def test_the_list_is_not_one_live_region_but_a_short_live_summary(app, coordinator, plan):
    scheduled(app, plan)
    scheduled(app, plan, on=TODAY + 9 * DAY, village=FAR_VILLAGE)
    page = text(coordinator.get(f"/visits/?campaign={plan.campaign_id}"))
    assert "aria-live" not in page
    assert '<p id="list-summary" class="visually-hidden" role="status">2 visits</p>' in page
    assert page.index('id="list-summary"') < page.index('<div id="results">')


def test_a_filter_changed_through_htmx_announces_the_count_in_the_live_summary(app, auth, client, plan):
    scheduled(app, plan)
    auth.login_as("coordinator")
    fragment = text(client.get(f"/visits/?campaign={plan.campaign_id}", headers=HTMX))
    assert '<p hx-swap-oob="innerHTML:#list-summary">1 kunjungan</p>' in fragment
    assert 'id="list-summary"' not in fragment


def test_the_list_answers_htmx_with_only_the_results(app, coordinator, plan):
    scheduled(app, plan)
    response = coordinator.get(f"/visits/?campaign={plan.campaign_id}", headers=HTMX)
    page = text(response)
    assert "<html" not in page and "<form" not in page and "Besusu Barat" in page
    assert len(gzip.compress(response.data)) <= FRAGMENT_BUDGET


def test_the_list_filters_by_status_and_counts_them(app, coordinator, plan):
    scheduled(app, plan)
    scheduled(app, plan, village=FAR_VILLAGE, on=TODAY + 9 * DAY, status=VisitStatus.CANCELLED)
    page = text(coordinator.get(f"/visits/?campaign={plan.campaign_id}&status=cancelled"))
    assert "1 visit" in page and "Sidondo II" in page and "Besusu Barat" not in page
    assert "Cancelled: <strong>1</strong>" in page


def test_the_list_filters_by_officer_regency_and_period(app, coordinator, plan):
    scheduled(app, plan, officers=(0,))
    scheduled(app, plan, village=FAR_VILLAGE, on=TODAY + 9 * DAY, officers=(1,))
    base = f"/visits/?campaign={plan.campaign_id}"
    assert "Sidondo II" not in text(coordinator.get(f"{base}&officer={plan.officer_ids[0]}"))
    assert "Besusu Barat" not in text(coordinator.get(f"{base}&regency=72.10"))
    assert "Besusu Barat" not in text(coordinator.get(f"{base}&date_from={(TODAY + 5 * DAY).isoformat()}"))


@pytest.mark.parametrize("query", ["status=lost", "date_from=2026-02-30", "date_from=2026-12-01&date_to=2026-11-01",
                                   "campaign=abc", "officer=99999999999999999999", "regency=%00",
                                   "page=99999999999999999999", "page=-3", "date_to=99999-01-01"])
def test_bad_filters_are_shown_and_ignored(coordinator, query):
    response = coordinator.get(f"/visits/?{query}")
    assert response.status_code == 200


def test_an_end_before_the_start_is_explained(coordinator):
    page = text(coordinator.get("/visits/?date_from=2026-12-01&date_to=2026-11-01"))
    assert "The end comes before the start." in page


def test_a_coordinator_lists_only_their_branch(app, coordinator):
    with app.app_context():
        luwuk_campaign = db.session.scalar(select(Campaign.id).where(Campaign.branch_id == branch_named(LUWUK).id))
    page = text(coordinator.get("/visits/?status=planned"))
    campaign_options = page.split('name="campaign"')[1].split("</select>")[0]
    assert f'value="{luwuk_campaign}"' not in campaign_options and "Banggai" not in page


def test_the_week_shows_seven_days_with_visits_and_links_to_other_weeks(app, coordinator, plan):
    scheduled(app, plan, officers=(0,))
    page = text(coordinator.get("/visits/week?start=2026-11-05"))
    assert page.count('<section class="card') == 7
    assert "Besusu Barat" in page and plan.officer_names[0] in page
    assert "/visits/week?start=2026-10-26" in page and "/visits/week?start=2026-11-09" in page


@pytest.mark.parametrize("start", ["2026-02-30", "", "0001-01-01", "9999-12-31", "\x00"])
def test_the_week_survives_odd_dates(coordinator, start):
    assert coordinator.get("/visits/week", query_string={"start": start}).status_code == 200


def test_the_list_issues_the_same_statements_for_more_visits(app, coordinator, plan):
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    statements = []

    def count(*args):
        statements.append(1)

    def measure() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            coordinator.get(f"/visits/?campaign={plan.campaign_id}")
            coordinator.get("/visits/week?start=2026-11-02")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    scheduled(app, plan, on=TODAY, officers=(0,))
    few = measure()
    for n in range(1, 6):
        scheduled(app, plan, on=TODAY + n * DAY, officers=(0, 1), village=OTHER_NEAR_VILLAGE if n % 2 else NEAR_VILLAGE)
    assert measure() == few


def test_roles_are_the_ones_of_the_design(app):
    from campaign_app.access import rule_of

    rules = {endpoint: rule_of(view).roles for endpoint, view in app.view_functions.items()
             if endpoint.startswith("visits.")}
    assert rules["visits.show"] == {Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.OFFICER}
    assert rules["visits.create"] == rules["visits.assign"] == {Role.ADMIN, Role.COORDINATOR}
    assert rules["visits.index"] == {Role.ADMIN, Role.MANAGER, Role.COORDINATOR}
