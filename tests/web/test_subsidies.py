"""Subsidy programme pages: the list with quota used, a programme's page, adding and changing (admins)."""

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, Payer, SubsidyProgramme
from campaign_app.subsidies.service import create_programme
from tests.conftest import csrf_token_from
from tests.factories import TODAY, in_progress_visit, make_signup, user_named

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def form(**changes) -> dict:
    values = {"name": "Donggala Peduli Nelayan", "payer": "Pemerintah Kabupaten Donggala",
              "starts_on": "2026-07-01", "ends_on": "2027-06-30", "quota": "2.500"}
    values.update(changes)
    return values


def add_programme(app, used: int = 0, **fields) -> int:
    """A programme (of Palu, 15.000 places unless told) with ``used`` sign-ups paid by it."""
    values = {"name": "Palu Peduli Pekerja", "payer": "Pemerintah Kota Palu",
              "starts_on": TODAY.replace(month=1, day=1), "ends_on": TODAY.replace(month=12, day=31), "quota": 15_000}
    values.update(fields)
    with app.app_context():
        programme = create_programme(**values, created_by=user_named("admin"))
        if used:
            visit = in_progress_visit()
            for _ in range(used):
                make_signup(visit, payer=Payer.SUBSIDY, subsidy_programme_id=programme.id)
        db.session.commit()
        return programme.id


def stored(app, programme_id: int) -> SubsidyProgramme:
    with app.app_context():
        programme = db.session.get(SubsidyProgramme, programme_id)
        db.session.expunge(programme)
        return programme


def programmes(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SubsidyProgramme))


def audit_details(app, action: AuditAction) -> list[dict]:
    with app.app_context():
        return [e.details for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == action))]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("campaign_app.clock.today", lambda: TODAY)


# --- access --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "coordinator", "manager"])
def test_planners_and_managers_read_programmes(app, auth, client, role):
    programme_id = add_programme(app)
    auth.login_as(role)
    assert client.get("/subsidies/").status_code == 200
    assert client.get(f"/subsidies/{programme_id}").status_code == 200


@pytest.mark.parametrize("role", ["coordinator", "manager", "officer"])
def test_only_administrators_add_or_change_programmes(app, auth, client, role):
    programme_id = add_programme(app)
    auth.login_as(role)
    assert client.get("/subsidies/new").status_code == 403
    assert client.post("/subsidies/new", data=form()).status_code == 403
    assert client.get(f"/subsidies/{programme_id}/edit").status_code == 403
    assert client.post(f"/subsidies/{programme_id}/edit", data=form()).status_code == 403


def test_officers_do_not_read_the_programme_list(auth, client):
    auth.login_as("officer")
    assert client.get("/subsidies/").status_code == 403


@pytest.mark.parametrize("path", ["/subsidies/2147483647", "/subsidies/2147483647/edit", "/subsidies/99999999999"])
def test_an_unknown_or_huge_programme_number_is_not_found(admin, path):
    assert admin.get(path).status_code == 404


# --- list and page --------------------------------------------------------------------------------------

def test_the_list_shows_quota_used_remaining_and_a_progress_bar(app, admin):
    add_programme(app, used=3, name="Palu Peduli Uji", quota=10)
    page = text(admin.get("/subsidies/"))
    assert "Palu Peduli Uji" in page
    assert '<td class="num" data-label="Used">3</td>' in page
    assert '<td class="num" data-label="Remaining">7</td>' in page
    assert '<rect width="30.0" height="8"' in page
    assert "(running)" in page


def test_the_list_says_when_a_programme_has_ended_or_is_to_come(app, admin):
    add_programme(app, name="Program Lama", starts_on=TODAY.replace(year=2025, month=1, day=1),
                  ends_on=TODAY.replace(year=2025, month=12, day=31))
    add_programme(app, name="Program Baru", starts_on=TODAY.replace(year=2027, month=1, day=1),
                  ends_on=TODAY.replace(year=2027, month=12, day=31))
    page = text(admin.get("/subsidies/"))
    assert "(ended)" in page and "(upcoming)" in page


def test_an_htmx_request_gets_the_list_only(app, admin):
    add_programme(app)
    response = admin.get("/subsidies/", headers=HTMX)
    assert response.status_code == 200
    assert "<table" in text(response) and "<html" not in text(response)
    assert "HX-Request" in response.headers["Vary"]


def test_the_list_pages_through_many_programmes(app, admin):
    for n in range(30):
        add_programme(app, name=f"Program {n:02d}")
    first = text(admin.get("/subsidies/"))
    assert 'rel="next"' in first
    second = admin.get("/subsidies/?page=2", headers=HTMX)
    assert 'rel="prev"' in text(second) and "<html" not in text(second)


def test_the_page_counts_sign_ups_by_branch(app, admin):
    programme_id = add_programme(app, used=2)
    page = text(admin.get(f"/subsidies/{programme_id}"))
    assert "Kantor Cabang Palu" in page
    assert '<td class="num">2</td>' in page


def test_the_programme_page_links_to_its_history_for_readers_of_the_audit_log(app, admin, auth, client):
    programme_id = add_programme(app)
    history = f"/audit/?subject=subsidy_programme&amp;subject_id={programme_id}"
    assert history in text(admin.get(f"/subsidies/{programme_id}"))
    auth.logout()
    auth.login_as("coordinator")
    assert history not in text(client.get(f"/subsidies/{programme_id}"))


def test_the_menu_leads_to_the_programmes(admin):
    assert '<a href="/subsidies/"' in text(admin.get("/"))


# --- adding -------------------------------------------------------------------------------------------

