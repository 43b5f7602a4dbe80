"""Rules and queries for campaigns."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, format_decimal
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from campaign_app.access import visible_branch_ids
from campaign_app.database import added_first
from campaign_app.extensions import db
from campaign_app.forms import CONTROL_CHARACTERS, CONTROL_CHARACTERS_IN_LINE
from campaign_app.i18n import gettext as _
from campaign_app.models import (
    ACTIVE_STATUSES,
    Branch,
    Campaign,
    CampaignStatus,
    Channel,
    SignUp,
    SignUpStatus,
    User,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.paging import MAX_PAGE
from campaign_app.validation import Refused

NAME_MAX = 120
PARTNER_MAX = 120
SUBSIDY_PROGRAMME_MAX = 120
DESCRIPTION_MAX = 2000
# Ten trillion Rupiah: far above any branch's budget, far below what SQLite's integers hold.
BUDGET_MAX = 10**13
TARGET_SIGNUPS_MAX = 10_000_000
# More than the country's 83,762 villages.
TARGET_VILLAGES_MAX = 100_000
# A second identical submit within this time is the same campaign (a double click), not a new one.
STATUS_FILTERS = ("open", "closed", "all")


@dataclass(frozen=True)
class Progress:
    """How far a campaign has come against its targets; ``signups`` counts those not void."""

    visits_planned: int
    visits_done: int
    villages_visited: int
    target_villages: int
    budget_spent: int
    budget: int
    target_signups: int
    signups: int = 0


@dataclass(frozen=True)
class CampaignRow:
    """A campaign in a list, with its progress."""

    campaign: Campaign
    progress: Progress


def _text_problem(value: str | None, limit: int, multiline: bool = False) -> str | None:
    if value is None:
        return None
    if len(value) > limit:
        return _("At most %(max)d characters.", max=limit)
    pattern = CONTROL_CHARACTERS if multiline else CONTROL_CHARACTERS_IN_LINE
    if pattern.search(value):
        return _("Remove the special (control) characters.")
    return None


def _validate(branch: Branch, name: str, channel: str, starts_on: date, ends_on: date, target_signups: int,
              target_villages: int, budget: int, except_id: int | None = None, partner: str | None = None,
              subsidy_programme: str | None = None, description: str | None = None) -> None:
    errors: dict[str | None, list[str]] = {}
    if not name or len(name) > NAME_MAX:
        errors["name"] = [_("Enter a name of at most %(max)d characters.", max=NAME_MAX)]
    elif CONTROL_CHARACTERS_IN_LINE.search(name):
        errors["name"] = [_("Remove the special (control) characters.")]
    elif _same_name(branch.id, name, except_id) is not None:
        errors["name"] = [_("This branch already has a campaign called %(name)s.", name=name)]
    if channel not in set(Channel):
        errors["channel"] = [_("Choose one of the channels listed.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The end comes before the start.")]
    for field, value, limit in (("target_signups", target_signups, TARGET_SIGNUPS_MAX),
                                ("target_villages", target_villages, TARGET_VILLAGES_MAX),
                                ("budget", budget, BUDGET_MAX)):
        if value < 0:
            errors[field] = [_("Enter zero or more.")]
        elif value > limit:
            errors[field] = [_("At most %(max)s.", max=format_decimal(limit))]
    for field, text, limit, multiline in (("partner", partner, PARTNER_MAX, False),
                                          ("subsidy_programme", subsidy_programme, SUBSIDY_PROGRAMME_MAX, False),
                                          ("description", description, DESCRIPTION_MAX, True)):
        problem = _text_problem(text, limit, multiline)
        if problem:
            errors[field] = [problem]
    if errors:
        raise Refused(errors)


def _same_name(branch_id: int, name: str, except_id: int | None = None) -> Campaign | None:
    """The branch's campaign called ``name`` (case-insensitive), other than ``except_id``."""
    return db.session.scalar(
        select(Campaign).where(Campaign.branch_id == branch_id, func.lower(Campaign.name) == name.lower(),
                               Campaign.id != (except_id or 0)).limit(1)
    )


