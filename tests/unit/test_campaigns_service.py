"""Campaigns: creating, changing, closing, listing, and progress against targets."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from campaign_app.campaigns.forms import parse_budget
from campaign_app.campaigns.service import (
    BUDGET_MAX,
    campaign_progress,
    campaign_visits,
    close_campaign,
    create_campaign,
    list_campaigns,
    reopen_campaign,
    update_campaign,
    visible_campaign,
)
from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.models import Campaign, CampaignStatus, Channel, VisitStatus
from campaign_app.validation import Refused
from tests.factories import (
    NEAR_VILLAGE,
    OTHER_NEAR_VILLAGE,
    TODAY,
    branch_named,
    make_campaign,
    make_officer,
    make_visit,
    user_named,
)

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
LUWUK = "Kantor Cabang Luwuk"


def fields(**changes) -> dict:
    values = {"name": "Pekerja Pasar Aman", "channel": Channel.MARKET_STALL, "starts_on": TODAY,
              "ends_on": TODAY + timedelta(days=60), "target_signups": 200, "target_villages": 5,
              "budget": 16_800_000, "partner": None, "subsidy_programme": None, "description": None}
    values.update(changes)
    return values


@pytest.fixture(autouse=True)
def english(app_context):
    """Messages in English, so that tests can read them."""
    with force_locale("en"):
        yield


@pytest.fixture
def coordinator(app_context):
    return user_named("koordinator")


@pytest.fixture
def campaign(coordinator):
    return create_campaign(branch=branch_named(), created_by=coordinator, **fields())


def refusal(call) -> dict:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.errors


# --- create ------------------------------------------------------------------------------------

def test_a_new_campaign_is_open_and_keeps_its_fields(campaign, coordinator):
    assert campaign.status == CampaignStatus.OPEN
    assert (campaign.name, campaign.budget, campaign.target_villages) == ("Pekerja Pasar Aman", 16_800_000, 5)
    assert campaign.created_by_id == coordinator.id


def test_blank_optional_text_is_stored_as_nothing(coordinator):
    campaign = create_campaign(branch=branch_named(), created_by=coordinator,
                               **fields(partner="  ", description=""))
    assert campaign.partner is None and campaign.description is None


def test_an_end_before_the_start_is_refused(coordinator):
    errors = refusal(lambda: create_campaign(branch=branch_named(), created_by=coordinator,
                                             **fields(ends_on=TODAY - timedelta(days=1))))
    assert list(errors) == ["ends_on"]


@pytest.mark.parametrize("budget", [-1, BUDGET_MAX + 1])
def test_a_negative_or_absurd_budget_is_refused(coordinator, budget):
    errors = refusal(lambda: create_campaign(branch=branch_named(), created_by=coordinator,
                                             **fields(budget=budget)))
    assert list(errors) == ["budget"]


@pytest.mark.parametrize(("field", "value"), [("name", "x" * 121), ("partner", "x" * 121),
                                               ("description", "x" * 2001), ("name", "Pasar\x00"),
                                               ("description", "Catatan\x00")])
def test_over_long_text_or_control_characters_are_refused(coordinator, field, value):
    errors = refusal(lambda: create_campaign(branch=branch_named(), created_by=coordinator,
                                             **fields(**{field: value})))
    assert list(errors) == [field]


def test_a_second_campaign_with_the_same_name_in_the_branch_is_refused(campaign, coordinator):
    errors = refusal(lambda: create_campaign(branch=branch_named(), created_by=coordinator,
                                             **fields(name="pekerja pasar AMAN")))
    assert "already has a campaign called" in errors["name"][0]


def test_another_branch_may_use_the_same_name(campaign):
    other = create_campaign(branch=branch_named(LUWUK), created_by=None, **fields())
    assert other.id != campaign.id


def test_nothing_is_written_when_refused(coordinator):
    before = db.session.scalar(select(func.count()).select_from(Campaign))
    refusal(lambda: create_campaign(branch=branch_named(), created_by=coordinator, **fields(budget=-5)))
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == before


# --- a repeated submit -------------------------------------------------------------------------

def test_the_same_form_sent_again_finds_the_campaign_it_made(coordinator):
    first = create_campaign(branch=branch_named(), created_by=coordinator, form_key="form-1", **fields())
    again = create_campaign(branch=branch_named(), created_by=coordinator, form_key="form-1", **fields())
    assert again is first


def test_another_form_with_the_same_name_is_a_clash(coordinator):
    create_campaign(branch=branch_named(), created_by=coordinator, form_key="form-1", **fields())
    refusal(lambda: create_campaign(branch=branch_named(), created_by=coordinator, form_key="form-2",
                                    **fields()))


# --- update, close, reopen ---------------------------------------------------------------------

def test_update_changes_the_fields(campaign):
    update_campaign(campaign, **fields(name="Pasar Sentral", budget=5, channel=Channel.OTHER))
    assert (campaign.name, campaign.budget, campaign.channel) == ("Pasar Sentral", 5, Channel.OTHER)


def test_update_may_keep_the_campaign_s_own_name(campaign):
    update_campaign(campaign, **fields(target_villages=9))
    assert campaign.target_villages == 9


def test_update_refuses_the_name_of_another_campaign_of_the_branch(campaign):
    other = make_campaign(name="Nama Lain")
    errors = refusal(lambda: update_campaign(other, **fields()))
    assert list(errors) == ["name"]


def test_a_closed_campaign_cannot_be_updated(campaign):
    close_campaign(campaign, NOW)
    errors = refusal(lambda: update_campaign(campaign, **fields(budget=1)))
    assert "closed" in errors[None][0]
    assert campaign.budget == 16_800_000


def test_a_period_that_leaves_out_scheduled_visits_is_refused(campaign):
    make_visit(campaign, on=TODAY + timedelta(days=30))
    errors = refusal(lambda: update_campaign(campaign, **fields(ends_on=TODAY + timedelta(days=10))))
    assert "1 scheduled visits fall outside" in errors["ends_on"][0]


def test_a_cancelled_visit_does_not_hold_the_period(campaign):
    visit = make_visit(campaign, on=TODAY + timedelta(days=30))
    visit.status = VisitStatus.CANCELLED
    update_campaign(campaign, **fields(ends_on=TODAY + timedelta(days=10)))
    assert campaign.ends_on == TODAY + timedelta(days=10)


def test_closing_sets_the_status_and_the_time(campaign):
    close_campaign(campaign, NOW)
    assert campaign.status == CampaignStatus.CLOSED and campaign.closed_at == NOW


def test_closing_twice_keeps_the_first_closing_time(campaign):
    close_campaign(campaign, NOW)
    close_campaign(campaign, NOW + timedelta(hours=1))
    assert campaign.closed_at == NOW


def test_closing_keeps_planned_visits(campaign):
    visit = make_visit(campaign, on=TODAY + timedelta(days=3))
    close_campaign(campaign, NOW)
    assert visit.status == VisitStatus.PLANNED


def test_no_visit_can_be_scheduled_in_a_closed_campaign(campaign):
    close_campaign(campaign, NOW)
    errors = refusal(lambda: make_visit(campaign, on=TODAY + timedelta(days=3)))
    assert "campaign" in errors


def test_reopening_opens_the_campaign_again(campaign):
    close_campaign(campaign, NOW)
    reopen_campaign(campaign)
    assert campaign.is_open and campaign.closed_at is None


# --- progress ----------------------------------------------------------------------------------

def test_a_campaign_without_visits_has_no_progress(campaign):
    progress = campaign_progress(campaign)
    assert (progress.visits_planned, progress.visits_done, progress.villages_visited, progress.budget_spent) \
        == (0, 0, 0, 0)
    assert progress.signups == 0
    assert (progress.target_villages, progress.budget, progress.target_signups) == (5, 16_800_000, 200)


def test_progress_counts_distinct_villages_and_the_cost_of_visits_done(campaign):
    officer = make_officer()
    done = [make_visit(campaign, NEAR_VILLAGE, on=TODAY + timedelta(days=d), officers=[officer],
                       planned_cost=cost) for d, cost in ((1, 100_000), (2, 200_000))]
    done.append(make_visit(campaign, OTHER_NEAR_VILLAGE, on=TODAY + timedelta(days=3), planned_cost=50_000))
    for visit in done:
        visit.status = VisitStatus.DONE
    make_visit(campaign, OTHER_NEAR_VILLAGE, on=TODAY + timedelta(days=4), planned_cost=900_000)  # planned
    cancelled = make_visit(campaign, NEAR_VILLAGE, on=TODAY + timedelta(days=5))
    cancelled.status = VisitStatus.CANCELLED
    db.session.flush()
    progress = campaign_progress(campaign)
    assert progress.visits_planned == 4  # the cancelled one is left out
    assert progress.visits_done == 3
    assert progress.villages_visited == 2
    assert progress.budget_spent == 350_000


# --- lists ---------------------------------------------------------------------------------------

def test_the_list_shows_only_open_campaigns_by_default(campaign, coordinator):
    close_campaign(make_campaign(name="Selesai"), NOW)
    page, rows = list_campaigns(coordinator)
    names = {row.campaign.name for row in rows}
    assert "Pekerja Pasar Aman" in names and "Selesai" not in names


def test_the_list_can_show_closed_or_all_campaigns(campaign, coordinator):
    close_campaign(make_campaign(name="Selesai"), NOW)
    closed = {row.campaign.name for row in list_campaigns(coordinator, status="closed")[1]}
    every = {row.campaign.name for row in list_campaigns(coordinator, status="all")[1]}
    assert "Selesai" in closed and "Pekerja Pasar Aman" not in closed
    assert {"Selesai", "Pekerja Pasar Aman"} <= every


def test_a_coordinator_sees_only_their_branch(campaign, coordinator):
    create_campaign(branch=branch_named(LUWUK), created_by=None, **fields(name="Luwuk Saja"))
    rows = list_campaigns(coordinator, status="all", per_page=100)[1]
    assert {row.campaign.branch_id for row in rows} == {coordinator.branch_id}


def test_a_branch_filter_outside_the_user_s_branches_shows_nothing(coordinator):
    page, rows = list_campaigns(coordinator, status="all", branch_id=branch_named(LUWUK).id)
    assert page.total == 0 and rows == []


def test_the_manager_filters_by_branch(app_context):
    manager = user_named("manajer")
    luwuk = branch_named(LUWUK)
    rows = list_campaigns(manager, status="all", branch_id=luwuk.id, per_page=100)[1]
    assert rows and {row.campaign.branch_id for row in rows} == {luwuk.id}


def test_the_list_is_paginated_and_a_page_past_the_end_shows_the_last(coordinator):
    for n in range(5):
        make_campaign(name=f"Halaman {n}")
    page, rows = list_campaigns(coordinator, status="all", page=999_999_999, per_page=2)
    assert page.page == page.pages and len(rows) >= 1


def test_list_rows_carry_their_progress(campaign, coordinator):
    visit = make_visit(campaign, on=TODAY + timedelta(days=1), planned_cost=75_000)
    visit.status = VisitStatus.DONE
    db.session.flush()
    row = next(r for r in list_campaigns(coordinator, per_page=100)[1] if r.campaign.id == campaign.id)
    assert (row.progress.visits_done, row.progress.budget_spent) == (1, 75_000)


def test_the_list_takes_three_statements_whatever_the_page_holds(campaign, coordinator):
    for n in range(6):
        make_visit(make_campaign(name=f"Banyak {n}"), on=TODAY + timedelta(days=n + 1))
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        list_campaigns(coordinator, per_page=100)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 3


def test_campaign_visits_are_newest_first(campaign):
    first = make_visit(campaign, on=TODAY + timedelta(days=1))
    second = make_visit(campaign, OTHER_NEAR_VILLAGE, on=TODAY + timedelta(days=8))
    assert [v.id for v in campaign_visits(campaign).items] == [second.id, first.id]


def test_another_branch_s_campaign_is_not_visible(app_context):
    luwuk_campaign = create_campaign(branch=branch_named(LUWUK), created_by=None, **fields())
    assert visible_campaign(user_named("koordinator"), luwuk_campaign.id) is None
    assert visible_campaign(user_named("admin"), luwuk_campaign.id) is luwuk_campaign


# --- budgets as people write them ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "amount"), [("16.800", 16_800), ("16800", 16_800), ("Rp16.800", 16_800),
                                               ("Rp 16.800", 16_800), ("", 0), ("1,5 jt", 1_500_000)])
def test_budgets_are_read_as_people_write_them(app_context, text, amount):
    assert parse_budget(text) == amount


@pytest.mark.parametrize("text", ["-5", "Rp-16.800", "abc", "16.800,50", "2jtan", "99999999999999999999",
                                  "1" * 41])
def test_budgets_that_are_no_whole_amount_are_refused(app_context, text):
    with pytest.raises(ValueError):
        parse_budget(text)
