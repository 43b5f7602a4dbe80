"""The translation functions keep the request's catalogue: looked up once, never carried into the next request."""

from flask import render_template_string, session

from campaign_app import i18n
from campaign_app.i18n import force_locale, gettext, lazy_gettext, ngettext


def test_a_request_speaks_its_own_language_not_the_one_before_it(app):
    with app.test_request_context():
        session["language"] = "en"
        assert gettext("Sign out") == "Sign out"
    with app.test_request_context():
        assert gettext("Sign out") == "Keluar"


def test_the_catalogue_is_looked_up_once_a_request(app, monkeypatch):
    looked_up = []
    real = i18n.get_translations
    monkeypatch.setattr(i18n, "get_translations", lambda: looked_up.append(1) or real())
    with app.test_request_context():
        for _ in range(3):
            gettext("Sign out")
        str(lazy_gettext("Sign out"))
        render_template_string("{{ _('Sign out') }}")
    assert looked_up == [1]


def test_templates_translate_through_the_request_catalogue(app):
    with app.test_request_context():
        assert render_template_string("{{ _('Sign out') }}") == "Keluar"


def test_force_locale_inside_a_request_speaks_the_forced_language_then_the_requests_again(app):
    with app.test_request_context():
        assert gettext("Sign out") == "Keluar"
        with force_locale("en"):
            assert gettext("Sign out") == "Sign out"
        assert gettext("Sign out") == "Keluar"


def test_outside_a_request_the_default_language_is_spoken(app):
    with app.app_context():
        assert gettext("Sign out") == "Keluar"
        with force_locale("en"):
            assert gettext("Sign out") == "Sign out"


def test_ngettext_chooses_the_form_for_the_number_in_the_requests_language(app):
    with app.test_request_context():
        session["language"] = "en"
        assert [ngettext("%(num)d visit", "%(num)d visits", n) for n in (1, 2)] == ["1 visit", "2 visits"]
        assert i18n.language() == "en"
    with app.test_request_context():
        assert ngettext("%(num)d visit", "%(num)d visits", 2) == "2 kunjungan"
        assert i18n.language() == "id"


def test_templates_fill_in_the_variables_of_plural_forms(app):
    with app.test_request_context():
        rendered = render_template_string(
            "{{ ngettext('%(num)s place left in %(name)s.', '%(num)s places left in %(name)s.', 2, name='KUR') }}")
    assert rendered == "Sisa kuota KUR: 2 pekerja."


def test_templates_translate_with_a_context(app):
    with app.test_request_context():
        assert render_template_string("{{ pgettext('column', 'Villages') }}") == "Desa/kel."


def test_without_an_app_the_text_is_as_written():
    assert gettext("Sign out") == "Sign out"
