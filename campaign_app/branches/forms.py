"""The form an administrator fills in to create or change a branch."""

from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from campaign_app.forms import (
    Form,
    HiddenField,
    MultiCheckboxField,
    SelectField,
    StringField,
    no_control_characters,
    strip,
)
from campaign_app.i18n import gettext as _
from campaign_app.i18n import lazy_gettext as _l

NAME_MAX = 120


class ProvinceForm(Form):
    """The province whose regencies the branch form offers; read from the query string."""

    class Meta:
        csrf = False

    province = SelectField(
        _l("Province"), choices=[],
        invalid_choice_message=_l("Choose one of the provinces listed."),
    )

    def __init__(self, provinces: list[SelectChoice], **kwargs):
        super().__init__(**kwargs)
        self.province.choices = provinces


class BranchForm(Form):
    name = StringField(
        _l("Name"), filters=[strip],
        validators=[DataRequired(_l("Enter the branch's name.")),
                    Length(max=NAME_MAX, message=_l("At most %(max)d characters.", max=NAME_MAX)),
                    no_control_characters],
    )
    # Which province's regencies the form showed: coverage elsewhere is left as it was.
    province = HiddenField()
    home_regency = SelectField(
        _l("Office regency"), choices=[], validators=[InputRequired(_l("Choose the regency of the office."))],
        invalid_choice_message=_l("Choose one of the regencies listed."),
    )
    regencies = MultiCheckboxField(
        _l("Regencies covered"), choices=[],
        invalid_choice_message=_l("Choose only regencies of the province shown; %(value)s is not one."),
    )

    def set_regencies(self, options, keep_home=None) -> None:
        """Offer the regencies of one province, noting the other branch covering each.

        ``keep_home``, the branch's office regency, stays offered even when it lies in another province.
        """
        homes = [SelectChoice(o.code, o.name) for o in options]
        if keep_home is not None and keep_home.code not in {o.code for o in options}:
            homes.insert(0, SelectChoice(keep_home.code, keep_home.name))
        self.home_regency.choices = [SelectChoice("", _l("Choose a regency")), *homes]
        self.regencies.choices = [
            # gettext, not lazy_gettext: a lazy string counts as safe HTML, and a branch name is typed by people.
            SelectChoice(o.code, _("%(regency)s (covered by %(branch)s)", regency=o.name, branch=o.covered_by)
                         if o.covered_by else o.name)
            for o in options
        ]