def _optional(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def create_campaign(*, branch: Branch, created_by: User | None, name: str, channel: str, starts_on: date,
                    ends_on: date, target_signups: int = 0, target_villages: int = 0, budget: int = 0,
                    partner: str | None = None, subsidy_programme: str | None = None,
                    description: str | None = None, form_key: str | None = None) -> Campaign:
    """Create an open campaign for ``branch``; raises ``Refused`` with messages per field.

    A repeated submit of the same form (same ``form_key``: a double click, a retry) returns the
    campaign the first submit created, even when both arrive at once.
    """
    existing = _campaign_with_key(form_key)
    if existing is not None:
        return existing
    name = (name or "").strip()
    partner, subsidy_programme, description = map(_optional, (partner, subsidy_programme, description))
    _validate(branch, name, channel, starts_on, ends_on, target_signups, target_villages, budget,
              partner=partner, subsidy_programme=subsidy_programme, description=description)
    campaign = Campaign(
        branch_id=branch.id, created_by_id=created_by.id if created_by else None, name=name, channel=channel,
        starts_on=starts_on, ends_on=ends_on, target_signups=target_signups, target_villages=target_villages,
        budget=budget, partner=partner, subsidy_programme=subsidy_programme,
        description=description, status=CampaignStatus.OPEN, form_key=form_key or None,
    )
    if not added_first(campaign):
        # The same form, submitted twice at once: the other request stored it first.
        existing = _campaign_with_key(form_key)
        if existing is None:
            raise Refused.on(None, _("This campaign could not be saved; reload the page and try again."))
        return existing
    return campaign


def _campaign_with_key(form_key: str | None) -> Campaign | None:
    if not form_key:
        return None
    return db.session.scalar(select(Campaign).where(Campaign.form_key == form_key))


def _visits_outside(campaign: Campaign, starts_on: date, ends_on: date) -> tuple[int, date | None]:
    """How many of the campaign's scheduled visits fall outside a period, and the first such date."""
    outside = (Visit.campaign_id == campaign.id) & Visit.status.in_(ACTIVE_STATUSES) & (
        (Visit.visit_date < starts_on) | (Visit.visit_date > ends_on))
    count, first = db.session.execute(
        select(func.count(Visit.id), func.min(Visit.visit_date)).where(outside)
    ).one()
    return count, first


def update_campaign(campaign: Campaign, *, name: str, channel: str, starts_on: date, ends_on: date,
                    target_signups: int = 0, target_villages: int = 0, budget: int = 0,
                    partner: str | None = None, subsidy_programme: str | None = None,
                    description: str | None = None) -> Campaign:
    """Change an open campaign's fields (its branch stays); raises ``Refused`` with messages per field.

    A closed campaign is refused whole. A period that would leave out visits already scheduled (planned,
    in progress or done) is refused too: they would fall outside their own campaign.
    """
    if not campaign.is_open:
        raise Refused.on(None, _("The campaign %(name)s is closed; it cannot be changed.", name=campaign.name))
    name = (name or "").strip()
    partner, subsidy_programme, description = map(_optional, (partner, subsidy_programme, description))
    _validate(campaign.branch, name, channel, starts_on, ends_on, target_signups, target_villages, budget,
              except_id=campaign.id, partner=partner, subsidy_programme=subsidy_programme,
              description=description)
    count, first = _visits_outside(campaign, starts_on, ends_on)
    if count:
        assert first is not None  # there are visits outside the period, so an earliest date among them
        raise Refused.on("starts_on" if first < starts_on else "ends_on", _(
            "%(count)d scheduled visits fall outside this period (the first on %(day)s); move them first.",
            count=count, day=format_date(first)))
    campaign.name = name
    campaign.channel = channel
    campaign.starts_on = starts_on
    campaign.ends_on = ends_on
    campaign.target_signups = target_signups
    campaign.target_villages = target_villages
    campaign.budget = budget
    campaign.partner = partner
    campaign.subsidy_programme = subsidy_programme
    campaign.description = description
    db.session.flush()
    return campaign


def close_campaign(campaign: Campaign, now: datetime) -> Campaign:
    """Close the campaign: no new visit may be scheduled; visits already planned stay.

    Closing a closed campaign changes nothing (a repeated click is harmless).
    """
    if campaign.is_open:
        campaign.status = CampaignStatus.CLOSED
        campaign.closed_at = now
        db.session.flush()
    return campaign


def reopen_campaign(campaign: Campaign) -> Campaign:
    """Open a closed campaign again, so that visits can be scheduled; an open one is left as it is."""
    if not campaign.is_open:
        campaign.status = CampaignStatus.OPEN
        campaign.closed_at = None
        db.session.flush()
    return campaign


def visible_campaign(user: User, campaign_id: int) -> Campaign | None:
    """The campaign if ``user`` may see its branch; None otherwise (the page answers 404)."""
    campaign = db.session.get(Campaign, campaign_id)
    visible = visible_branch_ids(user)
    if campaign is None or (visible is not None and campaign.branch_id not in visible):
        return None
    return campaign


def _progress_by_campaign(campaigns: list[Campaign]) -> dict[int, Progress]:
    """Progress of each campaign, from one aggregate query over their visits and the visits' sign-ups."""
    ids = [c.id for c in campaigns]
    totals = {}
    if ids:
        done = Visit.status == VisitStatus.DONE
        # Sign-ups per visit first: joined straight to the visits, they would multiply the visit counts.
        signups = (
            select(SignUp.visit_id, func.count(SignUp.id).label("signups"))
            .join(Visit, Visit.id == SignUp.visit_id)
            .where(Visit.campaign_id.in_(ids), SignUp.status != SignUpStatus.VOID)
            .group_by(SignUp.visit_id)
            .subquery("signups_per_visit")
        )
        rows = db.session.execute(
            select(
                Visit.campaign_id,
                func.count(Visit.id),
                func.count(case((done, Visit.id))),
                func.count(func.distinct(case((done, Visit.village_code)))),
                func.coalesce(func.sum(case((done, Visit.planned_cost), else_=0)), 0),
                func.coalesce(func.sum(signups.c.signups), 0),
            )
            .outerjoin(signups, signups.c.visit_id == Visit.id)
            .where(Visit.campaign_id.in_(ids), Visit.status != VisitStatus.CANCELLED)
            .group_by(Visit.campaign_id)
        ).all()
        totals = {row[0]: row[1:] for row in rows}
    progress = {}
    for campaign in campaigns:
        planned, done_count, villages, spent, signed_up = totals.get(campaign.id, (0, 0, 0, 0, 0))
        progress[campaign.id] = Progress(
            visits_planned=planned, visits_done=done_count, villages_visited=villages,
            target_villages=campaign.target_villages, budget_spent=int(spent), budget=campaign.budget,
            target_signups=campaign.target_signups, signups=int(signed_up),
        )
    return progress


def campaign_progress(campaign: Campaign) -> Progress:
    """How far ``campaign`` has come: visits done of those scheduled (cancelled ones left out), distinct
    villages with a visit done against the target, the planned cost of the visits done against the budget,
    and the sign-ups recorded at its visits (void ones left out) against the target. One query.
    """
    return _progress_by_campaign([campaign])[campaign.id]


def list_campaigns(user: User, status: str = "open", branch_id: int | None = None, page: int = 1,
                   per_page: int = 25) -> tuple[Pagination, list[CampaignRow]]:
    """One page of the campaigns ``user`` may see, newest first, each with its progress.

    ``status`` is "open", "closed" or "all"; ``branch_id`` narrows to one branch (a branch the user may
    not see gives an empty list). Three statements whatever the page holds: the count, the page with
    each campaign's branch joined, and one aggregate of the page's visits (five when ``page`` is past the
    end and the last page is fetched instead).
    """
    statement = select(Campaign).options(joinedload(Campaign.branch))
    visible = visible_branch_ids(user)
    if visible is not None:
        statement = statement.where(Campaign.branch_id.in_(visible))
    if branch_id is not None:
        statement = statement.where(Campaign.branch_id == branch_id)
    if status in (CampaignStatus.OPEN, CampaignStatus.CLOSED):
        statement = statement.where(Campaign.status == status)
    statement = statement.order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    page = min(max(page, 1), MAX_PAGE)
    result = db.paginate(statement, page=page, per_page=per_page, max_per_page=None, error_out=False)
    if page > 1 and not result.items and result.total:
        # A page past the end (an old link, a shorter result): show the last one instead.
        result = db.paginate(statement, page=result.pages, per_page=per_page, max_per_page=None, error_out=False)
    progress = _progress_by_campaign(result.items)
    return result, [CampaignRow(c, progress[c.id]) for c in result.items]


def campaign_visits(campaign: Campaign, page: int = 1, per_page: int = 10) -> Pagination:
    """One page of the campaign's visits, newest first, with village and officers loaded.

    Four statements whatever the page holds: the count, the page with villages joined, the assignments
    and their officers.
    """
    statement = (
        select(Visit).where(Visit.campaign_id == campaign.id)
        .options(joinedload(Visit.village),
                 selectinload(Visit.assignments).selectinload(VisitOfficer.officer))
        .order_by(Visit.visit_date.desc(), Visit.id.desc())
    )
    page = min(max(page, 1), MAX_PAGE)
    result = db.paginate(statement, page=page, per_page=per_page, max_per_page=None, error_out=False)
    if page > 1 and not result.items and result.total:
        result = db.paginate(statement, page=result.pages, per_page=per_page, max_per_page=None, error_out=False)
    return result


def campaign_branches(user: User) -> list[tuple[int, str]]:
    """The branches whose campaigns ``user`` may see, as (id, name) by name, for a filter."""
    statement = select(Branch.id, Branch.name).order_by(Branch.name)
    visible = visible_branch_ids(user)
    if visible is not None:
        statement = statement.where(Branch.id.in_(visible))
    return [(branch_id, name) for branch_id, name in db.session.execute(statement)]
