"""The activation upload form."""

from flask_wtf.file import FileField, FileRequired

from campaign_app.forms import Form
from campaign_app.i18n import lazy_gettext as _l


class ActivationForm(Form):
    file = FileField(_l("File from the membership system (CSV or Excel)"),
                     validators=[FileRequired(_l("Choose a CSV or Excel file."))])
