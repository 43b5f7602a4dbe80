"""The form an administrator fills in to add or change a subsidy programme."""

from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from campaign_app.forms import Form, StringField, day_field, no_control_characters, strip
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.rates.forms import WholeNumberField
from campaign_app.subsidies.service import NAME_MAX, PAYER_MAX


def _line(label, maximum: int, missing):
    return StringField(label, filters=[strip], validators=[
        DataRequired(missing), Length(max=maximum, message=_l("At most %(max)d characters.", max=maximum)),
        no_control_characters])


class ProgrammeForm(Form):
    """A programme's name, payer, period and quota."""

    name = _line(_l("Name"), NAME_MAX, _l("Enter a name."))
    payer = _line(_l("Paid by"), PAYER_MAX, _l("Enter who pays, such as Pemerintah Kota Palu."))
    starts_on = day_field(_l("Starts on"), InputRequired(_l("Enter the first day.")))
    ends_on = day_field(_l("Ends on"), InputRequired(_l("Enter the last day.")))
    quota = WholeNumberField(_l("Quota (workers)"), validators=[InputRequired(_l("Enter the quota."))],
                             render_kw={"inputmode": "numeric"})

    def validate_ends_on(self, field):
        # Also checked by the service; here so that it shows together with the other fields' messages.
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end comes before the start."))

    def values(self) -> dict:
        """The service arguments from a validated form."""
        return {"name": self.name.data, "payer": self.payer.data, "starts_on": self.starts_on.data,
                "ends_on": self.ends_on.data, "quota": self.quota.data}
