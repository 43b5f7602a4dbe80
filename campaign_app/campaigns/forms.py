"""Forms a coordinator fills in to find, create and change campaigns."""

import re

from flask_babel import format_decimal
from lokal import parse_rupiah
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from campaign_app.campaigns.service import (
    BUDGET_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    PARTNER_MAX,
    SUBSIDY_PROGRAMME_MAX,
    TARGET_SIGNUPS_MAX,
    TARGET_VILLAGES_MAX,
)
from campaign_app.forms import (
    DateField,
    Form,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    no_control_characters,
    no_control_characters_in_text,
    optional_int,
    strip,
)
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.labels import CHANNEL_LABELS

# Longer than any way of writing ten trillion Rupiah; parsing longer text is pointless work.
BUDGET_TEXT_MAX = 40
NEGATIVE = re.compile(r"^\s*(?:rp\.?\s*)?[-\u2212]", re.IGNORECASE)


def parse_budget(text: str) -> int:
    """Whole Rupiah from how people write them: ``16.800``, ``16800``, ``Rp16.800``, ``Rp 1,5 jt``.

    Raises ``ValueError`` with the message to show for text that is no amount, a negative, an
    approximate (``2jtan``) or fractional amount, or one above ``BUDGET_MAX``.
    """
    text = text.strip()
    if not text:
        return 0
    if len(text) > BUDGET_TEXT_MAX:
        raise ValueError(_l("Enter an amount in Rupiah, such as 16.800."))
    if NEGATIVE.search(text):
        raise ValueError(_l("Enter zero or more."))
    parsed = parse_rupiah(text)
    if parsed is None:
        raise ValueError(_l("Enter an amount in Rupiah, such as 16.800."))
    if parsed.approximate:
        raise ValueError(_l("Enter the exact amount, such as 2.000.000."))
    if parsed.amount != int(parsed.amount):
        raise ValueError(_l("Enter whole Rupiah, without cents."))
    amount = int(parsed.amount)
    if amount > BUDGET_MAX:
        raise ValueError(_l("At most Rp%(max)s.", max=format_decimal(BUDGET_MAX)))
    return amount


class RupiahField(StringField):
    """Whole Rupiah typed as text; shows what was typed back when it is refused."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        # Rupiah are written with dots in either language, as the amounts on the pages are.
        return f"{self.data:,}".replace(",", ".") if self.data is not None else ""

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = None
            self.data = parse_budget(valuelist[0] if isinstance(valuelist[0], str) else "")


def channel_choices() -> list[SelectChoice]:
    return [SelectChoice(channel.value, label) for channel, label in CHANNEL_LABELS.items()]


def status_choices() -> list[SelectChoice]:
    return [SelectChoice("open", _l("Open")), SelectChoice("closed", _l("Closed")),
            SelectChoice("all", _l("Open and closed"))]


class CampaignFilterForm(Form):
    """The list's filters, read from the query string."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], default="open",
                         invalid_choice_message=_l("Choose one of the statuses listed."))
    branch = SelectField(_l("Branch"), choices=[], default="",
                         invalid_choice_message=_l("Choose one of the branches listed."))

    def __init__(self, branches: list[SelectChoice], **kwargs):
        super().__init__(**kwargs)
        self.status.choices = status_choices()
        self.branch.choices = [SelectChoice("", _l("All branches")), *branches]


def _count(label, maximum: int):
    return IntegerField(
        label, default=0, render_kw={"min": 0, "max": maximum, "inputmode": "numeric"},
        invalid_value_message=_l("Enter a whole number."),
        validators=[Optional(), NumberRange(min=0, max=maximum, message=_l(
            "Enter a whole number from %(min)s to %(max)s."))],
    )


def _line(label, maximum: int):
    return StringField(label, filters=[strip], validators=[
        Length(max=maximum, message=_l("At most %(max)d characters.", max=maximum)), no_control_characters])


class CampaignForm(Form):
    """A campaign's fields, as created and edited; the branch only when creating."""

    # A one-time key, set when the new-campaign form is shown (unused when editing).
    form_key = HiddenField(validators=[Length(max=64)])

    name = StringField(
        _l("Name"), filters=[strip],
        validators=[DataRequired(_l("Enter a name.")),
                    Length(max=NAME_MAX, message=_l("At most %(max)d characters.", max=NAME_MAX)),
                    no_control_characters],
    )
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(_l("Enter the first day."))],
                          invalid_value_message=_l("Enter a date such as 2026-11-02."))
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(_l("Enter the last day."))],
                        invalid_value_message=_l("Enter a date such as 2026-11-02."))
    channel = SelectField(_l("Channel"), choices=[], validators=[InputRequired(_l("Choose a channel."))],
                          invalid_choice_message=_l("Choose one of the channels listed."))
    target_signups = _count(_l("Target: sign-ups"), TARGET_SIGNUPS_MAX)
    target_villages = _count(_l("Target: villages"), TARGET_VILLAGES_MAX)
    budget = RupiahField(_l("Budget (Rupiah)"), default=0, render_kw={"inputmode": "numeric"})
    partner = _line(_l("Partner (optional)"), PARTNER_MAX)
    subsidy_programme = _line(_l("Subsidy programme (optional)"), SUBSIDY_PROGRAMME_MAX)
    description = TextAreaField(_l("Description (optional)"), filters=[strip], validators=[
        Length(max=DESCRIPTION_MAX, message=_l("At most %(max)d characters.", max=DESCRIPTION_MAX)),
        no_control_characters_in_text])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.channel.choices = channel_choices()

    def validate_ends_on(self, field):
        # Also checked by the service; here so that it shows together with the other fields' messages.
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end comes before the start."))

    def values(self) -> dict:
        """The service arguments from a validated form (blank counts are zero)."""
        return {
            "name": self.name.data, "channel": self.channel.data, "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data, "target_signups": self.target_signups.data or 0,
            "target_villages": self.target_villages.data or 0, "budget": self.budget.data or 0,
            "partner": self.partner.data, "subsidy_programme": self.subsidy_programme.data,
            "description": self.description.data,
        }


class NewCampaignForm(CampaignForm):
    branch = SelectField(
        _l("Branch"), coerce=optional_int, choices=[], validators=[InputRequired(_l("Choose a branch."))],
        invalid_value_message=_l("Choose one of the branches listed."),
        invalid_choice_message=_l("Choose one of the branches listed."),
    )

    def __init__(self, branches: list[SelectChoice], **kwargs):
        super().__init__(**kwargs)
        self.branch.choices = [SelectChoice("", _l("Choose a branch")), *branches]


class ConfirmForm(Form):
    """A button that closes or reopens a campaign; the hidden field tells a real click from a stray post."""

    confirm = HiddenField(default="yes", validators=[InputRequired()])
