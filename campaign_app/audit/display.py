"""An audit entry as people read it: fields named, codes as their labels, days and times for the locale, records
by name."""

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Protocol

from flask_babel import format_decimal, format_time

from campaign_app.formatting import day, rupiah, wita
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.labels import (
    access_label,
    campaign_status_label,
    channel_label,
    obstacle_label,
    occupation_label,
    payer_label,
    review_label,
    role_label,
    sector_label,
    signup_status_label,
    visit_status_label,
)


class Entry(Protocol):
    """What these functions read of an entry: an ``AuditEntry``, or a row of its columns (an export's)."""

    action: str
    subject_type: str | None
    subject_id: int | None
    subject_name: str | None
    details: dict

# Names of the fields entries mention; any other is shown with its underscores as spaces.
FIELD_LABELS = {
    "name": _l("Name"), "full_name": _l("Full name"), "payer": _l("Paid by"), "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"), "quota": _l("Quota"), "effective_from": _l("In force from"),
    "jkk_rate": _l("JKK rate (%)"), "jkk_minimum": _l("JKK minimum"), "jkk_maximum": _l("JKK maximum"),
    "jkm_flat": _l("JKM per month"), "jht_rate": _l("JHT rate (%)"), "phone": _l("Phone"), "sex": _l("Sex"),
    "birth_date": _l("Birth date"), "occupation": _l("Occupation"), "sector": _l("Sector"),
    "declared_income": _l("Declared income"), "status": _l("Status"), "reason": _l("Reason"),
    "registered": _l("NIK registered"), "other_branch": _l("In another branch"),
    "status_reason": _l("Reason"), "username": _l("Username"), "role": _l("Role"), "branch": _l("Branch"),
    "active": _l("Active"), "language": _l("Language"), "covers_all_branches": _l("Covers every branch"),
    "covered_branches": _l("Branches covered"), "password_changed": _l("Password changed"),
    "regencies": _l("Regencies"), "home_regency": _l("Home regency"), "campaign": _l("Campaign"),
    "village": _l("Village"), "officer": _l("Officer"), "channel": _l("Channel"), "budget": _l("Budget"),
    "target_signups": _l("Target sign-ups"), "target_villages": _l("Target villages"), "partner": _l("Partner"),
    "subsidy_programme": _l("Subsidy programme"), "description": _l("Description"), "closed_at": _l("Closed at"),
    "visit_date": _l("Date"), "start_time": _l("Start time"), "planned_activity": _l("Planned activity"),
    "planned_cost": _l("Planned cost"), "checked_in_at": _l("Checked in at"), "checked_in_by": _l("Checked in by"),
    "attendance_women": _l("Women attending"), "attendance_men": _l("Men attending"),
    "obstacles": _l("Obstacles"), "notes": _l("Notes"), "officers_assigned": _l("Officers assigned"),
    "officers_unassigned": _l("Officers taken off"), "estimated_population": _l("Estimated population"),
    "estimated_informal_workers": _l("Estimated informal workers"), "access_class": _l("Access"),
    "travel_hours": _l("Travel time (hours)"), "has_jht": _l("JHT"), "review": _l("Review"),
    "first_payment_on": _l("First payment on"), "void_reason": _l("Reason for voiding"),
    "enrolment_min_age": _l("Youngest age to enrol"), "enrolment_max_age": _l("Oldest age to enrol"),
    "enrolment_age_limit": _l("Age limit"), "jkk_contribution": _l("JKK contribution"),
    "jht_contribution": _l("JHT contribution"), "kind": _l("Kind"), "postal_code": _l("Postal code"),
    "found": _l("Sign-ups found"), "erasure_reason": _l("Reason for erasing"), "signups": _l("Sign-ups"),
    "purged": _l("Sign-ups purged"), "retention_days": _l("Retention (days)"), "voided_before": _l("Voided before"),
    "audit_entries_cleared": _l("Audit entries cleared"), "personal_data_purged": _l("Personal data purged"),
    "consent_version": _l("Consent text version"),
    "sessions": _l("Sessions ended"), "rows": _l("Rows"), "matched": _l("Activated"),
    "already_activated": _l("Already activated"), "not_found": _l("Not found"), "not_yet_paid": _l("Not yet paid"),
    "invalid": _l("Invalid rows"), "resembles": _l("Resembles"), "merged_into_id": _l("Merged into"),
    "kept": _l("Kept"), "dropped": _l("Merged away"), "kept_phone": _l("Phone kept"),
    "kept_review": _l("Review of the kept sign-up"), "birth_year": _l("Birth year"), "table": _l("Table"),
    "format": _l("Format"), "filters": _l("Filters"), "by": _l("By"), "period": _l("Period"),
    "date_from": _l("From"), "date_to": _l("To"), "regency": _l("Regency"), "district": _l("District"),
}
# The kinds of record entries name, as ``subject_type``.
SUBJECT_LABELS = {
    "signup": _l("Sign-up"), "visit": _l("Visit"), "rate_table": _l("Rate table"),
    "subsidy_programme": _l("Subsidy programme"), "campaign": _l("Campaign"), "user": _l("User"),
    "branch": _l("Branch"), "village": _l("Village"), "officer_leave": _l("Officer's leave"),
    "device": _l("Phone"), "sync_record": _l("Record from a phone"),
}
# Details kept for the machine, never shown: a keyed hash (the near-duplicate rule's) means nothing to a reader.
UNSHOWN = frozenset({"birth_index"})
# Fields that hold the id of a sign-up: shown as "#12", the way the log names a record by its number.
SIGNUP_IDS = frozenset({"resembles", "merged_into_id", "kept", "dropped"})
# Fields whose number is a year or a version, not a quantity: no thousands separator.
PLAIN_NUMBERS = frozenset({"birth_year", "consent_version"})
# A rate table's rates as its own record keeps them: a fraction (0.01); the page shows the percent typed (1).
FRACTION_RATES = frozenset({"jkk_rate", "jht_rate"})
# What some codes of an export's details mean (the others are shown as they are).
EXPORT_WORDS = {
    "figures": _l("Figures"), "trend": _l("Trend"), "breakdown": _l("Breakdown"), "comparison": _l("Comparison"),
    "audit": _l("Audit log"), "week": _l("Week"), "month": _l("Month"), "copied": _l("copied"),
}
MONEY = frozenset({"budget", "planned_cost", "declared_income", "jkk_minimum", "jkk_maximum", "jkm_flat",
                   "jkk_contribution", "jkm_contribution", "jht_contribution"})
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_CLOCK_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
# A long value (a free-text reason) is cut in the list: the page stays small on a slow line.
VALUE_MAX = 80


