"""The lapse rule, beside the rate tables: months of arrears a participant may have and remain a member.

Dated like a rate table: a rule takes effect from a day and never rewrites the past. With no rule stored the
agency's own applies (``DEFAULT_LAPSE_MONTHS``: more than 3 consecutive unpaid months ends the membership).
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from sqlalchemy import select

from campaign_app.audit.service import record
from campaign_app.database import added_first
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import AuditAction, LapseRule, User
from campaign_app.models.payments import DEFAULT_LAPSE_MONTHS
from campaign_app.validation import Refused

# Two years of arrears is no membership rule any programme has: a larger number is a typing mistake.
MAX_ARREARS_MONTHS = 24


@dataclass(frozen=True)
class LapseRuleRow:
    """A lapse rule as the list shows it: in force today, already replaced, or still to come."""

    rule: LapseRule
    in_force: bool
    upcoming: bool


def lapse_rules(today: date) -> list[LapseRuleRow]:
    """Every stored lapse rule, the latest first, marked in force (the latest from ``today`` or before) or upcoming.
    One query; empty when none is stored (the default then applies: ``DEFAULT_LAPSE_MONTHS``)."""
    rules = db.session.scalars(select(LapseRule).order_by(LapseRule.effective_from.desc())).all()
    in_force = next((rule for rule in rules if rule.effective_from <= today), None)
    return [LapseRuleRow(rule, rule is in_force, rule.effective_from > today) for rule in rules]


def lapse_months(day: date) -> int:
    """The months of arrears allowed on ``day`` by the rule in force then (the default 3 when none is). One query."""
    months = db.session.scalar(select(LapseRule.arrears_months).where(LapseRule.effective_from <= day)
                               .order_by(LapseRule.effective_from.desc()).limit(1))
    return DEFAULT_LAPSE_MONTHS if months is None else months


def create_lapse_rule(*, effective_from: date, arrears_months: int, created_by: User, today: date,
                      now: datetime | None = None) -> LapseRule:
    """Add a lapse rule in force from ``effective_from`` (after ``today``): ``arrears_months`` unpaid months in a row
    (0 to 24) are allowed, one more ends the membership. Audited. The same rule again returns the one stored; another
    rule on a date that has one is refused (``Refused`` per field)."""
    errors: dict[str | None, list[str]] = {}
    if not isinstance(effective_from, date):
        errors["effective_from"] = [_("Enter the first day the rule applies.")]
    elif effective_from <= today:
        errors["effective_from"] = [_("A new rule takes effect after today (%(today)s): a change never rewrites "
                                      "the past.", today=format_date(today))]
    if (not isinstance(arrears_months, int) or isinstance(arrears_months, bool)
            or not 0 <= arrears_months <= MAX_ARREARS_MONTHS):
        errors["arrears_months"] = [_("Enter a number of months from 0 to %(max)d.", max=MAX_ARREARS_MONTHS)]
    if errors:
        raise Refused(errors)
    existing = db.session.scalar(select(LapseRule).where(LapseRule.effective_from == effective_from))
    if existing is None:
        rule = LapseRule(effective_from=effective_from, arrears_months=arrears_months, created_by_id=created_by.id)
        if added_first(rule):
            record(AuditAction.LAPSE_RULE_CREATED, actor=created_by, subject_type=None, now=now,
                   subject_name=effective_from.isoformat(),
                   details={"effective_from": effective_from.isoformat(), "arrears_months": arrears_months})
            return rule
        existing = db.session.scalar(select(LapseRule).where(LapseRule.effective_from == effective_from))
    if existing is not None and existing.arrears_months == arrears_months:
        return existing
    raise Refused.on("effective_from", _("A lapse rule already takes effect on %(day)s; choose another date.",
                                         day=format_date(effective_from)))
