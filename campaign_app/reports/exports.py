"""The dashboard's tables as files to take into a spreadsheet: CSV (Indonesian convention) or XLSX, written as
they are read.

``breakdown_table``, ``figures_table``, ``trend_table`` and ``comparison_table`` turn what the dashboard
shows into cells (counts as whole numbers, rates as ``Percent``, amounts in whole Rupiah, a note where a
rate rests on too few cases); ``csv_chunks`` and ``xlsx_chunks`` write any header and cells, one chunk at
a time, so that memory stays the same for ten rows or a million. The tables hold aggregates only: no NIK,
name of a worker or phone number is ever in them.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from campaign_app.i18n import gettext as _
from campaign_app.labels import channel_label, occupation_label, payer_label
from campaign_app.reports.breakdowns import BreakdownRow
from campaign_app.reports.comparison import COMPARED, ComparedCampaign, Row, figure_labels
from campaign_app.reports.metrics import SMALL_NUMBER_THRESHOLD, Figures, Rate
from campaign_app.reports.trend import TrendPoint
from campaign_app.villages.exporter import csv_cell
from campaign_app.villages.values import FORMULA_START

# Rows written out at a time in CSV; bytes sent at a time from the finished XLSX file.
CSV_CHUNK = 500
XLSX_CHUNK_BYTES = 64 * 1024
PERCENT_FORMAT = "0.0%"
LABELLERS = {"channel": channel_label, "occupation": occupation_label, "payer": payer_label}
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Percent(float):
    """A fraction (0.25) to show as a percentage (25.0 %): a number in the file, not text."""


@dataclass(frozen=True)
class Table:
    """A header and its rows of cells (None, int, str or ``Percent``), the rows read as they are written."""

    header: list[str]
    rows: Iterable[Sequence]


def _header(by: str) -> list[str]:
    parent = {"village": _("District"), "district": _("Regency"), "campaign": _("Branch")}.get(by, "")
    return [_("Code"), _("Name"), parent or _("Part of"), _("Visits done"), _("Attendance"), _("Cost (Rp)"),
            _("Sign-ups"), _("Sign-ups at done visits"), _("Activated"), _("Conversion"), _("Activation"),
            _("Cost per sign-up (Rp)"), _("Note")]


def _percent(rate: Rate | None) -> Percent | None:
    return None if rate is None or rate.value is None else Percent(rate.value)


def _cells(row: BreakdownRow, by: str, rate_names: dict[str, str], note: str) -> list:
    rates = {"conversion": row.conversion, "activation": row.activation, "cost_per_signup": row.cost_per_signup}
    small = [rate_names[name] for name, rate in rates.items() if rate is not None and not rate.comparable]
    cost = row.cost_per_signup
    label = LABELLERS[by](row.label) if by in LABELLERS else row.label
    return [row.key, label, row.parent_label, row.visits_done, row.attendance, row.cost, row.signups,
            row.signups_at_done_visits, row.activated, _percent(row.conversion), _percent(row.activation),
            None if cost is None or cost.value is None else round(cost.value),
            note % ", ".join(small) if small else None]


def breakdown_table(rows: Iterable[BreakdownRow], by: str) -> Table:
    """``rows`` of a breakdown ``by`` a dimension as a table: code, name, what it is part of, the counts,
    conversion and activation as ``Percent``, cost per sign-up in whole Rupiah, and a note naming the rates
    that rest on fewer than ``SMALL_NUMBER_THRESHOLD`` cases (not comparable). Labels in the request's
    language; the rows are converted as they are read."""
    rate_names = {"conversion": _("conversion"), "activation": _("activation"),
                  "cost_per_signup": _("cost per sign-up")}
    # %% keeps a place for the rate names, filled per row.
    note = _("not comparable, fewer than %(threshold)d cases: %%s", threshold=SMALL_NUMBER_THRESHOLD)
    return Table(_header(by), (_cells(row, by, rate_names, note) for row in rows))


def _value(value: int | float | Rate | None, kind: str):
    """A figure as a cell: a count as it is, a rate as ``Percent``, an amount in whole Rupiah, a ratio as a float."""
    if isinstance(value, Rate):
        value = value.value
    if value is None or kind == "count":
        return value
    if kind in ("percent", "target"):
        return Percent(value)
    if kind == "money":
        return round(value)
    return float(value)


def figures_table(figures: Figures) -> Table:
    """The dashboard's figures, one a row: its name, its value (see ``_value``), and for a rate its numerator,
    denominator and "too few to compare" where it rests on fewer than ``SMALL_NUMBER_THRESHOLD`` cases. Then
    the occupation and payer mix (each a share of the sign-ups) and each subsidy programme's quota used
    (overall) and sign-ups (in the view), as the dashboard shows them: without the small-number rule."""
    labels = figure_labels()
    few = _("too few to compare")
    rows = []
    for attribute, kind in COMPARED:
        value = getattr(figures, attribute)
        if isinstance(value, Rate):
            rows.append([labels[attribute], _value(value, kind), value.numerator, value.denominator,
                         None if value.comparable or value.value is None else few])
        else:
            rows.append([labels[attribute], value, None, None, None])
    shares = [*((_("Occupation: %(occupation)s", occupation=occupation_label(code)), count)
                for code, count in figures.occupations.items()),
              *((_("Paid by: %(payer)s", payer=payer_label(code)), count) for code, count in figures.payers.items())]
    rows += [[label, _value(Rate(count, figures.signups), "percent"), count, figures.signups, None]
             for label, count in shares]
    for programme in figures.programmes:
        rows.append([_("Subsidy quota used: %(programme)s", programme=programme.name),
                     _value(programme.quota_used, "percent"), programme.used_overall, programme.quota, None])
        rows.append([_("Sign-ups paid by %(programme)s in this view", programme=programme.name),
                     programme.used_in_selection, None, None, None])
    return Table([_("Figure"), _("Value"), _("Numerator"), _("Denominator"), _("Note")], rows)


def trend_table(points: list[TrendPoint], period: str) -> Table:
    """The trend's numbers, a row per week (its Monday) or month (its first day): visits done, attendance,
    sign-ups and activated sign-ups, as the table under the dashboard's chart."""
    first = _("Week of") if period == "week" else _("Month")
    return Table([first, _("Visits done"), _("Attendance"), _("Sign-ups"), _("Activated")],
                 [[point.starts_on, point.visits_done, point.attendance, point.signups, point.activated]
                  for point in points])


