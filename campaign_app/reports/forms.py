"""The dashboard's filters, read from the query string and checked before any figure is computed."""

from dataclasses import fields

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from campaign_app.forms import MultiCheckboxField
from campaign_app.reports.choices import CompareChoices, FilterChoices
from campaign_app.reports.selection import Selection
from campaign_app.visits.forms import within_years

# The query-string names of the filters that narrow the figures, in the order of the form.
FILTER_NAMES = ("branch", "campaign", "date_from", "date_to", "regency", "district", "village", "channel", "officer")


def _day_field(label):
    return DateField(label, validators=[Optional(), within_years],
                     invalid_value_message=_l("Enter a real date, as year-month-day (2026-11-30)."))


class DashboardFilterForm(FlaskForm):
    """What the dashboard looks at. Every choice list is set by the route from what the viewer may see, so a
    value outside it (another branch's campaign, a huge id, a NUL character) is refused before any query."""

    class Meta:
        csrf = False

    branch = SelectField(_l("Branch"), choices=[], default="",
                         invalid_choice_message=_l("Choose one of the branches listed."))
    campaign = SelectMultipleField(_l("Campaigns"), choices=[], default=[],
                                   invalid_choice_message=_l("Choose campaigns from the list."))
    date_from = _day_field(_l("From"))
    date_to = _day_field(_l("To"))
    regency = SelectField(_l("Regency"), choices=[], default="",
                          invalid_choice_message=_l("Choose one of the regencies listed."))
    district = SelectField(_l("District"), choices=[], default="",
                           invalid_choice_message=_l("Choose one of the districts listed."))
    village = SelectField(_l("Village"), choices=[], default="",
                          invalid_choice_message=_l("Choose a village of your branches."))
    channel = SelectField(_l("Channel"), choices=[], default="",
                          invalid_choice_message=_l("Choose one of the channels listed."))
    officer = SelectField(_l("Officer"), choices=[], default="",
                          invalid_choice_message=_l("Choose one of the officers listed."))
    period = SelectField(_l("Trend by"), choices=[], default="week",
                         invalid_choice_message=_l("Choose weeks or months."))
    by = SelectField(_l("Break down by"), choices=[], default="regency",
                     invalid_choice_message=_l("Choose one of the breakdowns listed."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and not self.date_from.errors and field.data < self.date_from.data:
            raise ValidationError(_l("The end comes before the start."))

    def offer(self, choices: FilterChoices) -> None:
        """Set every field's choices (before ``validate``, which refuses a value outside them)."""
        for name in (field.name for field in fields(choices)):
            getattr(self, name).choices = [SelectChoice(value, label) for value, label in getattr(choices, name)]

    def valid(self, name: str):
        """The field's value when it was given and passed its checks, else None (the filter is left out)."""
        field = getattr(self, name)
        if field.errors or not field.data:
            return None
        return field.data

    def campaign_ids(self) -> list[int]:
        """The chosen campaigns the viewer may see: a refused one is dropped, the others still apply."""
        allowed = {choice.value for choice in self.campaign.choices}
        return sorted(int(value) for value in self.campaign.data or () if value in allowed)

    def selection(self, visible_branch_ids) -> Selection:
        """The filters that passed their checks, as a ``Selection`` of what the viewer may see."""
        branch, officer = self.valid("branch"), self.valid("officer")
        return Selection.for_viewer(
            visible_branch_ids, branch_id=int(branch) if branch else None, campaign_ids=self.campaign_ids(),
            date_from=self.valid("date_from"), date_to=self.valid("date_to"), regency_code=self.valid("regency"),
            district_code=self.valid("district"), village_code=self.valid("village"),
            channel=self.valid("channel"), officer_id=int(officer) if officer else None)

    def params(self) -> dict:
        """The filters that passed their checks as query-string values: what links to the same view carry."""
        params = {name: self.valid(name) for name in FILTER_NAMES if name != "campaign"}
        params = {name: value.isoformat() if hasattr(value, "isoformat") else value
                  for name, value in params.items() if value}
        if self.campaign_ids():
            params["campaign"] = self.campaign_ids()
        return params


class CompareForm(FlaskForm):
    """The campaigns to compare, read from the query string (``campaign`` repeated)."""

    class Meta:
        csrf = False

    # Offered only to a viewer of many branches, whose campaigns are listed one branch at a time.
    branch = SelectField(_l("Campaigns of the branch"), choices=[], validate_choice=False)
    campaign = MultiCheckboxField(_l("Campaigns to compare"), choices=[], default=[],
                                  invalid_choice_message=_l("Choose campaigns from the list."))

    def offer(self, choices: CompareChoices) -> None:
        """Offer the branches and campaigns of ``choices`` (as ``choices.compare_choices`` gives them)."""
        self.branch.choices = [SelectChoice(value, label) for value, label in choices.branch]
        self.branch.data = choices.listed_branch
        self.campaign.choices = [SelectChoice(str(id_), label) for id_, label in choices.campaign]

    def campaign_ids(self) -> list[int]:
        """The chosen campaigns the viewer may see, in the list's order."""
        chosen = set(self.campaign.data or ())
        return [int(choice.value) for choice in self.campaign.choices if choice.value in chosen]
