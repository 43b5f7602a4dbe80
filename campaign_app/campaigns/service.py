"""Rules and queries for campaigns."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.models import Branch, Campaign, CampaignStatus, Channel, User
from campaign_app.validation import Refused

NAME_MAX = 120


def _validate(branch: Branch, name: str, channel: str, starts_on: date, ends_on: date, target_signups: int,
              target_villages: int, budget: int, except_id: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if not name or len(name) > NAME_MAX:
        errors["name"] = [_("Enter a name of at most %(max)d characters.", max=NAME_MAX)]
    elif db.session.scalar(
        select(Campaign.id).where(Campaign.branch_id == branch.id, func.lower(Campaign.name) == name.lower(),
                                  Campaign.id != (except_id or 0))
    ) is not None:
        errors["name"] = [_("This branch already has a campaign called %(name)s.", name=name)]
    if channel not in set(Channel):
        errors["channel"] = [_("Choose one of the channels listed.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The end comes before the start.")]
    for field, value in (("target_signups", target_signups), ("target_villages", target_villages),
                         ("budget", budget)):
        if value < 0:
            errors[field] = [_("Enter zero or more.")]
    if errors:
        raise Refused(errors)


def create_campaign(*, branch: Branch, created_by: User | None, name: str, channel: str, starts_on: date,
                    ends_on: date, target_signups: int = 0, target_villages: int = 0, budget: int = 0,
                    partner: str | None = None, subsidy_programme: str | None = None,
                    description: str | None = None) -> Campaign:
    """Create an open campaign for ``branch``; raises ``Refused`` with messages per field."""
    name = (name or "").strip()
    _validate(branch, name, channel, starts_on, ends_on, target_signups, target_villages, budget)
    campaign = Campaign(
        branch_id=branch.id, created_by_id=created_by.id if created_by else None, name=name, channel=channel,
        starts_on=starts_on, ends_on=ends_on, target_signups=target_signups, target_villages=target_villages,
        budget=budget, partner=partner or None, subsidy_programme=subsidy_programme or None,
        description=description or None, status=CampaignStatus.OPEN,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def visible_campaign(user: User, campaign_id: int) -> Campaign | None:
    """The campaign if ``user`` may see its branch; None otherwise (the page answers 404)."""
    campaign = db.session.get(Campaign, campaign_id)
    visible = visible_branch_ids(user)
    if campaign is None or (visible is not None and campaign.branch_id not in visible):
        return None
    return campaign
