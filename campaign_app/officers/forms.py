"""Forms coordinators fill in about officers: the roster's filter, assigning a visit, recording leave."""

from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from campaign_app.forms import DateField, Form, SelectField, StringField, no_control_characters, optional_int, strip
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.ids import ID_MAX
from campaign_app.officers.service import REASON_MAX

# Ids are 32-bit in every table; a larger number cannot name a record (and would overflow SQLite).


class DayField(DateField):
    """A date typed as year-month-day (the browser's date picker sends that), with our own message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date as year-month-day, for example 2026-11-02.")) from None


class RosterFilterForm(Form):
    """The roster's branch and week, read from the query string."""

    class Meta:
        csrf = False

    branch = SelectField(
        _l("Branch"), choices=[], default="",
        invalid_choice_message=_l("Choose one of the branches listed."),
    )
    week = DayField(_l("Week of"), validators=[Optional()])

    def __init__(self, branches: list[SelectChoice], **kwargs):
        super().__init__(**kwargs)
        self.branch.choices = [SelectChoice("", _l("All my branches")), *branches]


class AssignForm(Form):
    """Assign the officer to one of the branch's planned visits."""

    # Any visit of the branch is accepted, not only those listed: the route looks it up.
    visit_id = SelectField(
        _l("Visit"), coerce=optional_int, choices=[], validate_choice=False,
        validators=[InputRequired(_l("Choose a visit.")),
                    NumberRange(min=1, max=ID_MAX, message=_l("Choose one of the visits listed."))],
        invalid_value_message=_l("Choose one of the visits listed."),
    )


class LeaveForm(Form):
    starts_on = DayField(_l("First day away"), validators=[InputRequired(_l("Enter the first day away."))])
    ends_on = DayField(_l("Last day away"), validators=[InputRequired(_l("Enter the last day away."))])
    reason = StringField(
        _l("Reason"), filters=[strip],
        validators=[Length(max=REASON_MAX, message=_l("At most %(max)d characters.", max=REASON_MAX)),
                    no_control_characters],
    )
