"""Campaign pages: the list with progress, create, show, edit, close and reopen."""

from datetime import timedelta
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from campaign_app.campaigns.service import create_campaign
from campaign_app.extensions import db
from campaign_app.models import Campaign, CampaignStatus, Channel, VisitStatus
from tests.conftest import csrf_token_from
from tests.factories import TODAY, branch_named, in_progress_visit, make_signup, make_visit

HTMX = {"HX-Request": "true"}
LUWUK = "Kantor Cabang Luwuk"


def text(response) -> str:
    return response.get_data(as_text=True)


def form(**changes) -> dict:
    """The new-campaign form as a browser sends it, with a one-time key of its own."""
    values = {"form_key": uuid4().hex, "name": "Ojek Terlindungi Palu", "starts_on": "2026-11-09",
              "ends_on": "2027-01-29",
              "channel": "door_to_door", "target_signups": "250", "target_villages": "6",
              "budget": "Rp16.800.000", "partner": "", "subsidy_programme": "", "description": ""}
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def stored(app, name: str) -> list[Campaign]:
    with app.app_context():
        campaigns = db.session.scalars(select(Campaign).where(Campaign.name == name)).all()
        for campaign in campaigns:
            db.session.expunge(campaign)
        return campaigns


def campaign_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Campaign))


def add_campaign(app, branch: str = "Kantor Cabang Palu", name: str = "Kampanye Uji Web", **fields) -> int:
    fields.setdefault("starts_on", TODAY)
    fields.setdefault("ends_on", TODAY + timedelta(days=90))
    fields.setdefault("channel", Channel.VILLAGE_MEETING)
    with app.app_context():
        campaign = create_campaign(branch=branch_named(branch), created_by=None, name=name, **fields)
        db.session.commit()
        return campaign.id


def close(app, campaign_id: int) -> None:
    with app.app_context():
        db.session.get(Campaign, campaign_id).status = CampaignStatus.CLOSED
        db.session.commit()


def status_of(app, campaign_id: int) -> str:
    with app.app_context():
        return db.session.get(Campaign, campaign_id).status


# --- access --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "path", "expected"), [
    ("officer", "/campaigns/", 403), ("manager", "/campaigns/new", 403), ("officer", "/campaigns/new", 403),
])
def test_roles_outside_the_rule_are_refused(auth, client, role, path, expected):
    auth.login_as(role)
    assert client.get(path).status_code == expected


def test_a_manager_may_not_edit_close_or_reopen(app, manager):
    campaign_id = add_campaign(app)
    assert manager.get(f"/campaigns/{campaign_id}/edit").status_code == 403
    assert manager.post(f"/campaigns/{campaign_id}/close", data={"confirm": "yes"}).status_code == 403
    assert status_of(app, campaign_id) == CampaignStatus.OPEN


def test_a_coordinator_may_not_reopen(app, coordinator):
    campaign_id = add_campaign(app)
    close(app, campaign_id)
    assert coordinator.post(f"/campaigns/{campaign_id}/reopen", data={"confirm": "yes"}).status_code == 403


@pytest.mark.parametrize("suffix", ["", "/edit"])
def test_another_branch_s_campaign_is_not_found(app, coordinator, suffix):
    campaign_id = add_campaign(app, LUWUK)
    assert coordinator.get(f"/campaigns/{campaign_id}{suffix}").status_code == 404


def test_closing_another_branch_s_campaign_is_not_found(app, coordinator):
    campaign_id = add_campaign(app, LUWUK)
    assert coordinator.post(f"/campaigns/{campaign_id}/close", data={"confirm": "yes"}).status_code == 404
    assert status_of(app, campaign_id) == CampaignStatus.OPEN


def test_an_id_too_large_for_the_database_is_not_found(coordinator):
    assert coordinator.get("/campaigns/99999999999999999999").status_code == 404


# --- list ----------------------------------------------------------------------------------------

def test_the_list_shows_open_campaigns_with_period_channel_and_progress(coordinator):
    page = text(coordinator.get("/campaigns/"))
    assert "<html" in page
    assert "Lapak Pasar Rakyat Palu" in page
    assert "Market stall" in page
    assert "<meter" in page
    assert " of " in page and "villages" in page
    assert "Bulan K3 Desa Sigi" not in page  # closed: its period is over


