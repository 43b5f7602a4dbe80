"""Forms of the village registry: search, edit, CSV import, and the "where next" filters."""

from flask_babel import format_decimal
from flask_wtf.file import FileField, FileRequired
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from campaign_app.forms import (
    Form,
    SearchField,
    SelectField,
    StringField,
    no_control_characters,
    no_control_characters_in_text,
    strip,
)
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.labels import ACCESS_LABELS
from campaign_app.villages.service import SEARCH_MAX
from campaign_app.villages.values import NOTES_MAX, parse_count, parse_hours


class _ParsedField(StringField):
    """A text input read by one of the ``values`` parsers; what was typed is shown again on error."""

    @staticmethod
    def parse(text):
        raise NotImplementedError

    def process_formdata(self, valuelist):
        if valuelist:
            # A ValueError becomes the field's message (WTForms' process errors).
            self.data = self.parse(valuelist[0])

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.show(self.data)

    def show(self, value) -> str:
        return str(value)


class CountField(_ParsedField):
    parse = staticmethod(parse_count)


class HoursField(_ParsedField):
    parse = staticmethod(parse_hours)

    def show(self, value) -> str:
        return format_decimal(value, "0.#")


def access_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Not known")),
            *(SelectChoice(code.value, label) for code, label in ACCESS_LABELS.items())]


class VillageSearchForm(Form):
    """The registry's search box, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Village name or code"), filters=[strip],
                    validators=[Length(max=SEARCH_MAX, message=_l("Too long.")), no_control_characters])


class VillageForm(Form):
    """What the campaign knows of a village."""

    estimated_population = CountField(_l("Estimated population"))
    estimated_informal_workers = CountField(_l("Estimated informal workers"))
    access_class = SelectField(_l("Access"), choices=[], default="",
                               invalid_choice_message=_l("Choose one of the access classes listed."))
    travel_hours = HoursField(_l("Travel time from the branch (hours)"))
    notes = TextAreaField(_l("Notes"), filters=[strip], validators=[
        Length(max=NOTES_MAX, message=_l("At most %(max)d characters.", max=NOTES_MAX)),
        no_control_characters_in_text])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.access_class.choices = access_choices()


class ImportForm(Form):
    file = FileField(_l("CSV or Excel file"), validators=[FileRequired(_l("Choose a CSV or Excel file."))])


class WhereNextFilters(Form):
    """The ranking's filters, read from the query string; choices are the user's regencies and districts."""

    class Meta:
        csrf = False

    regency = SelectField(_l("Regency"), choices=[], default="",
                          invalid_choice_message=_l("Choose one of the regencies listed."))
    district = SelectField(_l("District"), choices=[], default="",
                           invalid_choice_message=_l("Choose one of the districts listed."))

    def __init__(self, regencies: list[tuple[str, str]], districts: list[tuple[str, str]], **kwargs):
        super().__init__(**kwargs)
        self.regency.choices = [SelectChoice("", _l("All regencies")),
                                *(SelectChoice(code, name) for code, name in regencies)]
        self.district.choices = [SelectChoice("", _l("All districts")),
                                 *(SelectChoice(code, name) for code, name in districts)]
