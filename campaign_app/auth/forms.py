from wtforms import RadioField, SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length

from campaign_app.auth.password_policy import MIN_PASSWORD_LENGTH
from campaign_app.forms import Form, HiddenField, PasswordField, StringField
from campaign_app.i18n import lazy_gettext as _l


class LoginForm(Form):
    username = StringField(
        _l("Username"),
        validators=[InputRequired(_l("Enter your username.")), Length(max=40, message=_l("At most 40 characters."))],
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password.")), Length(max=256, message=_l("Too long."))],
    )
    next = HiddenField()


class PasswordChangeForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password.")), Length(max=256)],
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Enter a new password.")),
            Length(min=MIN_PASSWORD_LENGTH, max=256,
                   message=_l("Between %(min)d and %(max)d characters.", min=MIN_PASSWORD_LENGTH, max=256)),
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new_password", message=_l("The two new passwords differ."))],
    )


class LanguageForm(Form):
    language = RadioField(
        _l("Language"),
        choices=[SelectChoice("id", "Bahasa Indonesia"), SelectChoice("en", "English")],
        validators=[InputRequired()],
    )
