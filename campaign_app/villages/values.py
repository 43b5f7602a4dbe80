"""What the campaign knows of a village, and the rules for each value.

One set of rules for the edit form and the CSV import, so that both accept and refuse the same things.
Parsers turn what a person typed into a value (``ValueError`` with a message they can act on);
``check_values`` then checks ranges and how the values fit together.
"""

import re
from decimal import Decimal

from flask_babel import format_decimal

from campaign_app.forms import CONTROL_CHARACTERS
from campaign_app.i18n import gettext as _
from campaign_app.labels import ACCESS_LABELS
from campaign_app.models import AccessClass

# The fields, in the order the form and the CSV file show them.
FIELDS = ("estimated_population", "estimated_informal_workers", "access_class", "travel_hours", "notes")
# Far above any village or kelurahan, far below what the database's integers hold.
MAX_POPULATION = 1_000_000
MAX_TRAVEL_HOURS = Decimal(72)
NOTES_MAX = 2000
# A CSV cell starting with one of these is a formula to a spreadsheet: the export puts a quote before it.
FORMULA_START = ("=", "+", "-", "@")
# An official Kemendagri village code: province, regency, district, village.
VILLAGE_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")

# 1500, or 1.500 / 1,500 / 1 500 with thousands grouped by three (how Indonesians and others write them).
_COUNT = re.compile(r"^(\d+|\d{1,3}(?:([.,\s])\d{3})(?:\2\d{3})*)$")
# At most one decimal, with a comma (Indonesian) or a point.
_HOURS = re.compile(r"^(\d{1,6})(?:[.,](\d))?$")


def _thousands(number: int) -> str:
    return format_decimal(number)


def is_village_code(code: str) -> bool:
    return bool(VILLAGE_CODE.fullmatch(code or ""))


def parse_count(text: str | None) -> int | None:
    """A whole number such as ``1500`` or ``1.500``; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > 40:  # no estimate is that long; and Python refuses to read numbers of thousands of digits
        raise ValueError(_("Enter a number from 0 to %(max)s.", max=_thousands(MAX_POPULATION)))
    if not _COUNT.fullmatch(text):
        raise ValueError(_("Enter a whole number, such as 1500."))
    return int(re.sub(r"[.,\s]", "", text))


def parse_hours(text: str | None) -> Decimal | None:
    """Hours with at most one decimal, written ``2,5`` or ``2.5``; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    match = _HOURS.fullmatch(text)
    if not match:
        raise ValueError(_("Enter hours with at most one decimal, such as 2,5."))
    whole, tenth = match.groups()
    return Decimal(f"{whole}.{tenth or 0}")


def parse_access(text: str | None) -> str | None:
    """An access class from its code (``rough_road``, ``rough road``) or its name in the current language."""
    text = (text or "").strip().lower()
    if not text:
        return None
    code = re.sub(r"[\s-]+", "_", text)
    if code in set(AccessClass):
        return code
    for access_class, label in ACCESS_LABELS.items():
        if str(label).lower() == text:
            return access_class.value
    raise ValueError(_("Use one of: %(choices)s.", choices=", ".join(AccessClass)))


def clean_notes(text: str | None) -> str | None:
    """Notes without surrounding blanks; None when empty."""
    text = (text or "").strip()
    return text or None


def check_values(values: dict) -> dict[str | None, list[str]]:
    """Messages per field for values out of range or that do not fit together; empty when all is well.

    ``values`` holds the fields being set (any of ``FIELDS``); for the rule that informal workers
    cannot outnumber the population, give both (the stored one where only the other changes).
    """
    errors: dict[str | None, list[str]] = {}
    for name in ("estimated_population", "estimated_informal_workers"):
        value = values.get(name)
        if value is not None and not 0 <= value <= MAX_POPULATION:
            errors[name] = [_("Enter a number from 0 to %(max)s.", max=_thousands(MAX_POPULATION))]
    population, workers = values.get("estimated_population"), values.get("estimated_informal_workers")
    if not errors and population is not None and workers is not None and workers > population:
        errors["estimated_informal_workers"] = [
            _("Informal workers cannot outnumber the population (%(population)d).", population=population)]
    access = values.get("access_class")
    if access is not None and access not in set(AccessClass):
        errors["access_class"] = [_("Choose one of the access classes listed.")]
    hours = values.get("travel_hours")
    if hours is not None and (not 0 <= hours <= MAX_TRAVEL_HOURS or hours != round(hours, 1)):
        errors["travel_hours"] = [_("Enter hours from 0 to 72, with at most one decimal.")]
    notes = values.get("notes")
    if notes is not None:
        if len(notes) > NOTES_MAX:
            errors["notes"] = [_("At most %(max)d characters.", max=NOTES_MAX)]
        elif CONTROL_CHARACTERS.search(notes):
            errors["notes"] = [_("Remove the special (control) characters.")]
    return errors
