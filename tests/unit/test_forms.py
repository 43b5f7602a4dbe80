"""The app's base form and its widgets: every text field drops bidirectional and invisible marks before anything else
reads it; a select writes what WTForms writes."""

import importlib
import pkgutil

import wtforms.widgets
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice

import campaign_app
from campaign_app.forms import (
    WTFORMS_MESSAGES,
    Form,
    PasswordField,
    SelectField,
    StringField,
    optional_int,
    strip,
    takes_focus,
)
from campaign_app.i18n import force_locale
from campaign_app.i18n import lazy_gettext as _l


class Note(Form):
    class Meta:
        csrf = False

    name = StringField(filters=[strip])
    text = TextAreaField()
    password = PasswordField()


def test_bidirectional_and_invisible_marks_are_dropped_from_every_text_field(app):
    with app.test_request_context():
        form = Note(formdata=MultiDict({"name": " \u202eSiti\u200b Aminah\u200f ", "text": "baris\u2066 satu\ufeff"}))
        assert (form.name.data, form.text.data) == ("Siti Aminah", "baris satu")


def test_control_characters_are_dropped_and_a_one_line_field_reads_line_breaks_as_spaces(app):
    with app.test_request_context():
        form = Note(formdata=MultiDict({"name": "Pasar\x00 Malam\x1b\x7f\x85\tRaya",
                                        "text": "baris\x00 satu\nbaris\tdua"}))
        assert (form.name.data, form.text.data) == ("Pasar Malam Raya", "baris satu\nbaris\tdua")


def test_a_password_is_taken_exactly_as_typed(app):
    with app.test_request_context():
        assert Note(formdata=MultiDict({"password": "kata\u200bsandi\x01"})).password.data == "kata\u200bsandi\x01"


def test_every_form_of_the_app_is_built_on_the_base_form():
    for module in pkgutil.walk_packages(campaign_app.__path__, "campaign_app."):
        importlib.import_module(module.name)
    forms = [cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith("campaign_app.")]
    assert forms and [cls.__qualname__ for cls in forms if not issubclass(cls, Form)] == []


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_the_first_field_in_error_the_page_renders_takes_the_focus_and_keeps_it(app):
    with app.test_request_context():
        form = Note(formdata=MultiDict({}))
        form.name.errors, form.text.errors = ["needed"], ["needed"]
        # Rendered in the page's order, text before name: text is the first field in error the person meets.
        assert [takes_focus(form.text), takes_focus(form.name), takes_focus(form.text)] == [True, False, True]
        assert not takes_focus(form.password)


class Choosing(Form):
    class Meta:
        csrf = False

    programme = SelectField(coerce=optional_int, choices=[], validate_choice=False)


def test_a_select_writes_its_options_as_wtforms_does_from_memory_too(app):
    with app.test_request_context():
        choices = [SelectChoice("", _l("None")), SelectChoice("7", 'Subsidi "Palu" & <Sigi>'), SelectChoice("12", "B")]
        written = []
        for posted in ("12", "7", "12"):
            form = Choosing(formdata=MultiDict({"programme": posted}))
            form.programme.choices = list(choices)
            written.append((str(form.programme()), str(wtforms.widgets.Select()(form.programme))))
        assert all(ours == theirs for ours, theirs in written)
        assert '<option selected value="12">B</option>' in written[2][0] and "&lt;Sigi&gt;" in written[1][0]


def test_wtforms_own_messages_are_read_in_the_request_language_as_flask_wtf_reads_them(app):
    # The catalogue is loaded once per language (WTFORMS_MESSAGES), not read from disk for each request.
    from flask_wtf.i18n import translations

    for language, translated in (("de", True), ("id", False), ("en", False)):
        with app.test_request_context(), force_locale(language):
            form = Note()
            assert form.meta.get_translations(form) is WTFORMS_MESSAGES
            for text in ("This field is required.", "Not a valid integer value.", "Form Key"):
                assert WTFORMS_MESSAGES.gettext(text) == translations.gettext(text)
            assert WTFORMS_MESSAGES.ngettext("%(num)d character", "%(num)d characters", 2) \
                == translations.ngettext("%(num)d character", "%(num)d characters", 2)
            assert (WTFORMS_MESSAGES.gettext("This field is required.") != "This field is required.") is translated
