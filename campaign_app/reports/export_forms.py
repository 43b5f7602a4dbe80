"""An export's query string: the table, the file format and the view's parameters, checked.

The names are the dashboard's (``campaign_app.reports.forms``) and the comparison's (``campaign``), so that
a view's URL with ``format`` and ``table`` added is an export of what it shows. A bad value refuses the whole
export (``Refused``) rather than being dropped: a file taken into a spreadsheet must hold exactly what was
asked for.
"""

import re
from dataclasses import dataclass
from datetime import date

from campaign_app.dates import parse_day
from campaign_app.forms import CONTROL_CHARACTERS_IN_LINE
from campaign_app.i18n import gettext as _
from campaign_app.ids import parse_id
from campaign_app.models import Channel, Payer
from campaign_app.reports.breakdowns import DIMENSIONS, SORTS
from campaign_app.reports.retention_breakdowns import RETENTION_DIMENSIONS
from campaign_app.reports.selection import Selection
from campaign_app.reports.trend import PERIODS
from campaign_app.validation import Refused

FORMATS = ("csv", "xlsx")
# The dashboard's tables (figures, trend, breakdown), the comparison's, the active participants' (of a month) and
# the retention page's (its measures and their breakdown).
RETENTION_TABLES = ("retention", "retention_breakdown")
TABLES = ("breakdown", "figures", "trend", "comparison", "active", *RETENTION_TABLES)
# A filter value is a code, an id or a date: anything longer is not one.
VALUE_MAX = 40
CAMPAIGNS_MAX = 50
REGENCY = re.compile(r"\d{2}\.\d{2}")
DISTRICT = re.compile(r"\d{2}\.\d{2}\.\d{2}")
VILLAGE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
MONTH = re.compile(r"(20\d{2})-(0[1-9]|1[0-2])")
TRUE, FALSE = ("1", "true", "on", "yes"), ("0", "false", "off", "no")


@dataclass(frozen=True)
class ExportRequest:
    """What to export: the ``table``, the file ``format``, the dashboard's filters, the breakdown ``by`` and its
    order, the trend's ``period``; for the comparison, its campaigns (``campaign_ids``) alone."""

    table: str = "breakdown"
    by: str = "regency"
    format: str = "csv"
    period: str = "week"
    sort: str = "signups"
    descending: bool = True
    branch_id: int | None = None
    campaign_ids: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    regency_code: str | None = None
    district_code: str | None = None
    village_code: str | None = None
    channel: str | None = None
    officer_id: int | None = None
    # The active participants' month (its first day).
    month: date | None = None
    payer: str | None = None

    def selection(self, visible_branch_ids) -> Selection:
        """The filters as a ``Selection`` of what the viewer may see."""
        return Selection.for_viewer(
            visible_branch_ids, branch_id=self.branch_id, campaign_ids=self.campaign_ids, date_from=self.date_from,
            date_to=self.date_to, regency_code=self.regency_code, district_code=self.district_code,
            village_code=self.village_code, channel=self.channel, officer_id=self.officer_id, payer=self.payer)

    @property
    def name(self) -> str:
        """What the file and its sheet are named for: the breakdown, the trend's period, or the table."""
        return {"breakdown": self.by, "trend": f"trend-{self.period}",
                "active": f"active-{self.month:%Y-%m}" if self.month else "active",
                "retention_breakdown": f"retention-{self.by}"}.get(self.table, self.table)

    def details(self) -> dict:
        """What the audit log records of the export: the table, how it was asked for and its filters."""
        shown = {"breakdown": {"by": self.by}, "trend": {"period": self.period},
                 "active": {"month": self.month and self.month.isoformat()[:7]},
                 "retention_breakdown": {"by": self.by}}.get(self.table, {})
        return {"table": self.table, **shown, "format": self.format, "filters": self.filters()}

    def filters(self) -> dict:
        """The filters that were given, JSON-ready, as the audit log records them (the comparison has only its
        campaigns)."""
        if self.table == "comparison":
            return {"campaign": list(self.campaign_ids)}
        values = {"branch": self.branch_id, "campaign": list(self.campaign_ids),
                  "date_from": self.date_from and self.date_from.isoformat(),
                  "date_to": self.date_to and self.date_to.isoformat(), "regency": self.regency_code,
                  "district": self.district_code, "village": self.village_code, "channel": self.channel,
                  "officer": self.officer_id, "payer": self.payer}
        return {name: value for name, value in values.items() if value not in (None, [])}


