"""The forms of a data-subject request: the NIK looked up, and an erasure's confirmation and reason."""

from wtforms import TextAreaField
from wtforms.validators import Length

from campaign_app.forms import Form, StringField, no_control_characters, no_control_characters_in_text, strip
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.privacy.service import REASON_MAX

NIK_TYPED_MAX = 30


class PersonSearchForm(Form):
    """The NIK of the person whose data is asked for: posted, never in an address."""

    nik = StringField(_l("NIK (16 digits)"), filters=[strip], validators=[
        Length(max=NIK_TYPED_MAX, message=_l("At most %(max)d characters.", max=NIK_TYPED_MAX)),
        no_control_characters])


class ErasureForm(Form):
    """An erasure's typed confirmation and the reason (the request it answers)."""

    confirmation = StringField(_l("Type HAPUS to confirm"), filters=[strip], validators=[
        Length(max=20, message=_l("At most %(max)d characters.", max=20)), no_control_characters])
    reason = TextAreaField(_l("Reason (the request it answers; no personal data)"), filters=[strip], validators=[
        Length(max=REASON_MAX, message=_l("At most %(max)d characters.", max=REASON_MAX)),
        no_control_characters_in_text])
