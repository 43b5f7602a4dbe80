"""The dashboard's filters, read from the query string and checked before any figure is computed."""

from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from campaign_app.forms import Form, MultiCheckboxField, SelectField, day_field
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.reports.choices import CompareChoices, FilterChoices
from campaign_app.reports.selection import Selection

# The query-string names of the filters that narrow the figures, in the order of the form.
FILTER_NAMES = ("branch", "campaign", "date_from", "date_to", "regency", "district", "village", "channel", "officer")
# The fields whose choices ``FilterChoices`` holds.
CHOICE_NAMES = ("province", "branch", "campaign", "regency", "district", "village", "channel", "officer", "period",
                "by")
# What the choices depend on (``filter_choices``'s inputs, besides an officer or campaign a link asks for, and the
# province, which the form's own province list swaps in place).
CHOICE_INPUTS = ("branch", "regency", "district", "village")
# What a view's URL says besides its filters: which province's branches are listed, the trend's period, the breakdown.
VIEW_NAMES = ("province", "period", "by")


class DashboardFilterForm(Form):
    """What the dashboard looks at. Every choice list is set by the route from what the viewer may see, so a
    value outside it (another branch's campaign, a huge id, a NUL character) is refused before any query."""

    class Meta:
        csrf = False

    # Set by ``offer``: the choices, and whether the query string asked for the province whose branches are listed.
    offered: FilterChoices | None = None
    province_asked = False
    # Not a filter: which province's branches the branch list holds, for a viewer of too many to list at once.
    province = SelectField(_l("Branches in the province"), choices=[], validate_choice=False)
    branch = SelectField(_l("Branch"), choices=[], default="",
                         invalid_choice_message=_l("Choose one of the branches listed."))
    campaign = SelectMultipleField(_l("Campaigns"), choices=[], default=[],
                                   invalid_choice_message=_l("Choose campaigns from the list."))
    date_from = day_field(_l("From"), Optional())
    date_to = day_field(_l("To"), Optional())
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
        """Set every field's choices (before ``validate``, which refuses a value outside them), and show the
        province whose branches are listed."""
        self.offered = choices
        for name in CHOICE_NAMES:
            getattr(self, name).choices = [SelectChoice(value, label) for value, label in getattr(choices, name)]
        self.province_asked = bool(self.province.data) and self.province.data == choices.listed_province
        self.province.data = choices.listed_province

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
        """The filters that passed their checks as query-string values, and the province whose branches are
        listed when it was asked for: what links to the same view carry (an export ignores the province)."""
        params = {name: self.valid(name) for name in FILTER_NAMES if name != "campaign"}
        params = {name: value.isoformat() if hasattr(value, "isoformat") else value
                  for name, value in params.items() if value}
        if self.campaign_ids():
            params["campaign"] = self.campaign_ids()
        if self.province_asked:
            params["province"] = self.province.data
        return params


def _given(args, name: str) -> list[str]:
    return sorted(value for value in args.getlist(name) if value)


def form_is_current(asked, shown, from_form: bool) -> bool:
    """Whether the filter form a browser shows can stay as it is for the view the query ``asked`` (a MultiDict)
    needs, its messages aside (the caller checks them).

    The browser shows the form drawn for the query ``shown`` (as its request names it; None when unknown), changed
    by the user into ``asked`` when the request comes ``from_form``. The form stays when what its choices depend
    on is unchanged (the branch, regency, district and village asked for; for a link, the officer and campaigns
    too); a link (a drill-down) must also leave every value it shows unchanged. The province is left out for the
    form: choosing one swaps the form at once, and the form sends the one listed, which the URL may not name."""
    if shown is None:
        return False
    inputs = CHOICE_INPUTS if from_form else (*CHOICE_INPUTS, "officer", "campaign")
    if any(_given(asked, name) != _given(shown, name) for name in inputs):
        return False
    return from_form or all(_given(asked, name) == _given(shown, name) for name in (*FILTER_NAMES, *VIEW_NAMES))


class CompareForm(Form):
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



class RetentionFilterForm(DashboardFilterForm):
    """The dashboard's filters, narrowed to a payer or not, and the retention breakdown (its own dimensions)."""

    payer = SelectField(_l("Paid by"), choices=[], default="",
                        invalid_choice_message=_l("Choose one of the payers listed."))
    by = SelectField(_l("Break down by"), choices=[], default="campaign",
                     invalid_choice_message=_l("Choose one of the breakdowns listed."))
    # Set by the route: the payers and the retention breakdowns, labelled in the request's language.
    retention_choices: tuple[list[tuple[str, str]], list[tuple[str, str]]] = ([], [])

    def offer(self, choices: FilterChoices) -> None:
        """The dashboard's choices, then the payers (after "every payer") and the retention breakdowns."""
        super().offer(choices)
        payers, dimensions = self.retention_choices
        self.payer.choices = [SelectChoice("", _l("Every payer")), *(SelectChoice(v, label) for v, label in payers)]
        self.by.choices = [SelectChoice(value, label) for value, label in dimensions]
