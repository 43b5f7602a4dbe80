"""The retention page's tables as files (``exports.Table``, written by ``exports.csv_chunks`` / ``xlsx_chunks``):
the measures of a selection, and the same per key of a breakdown. Shares as ``Percent``, cost in whole Rupiah,
and beside each measure the counts it rests on; a note says which rest on fewer than ``SMALL_NUMBER_THRESHOLD``
cases (not comparable) and which no cohort is old enough for yet. Aggregates only: no worker is named."""

from collections.abc import Iterable

from campaign_app.i18n import gettext as _
from campaign_app.labels import channel_label, payer_label
from campaign_app.reports.exports import Percent, Table
from campaign_app.reports.metrics import SMALL_NUMBER_THRESHOLD, Rate
from campaign_app.reports.retention import COSTED_MONTHS, MEASURED_MONTHS, Retention
from campaign_app.reports.retention_breakdowns import RetentionRow

LABELLERS = {"channel": channel_label, "payer": payer_label}


def _share(rate: Rate) -> Percent | None:
    return None if rate.value is None else Percent(rate.value)


def _amount(rate: Rate | None) -> int | None:
    return None if rate is None or rate.value is None else round(rate.value)


def _ratio(rate: Rate) -> float | None:
    return None if rate.value is None else round(rate.value, 1)


def _names() -> dict[str, str]:
    """Each measure's name, by a key: ``paid_3`` … ``contributions``, ``cost_6`` … (what the notes name)."""
    names = {f"paid_{k}": _("Paid up at M+%(months)d", months=k) for k in MEASURED_MONTHS}
    names["contributions"] = _("Contribution-months per 100 sign-ups (first 12 months)")
    names.update({f"cost_{k}": _("Cost per participant paid up at M+%(months)d (Rp)", months=k)
                  for k in COSTED_MONTHS})
    return names


def _judged(measures: Retention) -> list[tuple[str, Rate | None, bool]]:
    """(measure key, its rate, whether it is too young) of ``measures``, in the tables' order."""
    judged: list[tuple[str, Rate | None, bool]] = [
        (f"paid_{k}", measures.paid_up[k].share, measures.paid_up[k].too_young) for k in MEASURED_MONTHS]
    judged.append(("contributions", measures.contribution_months_per_100, measures.contributions_too_young))
    judged += [(f"cost_{k}", measures.costs[k].per_participant, measures.costs[k].too_young) for k in COSTED_MONTHS]
    return judged


def _note(measures: Retention, names: dict[str, str]) -> str | None:
    """Which measures no cohort is old enough for, and which rest on too few cases."""
    judged = _judged(measures)
    young = [names[key] for key, _rate, too_young in judged if too_young]
    few = [names[key] for key, rate, too_young in judged
           if not too_young and rate is not None and rate.value is not None and not rate.comparable]
    parts = []
    if young:
        parts.append(_("too young (no cohort old enough yet): %(names)s", names=", ".join(young)))
    if few:
        parts.append(_("not comparable, fewer than %(threshold)d cases: %(names)s",
                       threshold=SMALL_NUMBER_THRESHOLD, names=", ".join(few)))
    return "; ".join(parts) or None


def retention_table(measures: Retention) -> Table:
    """The measures of a selection, one a row: its name, value, numerator, denominator and a note ("too few to
    compare" below ``SMALL_NUMBER_THRESHOLD`` cases, "too young" when no cohort is old enough), then the
    reactivations and the latest month a payment file reported."""
    names, few, young = _names(), _("too few to compare"), _("too young: no cohort old enough yet")

    def note(rate: Rate | None, too_young: bool) -> str | None:
        if too_young:
            return young
        return None if rate is None or rate.value is None or rate.comparable else few

    rows: list[list] = [[_("Sign-ups followed (with a payment history)"), measures.signups, None, None, None]]
    for k in MEASURED_MONTHS:
        paid = measures.paid_up[k]
        rows.append([names[f"paid_{k}"], _share(paid.share), paid.paid_up, paid.eligible,
                     note(paid.share, paid.too_young)])
    per_100 = measures.contribution_months_per_100
    rows.append([names["contributions"], _ratio(per_100), measures.contribution_months,
                 measures.contribution_eligible, note(per_100, measures.contributions_too_young)])
    for k in COSTED_MONTHS:
        cost = measures.costs[k]
        rows.append([names[f"cost_{k}"], _amount(cost.per_participant), cost.cost, cost.paid_up,
                     note(cost.per_participant, cost.too_young) if cost.cost is not None
                     else _("no cost: visits are not paid for per payer")])
    rows.append([_("Reactivations after a visit"), measures.reactivations, None, None, None])
    rows.append([_("Latest month reported by a payment file"), measures.latest_month, None, None, None])
    return Table([_("Measure"), _("Value"), _("Numerator"), _("Denominator"), _("Note")], rows)


def _header(by: str) -> list[str]:
    names = _names()
    header = [_("Code"), _("Name"), _("Branch") if by == "campaign" else _("Part of"), _("Sign-ups followed")]
    for k in MEASURED_MONTHS:
        header += [names[f"paid_{k}"], _("Paid up at M+%(months)d", months=k) + " (n)",
                   _("Old enough for M+%(months)d", months=k)]
    header += [names["contributions"], _("Contribution-months (first 12 months)"),
               _("Sign-ups old enough for 12 months")]
    for k in COSTED_MONTHS:
        header += [names[f"cost_{k}"]]
    return [*header, _("Reactivations"), _("Note")]


def _cells(row: RetentionRow, by: str, names: dict[str, str]) -> list:
    m = row.measures
    label = str(LABELLERS[by](row.label)) if by in LABELLERS else row.label
    cells: list = [row.key, label, row.parent_label, m.signups]
    for k in MEASURED_MONTHS:
        cells += [_share(m.paid_up[k].share), m.paid_up[k].paid_up, m.paid_up[k].eligible]
    cells += [_ratio(m.contribution_months_per_100), m.contribution_months, m.contribution_eligible]
    cells += [_amount(m.costs[k].per_participant) for k in COSTED_MONTHS]
    return [*cells, m.reactivations, _note(m, names)]


def retention_breakdown_table(rows: Iterable[RetentionRow], by: str) -> Table:
    """A breakdown's rows as a table: code, name, what it belongs to, sign-ups followed, each share paid up with its
    counts, contribution-months per 100 with theirs, cost per participant paid up (whole Rupiah), reactivations and
    a note naming the measures too young or resting on too few cases. Labels in the request's language."""
    names = _names()
    return Table(_header(by), (_cells(row, by, names) for row in rows))
