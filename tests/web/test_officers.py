"""The officers' pages: roster, agenda with inline assignment, leave, and the officer's own home page."""

import gzip
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign_app import clock
from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import District, OfficerLeave, User, Village, VisitOfficer, branch_regencies
from campaign_app.visits.assignments import record_leave
from tests.conftest import csrf_token_from
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
LUWUK = "Kantor Cabang Luwuk"
PAGE_BUDGET, FRAGMENT_BUDGET = 14 * 1024, 4 * 1024


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """The app's today is the factories' TODAY, a Monday."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def text(response) -> str:
    return response.get_data(as_text=True)


def gzip_size(response) -> int:
    return len(gzip.compress(response.data, 6))


def build(app, make):
    """Run ``make`` in an app context, commit, and return what it returns (ids, not objects)."""
    with app.app_context():
        result = make()
        db.session.commit()
        return result


def a_village_of(branch) -> str:
    return db.session.scalar(
        select(Village.code).join(District, District.code == Village.district_code)
        .join(branch_regencies, branch_regencies.c.regency_code == District.regency_code)
        .where(branch_regencies.c.branch_id == branch.id).order_by(Village.code).limit(1)
    )


@pytest.fixture
def staff(app):
    """A Palu officer with a visit today and one on Wednesday, and a free visit to assign; ids by name."""
    def make():
        officer = make_officer(name="Aa Staf Uji")
        campaign = make_campaign(name="Kampanye Staf", starts_on=TODAY - 30 * DAY)
        booked = make_visit(campaign, on=TODAY, officers=[officer])
        wednesday = make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, on=TODAY + 2 * DAY, officers=[officer])
        free = make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, on=TODAY + 3 * DAY)
        clashing = make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, on=TODAY)
        return {"officer": officer.id, "campaign": campaign.id, "booked": booked.id, "wednesday": wednesday.id,
                "free": free.id, "clashing": clashing.id}
    return build(app, make)


@pytest.fixture
def stranger(app):
    """A Luwuk officer with a Luwuk visit and a leave."""
    def make():
        luwuk = branch_named(LUWUK)
        officer = make_officer(branch=luwuk, name="Aa Orang Luwuk")
        visit = make_visit(make_campaign(branch=luwuk), village_code=a_village_of(luwuk))
        leave = record_leave(officer, TODAY + 5 * DAY, TODAY + 6 * DAY)
        return {"officer": officer.id, "visit": visit.id, "leave": leave.id, "branch": luwuk.id}
    return build(app, make)


def assigned(app, visit_id: int, officer_id: int) -> bool:
    with app.app_context():
        return db.session.get(VisitOfficer, (visit_id, officer_id)) is not None


def leaves_of(app, officer_id: int) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(OfficerLeave.starts_on, OfficerLeave.ends_on).where(OfficerLeave.officer_id == officer_id)
            .order_by(OfficerLeave.starts_on))]


# --- access --------------------------------------------------------------------------------------

def test_an_officer_may_not_see_the_roster(auth, client):
    auth.login_as("officer")
    assert client.get("/officers/").status_code == 403


@pytest.mark.parametrize("method, path", [("post", "/officers/{o}/visits"), ("post", "/officers/{o}/visits/{v}/remove"),
                                          ("get", "/officers/{o}/leave"), ("post", "/officers/{o}/leave")])
def test_a_manager_reads_but_may_not_change_the_staffing(manager, staff, method, path):
    url = path.format(o=staff["officer"], v=staff["booked"])
    assert getattr(manager, method)(url).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/officers/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


# --- the roster ----------------------------------------------------------------------------------

def test_the_roster_shows_each_officers_week_as_a_page(coordinator, staff):
    response = coordinator.get("/officers/")
    page = text(response)
    assert response.status_code == 200
    assert "<html" in page
    row = page[page.index("Aa Staf Uji"):]
    row = row[:row.index("</tr>")]
    assert '<span class="chip">Mon 2</span>' in row and '<span class="chip">Wed 4</span>' in row
    assert 'value="2"></meter> 2 of 5 days' in row
    assert "Week of Nov 2, 2026" in page


def test_the_roster_through_htmx_is_only_the_table(coordinator, staff):
    response = coordinator.get("/officers/", headers=HTMX)
    fragment = text(response)
    assert "<html" not in fragment and "<form" not in fragment
    assert "Aa Staf Uji" in fragment
    assert "HX-Request" in response.headers["Vary"]
    assert gzip_size(response) <= FRAGMENT_BUDGET


def test_a_coordinator_sees_only_their_branch_and_no_branch_filter(coordinator, staff, stranger):
    page = text(coordinator.get("/officers/"))
    assert "Aa Orang Luwuk" not in page
    assert 'name="branch"' not in page


def test_a_coordinator_cannot_ask_for_another_branch(coordinator, staff, stranger):
    response = coordinator.get(f"/officers/?branch={stranger['branch']}")
    page = text(response)
    assert response.status_code == 200
    assert "Aa Orang Luwuk" not in page
    assert "Aa Staf Uji" in page


def test_a_manager_filters_the_roster_by_branch(manager, staff, stranger):
    page = text(manager.get(f"/officers/?branch={stranger['branch']}"))
    assert "Aa Orang Luwuk" in page
    assert "Aa Staf Uji" not in page
    assert "Choose one of the branches listed." not in page


def test_a_manager_sees_every_covered_branch_with_the_branch_named(manager, staff, stranger):
    page = text(manager.get("/officers/"))
    assert "Aa Orang Luwuk</a> <small>Kantor Cabang Luwuk</small>" in page
    assert "Aa Staf Uji</a> <small>Kantor Cabang Palu</small>" in page


def test_the_branch_filter_swaps_the_roster_through_htmx(manager):
    page = text(manager.get("/officers/"))
    assert 'hx-target="#roster"' in page and 'hx-push-url="true"' in page


def test_the_roster_moves_a_week_back_and_forth(coordinator, staff):
    page = text(coordinator.get("/officers/?week=2026-11-11"))
    assert "Week of Nov 9, 2026" in page
    assert 'href="/officers/?week=2026-11-02" rel="prev"' in page
    assert 'href="/officers/?week=2026-11-16" rel="next"' in page
    assert "Aa Staf Uji" in page and '<span class="chip">Mon 2</span>' not in page


@pytest.mark.parametrize("week, message", [
    ("2026-13-45", "Enter a date as year-month-day"),
    ("yesterday", "Enter a date as year-month-day"),
    ("2026-11-02\x00", "Enter a date as year-month-day"),
    ("99999-01-01", "Enter a date as year-month-day"),
    ("9999-12-31", "within three months"),
    ("0001-01-01", "within three months"),
    ("2027-06-01", "within three months"),
])
def test_a_bad_week_is_named_and_this_week_shown(coordinator, staff, week, message):
    response = coordinator.get("/officers/", query_string={"week": week})
    page = text(response)
    assert response.status_code == 200
    assert message in page
    assert "Week of Nov 2, 2026" in page


def test_an_empty_week_means_this_week_without_a_message(coordinator):
    page = text(coordinator.get("/officers/?week="))
    assert "Week of Nov 2, 2026" in page
    assert 'class="err"' not in page


def test_the_last_week_in_range_has_no_next_link(coordinator):
    page = text(coordinator.get(f"/officers/?week={(TODAY + 13 * 7 * DAY).isoformat()}"))
    assert 'rel="prev"' in page and 'rel="next"' not in page


@pytest.mark.parametrize("page_number", ["99999999999999999999", "abc", "-3", "0"])
def test_any_page_number_answers(coordinator, page_number):
    assert coordinator.get(f"/officers/?page={page_number}").status_code == 200


def test_the_roster_is_paginated(app, coordinator):
    def make():
        for n in range(app.config["PAGE_SIZE"] + 1):
            make_officer(name=f"Zz Petugas {n:02d}")
    build(app, make)
    page = text(coordinator.get("/officers/?week=2026-11-09"))
    assert page.count("<tr>\n<td><a href=\"/officers/") == app.config["PAGE_SIZE"]
    assert 'rel="next"' in page and "page=2" in page and "week=2026-11-09" in page


# --- one officer's agenda ------------------------------------------------------------------------

def test_the_agenda_shows_upcoming_visits_leave_and_forms(app, coordinator, staff):
    build(app, lambda: record_leave(db.session.get(User, staff["officer"]), TODAY + 10 * DAY, TODAY + 11 * DAY,
                                    "Pelatihan"))
    response = coordinator.get(f"/officers/{staff['officer']}")
    page = text(response)
    assert response.status_code == 200 and "<html" in page
    assert f'<a href="/visits/{staff["booked"]}">Besusu Barat</a>' in page and "Kampanye Staf" in page
    assert "2 upcoming visits" in page
    assert "Pelatihan" in page
    assert f'action="/officers/{staff["officer"]}/visits/{staff["booked"]}/remove"' in page
    assert "hx-confirm=" in page
    assert f'<option value="{staff["free"]}">' in page
    assert f'<option value="{staff["booked"]}">' not in page
    assert f'href="/officers/{staff["officer"]}/leave"' in page


def test_the_agenda_through_htmx_is_only_the_agenda_block(coordinator, staff):
    fragment = text(coordinator.get(f"/officers/{staff['officer']}", headers=HTMX))
    assert "<html" not in fragment and "Recent visits" not in fragment
    assert "Upcoming visits" in fragment


def test_a_manager_reads_an_agenda_of_a_covered_branch_without_forms(manager, stranger):
    page = text(manager.get(f"/officers/{stranger['officer']}"))
    assert "Aa Orang Luwuk" in page
    assert 'method="post" action="/officers/' not in page
    assert "/leave" not in page


def test_an_officer_of_another_branch_is_not_found(coordinator, stranger):
    assert coordinator.get(f"/officers/{stranger['officer']}").status_code == 404


def test_a_user_who_is_not_an_officer_is_not_found(app, coordinator):
    with app.app_context():
        coordinator_id = user_named("koordinator").id
    assert coordinator.get(f"/officers/{coordinator_id}").status_code == 404


@pytest.mark.parametrize("officer_id", ["2147483647", "2147483648", "99999999999999999999", "-1", "abc"])
def test_an_unknown_or_impossible_officer_id_is_not_found(coordinator, officer_id):
    assert coordinator.get(f"/officers/{officer_id}").status_code == 404


# --- assign and unassign -------------------------------------------------------------------------

def test_assigning_without_javascript_redirects_back_with_a_message(app, coordinator, staff):
    response = coordinator.post(f"/officers/{staff['officer']}/visits", data={"visit_id": staff["free"]})
    assert response.status_code == 303
    assert response.location == f"/officers/{staff['officer']}"
    assert assigned(app, staff["free"], staff["officer"])
    assert "Aa Staf Uji is assigned to the visit to Lolu Selatan" in text(coordinator.get(response.location))


def test_assigning_through_htmx_swaps_the_agenda(app, coordinator, staff):
    response = coordinator.post(f"/officers/{staff['officer']}/visits", data={"visit_id": staff["free"]},
                                headers=HTMX)
    fragment = text(response)
    assert response.status_code == 200
    assert "<html" not in fragment
    assert "is assigned to the visit to Lolu Selatan" in fragment
    assert "3 upcoming visits" in fragment
    assert assigned(app, staff["free"], staff["officer"])
    assert gzip_size(response) <= FRAGMENT_BUDGET


def test_a_clash_is_refused_naming_the_visit_without_javascript(app, coordinator, staff):
    response = coordinator.post(f"/officers/{staff['officer']}/visits", data={"visit_id": staff["clashing"]})
    page = text(response)
    assert response.status_code == 422
    assert "<html" in page
    assert "already booked that day: visit to Besusu Barat" in page
    assert not assigned(app, staff["clashing"], staff["officer"])


def test_a_clash_is_refused_inline_through_htmx(app, coordinator, staff):
    response = coordinator.post(f"/officers/{staff['officer']}/visits", data={"visit_id": staff["clashing"]},
                                headers=HTMX)
    fragment = text(response)
    # Refused input is 422 (swapped by htmx as base.html configures it), the agenda with the message.
    assert response.status_code == 422
    assert "<html" not in fragment
    assert 'class="err"' in fragment and "already booked that day: visit to Besusu Barat" in fragment
    assert not assigned(app, staff["clashing"], staff["officer"])


def test_leave_refuses_an_assignment_naming_the_leave(app, coordinator, staff):
    build(app, lambda: record_leave(db.session.get(User, staff["officer"]), TODAY + 3 * DAY, TODAY + 4 * DAY))
    response = coordinator.post(f"/officers/{staff['officer']}/visits", data={"visit_id": staff["free"]})
    assert response.status_code == 422
    assert "is on leave from Nov 5, 2026 to Nov 6, 2026" in text(response)


def test_a_visit_of_another_branch_cannot_be_assigned(app, coordinator, staff, stranger):
    response = coordinator.post(f"/officers/{staff['officer']}/visits", data={"visit_id": stranger["visit"]})
    assert response.status_code == 422
    assert "Choose one of the visits listed." in text(response)
    assert not assigned(app, stranger["visit"], staff["officer"])


@pytest.mark.parametrize("visit_id, message", [
    ("", "Choose a visit."),
    ("abc", "Choose one of the visits listed."),
    ("1\x00", "Choose one of the visits listed."),
    ("99999999999999999999", "Choose one of the visits listed."),
    ("-1", "Choose one of the visits listed."),
    ("2147483647", "Choose one of the visits listed."),
])
def test_a_bad_visit_choice_is_named(coordinator, staff, visit_id, message):
    response = coordinator.post(f"/officers/{staff['officer']}/visits", data={"visit_id": visit_id})
    assert response.status_code == 422
    assert message in text(response)


def test_an_officer_of_another_branch_cannot_be_assigned(coordinator, staff, stranger):
    response = coordinator.post(f"/officers/{stranger['officer']}/visits", data={"visit_id": staff["free"]})
    assert response.status_code == 404


def test_unassigning_without_javascript_redirects_back(app, coordinator, staff):
    response = coordinator.post(f"/officers/{staff['officer']}/visits/{staff['wednesday']}/remove")
    assert response.status_code == 303
    assert not assigned(app, staff["wednesday"], staff["officer"])
    assert "Aa Staf Uji is off the visit to Lolu Selatan" in text(coordinator.get(response.location))


def test_unassigning_through_htmx_swaps_the_agenda(app, coordinator, staff):
    response = coordinator.post(f"/officers/{staff['officer']}/visits/{staff['wednesday']}/remove", headers=HTMX)
    fragment = text(response)
    assert response.status_code == 200 and "<html" not in fragment
    assert "1 upcoming visit" in fragment
    assert not assigned(app, staff["wednesday"], staff["officer"])


def test_unassigning_from_a_visit_the_officer_is_not_on_is_named(coordinator, staff):
    response = coordinator.post(f"/officers/{staff['officer']}/visits/{staff['free']}/remove")
    assert response.status_code == 422
    assert "Aa Staf Uji is not assigned to this visit." in text(response)


def test_unassigning_from_another_branchs_visit_is_not_found(coordinator, staff, stranger):
    assert coordinator.post(f"/officers/{staff['officer']}/visits/{stranger['visit']}/remove").status_code == 404
    assert coordinator.post(f"/officers/{stranger['officer']}/visits/{stranger['visit']}/remove").status_code == 404


def test_an_impossible_visit_id_in_the_address_is_not_found(coordinator, staff):
    assert coordinator.post(f"/officers/{staff['officer']}/visits/99999999999/remove").status_code == 404


def test_htmx_posts_carry_the_csrf_token_in_a_header(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)

    def make():
        officer, visit = make_officer(), make_visit(make_campaign(), on=TODAY + DAY)
        return officer.id, visit.id
    officer_id, visit_id = build(app, make)
    client = app.test_client()
    token = csrf_token_from(text(client.get("/login")))
    client.post("/login", data={"username": "koordinator", "password": DEMO_PASSWORD, "csrf_token": token})
    url = f"/officers/{officer_id}/visits"
    assert client.post(url, data={"visit_id": visit_id}, headers=HTMX).status_code == 400
    # base.html puts the token in hx-headers on <body>; htmx sends it with every request.
    page_token = csrf_token_from(text(client.get(f"/officers/{officer_id}")))
    response = client.post(url, data={"visit_id": visit_id}, headers={**HTMX, "X-CSRFToken": page_token})
    assert response.status_code == 200
    assert assigned(app, visit_id, officer_id)


# --- leave ---------------------------------------------------------------------------------------

def leave_form(**changes) -> dict:
    form = {"starts_on": "2026-11-10", "ends_on": "2026-11-12", "reason": "Cuti tahunan"}
    form.update(changes)
    return form


def test_the_leave_form_is_a_page(coordinator, staff):
    response = coordinator.get(f"/officers/{staff['officer']}/leave")
    page = text(response)
    assert response.status_code == 200 and "<html" in page
    assert 'type="date"' in page and 'name="reason"' in page


def test_recording_leave_redirects_to_the_agenda(app, coordinator, staff):
    response = coordinator.post(f"/officers/{staff['officer']}/leave", data=leave_form())
    assert response.status_code == 303
    assert response.location == f"/officers/{staff['officer']}"
    assert leaves_of(app, staff["officer"]) == [(TODAY + 8 * DAY, TODAY + 10 * DAY)]
    page = text(coordinator.get(response.location))
    assert "Leave of Aa Staf Uji recorded" in page
    assert "Cuti tahunan" in page
    assert "reassign" not in page


def test_leave_over_assigned_visits_warns_to_reassign_them(app, coordinator, staff):
    response = coordinator.post(f"/officers/{staff['officer']}/leave",
                                data=leave_form(starts_on="2026-11-03", ends_on="2026-11-05"))
    assert response.status_code == 303
    page = text(coordinator.get(response.location))
    assert "1 visit of this officer falls in the leave: reassign it" in page
    warning = page[page.index("reassign these visits"):]
    assert "Lolu Selatan" in warning[:400]
    assert "During leave" in page
    assert assigned(app, staff["wednesday"], staff["officer"])  # kept until the coordinator reassigns


@pytest.mark.parametrize("changes, message", [
    ({"ends_on": "2026-11-09"}, "The end comes before the start."),
    ({"starts_on": "2026-11-01", "ends_on": "2026-11-01"}, "The date has passed"),
    ({"ends_on": "2027-01-09"}, "A leave period is at most 60 days"),
    ({"starts_on": "2028-01-03", "ends_on": "2028-01-04"}, "at most a year ahead"),
    ({"starts_on": "2026-02-30"}, "Enter a date as year-month-day"),
    ({"starts_on": "99999-01-01"}, "Enter a date as year-month-day"),
    ({"starts_on": "2026-11-10\x00"}, "Enter a date as year-month-day"),
    ({"starts_on": ""}, "Enter the first day away."),
    ({"ends_on": ""}, "Enter the last day away."),
    ({"reason": "x" * 201}, "At most 200 characters."),
])
def test_bad_leave_is_refused_keeping_what_was_typed(app, coordinator, staff, changes, message):
    form = leave_form(**changes)
    response = coordinator.post(f"/officers/{staff['officer']}/leave", data=form)
    page = text(response)
    assert response.status_code == 422
    assert message in page
    if "\x00" not in form["starts_on"] and form["starts_on"]:
        assert f'value="{form["starts_on"]}"' in page
    assert leaves_of(app, staff["officer"]) == []


def test_overlapping_leave_is_refused_naming_the_other(app, coordinator, staff):
    build(app, lambda: record_leave(db.session.get(User, staff["officer"]), TODAY + 9 * DAY, TODAY + 11 * DAY))
    response = coordinator.post(f"/officers/{staff['officer']}/leave", data=leave_form())
    assert response.status_code == 422
    assert "This overlaps Aa Staf Uji&#39;s leave from Nov 11, 2026 to Nov 13, 2026." in text(response)
    assert len(leaves_of(app, staff["officer"])) == 1


def test_leave_of_another_branchs_officer_is_not_found(coordinator, stranger):
    assert coordinator.get(f"/officers/{stranger['officer']}/leave").status_code == 404
    assert coordinator.post(f"/officers/{stranger['officer']}/leave", data=leave_form()).status_code == 404


def test_removing_leave_without_javascript_redirects_back(app, coordinator, staff):
    leave_id = build(app, lambda: record_leave(db.session.get(User, staff["officer"]), TODAY, TODAY).id)
    response = coordinator.post(f"/officers/{staff['officer']}/leave/{leave_id}/remove")
    assert response.status_code == 303
    assert leaves_of(app, staff["officer"]) == []
    assert "removed" in text(coordinator.get(response.location))


def test_removing_leave_through_htmx_swaps_the_agenda(app, coordinator, staff):
    leave_id = build(app, lambda: record_leave(db.session.get(User, staff["officer"]), TODAY, TODAY, "Sakit").id)
    response = coordinator.post(f"/officers/{staff['officer']}/leave/{leave_id}/remove", headers=HTMX)
    fragment = text(response)
    assert response.status_code == 200 and "<html" not in fragment
    assert "No leave recorded from today on." in fragment


def test_another_officers_leave_cannot_be_removed(app, coordinator, staff, stranger):
    other_leave = build(app, lambda: record_leave(make_officer(), TODAY, TODAY).id)
    assert coordinator.post(f"/officers/{staff['officer']}/leave/{other_leave}/remove").status_code == 404
    assert coordinator.post(f"/officers/{staff['officer']}/leave/{stranger['leave']}/remove").status_code == 404
    assert coordinator.post(f"/officers/{stranger['officer']}/leave/{stranger['leave']}/remove").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OfficerLeave)
                                 .where(OfficerLeave.id.in_([other_leave, stranger["leave"]]))) == 2


# --- sizes with the most an agenda shows ---------------------------------------------------------

def test_a_full_agenda_fits_the_budgets(app, coordinator):
    def make():
        officer = make_officer(name="Aa Petugas Sibuk")
        campaigns = [make_campaign(name=(f"{n} " + "Kampanye dengan nama yang sangat panjang " * 3)[:120])
                     for n in range(3)]
        for n in range(20):
            make_visit(campaigns[n % 3], on=TODAY + (n + 1) * DAY, officers=[officer])
        for n in range(10):
            record_leave(officer, TODAY + (n + 1) * DAY, TODAY + (n + 1) * DAY, "Cuti " + "panjang " * 20)
        for n in range(40):
            make_visit(campaigns[n % 3], village_code=NEAR_VILLAGE if n % 2 else OTHER_NEAR_VILLAGE,
                       on=TODAY + (n // 2 + 1) * DAY)
        return officer.id
    officer_id = build(app, make)
    page = coordinator.get(f"/officers/{officer_id}")
    fragment = coordinator.post(f"/officers/{officer_id}/visits", data={"visit_id": ""}, headers=HTMX)
    print(f"\nfull agenda: page {gzip_size(page)} B gzip, fragment {gzip_size(fragment)} B gzip")
    assert gzip_size(page) <= PAGE_BUDGET
    assert gzip_size(fragment) <= FRAGMENT_BUDGET


# --- the officer's home page ---------------------------------------------------------------------

def test_an_officer_sees_their_next_visits_at_home(app, auth, client):
    def make():
        officer = make_officer(name="Aa Petugas Rumah")
        campaign = make_campaign(name="Kampanye Rumah")
        first = make_visit(campaign, on=TODAY, officers=[officer])
        make_visit(campaign, village_code=OTHER_NEAR_VILLAGE, on=TODAY + 3 * DAY, officers=[officer])
        make_visit(campaign, on=TODAY + 20 * DAY, officers=[officer])
        make_visit(campaign, village_code=FAR_VILLAGE, on=TODAY + DAY)  # someone else's
        return officer.username, first.id
    username, first_id = build(app, make)
    auth.login(username, DEMO_PASSWORD)
    client.post("/language", data={"language": "en"})
    response = client.get("/")
    page = text(response)
    assert response.status_code == 200
    assert "Today 09:00 · Besusu Barat" in page
    assert "Thu 5 Nov 09:00 · Lolu Selatan" in page
    assert "Kampanye Rumah" in page
    assert page.count("<li>") == 2
    assert f'<li><a href="/field/visits/{first_id}"><strong>Today' in page  # one tap to the visit
    assert gzip_size(response) < 2048


def test_an_officer_with_no_visit_is_told_so(app, auth, client):
    username = build(app, lambda: make_officer().username)
    auth.login(username, DEMO_PASSWORD)
    client.post("/language", data={"language": "en"})
    assert "No village visit is assigned to you in the next 14 days." in text(client.get("/"))

