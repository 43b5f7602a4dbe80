"""The active participants' filters: the dashboard's, and the month whose participants paid up are counted."""

from datetime import date

from flask_babel import format_date

from campaign_app.forms import SelectField
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.models.payments import month_number, month_start
from campaign_app.reports.forms import DashboardFilterForm
from campaign_app.summaries.retention import CURVE_MONTHS

# Months offered: this one and those before it the retention roll-up still follows someone in (25 months).
MONTHS_OFFERED = CURVE_MONTHS


class ActiveFilterForm(DashboardFilterForm):
    """The dashboard's filters and the month counted (``YYYY-MM``, one of ``MONTHS_OFFERED``)."""

    month = SelectField(_l("Month"), choices=[], default="",
                        invalid_choice_message=_l("Choose one of the months listed."))

    def offer_months(self, today: date, latest_reported: date | None) -> None:
        """Offer this month and the 24 before it; unless another is asked for, the latest month a payment file
        reported (else last month) is chosen."""
        this_month = month_number(today)
        months = [month_start(this_month - back) for back in range(MONTHS_OFFERED)]
        self.month.choices = [(m.isoformat()[:7], format_date(m, "MMMM yyyy")) for m in months]
        default = latest_reported if latest_reported in months else months[1]
        self._default_month = default
        if not self.month.data:
            self.month.data = default.isoformat()[:7]

    @property
    def chosen_month(self) -> date:
        """The first day of the month chosen; the default one when the choice is refused (its message shown)."""
        if self.month.errors or self.month.data not in {value for value, _label in self.month.choices}:
            return self._default_month
        year, month = self.month.data.split("-")
        return date(int(year), int(month), 1)
