"""Calendar warnings for a visit date: weekends, national holidays and cuti bersama (from lokal-id)."""

from dataclasses import dataclass
from datetime import date

from lokal import HOLIDAY_YEARS, holidays_on

from campaign_app.i18n import gettext as _

SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class DateWarning:
    """Something to tell the coordinator about a date; scheduling on it is still allowed."""

    kind: str  # "weekend", "holiday", "cuti_bersama" or "unknown_year"
    name: str | None = None

    def message(self) -> str:
        if self.kind == "weekend":
            return _("This date is a weekend.")
        if self.kind == "holiday":
            return _("This date is a national holiday: %(name)s.", name=self.name)
        if self.kind == "cuti_bersama":
            return _("This date is a collective leave day (cuti bersama): %(name)s.", name=self.name)
        return _("Holidays for %(year)s are not known yet; check the official calendar.", year=self.name)


def date_warnings(day: date) -> list[DateWarning]:
    """Warnings for scheduling a visit on ``day``; empty for an ordinary working day."""
    warnings = []
    if day.weekday() in (SATURDAY, SUNDAY):
        warnings.append(DateWarning("weekend"))
    if day.year not in HOLIDAY_YEARS:
        warnings.append(DateWarning("unknown_year", str(day.year)))
        return warnings
    for holiday in holidays_on(day):
        kind = "cuti_bersama" if holiday.type == "cuti_bersama" else "holiday"
        warnings.append(DateWarning(kind, holiday.name))
    return warnings