def test_an_administrator_adds_a_programme_and_it_is_audited(app, admin):
    response = admin.post("/subsidies/new", data=form())
    assert response.status_code == 303
    page = text(admin.get(response.location))
    assert "Subsidy programme Donggala Peduli Nelayan added." in page
    assert audit_details(app, AuditAction.SUBSIDY_PROGRAMME_CREATED)[-1] == {
        "name": "Donggala Peduli Nelayan", "payer": "Pemerintah Kabupaten Donggala", "starts_on": "2026-07-01",
        "ends_on": "2027-06-30", "quota": 2_500}


def test_a_new_programme_is_recorded_by_its_own_entry_alone(app, admin):
    with app.app_context():
        last = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    admin.post("/subsidies/new", data=form())
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.id > last,
                                                                     AuditEntry.subject_type == "subsidy_programme"))
        assert list(actions) == [AuditAction.SUBSIDY_PROGRAMME_CREATED]


def test_a_double_submit_stores_and_audits_one_programme(app, admin):
    before = programmes(app)
    first = admin.post("/subsidies/new", data=form())
    second = admin.post("/subsidies/new", data=form())
    assert second.status_code == 303 and second.location == first.location
    assert programmes(app) == before + 1
    assert len(audit_details(app, AuditAction.SUBSIDY_PROGRAMME_CREATED)) == 1


def test_another_programme_under_a_taken_name_is_refused(app, admin):
    admin.post("/subsidies/new", data=form())
    response = admin.post("/subsidies/new", data=form(quota="3.000"))
    assert response.status_code == 422
    assert "A programme called Donggala Peduli Nelayan exists already." in text(response)
    assert 'value="3.000"' in text(response)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"starts_on": "2026-02-30"}, "starts_on", "Enter a real date"),
    ({"ends_on": "2026-06-30"}, "ends_on", "The end comes before the start."),
    ({"quota": "dua ribu"}, "quota", "Enter a whole number"),
    ({"quota": "-5"}, "quota", "Enter a whole number"),
    ({"quota": "20.000.000"}, "quota", "from 0 to 10,000,000"),
    ({"quota": ""}, "quota", "Enter the quota."),
    ({"name": ""}, "name", "Enter a name."),
    ({"name": "x" * 121}, "name", "At most 120 characters."),
])
def test_bad_input_is_refused_with_a_message_and_what_was_typed_kept(app, admin, changes, field, message):
    before = programmes(app)
    response = admin.post("/subsidies/new", data=form(**changes))
    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert f'id="{field}-err"' in page
    assert 'value="Pemerintah Kabupaten Donggala"' in page or field == "payer"
    assert programmes(app) == before
    assert audit_details(app, AuditAction.SUBSIDY_PROGRAMME_CREATED) == []


# --- changing -------------------------------------------------------------------------------------------

def test_the_edit_form_shows_the_stored_values_and_what_is_used(app, admin):
    programme_id = add_programme(app, used=2)
    page = text(admin.get(f"/subsidies/{programme_id}/edit"))
    assert 'value="15.000"' in page and 'value="Palu Peduli Pekerja"' in page
    assert "2 sign-ups use this programme" in page


def test_an_administrator_changes_the_quota_and_it_is_audited_with_before_and_after(app, admin):
    programme_id = add_programme(app)
    response = admin.post(f"/subsidies/{programme_id}/edit", data=form(
        name="Palu Peduli Pekerja", payer="Pemerintah Kota Palu", starts_on="2026-01-01", ends_on="2026-12-31",
        quota="20.000"))
    assert response.status_code == 303
    assert stored(app, programme_id).quota == 20_000
    assert audit_details(app, AuditAction.SUBSIDY_PROGRAMME_CHANGED) == [{"quota": [15_000, 20_000]}]


def test_saving_unchanged_says_so_and_audits_nothing(app, admin):
    programme_id = add_programme(app)
    response = admin.post(f"/subsidies/{programme_id}/edit", data=form(
        name="Palu Peduli Pekerja", payer="Pemerintah Kota Palu", starts_on="2026-01-01", ends_on="2026-12-31",
        quota="15000"))
    assert "Nothing was changed." in text(admin.get(response.location))
    assert audit_details(app, AuditAction.SUBSIDY_PROGRAMME_CHANGED) == []


def test_a_quota_below_what_is_used_is_refused_with_the_used_count(app, admin):
    programme_id = add_programme(app, used=3)
    response = admin.post(f"/subsidies/{programme_id}/edit", data=form(quota="2"))
    page = text(response)
    assert response.status_code == 422
    assert "3 sign-ups already use this programme: the quota cannot be below 3." in page
    assert 'value="Donggala Peduli Nelayan"' in page
    assert stored(app, programme_id).name == "Palu Peduli Pekerja"
    assert audit_details(app, AuditAction.SUBSIDY_PROGRAMME_CHANGED) == []


def test_taking_another_programmes_name_is_refused(app, admin):
    add_programme(app, name="Program Lain")
    programme_id = add_programme(app)
    response = admin.post(f"/subsidies/{programme_id}/edit", data=form(name="program lain"))
    assert response.status_code == 422
    assert "A programme called program lain exists already." in text(response)


def test_a_bad_date_when_editing_is_refused_and_nothing_changes(app, admin):
    programme_id = add_programme(app)
    response = admin.post(f"/subsidies/{programme_id}/edit", data=form(ends_on="2026-13-01"))
    assert response.status_code == 422
    assert stored(app, programme_id).name == "Palu Peduli Pekerja"


def test_the_forms_need_their_csrf_token(csrf_admin):
    app, client = csrf_admin
    assert client.post("/subsidies/new", data=form()).status_code == 400
    token = csrf_token_from(client.get("/subsidies/new").get_data(as_text=True))
    assert client.post("/subsidies/new", data=form(csrf_token=token)).status_code == 303
