"""Forms of the sync pages: why a record from a phone is discarded, and a file of records to import."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from campaign_app.forms import Form, no_control_characters_in_text, strip

REASON_MAX = 500


class DiscardForm(Form):
    """Why a record from a phone is discarded: the officer and the audit log read it."""

    reason = TextAreaField(_l("Reason for discarding"), filters=[strip], validators=[
        DataRequired(_l("Give the reason.")),
        Length(max=REASON_MAX, message=_l("At most %(max)d characters.", max=REASON_MAX)),
        no_control_characters_in_text])


class ImportForm(Form):
    """A file of records exported from a phone."""

    file = FileField(_l("File exported from the phone (JSON)"),
                     validators=[FileRequired(_l("Choose the file the phone exported."))])
