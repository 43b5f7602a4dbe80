"""The form an administrator fills in to add a rate table, and the fields that read Indonesian numbers."""

import re
from decimal import Decimal

from wtforms.validators import InputRequired, ValidationError

from campaign_app.forms import Form, StringField, day_field
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.models.signups import ENROLMENT_AGE_LIMIT, ENROLMENT_MIN_AGE
from campaign_app.rates.lapse import MAX_ARREARS_MONTHS

# The BPU enrolment range when none is typed: working age to under 65.
DEFAULT_MIN_AGE, DEFAULT_MAX_AGE = ENROLMENT_MIN_AGE, ENROLMENT_AGE_LIMIT - 1
# Longer than any way of writing the amounts and percentages here; parsing longer text is pointless.
TEXT_MAX = 30
# "1", "0,54", "0.54", "1 %": a decimal comma (Indonesian) or point, at most one of them.
PERCENT = re.compile(r"^(\d{1,3})(?:[.,](\d{1,6}))?\s*%?$")
# "10.000", "10000", "Rp10.000", "Rp 10.000": dots (or spaces) group thousands, as Rupiah are written.
WHOLE = re.compile(r"^(?:rp\.?\s*)?(\d{1,3}(?:([.\s])\d{3})(?:\2\d{3})*|\d+)(?:,-)?$", re.IGNORECASE)


def parse_whole(text: str) -> int | None:
    """A whole number as Indonesians write it (``10.000``, ``Rp 10.000``, ``15000``); None when it is not one."""
    text = text.strip()
    if len(text) > TEXT_MAX:
        return None
    match = WHOLE.match(text)
    return int(re.sub(r"\D", "", match.group(1))) if match else None


def parse_percent(text: str) -> Decimal | None:
    """A percentage typed as ``1``, ``0,54`` or ``0.54 %``; None when it is not one."""
    match = PERCENT.match(text.strip()) if len(text) <= TEXT_MAX else None
    if match is None:
        return None
    whole, decimals = match.groups()
    return Decimal(f"{whole}.{decimals}" if decimals else whole)


class _TypedField(StringField):
    """Text parsed into a value; what was typed is shown back when it is refused."""

    refusal = None

    def parse(self, text: str):
        raise NotImplementedError

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and isinstance(valuelist[0], str) and valuelist[0].strip():
            self.data = self.parse(valuelist[0])
            if self.data is None:
                raise ValueError(self.refusal)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.show(self.data) if self.data is not None else ""

    def show(self, value) -> str:
        return str(value)


class WholeNumberField(_TypedField):
    """A count or an amount typed with thousands dots (``15.000``)."""

    refusal = _l("Enter a whole number, such as 15.000.")

    def parse(self, text):
        return parse_whole(text)

    def show(self, value):
        return f"{value:,}".replace(",", ".")


class RupiahField(WholeNumberField):
    refusal = _l("Enter an amount in whole Rupiah, such as 10.000.")


class PercentField(_TypedField):
    """A percentage with a decimal comma (``0,54``) or point."""

    refusal = _l("Enter a percentage such as 1 or 0,54.")

    def parse(self, text):
        return parse_percent(text)

    def show(self, value):
        return format(value, "f").replace(".", ",")


class RateTableForm(Form):
    """A new rate table: the day it takes effect and its rates."""

    effective_from = day_field(_l("In force from"), InputRequired(_l("Enter the first day the rates apply.")))
    jkk_rate = PercentField(_l("JKK rate (percent of declared income)"),
                            validators=[InputRequired(_l("Enter the JKK rate."))], render_kw={"inputmode": "decimal"})
    jkk_minimum = RupiahField(_l("JKK minimum (Rupiah)"), validators=[InputRequired(_l("Enter the JKK minimum."))],
                              render_kw={"inputmode": "numeric"})
    jkk_maximum = RupiahField(_l("JKK maximum (Rupiah)"), validators=[InputRequired(_l("Enter the JKK maximum."))],
                              render_kw={"inputmode": "numeric"})
    jkm_flat = RupiahField(_l("JKM per month (Rupiah)"), validators=[InputRequired(_l("Enter the JKM amount."))],
                           render_kw={"inputmode": "numeric"})
    jht_rate = PercentField(_l("JHT rate (percent of declared income)"),
                            validators=[InputRequired(_l("Enter the JHT rate."))], render_kw={"inputmode": "decimal"})

    # Left empty: the agency's BPU range, from working age (15) to 64.
    enrolment_min_age = WholeNumberField(_l("Youngest age to enrol"), default=DEFAULT_MIN_AGE,
                                         render_kw={"inputmode": "numeric"})
    enrolment_max_age = WholeNumberField(_l("Oldest age to enrol"), default=DEFAULT_MAX_AGE,
                                         render_kw={"inputmode": "numeric"})

    def validate_jkk_maximum(self, field):
        # Also checked by the service; here so that it shows together with the other fields' messages.
        if field.data is not None and self.jkk_minimum.data is not None and field.data < self.jkk_minimum.data:
            raise ValidationError(_l("The maximum is below the minimum."))

    def values(self) -> dict:
        """The service arguments from a validated form."""
        return {"effective_from": self.effective_from.data, "jkk_percent": self.jkk_rate.data,
                "jkk_minimum": self.jkk_minimum.data, "jkk_maximum": self.jkk_maximum.data,
                "jkm_flat": self.jkm_flat.data, "jht_percent": self.jht_rate.data,
                "enrolment_min_age": _or(self.enrolment_min_age.data, DEFAULT_MIN_AGE),
                "enrolment_max_age": _or(self.enrolment_max_age.data, DEFAULT_MAX_AGE)}


class LapseRuleForm(Form):
    """A new lapse rule: the day it takes effect and the months of arrears a member may have."""

    effective_from = day_field(_l("In force from"), InputRequired(_l("Enter the first day the rule applies.")))
    arrears_months = WholeNumberField(_l("Months of arrears allowed"),
                                      validators=[InputRequired(_l("Enter a number of months from 0 to %(max)d.",
                                                                   max=MAX_ARREARS_MONTHS))],
                                      render_kw={"inputmode": "numeric"})

    def values(self) -> dict:
        """The service arguments from a validated form."""
        return {"effective_from": self.effective_from.data, "arrears_months": self.arrears_months.data}


def _or(value, default):
    return default if value is None else value
