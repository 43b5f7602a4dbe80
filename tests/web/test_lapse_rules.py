"""The lapse rule pages, beside the rate tables: the rules listed with the one in force, and adding one
(administrators only), refused with a message when the date or the months are wrong."""

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import LapseRule
from tests.factories import TODAY

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def rules(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LapseRule))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("campaign_app.clock.today", lambda: TODAY)


@pytest.mark.parametrize("role", ["admin", "coordinator", "manager"])
def test_planners_and_managers_read_the_lapse_rules(auth, client, role):
    auth.login_as(role)
    assert client.get("/rates/lapse").status_code == 200


@pytest.mark.parametrize(("role", "method", "path"), [
    ("officer", "get", "/rates/lapse"), ("coordinator", "get", "/rates/lapse/new"),
    ("manager", "get", "/rates/lapse/new"), ("coordinator", "post", "/rates/lapse/new"),
    ("officer", "post", "/rates/lapse/new"),
])
def test_only_administrators_add_lapse_rules(auth, client, role, method, path):
    auth.login_as(role)
    assert getattr(client, method)(path, data={"effective_from": "2027-01-01", "arrears_months": "4"}
                                   ).status_code == 403


def test_the_rates_page_links_to_the_lapse_rule(admin):
    assert 'href="/rates/lapse"' in text(admin.get("/rates/"))


def test_the_rule_in_force_is_shown_the_agency_s_three_months(admin):
    page = text(admin.get("/rates/lapse"))
    assert "Today: 3 months of arrears allowed." in page
    assert '<strong class="chip">in force today</strong>' in page


def test_a_new_rule_is_saved_and_listed_as_upcoming(app, admin):
    before = rules(app)
    response = admin.post("/rates/lapse/new", data={"effective_from": "2027-01-01", "arrears_months": "4"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/rates/lapse")
    page = text(admin.get("/rates/lapse"))
    row = page[page.index("<tbody>"):page.index("</tbody>")]
    assert "2027" in row and '<span class="chip">upcoming</span>' in row and ">4</td>" in row
    # Not in force yet: today's rule is still the agency's three months.
    assert "Today: 3 months of arrears allowed." in page
    assert rules(app) == before + 1


@pytest.mark.parametrize(("values", "message"), [
    ({"effective_from": TODAY.isoformat(), "arrears_months": "4"}, "takes effect after today"),
    ({"effective_from": "2027-01-01", "arrears_months": "25"}, "from 0 to 24"),
    ({"effective_from": "2027-01-01", "arrears_months": "tiga"}, "Enter a whole number"),
    ({"effective_from": "", "arrears_months": "4"}, "Enter the first day the rule applies."),
])
def test_a_wrong_rule_is_refused_with_a_message_what_was_typed_kept_and_nothing_saved(app, admin, values, message):
    before = rules(app)
    response = admin.post("/rates/lapse/new", data=values)
    page = text(response)
    assert response.status_code == 422 and message in page
    assert f'value="{values["arrears_months"]}"' in page
    assert rules(app) == before


def test_a_refused_rule_over_htmx_answers_with_the_form_again(admin):
    response = admin.post("/rates/lapse/new", data={"effective_from": "2027-01-01", "arrears_months": "99"},
                          headers=HTMX)
    assert response.status_code == 422 and "from 0 to 24" in text(response)
