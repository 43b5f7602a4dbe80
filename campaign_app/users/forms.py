"""Forms an administrator fills in to find, create and change user accounts."""

from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from campaign_app.auth.password_policy import MIN_PASSWORD_LENGTH
from campaign_app.forms import (
    BooleanField,
    Form,
    MultiCheckboxField,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
    lower,
    no_control_characters,
    optional_int,
    strip,
)
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.labels import ROLE_LABELS
from campaign_app.models import Role

USERNAME_PATTERN = r"^[a-z0-9._-]{3,40}$"
NAME_MAX = 120
PASSWORD_MAX = 256


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


LANGUAGE_CHOICES = [SelectChoice("id", "Bahasa Indonesia"), SelectChoice("en", "English")]


class UserFilterForm(Form):
    """The list's search box and filters, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), filters=[strip],
                    validators=[Length(max=NAME_MAX, message=_l("Too long.")), no_control_characters])
    role = SelectField(
        _l("Role"), choices=[], default="",
        invalid_choice_message=_l("Choose one of the roles listed."),
    )
    branch = SelectField(
        _l("Branch"), choices=[], default="",
        invalid_choice_message=_l("Choose one of the branches listed."),
    )

    def __init__(self, branches: list[SelectChoice], **kwargs):
        super().__init__(**kwargs)
        self.role.choices = [SelectChoice("", _l("All roles")), *role_choices()]
        self.branch.choices = [SelectChoice("", _l("All branches")), *branches]


class _AccountFields(Form):
    """What an administrator sets both when creating and when editing an account."""

    full_name = StringField(
        _l("Full name"), filters=[strip],
        validators=[DataRequired(_l("Enter the full name.")),
                    Length(max=NAME_MAX, message=_l("At most %(max)d characters.", max=NAME_MAX)),
                    no_control_characters],
    )
    role = SelectField(
        _l("Role"), choices=[], validators=[InputRequired(_l("Choose a role."))],
        invalid_choice_message=_l("Choose one of the roles listed."),
    )
    branch = SelectField(
        _l("Branch"), coerce=optional_int, choices=[], validators=[InputRequired(_l("Choose a branch."))],
        invalid_value_message=_l("Choose one of the branches listed."),
        invalid_choice_message=_l("Choose one of the branches listed."),
    )
    language = SelectField(
        _l("Language"), choices=LANGUAGE_CHOICES, default="id",
        validators=[InputRequired(_l("Choose a language."))],
        invalid_choice_message=_l("Choose one of the languages listed."),
    )
    covered_branches = MultiCheckboxField(
        _l("Other branches this manager follows"), coerce=int, choices=[],
        invalid_value_message=_l("Choose only branches listed."),
        invalid_choice_message=_l("Choose only branches listed; %(value)s is not one."),
    )
    covers_all_branches = BooleanField(_l("This manager follows every branch"))

    def __init__(self, branches: list[SelectChoice], **kwargs):
        super().__init__(**kwargs)
        self.role.choices = role_choices()
        self.branch.choices = [SelectChoice("", _l("Choose a branch")), *branches]
        self.covered_branches.choices = list(branches)


class NewUserForm(_AccountFields):
    username = StringField(
        _l("Username"), filters=[strip, lower],
        validators=[InputRequired(_l("Enter a username.")),
                    Regexp(USERNAME_PATTERN, message=_l(
                        "3 to 40 characters: lowercase letters, digits, dot, dash or underscore."))],
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[InputRequired(_l("Enter an initial password.")),
                    Length(min=MIN_PASSWORD_LENGTH, max=PASSWORD_MAX,
                           message=_l("Between %(min)d and %(max)d characters.",
                                      min=MIN_PASSWORD_LENGTH, max=PASSWORD_MAX))],
    )


class EditUserForm(_AccountFields):
    active = BooleanField(_l("Active (may sign in)"))


class PasswordResetForm(Form):
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Enter a new password.")),
                    Length(min=MIN_PASSWORD_LENGTH, max=PASSWORD_MAX,
                           message=_l("Between %(min)d and %(max)d characters.",
                                      min=MIN_PASSWORD_LENGTH, max=PASSWORD_MAX))],
    )
