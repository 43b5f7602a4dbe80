"""The retention tables as files: each measure with the counts it rests on, and a note where it is too young or
rests on too few cases."""

from datetime import date

import pytest

from campaign_app.i18n import force_locale
from campaign_app.reports.exports import Percent
from campaign_app.reports.retention import CostPerPaidUp, PaidUp, Retention
from campaign_app.reports.retention_breakdowns import RetentionRow
from campaign_app.reports.retention_tables import retention_breakdown_table, retention_table


def measures(paid_at_3: tuple[int, int], payer_view: bool = False) -> Retention:
    """40 sign-ups followed, ``paid_at_3`` (paid up, eligible) at M+3, nobody old enough for M+6 or M+12."""
    return Retention(latest_month=date(2026, 11, 1), signups=40,
                     paid_up={3: PaidUp(3, *paid_at_3), 6: PaidUp(6, 0, 0), 12: PaidUp(12, 0, 0)},
                     costs={6: CostPerPaidUp(6, None if payer_view else 0, 0, 0),
                            12: CostPerPaidUp(12, None if payer_view else 0, 0, 0)},
                     reactivations=2)


@pytest.fixture
def english(app_context):
    with force_locale("en"):
        yield


def test_the_measures_table_gives_each_share_with_its_counts_and_says_what_is_too_young(english):
    rows = {row[0]: row for row in retention_table(measures((30, 40))).rows}
    assert rows["Paid up at M+3"][1:] == [Percent(0.75), 30, 40, None]
    assert rows["Paid up at M+6"][4] == "too young: no cohort old enough yet"
    assert rows["Reactivations after a visit"][1] == 2


def test_a_share_of_fewer_than_30_cases_is_marked_not_comparable(english):
    rows = {row[0]: row for row in retention_table(measures((5, 8))).rows}
    assert rows["Paid up at M+3"][4] == "too few to compare"


def test_a_payer_s_view_says_why_it_has_no_cost(english):
    rows = {row[0]: row for row in retention_table(measures((30, 40), payer_view=True)).rows}
    assert rows["Cost per participant paid up at M+6 (Rp)"][4] == "no cost: visits are not paid for per payer"


def test_a_breakdown_row_names_its_key_and_notes_its_young_and_small_measures(english):
    table = retention_breakdown_table([RetentionRow("self", "self", None, measures((5, 8)))], "payer")
    [row] = list(table.rows)
    assert len(row) == len(table.header) and row[:4] == ["self", "The worker", None, 40]
    assert "too young" in row[-1] and "not comparable, fewer than 30 cases: Paid up at M+3" in row[-1]
