"""Forms a coordinator fills in to schedule, move, postpone and cancel visits, and to filter the lists."""

import re

from lokal import parse_rupiah
from wtforms import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from campaign_app.forms import (
    Form,
    HiddenField,
    MultiCheckboxField,
    SearchField,
    SelectField,
    StringField,
    TimeField,
    day_field,
    no_control_characters,
    no_control_characters_in_text,
    optional_int,
    strip,
)
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.visits.service import ACTIVITY_MAX, COST_MAX, REASON_MAX

FORM_KEY = re.compile(r"^[0-9a-f]{32}$")
RUPIAH_DIGITS = re.compile(r"^(?:rp\.?\s*)?(\d{1,3}(?:([.,\s])\d{3})(?:\2\d{3})*|\d+)(?:,-)?$", re.IGNORECASE)
VILLAGE_TEXT_MAX = 120


def one_time_key(value):
    """The hidden form key, or None when it was tampered with (the visit is then made without one)."""
    return value if isinstance(value, str) and FORM_KEY.match(value) else None


def parse_cost(text: str) -> int:
    """Whole Rupiah from what a person types: ``500.000``, ``Rp 500.000``, ``500000``, ``1,5 juta``.

    Raises ``ValueError`` with a message for the user.
    """
    text = text.strip()
    if text.startswith("-"):
        raise ValueError(_l("Enter zero or more."))
    match = RUPIAH_DIGITS.match(text)
    if match:
        amount = int(re.sub(r"\D", "", match.group(1)))
    else:
        parsed = parse_rupiah(text) if len(text) <= 40 else None
        if parsed is None or parsed.approximate or parsed.amount != int(parsed.amount):
            raise ValueError(_l("Enter an amount in whole Rupiah, for example 500.000."))
        amount = int(parsed.amount)
    if amount > COST_MAX:
        raise ValueError(_l("Enter at most Rp999.999.999.999."))
    return amount


class RupiahField(StringField):
    """An amount in whole Rupiah, typed the Indonesian way (``500.000``)."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = None
        self.data = parse_cost(valuelist[0])

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}".replace(",", ".") if isinstance(self.data, int) else ""


def _time_field(label):
    return TimeField(label, format=["%H:%M", "%H:%M:%S"], validators=[Optional()],
                     invalid_value_message=_l("Enter a time as hours:minutes (09:30)."))


class VisitForm(Form):
    """Schedule a visit: the campaign, the village, when, what, how much and who goes."""

    campaign = SelectField(
        _l("Campaign"), coerce=optional_int, choices=[], validators=[InputRequired(_l("Choose a campaign."))],
        invalid_value_message=_l("Choose one of the open campaigns listed."),
        invalid_choice_message=_l("Choose one of the open campaigns listed."),
    )
    village = SearchField(
        _l("Village"), filters=[strip],
        validators=[Length(max=VILLAGE_TEXT_MAX, message=_l("At most %(max)d characters.", max=VILLAGE_TEXT_MAX)),
                    no_control_characters],
    )
    # The village picked from the list of matches (radio buttons); wins over the typed text.
    village_code = StringField(filters=[strip], validators=[Length(max=13), no_control_characters])
    visit_date = day_field(_l("Date"), InputRequired(_l("Choose the date of the visit.")))
    start_time = _time_field(_l("Start time"))
    planned_activity = StringField(
        _l("Planned activity"), filters=[strip],
        validators=[DataRequired(_l("Describe the activity.")),
                    Length(max=ACTIVITY_MAX, message=_l("At most %(max)d characters.", max=ACTIVITY_MAX)),
                    no_control_characters],
    )
    planned_cost = RupiahField(_l("Planned cost (Rupiah)"), validators=[InputRequired(_l("Enter the cost, or 0."))])
    officers = MultiCheckboxField(
        _l("Officers"), coerce=int, choices=[],
        invalid_value_message=_l("Choose only officers listed."),
        invalid_choice_message=_l("Choose only officers of this branch listed."),
    )
    form_key = HiddenField(filters=[one_time_key])


class RescheduleForm(Form):
    """Move a visit to another day or time."""

    visit_date = day_field(_l("New date"), InputRequired(_l("Choose the new date.")))
    start_time = _time_field(_l("Start time"))


class ReasonForm(Form):
    """Why a visit is postponed or cancelled."""

    reason = TextAreaField(
        _l("Reason"), filters=[strip],
        validators=[DataRequired(_l("Give the reason.")),
                    Length(max=REASON_MAX, message=_l("At most %(max)d characters.", max=REASON_MAX)),
                    no_control_characters_in_text],
    )


class AssignForm(Form):
    """Add one officer to a visit."""

    officer_id = SelectField(
        _l("Add an officer"), coerce=optional_int, choices=[],
        validators=[InputRequired(_l("Choose an officer."))],
        invalid_value_message=_l("Choose one of the officers listed."),
        invalid_choice_message=_l("Choose one of the officers listed."),
    )


class VisitFilterForm(Form):
    """The visit list's filters, read from the query string."""

    class Meta:
        csrf = False

    campaign = SelectField(_l("Campaign"), choices=[], default="",
                           invalid_choice_message=_l("Choose one of the campaigns listed."))
    date_from = day_field(_l("From"), Optional())
    date_to = day_field(_l("To"), Optional())
    status = SelectField(_l("Status"), choices=[], default="",
                         invalid_choice_message=_l("Choose one of the statuses listed."))
    officer = SelectField(_l("Officer"), choices=[], default="",
                          invalid_choice_message=_l("Choose one of the officers listed."))
    regency = SelectField(_l("Regency"), choices=[], default="",
                          invalid_choice_message=_l("Choose one of the regencies listed."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end comes before the start."))