def test_the_list_fragment_is_only_the_results(coordinator):
    response = coordinator.get("/campaigns/?status=all", headers=HTMX)
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body and "<table" in body
    assert "Bulan K3 Desa Sigi" in body


def test_the_list_filters_closed_campaigns(coordinator):
    page = text(coordinator.get("/campaigns/?status=closed"))
    assert "Bulan K3 Desa Sigi" in page and "Lapak Pasar Rakyat Palu" not in page


def test_an_unknown_status_is_shown_as_an_error_and_ignored(coordinator):
    response = coordinator.get("/campaigns/?status=%00nonsense&page=abc")
    assert response.status_code == 200
    assert "Choose one of the statuses listed." in text(response)
    assert "Lapak Pasar Rakyat Palu" in text(response)


def test_a_coordinator_sees_no_branch_filter_and_no_other_branch(app, coordinator):
    add_campaign(app, LUWUK, name="Hanya di Luwuk")
    page = text(coordinator.get("/campaigns/?status=all"))
    assert 'name="branch"' not in page
    assert "Hanya di Luwuk" not in page


def test_a_manager_filters_by_branch(app, manager):
    add_campaign(app, LUWUK, name="Hanya di Luwuk")
    add_campaign(app, name="Hanya di Palu")
    with app.app_context():
        luwuk_id = branch_named(LUWUK).id
    page = text(manager.get(f"/campaigns/?status=all&branch={luwuk_id}"))
    assert 'name="branch"' in page
    assert "Hanya di Luwuk" in page and "Hanya di Palu" not in page


def test_an_unknown_branch_filter_is_shown_as_an_error_and_ignored(manager):
    response = manager.get("/campaigns/?branch=999999999999999999999")
    assert response.status_code == 200
    assert "Choose one of the branches listed." in text(response)


def test_the_list_is_paginated_keeping_the_filters(app, coordinator):
    for n in range(30):
        add_campaign(app, name=f"Kampanye Halaman {n:02d}")
    page = text(coordinator.get("/campaigns/?status=open"))
    assert 'rel="next"' in page and "status=open" in page[page.index('rel="next"') - 120:]
    last = text(coordinator.get("/campaigns/?status=open&page=99999999999999999999"))
    assert 'rel="prev"' in last


def test_only_those_who_plan_see_the_new_campaign_button(coordinator, auth, client):
    assert "/campaigns/new" in text(coordinator.get("/campaigns/"))
    auth.logout()
    auth.reading_english("manager")
    assert "/campaigns/new" not in text(client.get("/campaigns/"))


# --- create --------------------------------------------------------------------------------------

def test_a_coordinator_creates_a_campaign_for_their_branch(app, coordinator):
    response = coordinator.post("/campaigns/new", data=form())
    assert response.status_code == 303
    [campaign] = stored(app, "Ojek Terlindungi Palu")
    assert response.location == f"/campaigns/{campaign.id}"
    with app.app_context():
        assert campaign.branch_id == branch_named().id
    assert (campaign.budget, campaign.target_signups, campaign.channel) == (16_800_000, 250, "door_to_door")


def test_the_coordinator_s_branch_is_fixed_on_the_form(coordinator):
    page = text(coordinator.get("/campaigns/new"))
    assert 'name="branch"' not in page
    assert "Kantor Cabang Palu" in page


def test_a_coordinator_cannot_post_another_branch(app, coordinator):
    with app.app_context():
        luwuk_id = branch_named(LUWUK).id
    coordinator.post("/campaigns/new", data=form(branch=str(luwuk_id)))
    [campaign] = stored(app, "Ojek Terlindungi Palu")
    with app.app_context():
        assert campaign.branch_id == branch_named().id


def test_an_administrator_chooses_the_branch(app, admin):
    with app.app_context():
        luwuk_id = branch_named(LUWUK).id
    assert 'name="branch"' in text(admin.get("/campaigns/new"))
    assert admin.post("/campaigns/new", data=form(branch=str(luwuk_id))).status_code == 303
    [campaign] = stored(app, "Ojek Terlindungi Palu")
    assert campaign.branch_id == luwuk_id


