"""The consent text on the sign-up form and the sign-up page: the version shown, posted, refused when out of date."""

import re
from dataclasses import replace

import pytest

from campaign_app import clock
from campaign_app.signups import consent
from campaign_app.signups.consent import CONSENT_TEXTS
from tests.web import test_signup_form as form_page
from tests.web.test_signup_form import filled, signups, text

# The sign-up form's fixtures: an officer with a visit in progress, and the demo's sign-ups left out of the counts.
field = form_page.field
demo_signups = form_page.demo_signups

FIRST = CONSENT_TEXTS[0]
VERSION = re.compile(r'<input[^>]*name="consent_version"[^>]*>')


def version_posted_by(html: str) -> str:
    hidden = VERSION.search(html)
    assert hidden, "the form posts no consent version"
    return re.search(r'value="([^"]*)"', hidden.group(0)).group(1)


@pytest.fixture
def new_wording_today(monkeypatch):
    """A second wording, in force from today, after the officer opened the form."""
    second = replace(FIRST, version=2, label="2026-2", effective_from=clock.today(),
                     text_id="Saya setuju dengan teks baru.", text_en="I agree to the new text.")
    monkeypatch.setattr(consent, "CONSENT_TEXTS", (FIRST, second))
    return second


def test_the_form_shows_the_consent_text_in_force_and_posts_its_version(field):
    html = text(field.client.get(field.url))
    assert FIRST.text_en in html and "consent text version 2026-1" in html
    assert version_posted_by(html) == "1"


def test_the_form_shows_the_text_in_indonesian_to_a_reader_of_indonesian(field):
    field.client.post("/language", data={"language": "id"})
    assert FIRST.text_id in text(field.client.get(field.url))


def test_a_saved_sign_up_records_the_version_posted(field, app):
    assert field.client.post(field.url, data=filled(field)).status_code == 303
    assert [s.consent_version for s in signups(app)] == [1]


def test_a_form_opened_before_the_text_changed_is_refused_with_the_new_text_and_what_was_typed(field, app):
    opened = filled(field)  # the form as opened under version 1
    second = replace(FIRST, version=2, label="2026-2", effective_from=clock.today(),
                     text_id="Saya setuju dengan teks baru.", text_en="I agree to the new text.")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(consent, "CONSENT_TEXTS", (FIRST, second))
        response = field.client.post(field.url, data=opened)
    html = text(response)
    assert response.status_code == 422 and signups(app) == []
    assert "The consent text has changed since this form was opened" in html
    assert second.text_en in html and FIRST.text_en not in html
    assert version_posted_by(html) == "2"
    assert 'value="Siti Aminah"' in html
    # The worker is asked again: the box ticked for the old text is cleared.
    assert not re.search(r'<input[^>]*name="consent"[^>]*checked', html)


def test_the_form_sent_again_with_the_new_version_is_saved(field, app, new_wording_today):
    assert field.client.post(field.url, data=filled(field, consent_version="2")).status_code == 303
    assert [s.consent_version for s in signups(app)] == [2]


def test_the_sign_up_page_shows_the_version_consented_to(field, app):
    response = field.client.post(field.url, data=filled(field))
    shown = field.client.get(f"/signups/{signups(app)[0].id}")
    assert response.status_code == 303
    assert "to consent text version 2026-1" in text(shown)