def _id(value: str, message: str) -> int:
    parsed = parse_id(value)
    if parsed is None:
        raise ValueError(message)
    return parsed


def _day(value: str) -> date:
    if parse_day(value, date.min, date.max) is None:
        raise ValueError(_("Enter a real date, as year-month-day (2026-11-30)."))
    day = parse_day(value)
    if day is None:
        raise ValueError(_("Enter a date between 2000 and 2099."))
    return day


def _month(value: str) -> date:
    match = MONTH.fullmatch(value)
    if not match:
        raise ValueError(_("Choose one of the months listed."))
    return date(int(match.group(1)), int(match.group(2)), 1)


def _code(pattern: re.Pattern, message: str):
    def read(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(message)
        return value
    return read


def _choice(choices, message: str):
    def read(value: str) -> str:
        if value.lower() not in choices:
            raise ValueError(message)
        return value.lower()
    return read


def _flag(value: str) -> bool:
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ValueError(_("Choose ascending or descending order."))


def read_export_request(args) -> ExportRequest:
    """The export asked for by ``args`` (a MultiDict of the query string). Empty values are left out; an
    unknown parameter is ignored. Raises ``Refused`` (messages per parameter) on any bad value."""
    readers = {
        "table": ("table", _choice(TABLES, _("Choose a table: %(names)s.", names=", ".join(TABLES)))),
        "by": ("by", _choice(DIMENSIONS, _("Choose a breakdown: %(names)s.", names=", ".join(DIMENSIONS)))),
        "period": ("period", _choice(PERIODS, _("Choose weeks or months."))),
        "format": ("format", _choice(FORMATS, _("Choose a file format: CSV or XLSX."))),
        "sort": ("sort", _choice(SORTS, _("Choose one of the columns to sort by."))),
        "desc": ("descending", _flag),
        "branch": ("branch_id", lambda value: _id(value, _("Choose one of the branches listed."))),
        "date_from": ("date_from", _day),
        "date_to": ("date_to", _day),
        "regency": ("regency_code", _code(REGENCY, _("Choose one of the regencies listed."))),
        "district": ("district_code", _code(DISTRICT, _("Choose one of the districts listed."))),
        "village": ("village_code", _code(VILLAGE, _("Choose a village of your branches."))),
        "channel": ("channel", _choice(tuple(Channel), _("Choose one of the channels listed."))),
        "officer": ("officer_id", lambda value: _id(value, _("Choose one of the officers listed."))),
        "month": ("month", _month),
        "payer": ("payer", _choice(tuple(Payer), _("Choose one of the payers listed."))),
    }
    values, errors = {}, {}

    def check(value: str, read):
        if CONTROL_CHARACTERS_IN_LINE.search(value):
            raise ValueError(_("Remove the special (control) characters."))
        if len(value) > VALUE_MAX:
            raise ValueError(_("This value is too long."))
        return read(value)

    for name, (attribute, read) in readers.items():
        value = args.get(name, "").strip()
        if not value:
            continue
        try:
            values[attribute] = check(value, read)
        except ValueError as error:
            errors[name] = [str(error)]
    campaigns = [value.strip() for value in args.getlist("campaign") if value.strip()]
    try:
        if len(campaigns) > CAMPAIGNS_MAX:
            raise ValueError(_("Choose at most %(max)d campaigns.", max=CAMPAIGNS_MAX))
        message = _("Choose campaigns from the list.")
        values["campaign_ids"] = tuple(sorted({check(value, lambda v: _id(v, message))
                                               for value in campaigns}))
    except ValueError as error:
        errors["campaign"] = [str(error)]
    if values.get("date_from") and values.get("date_to") and values["date_to"] < values["date_from"]:
        errors["date_to"] = [_("The end comes before the start.")]
    if values.get("table") == "active" and "month" not in values and "month" not in errors:
        errors["month"] = [_("Choose one of the months listed.")]
    # Only the retention tables count per sign-up's payer: the dashboard's would silently ignore it.
    if values.get("payer") and values.get("table", "breakdown") not in RETENTION_TABLES:
        errors["payer"] = [_("Only the retention tables can be narrowed to a payer.")]
    if values.get("table") == "retention_breakdown" and values.get("by", "regency") not in RETENTION_DIMENSIONS:
        errors["by"] = [_("Choose a breakdown: %(names)s.", names=", ".join(RETENTION_DIMENSIONS))]
    if errors:
        raise Refused(errors)
    return ExportRequest(**values)
