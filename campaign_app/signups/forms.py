"""Forms an officer fills in to sign a worker up, and the forms that correct, void and find sign-ups."""

import re
import secrets
from collections.abc import Sequence
from datetime import date

from flask_wtf import FlaskForm
from lokal import parse_rupiah
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from campaign_app.forms import (
    BooleanField,
    DateField,
    Form,
    HiddenField,
    SearchField,
    SelectField,
    StringField,
    no_control_characters,
    no_control_characters_in_text,
    optional_int,
    strip,
)
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.ids import parse_id
from campaign_app.labels import OCCUPATION_LABELS, PAYER_LABELS, SECTOR_LABELS
from campaign_app.signups.changes import REASON_MAX
from campaign_app.signups.service import INCOME_MAX, NAME_MAX

# Longer than any way of writing a monthly income; longer text is not parsed at all.
INCOME_TEXT_MAX = 40
# parse_rupiah reads "-5" as 5: a minus (ASCII or U+2212) in front is caught before it.
NEGATIVE = re.compile(r"^\s*(?:rp\.?\s*)?[-\u2212]", re.IGNORECASE)
# A day as people type it (30/11/2026, 2026-11-30, 30-11-26): parse_rupiah would read its digits as an amount.
DATE_LIKE = re.compile(r"^\s*(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2})\s*$")
# What secrets.token_urlsafe(24) makes; anything else is a tampered or truncated form.
FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")
NIK_TYPED_MAX = 30
PHONE_TYPED_MAX = 30
SEARCH_MAX = 120
# Dates outside this range are typing mistakes (and date arithmetic near year 9999 overflows).
EARLIEST_BIRTH, LATEST_BIRTH = date(1900, 1, 1), date(2099, 12, 31)


def csrf_refused(form: FlaskForm) -> bool:
    """Whether the form's CSRF token was missing or wrong (there is none when CSRF is off)."""
    token = getattr(form, "csrf_token", None)
    return bool(token is not None and token.errors)


def new_form_key() -> str:
    """A fresh one-time key for a sign-up form."""
    return secrets.token_urlsafe(24)


def parse_income(text: str) -> int:
    """Whole Rupiah a month from how people write them: ``1.500.000``, ``1500000``, ``Rp 1.500.000``.

    Raises ``ValueError`` with the message to show for text that is no amount, a negative, zero, an
    approximate or fractional amount, or one above ``INCOME_MAX``.
    """
    text = (text or "").strip()
    if not text or len(text) > INCOME_TEXT_MAX:
        raise ValueError(_l("Enter the monthly income in Rupiah, such as 1.500.000."))
    if DATE_LIKE.match(text):
        raise ValueError(_l("This looks like a date: enter the monthly income in Rupiah, such as 1.500.000."))
    if NEGATIVE.search(text):
        raise ValueError(_l("Enter an income above zero."))
    try:
        parsed = parse_rupiah(text)
    except ArithmeticError:  # lokal gives up on some long runs of digits
        parsed = None
    if parsed is None:
        raise ValueError(_l("Enter the monthly income in Rupiah, such as 1.500.000."))
    if parsed.approximate:
        raise ValueError(_l("Enter the exact amount, such as 1.500.000."))
    if parsed.amount != int(parsed.amount):
        raise ValueError(_l("Enter whole Rupiah, without cents."))
    amount = int(parsed.amount)
    if amount <= 0:
        raise ValueError(_l("Enter an income above zero."))
    if amount > INCOME_MAX:
        raise ValueError(_l("Enter at most Rp1.000.000.000 a month."))
    return amount


class IncomeField(StringField):
    """A monthly income typed as text; shows what was typed back when it is refused."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}".replace(",", ".") if isinstance(self.data, int) else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and isinstance(valuelist[0], str) and valuelist[0].strip():
            self.data = parse_income(valuelist[0])


def one_time_key(value):
    """The hidden form key as sent, or None when it is not one this app makes."""
    return value if isinstance(value, str) and FORM_KEY.match(value) else None


def consent_version_shown(value):
    """The consent text's version the form showed, or None when what was sent names none."""
    if isinstance(value, int):
        return value
    return parse_id(value) if isinstance(value, str) else None


def _choices(labels: dict, blank) -> list[SelectChoice]:
    return [SelectChoice("", blank), *(SelectChoice(code.value, label) for code, label in labels.items())]


def sex_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("From the NIK")), SelectChoice("P", _l("Female")), SelectChoice("L", _l("Male"))]


def _birth_date_in_range(form, field):
    if field.data is not None and not EARLIEST_BIRTH <= field.data <= LATEST_BIRTH:
        raise ValidationError(_l("Enter a real date, as year-month-day (1995-08-05)."))


def _line(label, maximum: int, *validators):
    return StringField(label, filters=[strip], validators=[
        *validators, Length(max=maximum, message=_l("At most %(max)d characters.", max=maximum)),
        no_control_characters])