@pytest.mark.parametrize("branch", ["999999", "abc", "99999999999999999999999", ""])
def test_an_unknown_branch_is_refused(app, admin, branch):
    response = admin.post("/campaigns/new", data=form(branch=branch))
    assert response.status_code == 422
    assert "branch" in text(response).lower()
    assert stored(app, "Ojek Terlindungi Palu") == []


@pytest.mark.parametrize("budget", ["16.800", "16800", "Rp16.800", "Rp 16.800"])
def test_budgets_are_read_as_people_write_them(app, coordinator, budget):
    assert coordinator.post("/campaigns/new", data=form(budget=budget)).status_code == 303
    assert stored(app, "Ojek Terlindungi Palu")[0].budget == 16_800


@pytest.mark.parametrize(("changes", "message"), [
    ({"ends_on": "2026-11-01"}, "The end comes before the start."),
    ({"budget": "-16.800"}, "Enter zero or more."),
    ({"budget": "Rp 99.999.999.999.999"}, "At most Rp"),
    ({"budget": "lots"}, "Enter an amount in Rupiah"),
    ({"name": "x" * 121}, "At most 120 characters."),
    ({"name": ""}, "Enter a name."),
    ({"description": "x" * 2001}, "At most 2000 characters."),
    ({"partner": "p" * 121}, "At most 120 characters."),
    ({"starts_on": "2026-02-30"}, "Enter a date such as"),
    ({"starts_on": "99999-01-01"}, "Enter a date such as"),
    ({"target_signups": "99999999999999999999999"}, "Enter a whole number from 0"),
    ({"target_villages": "-1"}, "Enter a whole number from 0"),
    ({"channel": "carrier_pigeon"}, "Choose one of the channels listed."),
])
def test_bad_input_is_refused_keeping_what_was_typed(app, coordinator, changes, message):
    before = campaign_count(app)
    response = coordinator.post("/campaigns/new", data=form(**changes))
    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert "Please correct the fields marked below." in page
    typed = next(iter(changes.values()))
    if "channel" not in changes and typed and "\x00" not in typed and len(typed) < 100:
        assert f'value="{typed}"' in page or f">{typed}<" in page
    # Counted, not looked up by name: PostgreSQL cannot even compare text holding NUL.
    assert campaign_count(app) == before


def test_every_bad_field_is_shown_at_once(app, coordinator):
    page = text(coordinator.post("/campaigns/new", data=form(ends_on="2026-11-01", budget="-1", name="")))
    for message in ("The end comes before the start.", "Enter zero or more.", "Enter a name."):
        assert message in page


def test_a_name_the_branch_already_uses_is_refused(app, coordinator):
    add_campaign(app, name="Ojek Terlindungi Palu")
    before = campaign_count(app)
    response = coordinator.post("/campaigns/new", data=form())
    assert response.status_code == 422
    assert "This branch already has a campaign called Ojek Terlindungi Palu." in text(response)
    assert campaign_count(app) == before


def test_a_double_clicked_submit_creates_one_campaign_and_shows_it(app, coordinator):
    sent = form()
    first = coordinator.post("/campaigns/new", data=sent)
    second = coordinator.post("/campaigns/new", data=sent)
    assert second.status_code == 303
    assert second.location == first.location
    assert len(stored(app, "Ojek Terlindungi Palu")) == 1


def test_a_second_submit_with_other_fields_is_a_name_clash(app, coordinator):
    coordinator.post("/campaigns/new", data=form())
    response = coordinator.post("/campaigns/new", data=form(budget="1"))
    assert response.status_code == 422
    assert "already has a campaign called" in text(response)


def test_the_same_form_from_another_user_is_a_name_clash(app, coordinator, auth, client):
    coordinator.post("/campaigns/new", data=form())
    auth.logout()
    auth.reading_english("admin")
    with app.app_context():
        palu_id = branch_named().id
    response = client.post("/campaigns/new", data=form(branch=str(palu_id)))
    assert response.status_code == 422
    assert len(stored(app, "Ojek Terlindungi Palu")) == 1