def _status_label(subject_type: str | None):
    return {"visit": visit_status_label, "campaign": campaign_status_label}.get(subject_type or "",
                                                                               signup_status_label)


def _code_label(name: str, subject_type: str | None):
    """The function naming the codes a field holds, or None for a field of free values."""
    return {
        "status": _status_label(subject_type), "role": role_label, "channel": channel_label, "access_class":
        access_label, "occupation": occupation_label, "sector": sector_label, "payer": payer_label,
        "review": review_label, "language": lambda code: LANGUAGES.get(code, code),
        "obstacles": lambda codes: ", ".join(obstacle_label(code) for code in codes.split(",")),
    }.get(name)


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else str(name).replace("_", " ")


def _cut(text: str) -> str:
    return text if len(text) <= VALUE_MAX else text[:VALUE_MAX - 1] + "…"


def value_text(value, name: str = "", subject_type: str | None = None, whole: bool = False) -> str:
    """A stored detail value as one short line in the reader's language (``whole``: not cut); empty values as a
    dash."""
    def cut(text: str) -> str:
        return text if whole else _cut(text)

    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, int) and name in SIGNUP_IDS:
        return f"#{value}"
    if isinstance(value, int) and name in PLAIN_NUMBERS:
        return str(value)
    if isinstance(value, int) and name in MONEY:
        return rupiah(value)
    if isinstance(value, int | float):
        return format_decimal(value)
    if isinstance(value, list):
        return cut(", ".join(value_text(item, name, subject_type, whole) for item in value))
    if isinstance(value, dict):
        return cut("; ".join(f"{field_label(key)}: {value_text(item, key, subject_type, whole)}"
                             for key, item in value.items()))
    text = str(value)
    label = _code_label(name, subject_type)
    if label is not None:
        return cut(label(text))
    if text in EXPORT_WORDS and name in ("table", "period", "kept_phone"):
        return str(EXPORT_WORDS[text])
    if name == "by":
        return field_label(text)
    if _ISO_DAY.match(text):
        return day(date.fromisoformat(text))
    if _ISO_MOMENT.match(text):
        try:
            return wita(datetime.fromisoformat(text), "short")
        except ValueError:
            return cut(text)
    if _CLOCK_TIME.match(text):
        try:
            return format_time(time.fromisoformat(text), "short")
        except ValueError:
            return text
    if _DECIMAL.match(text):
        return format_decimal(Decimal(text))
    return cut(text)


def _percent_of_fraction(value):
    """A rate kept as a fraction (``"0.01"``) as the percent the rate pages show (``"1"``)."""
    if isinstance(value, list):
        return [_percent_of_fraction(item) for item in value]
    try:
        return f"{(Decimal(str(value)) * 100).normalize():f}" if value is not None else None
    except ArithmeticError:
        return value


def detail_lines(entry: Entry, whole: bool = False) -> list[tuple[str, str]]:
    """Each detail of ``entry`` as (field, "before → after" or value), in the reader's language; long values cut
    unless ``whole`` (an export)."""
    if not isinstance(entry.details, dict):
        return []
    lines = []
    for name, value in entry.details.items():
        if name in UNSHOWN:
            continue
        if name in FRACTION_RATES and entry.subject_type == "rate_table" and entry.action in ("created", "changed"):
            # The record's own entry (created from the flush), not the rates service's, which keeps the percent.
            value = _percent_of_fraction(value)
        if isinstance(value, list) and len(value) == 2 and name not in ("officers_assigned", "officers_unassigned"):
            before, after = value
            text = (value_text(after, name, entry.subject_type, whole) if before is None and entry.action == "created"
                    else f"{value_text(before, name, entry.subject_type, whole)} → "
                         f"{value_text(after, name, entry.subject_type, whole)}")
        else:
            text = value_text(value, name, entry.subject_type, whole)
        lines.append((field_label(name), text))
    return lines


def subject_text(entry: Entry) -> str:
    """The record an entry names: its kind, and its name as it was (a rate table by its first day), else its number."""
    kind = str(SUBJECT_LABELS.get(entry.subject_type or "", entry.subject_type or ""))
    name = entry.subject_name
    if name and _ISO_DAY.match(name):
        name = day(date.fromisoformat(name))
    if name:
        return f"{kind}: {name}"
    return f"{kind} #{entry.subject_id}" if entry.subject_id else kind
