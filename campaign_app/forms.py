"""Form pieces every blueprint uses: filters, validators and widgets."""

import re
import weakref
from functools import lru_cache

import wtforms
from babel import support
from flask import current_app, has_request_context
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError
from wtforms.widgets import ListWidget

from campaign_app import widgets
from campaign_app.dates import EARLIEST_DAY, LATEST_DAY
from campaign_app.i18n import language
from campaign_app.i18n import lazy_gettext as _l

# Control characters (NUL above all) cannot be stored by PostgreSQL and never belong in a name.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTERS_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")
# Invisible marks that reorder or hide text (U+202E shows "gnp.exe" as "exe.png"), the C0 controls but tab and line
# breaks (NUL above all, which PostgreSQL cannot store), and the C1 controls: no name or note needs them, and a lone
# one looks like an empty value.
INVISIBLE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
# Tabs and line breaks, which a one-line field cannot hold: pasted into one, they are read as a space.
LINE_BREAKS = re.compile(r"[\t\n\r]+")


def strip_invisible(value):
    """Remove control characters, bidirectional marks and other invisible formatting characters from typed text."""
    return INVISIBLE_CHARACTERS.sub("", value) if isinstance(value, str) else value


def one_line(value):
    """Tabs and line breaks pasted into a one-line field, read as a space."""
    return LINE_BREAKS.sub(" ", value) if isinstance(value, str) else value


@lru_cache(maxsize=8)
def _wtforms_catalogue(language: str) -> support.NullTranslations:
    """WTForms' own catalogue in ``language``: files of the installed package, which do not change while it runs."""
    return support.Translations.load(messages_path(), [language], domain="wtforms")


class WTFormsMessages:
    """WTForms' own messages (a field's default label, its built-in errors) in the request's language, as Flask-WTF
    gives them; its catalogue is loaded once per language, where Flask-WTF searched and read it from disk for every
    request that built a form (2 % of a sign-up POST). Outside a request, the text as written (as Flask-WTF)."""

    def gettext(self, string: str) -> str:
        return _wtforms_catalogue(language()).ugettext(string) if has_request_context() else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if not has_request_context():
            return singular if n == 1 else plural
        return _wtforms_catalogue(language()).ungettext(singular, plural, n)


WTFORMS_MESSAGES = WTFormsMessages()


class Form(FlaskForm):
    """The app's forms: every text field drops control and invisible characters (and a one-line field its line
    breaks) before its own filters and validators run. Passwords are taken exactly as typed."""

    class Meta:
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return WTFORMS_MESSAGES

        def bind_field(self, form, unbound_field, options):
            field = unbound_field.bind(form=form, **options)
            # WTForms' own base: text areas, search and the app's text fields alike.
            if isinstance(field, wtforms.StringField) and not isinstance(field, wtforms.PasswordField):
                cleaning = (strip_invisible,) if isinstance(field, wtforms.TextAreaField) else (strip_invisible,
                                                                                                one_line)
                field.filters = (*cleaning, *field.filters)
            # Weak: the form holds its fields; a field needs its form only to know if an earlier field took the focus.
            field.owner = weakref.ref(form)
            return field


# Fields a person does not see: a message on one of them is no place to put the focus.
UNSEEN_FIELDS = ("HiddenField", "CSRFTokenField")


def takes_focus(field) -> bool:
    """Whether ``field`` is the first field in error that its form renders (asked as the page is rendered, in the
    page's order): a refused form puts the focus there with ``autofocus``, which htmx honours in what it swaps,
    instead of leaving it on the page's <body>. The first field to ask keeps the focus for the rest of the render."""
    if not field.errors or field.type in UNSEEN_FIELDS:
        return False
    owner = getattr(field, "owner", None)
    form = owner() if owner is not None else None
    if form is None:
        return True
    if getattr(form, "focused_field", None) is None:
        form.focused_field = field.name
    return form.focused_field == field.name


# The app's fields: WTForms' own, rendered by ``campaign_app.widgets`` (ruff refuses WTForms' in other modules).
class StringField(wtforms.StringField):
    widget = widgets.TextInput()


class PasswordField(wtforms.PasswordField):
    widget = widgets.PasswordInput()


class HiddenField(wtforms.HiddenField):
    widget = widgets.HiddenInput()


class BooleanField(wtforms.BooleanField):
    widget = widgets.CheckboxInput()


class DateField(wtforms.DateField):
    widget = widgets.DateInput()


class TimeField(wtforms.TimeField):
    widget = widgets.TimeInput()


class IntegerField(wtforms.IntegerField):
    widget = widgets.NumberInput()


class SearchField(wtforms.SearchField):
    widget = widgets.SearchInput()


class SelectField(wtforms.SelectField):
    widget = widgets.Select()
    # Options written by the page instead of from the choices (see widgets.Select).
    written_options: str | None = None


def strip(value):
    return value.strip() if isinstance(value, str) else value


def lower(value):
    return value.lower() if isinstance(value, str) else value


def no_control_characters(form, field):
    """Refuse one-line text with control characters, which no name needs and PostgreSQL cannot store."""
    if isinstance(field.data, str) and CONTROL_CHARACTERS_IN_LINE.search(field.data):
        raise ValidationError(_l("Remove the special (control) characters."))


def no_control_characters_in_text(form, field):
    """Like ``no_control_characters`` for free text, where line breaks and tabs are fine."""
    if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError(_l("Remove the special (control) characters."))


def within_years(form, field):
    """Refuse a day outside the app's calendar: a typing mistake (and arithmetic near year 9999 overflows)."""
    if field.data is not None and not EARLIEST_DAY <= field.data <= LATEST_DAY:
        raise ValidationError(_l("Enter a date between 2000 and 2099."))


def day_field(label, *validators) -> DateField:
    """A day typed or picked as year-month-day, within the app's calendar."""
    return DateField(label, validators=[*validators, within_years],
                     invalid_value_message=_l("Enter a real date, as year-month-day (2026-11-30)."))


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes, which works on a phone without a long select."""

    widget = ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def optional_int(value):
    """An id from a select: None for the blank choice; anything else must be a whole number."""
    if value is None or value == "":
        return None
    return int(value)