def test_the_create_form_checks_the_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token_from(text(client.get("/login")))
    client.post("/login", data={"username": "koordinator", "password": "jangkau-demo", "csrf_token": token})
    assert client.post("/campaigns/new", data=form()).status_code == 400
    page = text(client.get("/campaigns/new"))
    response = client.post("/campaigns/new", data=form(csrf_token=csrf_token_from(page)))
    assert response.status_code == 303


# --- show ----------------------------------------------------------------------------------------

def test_the_campaign_page_shows_details_progress_and_visits(app, coordinator):
    campaign_id = add_campaign(app, target_villages=4, budget=2_000_000, target_signups=100,
                               partner="Dinas Tenaga Kerja")
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        visit = make_visit(campaign, on=TODAY + timedelta(days=2), planned_cost=500_000, today=TODAY)
        visit.status = VisitStatus.DONE
        db.session.commit()
        visit_id = visit.id
    page = text(coordinator.get(f"/campaigns/{campaign_id}"))
    assert f'href="/visits/{visit_id}"' in page
    assert "Dinas Tenaga Kerja" in page
    assert "0 of 100" in page  # sign-ups against the target
    assert "1 of 4" in page  # villages visited
    assert "Rp500.000 of Rp2.000.000" in page
    assert "<svg" in page
    assert "Besusu Barat" in page and "Done" in page


def add_signups(app, campaign_id: int, count: int) -> None:
    """``count`` workers signed up at a new visit of the campaign, through the service."""
    with app.app_context():
        visit = in_progress_visit(campaign=db.session.get(Campaign, campaign_id))
        for _ in range(count):
            make_signup(visit)
        db.session.commit()


def test_the_campaign_page_shows_sign_ups_against_the_target(app, coordinator):
    campaign_id = add_campaign(app, target_signups=40)
    add_signups(app, campaign_id, 3)
    page = text(coordinator.get(f"/campaigns/{campaign_id}"))
    assert "3 of 40" in page
    assert "Sign-ups will appear" not in page


def test_the_campaign_list_shows_sign_ups_against_the_target(app, coordinator):
    campaign_id = add_campaign(app, name="Kampanye Dengan Pendaftaran", target_signups=1200)
    add_signups(app, campaign_id, 2)
    for headers in ({}, HTMX):
        assert "2 of 1,200 sign-ups" in text(coordinator.get("/campaigns/?status=all", headers=headers))


def test_the_campaign_page_fragment_is_only_the_visits(app, coordinator):
    campaign_id = add_campaign(app)
    response = coordinator.get(f"/campaigns/{campaign_id}?page=2", headers=HTMX)
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body and "<table" in body and "Sign-ups" not in body


def test_the_visits_of_a_campaign_are_paginated(app, coordinator):
    campaign_id = add_campaign(app, ends_on=TODAY + timedelta(days=200))
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        for n in range(12):
            make_visit(campaign, on=TODAY + timedelta(days=n + 1), today=TODAY)
        db.session.commit()
    page = text(coordinator.get(f"/campaigns/{campaign_id}"))
    assert 'rel="next"' in page and "hx-get" in page
    second = text(coordinator.get(f"/campaigns/{campaign_id}?page=2", headers=HTMX))
    assert 'rel="prev"' in second


def test_a_manager_sees_the_page_without_actions(app, manager):
    campaign_id = add_campaign(app)
    page = text(manager.get(f"/campaigns/{campaign_id}"))
    assert "Kampanye Uji Web" in page
    assert "/edit" not in page and "/close" not in page


def test_a_coordinator_sees_the_actions_of_an_open_campaign(app, coordinator):
    campaign_id = add_campaign(app)
    page = text(coordinator.get(f"/campaigns/{campaign_id}"))
    assert f"/campaigns/{campaign_id}/edit" in page
    assert "hx-confirm" in page and f'action="/campaigns/{campaign_id}/close"' in page
    assert f"/visits/new?campaign_id={campaign_id}" in page


# --- edit ----------------------------------------------------------------------------------------

