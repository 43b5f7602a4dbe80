"""The consent text in versions: which one is in force, and each sign-up recording the version it was shown."""

from dataclasses import replace
from datetime import timedelta

import pytest

from campaign_app.signups import consent
from campaign_app.signups.consent import CONSENT_TEXTS, consent_text, consent_text_on
from campaign_app.signups.service import consent_changed_message, record_signup
from campaign_app.validation import Refused
from tests.factories import TODAY, in_progress_visit, make_signup, signup_form

FIRST = CONSENT_TEXTS[0]


@pytest.fixture
def second_version_from_today(monkeypatch):
    """A second wording, in force from the factories' today."""
    second = replace(FIRST, version=2, label="2026-2", effective_from=TODAY, text_id="Teks baru.", text_en="New text.")
    monkeypatch.setattr(consent, "CONSENT_TEXTS", (FIRST, second))
    return second


def test_every_version_has_its_text_in_both_languages_and_a_distinct_number():
    assert len({text.version for text in CONSENT_TEXTS}) == len(CONSENT_TEXTS)
    assert all(text.text_id.strip() and text.text_en.strip() and text.label for text in CONSENT_TEXTS)


def test_the_first_version_is_the_text_the_form_showed_before_versions():
    assert FIRST.version == 1
    assert FIRST.text("en").startswith("I agree that BPJS Ketenagakerjaan and its officers process my personal data")
    assert FIRST.text("id").startswith("Saya setuju bahwa BPJS Ketenagakerjaan")


def test_the_version_in_force_is_the_latest_that_has_taken_effect(second_version_from_today):
    assert consent_text_on(TODAY - timedelta(days=1)) == FIRST
    assert consent_text_on(TODAY) == second_version_from_today


def test_a_version_is_found_by_its_number_and_an_unknown_number_finds_none(second_version_from_today):
    assert consent_text(2) == second_version_from_today
    assert consent_text(3) is None and consent_text(None) is None


def test_a_sign_up_records_the_version_of_the_consent_text_it_was_shown(app_context):
    assert make_signup().consent_version == consent_text_on(TODAY).version == 1


def test_a_sign_up_shown_the_new_version_records_it(app_context, second_version_from_today):
    assert make_signup(consent_version=2).consent_version == 2


def test_a_form_opened_before_the_text_changed_is_refused_asking_to_show_the_new_text(
        app_context, second_version_from_today):
    visit = in_progress_visit()
    with pytest.raises(Refused) as refused:
        record_signup(visit=visit, officer=visit.officers[0], **signup_form(consent_version=1))
    assert refused.value.errors == {"consent": [consent_changed_message()]}


@pytest.mark.parametrize("version", [None, 0, 99])
def test_a_form_naming_no_version_in_force_is_refused(app_context, version):
    visit = in_progress_visit()
    with pytest.raises(Refused) as refused:
        record_signup(visit=visit, officer=visit.officers[0], **signup_form(consent_version=version))
    assert refused.value.errors["consent"] == [consent_changed_message()]


def test_a_repeated_submit_after_the_text_changed_returns_the_first_sign_up(app_context, monkeypatch):
    visit = in_progress_visit()
    form = signup_form()
    first = record_signup(visit=visit, officer=visit.officers[0], **form).signup
    monkeypatch.setattr(consent, "CONSENT_TEXTS", (FIRST, replace(FIRST, version=2, effective_from=TODAY)))
    again = record_signup(visit=visit, officer=visit.officers[0], **form)
    assert again.repeated and again.signup.id == first.id and again.signup.consent_version == 1
