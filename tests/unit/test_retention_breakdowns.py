"""The retention measures of a selection per campaign, regency, branch, officer, channel or payer: the same counts
as the selection's measures, split by the key, the largest first, in a fixed number of statements."""

from datetime import date

import pytest
from sqlalchemy import event

from campaign_app.extensions import db
from campaign_app.models import Payer, VisitStatus
from campaign_app.reports.retention import retention
from campaign_app.reports.retention_breakdowns import (
    RETENTION_DIMENSIONS,
    UnknownRetentionBreakdown,
    officers_too_wide,
    retention_breakdown,
)
from campaign_app.reports.selection import Selection
from tests.factories import in_progress_visit, user_named
from tests.retention_data import paid, signed_up, without_histories


@pytest.fixture
def admin(app_context):
    without_histories()
    return user_named("admin")


def of(*visits, **filters) -> Selection:
    return Selection(branch_ids=None, campaign_ids={visit.campaign_id for visit in visits}, **filters)


def test_each_campaign_has_its_own_row_largest_first(admin):
    small, large = in_progress_visit(), in_progress_visit()
    paid(admin, {**dict.fromkeys(signed_up(small, 1), "2027-03"), **dict.fromkeys(signed_up(large, 2), "2026-11")},
         date(2027, 3, 1))
    rows = retention_breakdown(of(small, large), "campaign").rows
    assert [row.key for row in rows] == [large.campaign_id, small.campaign_id]
    assert [(row.measures.signups, row.measures.paid_up[3].paid_up) for row in rows] == [(2, 0), (1, 1)]
    assert rows[0].label == large.campaign.name and rows[0].parent_label == large.campaign.branch.name


def test_the_rows_add_up_to_the_selection_s_measures(admin):
    first, second = in_progress_visit(), in_progress_visit()
    paid(admin, {**dict.fromkeys(signed_up(first, 2), "2027-05"), **dict.fromkeys(signed_up(second, 1), "2026-12")},
         date(2027, 5, 1))
    whole = retention(of(first, second))
    rows = retention_breakdown(of(first, second), "regency").rows
    assert sum(row.measures.paid_up[6].paid_up for row in rows) == whole.paid_up[6].paid_up == 2
    assert sum(row.measures.signups for row in rows) == whole.signups == 3


def test_a_payer_row_has_no_cost(admin):
    visit = in_progress_visit()
    paid(admin, dict.fromkeys(signed_up(visit, 2) + signed_up(visit, 1, payer=Payer.EMPLOYER), "2027-05"),
         date(2027, 5, 1))
    rows = {row.key: row.measures for row in retention_breakdown(of(visit), "payer").rows}
    assert (rows[Payer.SELF].signups, rows[Payer.EMPLOYER].signups) == (2, 1)
    assert rows[Payer.SELF].costs[6].cost is None


def test_a_campaign_row_is_priced_with_its_done_visits(admin):
    visit = in_progress_visit()
    niks = signed_up(visit, 2)
    visit.status = VisitStatus.DONE
    db.session.flush()
    paid(admin, dict.fromkeys(niks, "2027-05"), date(2027, 5, 1))
    [row] = retention_breakdown(of(visit), "campaign").rows
    assert (row.measures.costs[6].cost, row.measures.costs[6].paid_up) == (visit.planned_cost, 2)


def test_an_officer_row_counts_the_sign_ups_they_recorded(admin):
    visit = in_progress_visit()
    paid(admin, dict.fromkeys(signed_up(visit, 2), "2027-03"), date(2027, 3, 1))
    [row] = retention_breakdown(of(visit), "officer").rows
    assert (row.key, row.label, row.measures.signups) == (visit.officers[0].id, visit.officers[0].full_name, 2)


def test_a_channel_row_is_keyed_by_the_campaign_s_channel(admin):
    visit = in_progress_visit()
    paid(admin, dict.fromkeys(signed_up(visit, 1), "2027-03"), date(2027, 3, 1))
    [row] = retention_breakdown(of(visit), "channel").rows
    assert row.key == visit.campaign.channel and row.measures.signups == 1


def test_a_page_of_rows_says_whether_more_follow(admin):
    visits = [in_progress_visit() for _ in range(3)]
    paid(admin, {nik: "2027-03" for visit in visits for nik in signed_up(visit, 1)}, date(2027, 3, 1))
    first = retention_breakdown(of(*visits), "campaign", limit=2)
    last = retention_breakdown(of(*visits), "campaign", limit=2, offset=2)
    assert (len(first.rows), first.has_more, len(last.rows), last.has_more) == (2, True, 1, False)


def test_an_unknown_breakdown_is_refused(admin):
    with pytest.raises(UnknownRetentionBreakdown):
        retention_breakdown(Selection(branch_ids=None), "occupation")


def test_officers_of_a_campaign_are_never_too_wide(admin):
    visit = in_progress_visit()
    assert not officers_too_wide(of(visit))
    assert officers_too_wide(Selection(branch_ids=frozenset(range(1, 30))))


def test_each_breakdown_takes_four_statements_whatever_the_rows(admin):
    visits = [in_progress_visit() for _ in range(2)]
    paid(admin, {nik: "2027-03" for visit in visits for nik in signed_up(visit, 2)}, date(2027, 3, 1))
    counted = {}
    for by in RETENTION_DIMENSIONS:
        statements = []

        def count(*_args, statements=statements):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            rows = retention_breakdown(of(*visits), by).rows
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        counted[by] = (bool(rows), 1 <= len(statements) <= 4)
    assert counted == dict.fromkeys(RETENTION_DIMENSIONS, (True, True))
