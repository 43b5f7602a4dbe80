"""Form pieces every blueprint uses: filters, validators and widgets."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, widgets
from wtforms.validators import ValidationError

# Control characters (NUL above all) cannot be stored by PostgreSQL and never belong in a name.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTERS_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")


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


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes, which works on a phone without a long select."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def optional_int(value):
    """An id from a select: None for the blank choice; anything else must be a whole number."""
    if value is None or value == "":
        return None
    return int(value)
