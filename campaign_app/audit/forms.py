"""The audit log's filters, read from the query string."""

from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from campaign_app.audit.queries import SUBJECT_LABELS
from campaign_app.forms import Form, IntegerField, SearchField, SelectField, day_field, no_control_characters, strip
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.ids import ID_MAX
from campaign_app.labels import AUDIT_ACTION_LABELS

ACTOR_MAX = 120
# Ids are database integers: anything larger names no record (and would overflow SQLite).


class AuditFilterForm(Form):
    """What to show: an action, who did it, a branch, a period of WITA days, and one record."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[], default="",
                         invalid_choice_message=_l("Choose one of the actions listed."))
    actor = SearchField(_l("Done by"), filters=[strip], validators=[
        Length(max=ACTOR_MAX, message=_l("At most %(max)d characters.", max=ACTOR_MAX)), no_control_characters])
    branch = SelectField(_l("Branch"), choices=[], default="",
                         invalid_choice_message=_l("Choose one of the branches listed."))
    date_from = day_field(_l("From"), Optional())
    date_to = day_field(_l("To"), Optional())
    subject = SelectField(_l("Record"), choices=[], default="",
                          invalid_choice_message=_l("Choose one of the kinds of record listed."))
    subject_id = IntegerField(_l("Record number"), validators=[
        Optional(), NumberRange(min=1, max=ID_MAX, message=_l("Enter a record number."))],
        invalid_value_message=_l("Enter a record number."), render_kw={"inputmode": "numeric"})

    def __init__(self, branches: list[SelectChoice], **kwargs):
        super().__init__(**kwargs)
        self.action.choices = [SelectChoice("", _l("All actions")),
                               *(SelectChoice(action.value, label) for action, label in AUDIT_ACTION_LABELS.items())]
        self.branch.choices = [SelectChoice("", _l("All branches")), *branches]
        self.subject.choices = [SelectChoice("", _l("Any record")),
                                *(SelectChoice(code, label) for code, label in SUBJECT_LABELS.items())]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end comes before the start."))
