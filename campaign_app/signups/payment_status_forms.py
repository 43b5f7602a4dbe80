"""The monthly payment status upload form: the file and the month it reports."""

from datetime import date

from flask_babel import format_date
from flask_wtf.file import FileField, FileRequired
from wtforms.validators import InputRequired, Optional, Regexp

from campaign_app.forms import Form, HiddenField, SelectField
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.models.payments import month_number, month_start

# Months offered: this one and the year before it (a file comes once a month, uploaded soon after).
MONTHS_OFFERED = 13


class PaymentStatusForm(Form):
    file = FileField(_l("File from the membership system (CSV or Excel)"),
                     validators=[FileRequired(_l("Choose a CSV or Excel file."))])
    month = SelectField(_l("Month the file reports"), validators=[InputRequired(_l("Choose the month."))])
    # The form's one-time key: sent twice (a double tap, a reload), it finds the first upload's job.
    upload_key = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{16,64}$",
                                                            message=_l("The form is damaged: open the page again."))])

    def offer_months(self, today: date) -> None:
        """Offer this month and the twelve before it, last month chosen unless another was."""
        this_month = month_number(today)
        months = [month_start(this_month - back) for back in range(MONTHS_OFFERED)]
        self.month.choices = [(m.isoformat()[:7], format_date(m, "MMMM yyyy")) for m in months]
        self._default_month = months[1]
        if not self.month.data:
            self.month.data = months[1].isoformat()[:7]

    @property
    def chosen_month(self) -> date:
        """The first day of the month chosen; last month when the choice is not one offered (refused then)."""
        offered = {value: value for value, _label in self.month.choices or []}
        if self.month.data not in offered:
            return self._default_month
        year, month = self.month.data.split("-")
        return date(int(year), int(month), 1)
