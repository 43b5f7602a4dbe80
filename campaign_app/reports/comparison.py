"""Two to four campaigns side by side: each one's figures, and each figure's difference to the first campaign."""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, select

from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import Campaign
from campaign_app.reports.metrics import Figures, Rate, figures
from campaign_app.reports.selection import Selection
from campaign_app.validation import Refused
from campaign_app.villages.scope import bound_branches, branches_param

MIN_CAMPAIGNS, MAX_CAMPAIGNS = 2, 4
# The figures compared, in order: (Figures attribute, kind). Kinds: count, ratio, percent, money, target (a count
# against a target: "2 of 6").
COMPARED = (("visits_planned", "count"), ("visits_done", "count"), ("attendance", "count"), ("signups", "count"),
            ("signups_per_visit", "ratio"), ("signups_per_officer_day", "ratio"), ("conversion", "percent"),
            ("activation", "percent"), ("cost_per_signup", "money"), ("cost_per_activated", "money"),
            ("village_coverage", "target"), ("worker_coverage", "percent"), ("women_share", "percent"))


def figure_labels() -> dict[str, str]:
    """The name of each compared figure (``COMPARED``), in the request's language."""
    return {"visits_planned": _("Visits planned"), "visits_done": _("Visits done"), "attendance": _("Attendance"),
            "signups": _("Sign-ups"), "signups_per_visit": _("Sign-ups per visit"),
            "signups_per_officer_day": _("Sign-ups per officer-day"), "conversion": _("Conversion"),
            "activation": _("Activation"), "cost_per_signup": _("Cost per sign-up"),
            "cost_per_activated": _("Cost per activated"), "village_coverage": _("Villages visited"),
            "worker_coverage": _("Workers signed up"), "women_share": _("Women")}


@dataclass(frozen=True)
class Cell:
    """One campaign's figure, and its difference to the first campaign's (None: first column, or a rate resting
    on too few cases on either side, which is not compared)."""

    value: int | Rate
    difference: float | None


# A compared figure: (attribute, kind, a cell per campaign).
Row = tuple[str, str, list[Cell]]


@dataclass(frozen=True)
class ComparedCampaign:
    id: int
    name: str
    figures: Figures


def difference(first: int | Rate, other: int | Rate) -> float | None:
    """``other`` minus ``first``: counts always, rates only when both are comparable."""
    if isinstance(first, Rate):
        if not (first.comparable and other.comparable):
            return None
        return other.value - first.value
    return other - first


def compare(visible_branch_ids, campaign_ids: list[int], labels: dict[int, str] | None = None
            ) -> tuple[list[ComparedCampaign], list[Row]]:
    """The campaigns (in the order given, those the viewer may see) with their figures, and one row per compared
    figure: (attribute, kind, a cell per campaign). A campaign is named by ``labels`` where it has one (the
    viewer's list, which names the branch when the viewer sees several), else by its name. Five aggregate
    statements per campaign, at most four."""
    selection = Selection.for_viewer(visible_branch_ids)
    values = {"campaign_ids": campaign_ids[:MAX_CAMPAIGNS], **bound_branches(selection.branch_ids)}
    names = dict(db.session.execute(_names_statement(selection.branch_ids is None), values).all())
    labels = labels or {}
    campaigns = [ComparedCampaign(id_, labels.get(id_, names[id_]), figures(selection.narrowed(campaign_ids={id_})))
                 for id_ in campaign_ids[:MAX_CAMPAIGNS] if id_ in names]
    rows = []
    for attribute, kind in COMPARED:
        values = [getattr(campaign.figures, attribute) for campaign in campaigns]
        cells = [Cell(value, None if index == 0 else difference(values[0], value))
                 for index, value in enumerate(values)]
        rows.append((attribute, kind, cells))
    return campaigns, rows


@cache
def _names_statement(every_branch: bool):
    # The campaigns' names, of the bound ``campaign_ids`` within the bound ``branch_ids``: built once.
    statement = select(Campaign.id, Campaign.name).where(Campaign.id.in_(bindparam("campaign_ids", expanding=True)))
    if not every_branch:
        statement = statement.where(Campaign.branch_id.in_(branches_param(every_branch)))
    return statement


def chosen_campaigns(options: list[tuple[int, str]], campaign_ids) -> list[int]:
    """``campaign_ids`` in the order of ``options`` (the viewer's campaigns, as the comparison lists them), so
    that the first is the one the others are compared with. Raises ``Refused`` unless every one is among the
    options and there are ``MIN_CAMPAIGNS`` to ``MAX_CAMPAIGNS`` of them."""
    wanted = set(campaign_ids)
    chosen = [id_ for id_, _label in options if id_ in wanted]
    if len(chosen) < len(wanted):
        raise Refused.on("campaign", _("Choose campaigns from the list."))
    if len(chosen) > MAX_CAMPAIGNS:
        raise Refused.on("campaign", _("Choose at most %(n)d campaigns.", n=MAX_CAMPAIGNS))
    if len(chosen) < MIN_CAMPAIGNS:
        raise Refused.on("campaign", _("Choose at least %(n)d campaigns.", n=MIN_CAMPAIGNS))
    return chosen
