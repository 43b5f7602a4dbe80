"""What the survival curves show: per campaign, the share of its sign-ups still paid up M+0 to M+12 months after
their sign-up month (read through ``retention.survival_curve``), and how many participants each campaign still has
paid up in the latest month reported (what the comparison ranks campaigns by, beside their sign-ups).

A month is drawn only where the share rests on at least 30 sign-ups old enough for it (``metrics.Rate``); the table
beside the chart gives the counts where it does not, and says "too young" where no cohort is old enough yet.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import Integer, bindparam, case, select

from campaign_app.extensions import db
from campaign_app.models.payments import month_start
from campaign_app.reports.lines import LineChart, line_chart
from campaign_app.reports.metrics import summed
from campaign_app.reports.retention import (
    CurvePoint,
    SurvivalCurve,
    most_followed_curves,
    retention_source,
    survival_curve,
)
from campaign_app.reports.selection import Selection
from campaign_app.reports.sources import SHAPES_KEPT, shaped, template_of
from campaign_app.summaries.retention import CURVE_MONTHS, latest_reported_month, paid_at

# The curves run from the sign-up month (M+0) to a year after it (M+12).
SHOWN_MONTHS = 13
# The survival page draws the campaigns with the most sign-ups first, this many; the filter narrows to others.
CURVES_SHOWN = 4


def drawn_share(point: CurvePoint) -> float | None:
    """The share a chart draws for ``point``: None when too young or resting on too few sign-ups."""
    share = point.share
    return share.value if share.comparable else None


def trimmed(curve: SurvivalCurve) -> SurvivalCurve:
    """``curve`` from M+0 to M+12 only."""
    return SurvivalCurve(curve.campaign_id, curve.name, curve.signups, curve.points[:SHOWN_MONTHS])


def curves_chart(curves: list[SurvivalCurve], names: dict[int | None, str] | None = None) -> LineChart | None:
    """A line per curve (named by ``names`` where given), None when not one month of them can be drawn."""
    names = names or {}
    series = [(names.get(curve.campaign_id, curve.name or ""), [drawn_share(point) for point in curve.points])
              for curve in curves]
    if not any(share is not None for _name, shares in series for share in shares):
        return None
    return line_chart(series, SHOWN_MONTHS)


@dataclass(frozen=True)
class Curves:
    """The survival curves of a selection's campaigns, most sign-ups first: ``curves`` drawn, ``hidden`` more."""

    curves: list[SurvivalCurve]
    hidden: int


def campaign_curves(selection: Selection, shown: int = CURVES_SHOWN) -> Curves:
    """The survival curves (M+0 to M+12) of the ``shown`` campaigns of ``selection`` with the most sign-ups followed
    by the payment files, and how many campaigns more it has. Two statements whatever the data."""
    curves, campaigns = most_followed_curves(selection, shown)
    return Curves([trimmed(curve) for curve in curves], max(campaigns - shown, 0))


def compared_curves(selection: Selection, campaign_ids: list[int]) -> list[SurvivalCurve]:
    """The survival curves (M+0 to M+12) of ``campaign_ids`` (of ``selection``), in that order; a campaign with no
    sign-up followed yet has a curve of nothing. Two statements."""
    found = {curve.campaign_id: curve for curve in survival_curve(selection.narrowed(campaign_ids=set(campaign_ids)))}
    empty = tuple(CurvePoint(k, 0, 0) for k in range(SHOWN_MONTHS))
    return [trimmed(found[id_]) if id_ in found else SurvivalCurve(id_, None, 0, empty) for id_ in campaign_ids]


@dataclass(frozen=True)
class StillPaidUp:
    """Per campaign, the participants paid up in ``month``, the latest month a payment file reported (None: no
    file yet, and no one counted)."""

    month: date | None
    by_campaign: dict[int, int]


def still_paid_up(selection: Selection) -> StillPaidUp:
    """The participants of each campaign of ``selection`` paid up in the latest month reported, as the retention
    roll-up follows them (for 25 months from their sign-up month). Two statements."""
    latest = latest_reported_month()
    if latest is None:
        return StillPaidUp(None, {})
    key, values = shaped(selection)
    rows = db.session.execute(_still_paid_up_statement(key), {**values, "latest": latest})
    return StillPaidUp(month_start(latest), {campaign_id: int(count) for campaign_id, count in rows})


@lru_cache(maxsize=SHAPES_KEPT)
def _still_paid_up_statement(key: tuple):
    """``still_paid_up``'s statement for a selection of ``key`` (``sources.shaped``), built once, the month bound."""
    selection, parts = template_of(key)
    source = retention_source(selection, parts)
    offset = bindparam("latest", type_=Integer) - source.c.signup_month
    paid = summed(case(*((offset == k, source.c[paid_at(k)]) for k in range(CURVE_MONTHS)), else_=0))
    return select(source.c.campaign_id, paid).group_by(source.c.campaign_id)


def ranks(values: list[int]) -> list[int]:
    """The rank of each of ``values``, largest first; equal values share a rank (1, 2, 2, 4)."""
    return [1 + sum(other > value for other in values) for value in values]


@dataclass(frozen=True)
class RankedCampaign:
    """A compared campaign's sign-ups and participants still paid up, each with its rank among the compared."""

    id: int
    name: str
    signups: int
    signups_rank: int
    still_paid_up: int
    still_paid_up_rank: int


@dataclass(frozen=True)
class ComparedSurvival:
    """The compared campaigns' survival curves (in the comparison's order) and their ranking, by participants still
    paid up in ``month`` (the latest reported) first, then by sign-ups."""

    curves: list[SurvivalCurve]
    month: date | None
    ranking: list[RankedCampaign]


def compare_survival(visible_branch_ids, campaigns: list[tuple[int, str, int]]) -> ComparedSurvival:
    """For ``campaigns`` (id, name, sign-ups) of the comparison, each one's survival curve and how many of its
    participants are still paid up, ranked. Four statements whatever the data."""
    ids = [id_ for id_, _name, _signups in campaigns]
    selection = Selection.for_viewer(visible_branch_ids, campaign_ids=set(ids))
    still = still_paid_up(selection)
    kept = [still.by_campaign.get(id_, 0) for id_ in ids]
    signed = [signups for _id, _name, signups in campaigns]
    ranking = [RankedCampaign(id_, name, signups, signups_rank, count, kept_rank)
               for (id_, name, signups), signups_rank, count, kept_rank
               in zip(campaigns, ranks(signed), kept, ranks(kept), strict=True)]
    ranking.sort(key=lambda row: (row.still_paid_up_rank, row.signups_rank))
    return ComparedSurvival(compared_curves(selection, ids), still.month, ranking)
