"""WTForms' widgets, with their HTML attributes written directly.

WTForms 3 writes each attribute through ``Markup.format`` (a pure-Python string formatter): about 470,000 CPU
instructions for one text input, two thirds of it there, and a third of the officer's sign-up form page. These
widgets write the same markup with one ``escape`` per value: the fields of ``campaign_app.forms`` use them.
"""

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.widgets.core import clean_key

# Each option's markup by (value, label, selected): pages write the same options over and over (occupations, every
# running subsidy programme), and writing one took as long as a small page's statement. Emptied when full.
_OPTIONS: dict[tuple[str, str, bool], str] = {}
OPTIONS_KEPT = 4096


def html_attributes(**attributes) -> Markup:
    """``wtforms.widgets.html_params``'s output, written directly: attributes sorted by name, ``True`` written bare,
    ``False`` left out, ``class_``/``for_`` and ``data_``/``aria_`` names cleaned as WTForms cleans them."""
    written = []
    for name, value in sorted(attributes.items()):
        if value is False:
            continue
        name = clean_key(name)
        written.append(name if value is True else f'{name}="{escape(value)}"')
    return Markup(" ".join(written))


class DirectAttributes:
    """Mixed into an ``Input`` widget: its attributes written by ``html_attributes``."""

    html_params = staticmethod(html_attributes)


class TextInput(DirectAttributes, widgets.TextInput):
    pass


class PasswordInput(DirectAttributes, widgets.PasswordInput):
    pass


class HiddenInput(DirectAttributes, widgets.HiddenInput):
    pass


class CheckboxInput(DirectAttributes, widgets.CheckboxInput):
    pass


class DateInput(DirectAttributes, widgets.DateInput):
    pass


class TimeInput(DirectAttributes, widgets.TimeInput):
    pass


class NumberInput(DirectAttributes, widgets.NumberInput):
    pass


class SearchInput(DirectAttributes, widgets.SearchInput):
    pass


class Select(widgets.Select):
    """A single select in one pass: each option's label translated once (WTForms' translates a lazy label twice
    per option and inspects ``render_option``'s signature on every call), and an option seen before written from
    memory. Grouped choices, choices other than ``SelectChoice`` and multiple selects render as WTForms renders
    them."""

    def __call__(self, field, **kwargs):
        # Options the page wrote itself (see campaign_app/signups/form_routes.py: the programmes', per request).
        options = getattr(field, "written_options", None)
        if options is None and not self.multiple:
            options = _remembered_options(field)
        if options is None and (self.multiple or field.has_groups()):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        for name in self.validation_attrs:
            if name not in kwargs and getattr(field.flags, name, False):
                kwargs[name] = True
        if options is None:
            written = []
            for choice in field.iter_choices():
                value = str(choice.value)
                label = str(choice.label) if choice.label is not None else ""
                attributes = html_attributes(value=value, selected=choice.selected, **(choice.render_kw or {}))
                written.append(f"<option {attributes}>{escape(label or value)}</option>")
            options = "".join(written)
        return Markup(f"<select {html_attributes(name=field.name, **kwargs)}>{options}</select>")


def option(value: str, label: str, selected: bool = False) -> str:
    """One ``<option>`` as ``Select`` writes it."""
    return f"<option {html_attributes(value=value, selected=selected)}>{escape(label or value)}</option>"


def _remembered_options(field) -> str | None:
    """The field's options, each written once per process, or None when a choice is not a ``SelectChoice`` (a tuple,
    a string), has attributes of its own or a group: those are written every time."""
    written = []
    for choice in field.choices or ():
        if type(choice) is not SelectChoice or choice.render_kw or choice.optgroup is not None:
            return None
        value = str(choice.value)
        label = str(choice.label) if choice.label is not None else ""
        # What WTForms' iter_choices compares.
        selected = field.coerce(choice.value) == field.data
        key = (value, label, selected)
        known = _OPTIONS.get(key)
        if known is None:
            if len(_OPTIONS) >= OPTIONS_KEPT:
                _OPTIONS.clear()
            known = _OPTIONS[key] = option(value, label, selected)
        written.append(known)
    return "".join(written)