def comparison_table(campaigns: list[ComparedCampaign], rows: list[Row]) -> Table:
    """The comparison: a row per figure, a column per campaign, each campaign but the first followed by its
    difference to the first (empty where a rate rests on too few cases on either side), and a note naming
    the campaigns whose rate rests on too few cases (not comparable)."""
    labels = figure_labels()
    first = campaigns[0].name if campaigns else ""
    header = [_("Figure")]
    for index, campaign in enumerate(campaigns):
        header += [campaign.name] if index == 0 else [campaign.name, _("Difference to %(first)s", first=first)]
    note = _("not comparable, fewer than %(threshold)d cases: %%s", threshold=SMALL_NUMBER_THRESHOLD)
    table_rows = []
    for attribute, kind, cells in rows:
        row = [labels[attribute]]
        for index, cell in enumerate(cells):
            row += [_value(cell.value, kind)] if index == 0 else [_value(cell.value, kind),
                                                                   _value(cell.difference, kind)]
        few = [campaign.name for campaign, cell in zip(campaigns, cells, strict=True)
               if isinstance(cell.value, Rate) and not cell.value.comparable]
        table_rows.append([*row, note % ", ".join(few) if few else None])
    return Table([*header, _("Note")], table_rows)


def _csv_cell(value, decimal_comma: bool) -> str:
    # The village export's cells: ';'-friendly decimals, and text that looks like a formula quoted.
    if isinstance(value, int):
        # A number, never a formula: a difference of -3 is written -3, not quoted as text.
        return str(value)
    return csv_cell(_csv_value(value), decimal_comma)


def _csv_value(value):
    if isinstance(value, Percent):
        return Decimal(value) * 100
    if isinstance(value, float):
        return Decimal(value)
    return value


def csv_chunks(table: Table, decimal_comma: bool = True) -> Iterator[str]:
    """``table`` as CSV text in pieces: a byte-order mark and the header, then ``CSV_CHUNK`` rows at a time.

    As the village export writes it: with ``decimal_comma`` (Indonesian spreadsheets) cells are separated
    by ``;`` and decimals written ``12,5``, otherwise ``,`` and ``12.5``; text starting like a formula
    (``=``, ``+``, ``-``, ``@``) is quoted with ``'``. Percentages are written as numbers of percent, one
    decimal.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    writer.writerow(_csv_cell(name, decimal_comma) for name in table.header)
    yield "\ufeff" + buffer.getvalue()
    pending = 0
    buffer.seek(0)
    buffer.truncate()
    for row in table.rows:
        writer.writerow([_csv_cell(value, decimal_comma) for value in row])
        pending += 1
        if pending == CSV_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def _xlsx_value(sheet, value, font: Font | None = None):
    if isinstance(value, Percent):
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = PERCENT_FORMAT
        return cell
    if isinstance(value, str):
        # Characters XML cannot hold would make openpyxl refuse the file.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_START) or font is not None:
            cell = WriteOnlyCell(sheet, value=value)
            # Text, never a formula: openpyxl would otherwise take "=..." as one.
            cell.data_type = "s"
            if font is not None:
                cell.font = font
            return cell
    return value


def xlsx_chunks(table: Table, title: str = "Jangkau") -> Iterator[bytes]:
    """``table`` as an XLSX workbook of one sheet, in pieces of ``XLSX_CHUNK_BYTES``: a bold header row,
    counts as numbers, ``Percent`` cells as numbers with a percent format.

    openpyxl's write-only mode writes each row to a temporary file as it comes (constant memory); the
    workbook is zipped into another temporary file once the last row is written, then sent from there.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=ILLEGAL_CHARACTERS_RE.sub("", title)[:31] or "Jangkau")
    bold = Font(bold=True)
    # A header may name campaigns, whose names are typed by people: text, as any cell.
    sheet.append([_xlsx_value(sheet, name, bold) for name in table.header])
    for row in table.rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(XLSX_CHUNK_BYTES):
            yield chunk
