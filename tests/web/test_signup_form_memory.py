"""The officer's empty sign-up form, rendered once per process for what it shows (campaign_app/page_once.py): the
answer from memory is the form rendered afresh, with its own one-time key and the session's CSRF token, and any
change to what the page shows (a programme's places left, the rate table, the visit, the language) shows in the
next answer."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from campaign_app import clock, page_once
from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import RateTable, SignUp, Visit, VisitStatus
from tests.factories import make_officer
from tests.web.test_signup_form import (
    HTMX,
    captured_templates,
    field,  # noqa: F401 (a fixture)
    filled,
    form_key,
    make_programme,
    officer_signed_in_with_csrf,
    signups,
    text,
)

TOKEN = re.compile(r'"X-CSRFToken":"([^"]+)"')
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')
SELECT = re.compile(r'<select id="subsidy_programme".*?</select>', re.DOTALL)


@pytest.fixture(autouse=True)
def empty_memory():
    """Each test starts with no answer kept: ids undone by another test's roll-back come back in this one's."""
    page_once._answers.clear()


def normalised(html: str) -> str:
    """The page without what each answer makes afresh: its one-time key and the CSRF token (signed with the time)."""
    html = CSRF_VALUE.sub(r"\1TOKEN", html.replace(form_key(html), "KEY"))
    return TOKEN.sub('"X-CSRFToken":"TOKEN"', html)


def rates_shown(html: str) -> dict:
    return json.loads(re.search(r"data-rates='([^']*)'", html).group(1))


def test_the_form_is_rendered_once_then_answered_from_memory(field, app):  # noqa: F811
    with captured_templates(app) as rendered:
        first, second = text(field.client.get(field.url)), text(field.client.get(field.url))
    assert rendered == ["signups/new.html"]
    assert form_key(first) != form_key(second) and len(form_key(second)) == 32
    assert normalised(first) == normalised(second)


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_the_answer_from_memory_is_the_form_rendered_afresh(field, app, headers):  # noqa: F811
    field.client.get(field.url, headers=headers)
    kept = field.client.get(field.url, headers=headers)
    # Templates reloaded as they are edited (debug): every answer rendered, same_for parts too.
    app.jinja_env.auto_reload = True
    try:
        afresh = field.client.get(field.url, headers=headers)
    finally:
        app.jinja_env.auto_reload = False
    assert normalised(text(kept)) == normalised(text(afresh))
    assert (kept.status_code, kept.headers.get("Vary")) == (afresh.status_code, afresh.headers.get("Vary"))


def test_the_form_from_memory_carries_the_sessions_token_and_saves(app_factory):
    app, client, url, _token, visit_id = officer_signed_in_with_csrf(app_factory)
    client.get(url)
    for nik in ("7271014508950001", "7271011203880002"):
        html = text(client.get(url))
        token = TOKEN.search(html).group(1)
        assert html.count(token) == 5 and 'name="csrf_token" type="hidden" value="' + token in html
        response = client.post(url, data={"form_key": form_key(html), "nik": nik, "full_name": "Siti Aminah",
                                          "occupation": "farmer", "sector": "bpu", "declared_income": "1500000",
                                          "payer": "self", "consent": "y", "consent_version": "1",
                                          "csrf_token": token})
        assert response.status_code == 303, text(response)
    with app.app_context():
        assert len(db.session.scalars(select(SignUp.id).where(SignUp.visit_id == visit_id)).all()) == 2


def test_a_programmes_places_left_show_in_the_next_form(field, app):  # noqa: F811
    programme_id = make_programme(app, 3)
    assert "Iuran Warga Rentan 3 · 3 places left" in text(field.client.get(field.url))
    data = filled(field, payer="subsidy", subsidy_programme=str(programme_id))
    assert field.client.post(field.url, data=data).status_code == 303
    html = text(field.client.get(field.url))
    assert "Iuran Warga Rentan 3 · 2 places left" in html and "3 places left" not in html


def test_the_programmes_options_written_per_request_are_those_the_select_writes(field, app):  # noqa: F811
    make_programme(app, 3)
    make_programme(app, 12_500)
    field.client.post("/language", data={"language": "id"})
    field.client.get(field.url)
    kept = text(field.client.get(field.url))
    assert field.client.post(field.url, data=filled(field)).status_code == 303
    saved_id = max(signup.id for signup in signups(app))
    # The page after a save (its banner) is rendered whole: its select written by the widget from the choices.
    rendered = text(field.client.get(f"{field.url}?saved={saved_id}"))
    assert "Tersimpan" in rendered or "Saved" in rendered
    assert SELECT.search(kept).group(0) == SELECT.search(rendered).group(0)
    assert "Iuran Warga Rentan 12500 · sisa kuota 12.500</option>" in SELECT.search(kept).group(0)


def test_places_left_changed_by_a_sign_up_do_not_render_the_page_again(field, app):  # noqa: F811
    programme_id = make_programme(app, 3)
    field.client.get(field.url)
    data = filled(field, payer="subsidy", subsidy_programme=str(programme_id))
    assert field.client.post(field.url, data=data).status_code == 303
    with captured_templates(app) as rendered:
        assert "Iuran Warga Rentan 3 · 2 places left" in text(field.client.get(field.url))
    assert rendered == []


def test_a_new_programme_shows_in_the_next_form(field, app):  # noqa: F811
    field.client.get(field.url)
    make_programme(app, 40)
    assert "Iuran Warga Rentan 40 · 40 places left" in text(field.client.get(field.url))


def test_a_new_rate_table_shows_in_the_next_form(field, app):  # noqa: F811
    assert rates_shown(text(field.client.get(field.url)))["jkm_flat"] == 6800
    with app.app_context():
        old = db.session.scalar(select(RateTable).order_by(RateTable.effective_from.desc()).limit(1))
        db.session.add(RateTable(effective_from=clock.today() - timedelta(days=1), jkk_rate=Decimal("0.012"),
                                 jkk_minimum=12_000, jkk_maximum=old.jkk_maximum, jkm_flat=7_000,
                                 jht_rate=old.jht_rate))
        db.session.commit()
    rates = rates_shown(text(field.client.get(field.url)))
    assert (rates["jkm_flat"], rates["jkk_rate"], rates["jkk_minimum"]) == (7000, "0.01200", 12000)


def test_the_visits_status_shows_in_the_next_form(field, app):  # noqa: F811
    html = text(field.client.get(field.url))
    assert 'name="form_key"' in html and "Close visit" in html
    with app.app_context():
        db.session.get(Visit, field.visit_id).status = VisitStatus.PLANNED
        db.session.commit()
    html = text(field.client.get(field.url))
    assert "start the visit on its page first" in html
    assert 'name="form_key"' not in html and "Close visit" not in html


def test_the_villages_name_shows_in_the_next_form(field, app):  # noqa: F811
    field.client.get(field.url)
    with app.app_context():
        db.session.get(Visit, field.visit_id).village.name = "Desa Baru Sekali"
        db.session.commit()
    assert "<title>New sign-up · Desa Baru Sekali · Jangkau</title>" in text(field.client.get(field.url))


def test_the_language_shows_in_the_next_form(field):  # noqa: F811
    assert "Sign a worker up" in text(field.client.get(field.url))
    field.client.post("/language", data={"language": "id"})
    html = text(field.client.get(field.url))
    assert "Daftarkan pekerja" in html and "Sign a worker up" not in html and '<html lang="id">' in html


def test_the_officer_shows_in_the_layout_of_the_next_form(field, app):  # noqa: F811
    field.client.get(field.url)
    with app.app_context():
        other = make_officer()
        visit = db.session.get(Visit, field.visit_id)
        visit.officers.append(other)
        db.session.commit()
        other_id, username = other.id, other.username
    client = app.test_client()
    client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert f'data-officer="{other_id}"' in text(client.get(field.url))
    assert f'data-officer="{field.officer_id}"' in text(field.client.get(field.url))


def test_a_message_waiting_in_the_session_shows_on_the_form(field):  # noqa: F811
    field.client.get(field.url)
    with field.client.session_transaction() as session:
        session["_flashes"] = [("success", "Attendance saved.")]
    assert '<p class="flash success" role="status">Attendance saved.</p>' in text(field.client.get(field.url))
    assert "Attendance saved." not in text(field.client.get(field.url))
