"""Rate table pages: the list with the table in force and a worked example, and adding a table (admins)."""

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, RateTable
from tests.conftest import csrf_token_from
from tests.factories import TODAY

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def form(**changes) -> dict:
    values = {"effective_from": "2027-01-01", "jkk_rate": "0,54", "jkk_minimum": "10.000", "jkk_maximum": "207.000",
              "jkm_flat": "6.800", "jht_rate": "2"}
    values.update(changes)
    return values


def tables(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(RateTable))


def audit_entries(app) -> list[dict]:
    with app.app_context():
        return [entry.details for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.RATE_TABLE_CREATED))]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("campaign_app.clock.today", lambda: TODAY)


# --- access --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "coordinator", "manager"])
def test_planners_and_managers_read_the_rates(auth, client, role):
    auth.login_as(role)
    assert client.get("/rates/").status_code == 200


@pytest.mark.parametrize(("role", "method", "path"), [
    ("officer", "get", "/rates/"), ("coordinator", "get", "/rates/new"), ("manager", "get", "/rates/new"),
    ("coordinator", "post", "/rates/new"), ("officer", "post", "/rates/new"),
])
def test_only_administrators_add_rate_tables(auth, client, role, method, path):
    auth.login_as(role)
    assert getattr(client, method)(path, data=form()).status_code == 403


def test_the_new_table_link_shows_to_administrators_only(auth, client, admin):
    assert 'href="/rates/new"' in text(admin.get("/rates/"))
    auth.logout()
    auth.login_as("coordinator")
    assert 'href="/rates/new"' not in text(client.get("/rates/"))


# --- the list -----------------------------------------------------------------------------------------

def test_the_list_shows_the_table_in_force_and_the_worked_example(admin):
    page = text(admin.get("/rates/"))
    assert "in force today" in page
    assert "Declared income Rp1.000.000 → JKK Rp10.000 + JKM Rp6.800 = Rp16.800 a month" in page
    assert "With JHT (2%): + Rp20.000 = Rp36.800" in page


def test_the_list_reads_in_indonesian_with_decimal_commas(app, auth, client):
    auth.login_as("admin")
    client.post("/rates/new", data=form())
    page = text(client.get("/rates/"))
    assert "0,54%" in page
    assert "Rp16.800" in page


def test_an_upcoming_table_is_marked_and_explained(app, admin):
    admin.post("/rates/new", data=form(jkm_flat="7.200"))
    page = text(admin.get("/rates/"))
    assert "upcoming" in page
    assert "From Jan 1, 2027, at the lowest bracket" in page
    assert "0.54%" in page
    assert "JKM Rp7.200" in page


def test_the_list_is_listed_in_the_menu(admin):
    assert '<a href="/rates/"' in text(admin.get("/"))


# --- adding a table -----------------------------------------------------------------------------------

def test_the_form_shows_every_field(admin):
    page = text(admin.get("/rates/new"))
    for name in ("effective_from", "jkk_rate", "jkk_minimum", "jkk_maximum", "jkm_flat", "jht_rate"):
        assert f'name="{name}"' in page


def test_an_administrator_adds_a_table_and_it_is_audited(app, admin):
    response = admin.post("/rates/new", data=form())
    assert response.status_code == 303 and response.location == "/rates/"
    assert tables(app) == 2
    assert audit_entries(app) == [{"effective_from": "2027-01-01", "jkk_rate": "0.54", "jkk_minimum": 10_000,
                                   "jkk_maximum": 207_000, "jkm_flat": 6_800, "jht_rate": "2", "enrolment_min_age": 15,
                                   "enrolment_max_age": 64}]
    assert "Rate table in force from Jan 1, 2027 saved." in text(admin.get("/rates/"))


def test_a_double_submit_stores_one_table(app, admin):
    admin.post("/rates/new", data=form())
    assert admin.post("/rates/new", data=form()).status_code == 303
    assert tables(app) == 2
    assert len(audit_entries(app)) == 1


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"effective_from": TODAY.isoformat()}, "effective_from", "never rewrites the past"),
    ({"effective_from": "2026-02-30"}, "effective_from", "Enter a real date"),
    ({"effective_from": ""}, "effective_from", "Enter the first day the rates apply."),
    ({"jkk_minimum": "sepuluh ribu"}, "jkk_minimum", "Enter an amount in whole Rupiah"),
    ({"jkk_rate": "satu"}, "jkk_rate", "Enter a percentage such as 1 or 0,54."),
    ({"jkk_rate": "120"}, "jkk_rate", "from 0 to 100"),
    ({"jht_rate": "0,0001"}, "jht_rate", "at most 3 decimals"),
    ({"jkk_minimum": "300.000"}, "jkk_maximum", "The maximum is below the minimum."),
    ({"jkm_flat": "200.000.000"}, "jkm_flat", "Rp100,000,000"),
    ({"jkm_flat": "-6.800"}, "jkm_flat", "Enter an amount in whole Rupiah"),
])
def test_bad_input_is_refused_with_a_message_and_what_was_typed_kept(app, admin, changes, field, message):
    response = admin.post("/rates/new", data=form(**changes))
    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert f'id="{field}-err"' in page
    typed = changes.get("jkk_minimum", "10.000")
    assert f'value="{typed}"' in page
    assert tables(app) == 1
    assert audit_entries(app) == []


def test_a_second_table_on_the_same_date_is_refused(app, admin):
    admin.post("/rates/new", data=form())
    response = admin.post("/rates/new", data=form(jkm_flat="7.000"))
    assert response.status_code == 422
    assert "A rate table already takes effect on Jan 1, 2027" in text(response)
    assert tables(app) == 2


def test_an_htmx_post_of_bad_input_answers_the_page_with_messages(admin):
    response = admin.post("/rates/new", data=form(jkk_rate="x"), headers=HTMX)
    assert response.status_code == 422
    assert "Enter a percentage" in text(response)


def test_the_form_needs_its_csrf_token(csrf_admin):
    app, client = csrf_admin
    assert client.post("/rates/new", data=form()).status_code == 400
    token = csrf_token_from(client.get("/rates/new").get_data(as_text=True))
    assert client.post("/rates/new", data=form(csrf_token=token)).status_code == 303


def test_an_administrator_sets_the_enrolment_ages_of_a_new_table(app, admin):
    assert admin.post("/rates/new", data=form(enrolment_min_age="18", enrolment_max_age="59")).status_code == 303
    with app.app_context():
        table = db.session.scalar(select(RateTable).order_by(RateTable.effective_from.desc()).limit(1))
        assert (table.enrolment_min_age, table.enrolment_age_limit) == (18, 60)
    assert "18 to 59" in text(admin.get("/rates/"))
