"""The compact form that enters one row of a visit's paper sheet."""

from wtforms.fields.choices import SelectChoice

from campaign_app.forms import BooleanField, SelectField, StringField, optional_int
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.labels import PAYER_LABELS
from campaign_app.signups.forms import NIK_TYPED_MAX, WorkerFields, _line


class RowNumberField(StringField):
    """A row number typed as text: a whole number, else None for the service to refuse; shows what was typed."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return str(self.data) if isinstance(self.data, int) else ""

    def process_formdata(self, valuelist):
        typed = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        # Four digits at most: any longer is no row of a sheet, and int() is not asked to read a huge number.
        self.data = int(typed) if typed.isascii() and typed.isdigit() and len(typed) <= 4 else None


class PaperRowForm(WorkerFields):
    """One row of the sheet as typed from paper; the service checks the rules, the form only reads."""

    sheet_row = RowNumberField(_l("Row number on the sheet"))
    nik = _line(_l("NIK (16 digits)"), NIK_TYPED_MAX)
    payer = SelectField(_l("Who pays"), choices=[], validate_choice=False)
    subsidy_programme = SelectField(_l("Subsidy programme"), coerce=optional_int, choices=[], validate_choice=False,
                                    invalid_value_message=_l("Choose one of the programmes listed."))
    # Only a coordinator chooses: an officer typing the sheet is the officer who collected it.
    collector = SelectField(_l("Officer who collected the sheet"), coerce=optional_int, choices=[],
                            validate_choice=False, invalid_value_message=_l("Choose one of the officers listed."))
    consent = BooleanField(_l("The worker signed this row"))

    def __init__(self, programmes: list[SelectChoice] = (), officers: list[SelectChoice] = (), **kwargs):
        super().__init__(**kwargs)
        self.payer.choices = [SelectChoice(code.value, label) for code, label in PAYER_LABELS.items()]
        self.subsidy_programme.choices = [SelectChoice("", _l("None")), *programmes]
        self.collector.choices = list(officers)

    def values(self) -> dict:
        """The service's arguments from what was read (None where nothing could be read)."""
        return {
            "sheet_row": self.sheet_row.data, "collector_id": self.collector.data, "nik": self.nik.data or "",
            "full_name": self.full_name.data or "", "phone": self.phone.data, "occupation": self.occupation.data,
            "sector": self.sector.data, "with_jht": bool(self.with_jht.data),
            "declared_income": self.declared_income.data, "payer": self.payer.data,
            "subsidy_programme_id": self.subsidy_programme.data, "signed": bool(self.consent.data),
            "income_confirmed": bool(self.income_confirmed.data),
        }