class WorkerFields(Form):
    """What a sign-up and its correction share: name, phone, work, JHT and income."""

    full_name = _line(_l("Full name (as on the KTP)"), NAME_MAX)
    phone = _line(_l("Phone (optional)"), PHONE_TYPED_MAX)
    occupation = SelectField(_l("Occupation"), choices=[], validate_choice=False)
    sector = SelectField(_l("Sector"), choices=[], validate_choice=False)
    with_jht = BooleanField(_l("JHT: old-age savings (optional, 2 percent of income)"))
    declared_income = IncomeField(_l("Declared monthly income (Rupiah)"), render_kw={"inputmode": "numeric"})
    # Shown when the income is below the lowest bracket: such an income is kept only when confirmed.
    income_confirmed = BooleanField(_l("The worker confirms this income: it is below the lowest bracket, and the "
                                       "contribution of the lowest bracket is charged"))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Checked against the codes by the service, whose message shows beside the field.
        self.occupation.choices = _choices(OCCUPATION_LABELS, _l("Choose an occupation"))
        self.sector.choices = [SelectChoice(code.value, label) for code, label in SECTOR_LABELS.items()]


# The programme select's first choice: no programme pays.
NO_PROGRAMME = _l("None")


class SignUpForm(WorkerFields):
    """The officer's sign-up form; the service checks the rules, the form only reads what was typed."""

    form_key = HiddenField(filters=[one_time_key])
    nik = _line(_l("NIK (16 digits, on the KTP)"), NIK_TYPED_MAX)
    sex = SelectField(_l("Sex"), choices=[], validate_choice=False)
    birth_date = DateField(_l("Birth date (optional: read from the NIK)"),
                           validators=[Optional(), _birth_date_in_range],
                           invalid_value_message=_l("Enter a real date, as year-month-day (1995-08-05)."))
    payer = SelectField(_l("Who pays"), choices=[], validate_choice=False)
    subsidy_programme = SelectField(_l("Subsidy programme"), coerce=optional_int, choices=[], validate_choice=False,
                                    invalid_value_message=_l("Choose one of the programmes listed."))
    consent = BooleanField(_l("The worker agrees"))
    # The consent text's version shown above the box: a sign-up records it, and the service refuses an older one.
    consent_version = HiddenField(filters=[consent_version_shown])

    def __init__(self, programmes: Sequence[SelectChoice] = (), **kwargs):
        super().__init__(**kwargs)
        self.sex.choices = sex_choices()
        self.payer.choices = [SelectChoice(code.value, label) for code, label in PAYER_LABELS.items()]
        self.offer(programmes)

    def offer(self, programmes: Sequence[SelectChoice]) -> None:
        """Offer these subsidy programmes (besides none); only what the page shows: the service checks the choice."""
        self.subsidy_programme.choices = [SelectChoice("", NO_PROGRAMME), *programmes]

    def values(self) -> dict:
        """The service's arguments from what was read (None where nothing could be read)."""
        return {
            "nik": self.nik.data or "", "full_name": self.full_name.data or "", "sex": self.sex.data or None,
            "birth_date": self.birth_date.data, "phone": self.phone.data, "occupation": self.occupation.data,
            "sector": self.sector.data, "with_jht": bool(self.with_jht.data),
            "declared_income": self.declared_income.data, "payer": self.payer.data,
            "subsidy_programme_id": self.subsidy_programme.data, "consent": bool(self.consent.data),
            "consent_version": self.consent_version.data, "income_confirmed": bool(self.income_confirmed.data),
        }


class CorrectionForm(WorkerFields):
    """What may be corrected on a sign-up; NIK, sex, birth date and payer are voided and recorded again."""

    def values(self) -> dict:
        return {
            "full_name": self.full_name.data or "", "phone": self.phone.data, "occupation": self.occupation.data,
            "sector": self.sector.data, "with_jht": bool(self.with_jht.data),
            "declared_income": self.declared_income.data, "income_confirmed": bool(self.income_confirmed.data),
        }


class VoidForm(Form):
    """Why a sign-up is voided."""

    reason = TextAreaField(_l("Reason for voiding"), filters=[strip], validators=[
        Length(max=REASON_MAX, message=_l("At most %(max)d characters.", max=REASON_MAX)),
        no_control_characters_in_text])


class SignUpFilterForm(Form):
    """The list's filters, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name or NIK"), filters=[strip], validators=[
        Length(max=SEARCH_MAX, message=_l("At most %(max)d characters.", max=SEARCH_MAX)), no_control_characters])
    status = SelectField(_l("Status"), choices=[], default="",
                         invalid_choice_message=_l("Choose one of the statuses listed."))
    campaign = SelectField(_l("Campaign"), choices=[], default="",
                           invalid_choice_message=_l("Choose one of the campaigns listed."))