def test_the_edit_form_shows_what_is_stored(app, coordinator):
    campaign_id = add_campaign(app, budget=45_000_000)
    page = text(coordinator.get(f"/campaigns/{campaign_id}/edit"))
    assert 'value="Kampanye Uji Web"' in page
    assert 'value="45.000.000"' in page
    assert 'name="branch"' not in page


def test_editing_saves_the_fields(app, coordinator):
    campaign_id = add_campaign(app)
    response = coordinator.post(f"/campaigns/{campaign_id}/edit",
                                data=form(name="Nama Baru", budget="1.000.000", starts_on="2026-11-02"))
    assert response.status_code == 303
    [campaign] = stored(app, "Nama Baru")
    assert (campaign.id, campaign.budget) == (campaign_id, 1_000_000)


def test_editing_refuses_bad_input_and_changes_nothing(app, coordinator):
    campaign_id = add_campaign(app)
    response = coordinator.post(f"/campaigns/{campaign_id}/edit", data=form(ends_on="2020-01-01"))
    assert response.status_code == 422
    assert "The end comes before the start." in text(response)
    assert stored(app, "Kampanye Uji Web")[0].ends_on == TODAY + timedelta(days=90)


def test_a_closed_campaign_cannot_be_edited(app, coordinator):
    campaign_id = add_campaign(app)
    close(app, campaign_id)
    page = text(coordinator.get(f"/campaigns/{campaign_id}/edit"))
    assert "is closed; it cannot be changed." in page and "<form method=\"post\" action=\"/campaigns/" not in page
    response = coordinator.post(f"/campaigns/{campaign_id}/edit", data=form(name="Tetap Tertutup"))
    assert response.status_code == 422
    assert stored(app, "Tetap Tertutup") == []


# --- close and reopen ----------------------------------------------------------------------------

def test_closing_a_campaign_redirects_to_it(app, coordinator):
    campaign_id = add_campaign(app)
    response = coordinator.post(f"/campaigns/{campaign_id}/close", data={"confirm": "yes"})
    assert response.status_code == 303 and response.location == f"/campaigns/{campaign_id}"
    assert status_of(app, campaign_id) == CampaignStatus.CLOSED
    page = text(coordinator.get(response.location))
    assert "closed: no new visits can be scheduled" in page
    assert "/close" not in page and "/reopen" not in page


def test_closing_with_htmx_sends_the_browser_to_the_campaign(app, coordinator):
    campaign_id = add_campaign(app)
    response = coordinator.post(f"/campaigns/{campaign_id}/close", data={"confirm": "yes"}, headers=HTMX)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/campaigns/{campaign_id}"


def test_a_bare_post_closes_nothing(app, coordinator):
    campaign_id = add_campaign(app)
    assert coordinator.post(f"/campaigns/{campaign_id}/close").status_code == 400
    assert status_of(app, campaign_id) == CampaignStatus.OPEN


def test_closing_twice_is_harmless(app, coordinator):
    campaign_id = add_campaign(app)
    coordinator.post(f"/campaigns/{campaign_id}/close", data={"confirm": "yes"})
    assert coordinator.post(f"/campaigns/{campaign_id}/close", data={"confirm": "yes"}).status_code == 303


def test_an_administrator_reopens_a_closed_campaign(app, admin):
    campaign_id = add_campaign(app)
    close(app, campaign_id)
    assert f"/campaigns/{campaign_id}/reopen" in text(admin.get(f"/campaigns/{campaign_id}"))
    response = admin.post(f"/campaigns/{campaign_id}/reopen", data={"confirm": "yes"})
    assert response.status_code == 303
    assert status_of(app, campaign_id) == CampaignStatus.OPEN


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/campaigns/")
    assert response.status_code == 302 and response.location.startswith("/login")



def test_the_forms_are_whole_pages_even_for_htmx(app, coordinator):
    campaign_id = add_campaign(app)
    for path in ("/campaigns/new", f"/campaigns/{campaign_id}/edit"):
        response = coordinator.get(path, headers=HTMX)
        assert response.status_code == 200 and "<html" in text(response)
