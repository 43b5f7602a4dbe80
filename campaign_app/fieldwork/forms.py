"""Forms of the visit day: the officer's attendance form, and the coordinator's reason to reopen."""

import re

from wtforms import SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from campaign_app.fieldwork.service import ATTENDANCE_MAX, NOTES_MAX
from campaign_app.forms import Form, IntegerField, MultiCheckboxField, no_control_characters_in_text, strip
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.labels import OBSTACLE_LABELS
from campaign_app.models import Obstacle
from campaign_app.visits.service import REASON_MAX

# A minus sign is read, so that "-3" is told the range rather than "not a number".
WHOLE_NUMBER = re.compile(r"^\s*-?[0-9]{1,9}\s*$")


class CountField(IntegerField):
    """A head count typed on a phone: ASCII digits only, with our own message for anything else."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        if not WHOLE_NUMBER.match(valuelist[0]):
            self.data = None
            raise ValueError(_l("Enter a whole number, for example 12."))
        self.data = int(valuelist[0])


def within_count(form, field):
    if field.data is not None and not 0 <= field.data <= ATTENDANCE_MAX:
        raise ValidationError(_l("Enter a number from 0 to %(max)d.", max=ATTENDANCE_MAX))


def _count_field(label):
    return CountField(
        label, validators=[InputRequired(_l("Enter a number, 0 if nobody came.")), within_count],
        render_kw={"inputmode": "numeric", "min": 0, "max": ATTENDANCE_MAX},
    )


class AttendanceForm(Form):
    """Who came to the visit, what got in the way, and anything else worth telling the office."""

    women = _count_field(_l("Women"))
    men = _count_field(_l("Men"))
    obstacles = MultiCheckboxField(
        _l("Obstacles"), choices=[SelectChoice(o.value, OBSTACLE_LABELS[o]) for o in Obstacle],
        invalid_choice_message=_l("Choose only obstacles listed."),
    )
    notes = TextAreaField(
        _l("Notes"), filters=[strip],
        validators=[Length(max=NOTES_MAX, message=_l("At most %(max)d characters.", max=NOTES_MAX)),
                    no_control_characters_in_text],
    )
    # The second button: the sign-up form next, in the same answer (attendance is mostly counted before sign-ups).
    then_sign_up = SubmitField(_l("Save and sign workers up"))


class ReopenForm(Form):
    """Why a closed visit is reopened; the officers see it, and the audit log keeps it."""

    reason = TextAreaField(
        _l("Reason"), filters=[strip],
        validators=[DataRequired(_l("Give the reason.")),
                    Length(max=REASON_MAX, message=_l("At most %(max)d characters.", max=REASON_MAX)),
                    no_control_characters_in_text],
    )
