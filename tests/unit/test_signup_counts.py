"""Sign-ups counted where pages show them: per village (coverage) and per campaign (progress against the target).

The demo's sign-ups are removed first, so that every count here is of hand-built sign-ups only.
"""

import pytest
from sqlalchemy import delete, event

from campaign_app.campaigns.service import campaign_progress, list_campaigns
from campaign_app.extensions import db
from campaign_app.models import SignUp, SignUpStatus, Village
from campaign_app.summaries import bulk_execute
from campaign_app.villages import service as villages
from campaign_app.villages.signups import signups_so_far
from tests.factories import (
    NEAR_VILLAGE,
    OTHER_NEAR_VILLAGE,
    TODAY,
    in_progress_visit,
    make_campaign,
    make_signup,
    user_named,
)


@pytest.fixture(autouse=True)
def no_demo_signups(app_context):
    bulk_execute(db.session, delete(SignUp))
    db.session.flush()


def signed_up(count: int, village_code: str = NEAR_VILLAGE, campaign=None, void: int = 0) -> list[SignUp]:
    """``count`` workers signed up at a new visit (of ``campaign``) to the village; the last ``void`` voided."""
    visit = in_progress_visit(village_code=village_code, campaign=campaign or make_campaign())
    signups = [make_signup(visit) for _ in range(count)]
    for signup in signups[count - void:]:
        signup.status = SignUpStatus.VOID
    db.session.flush()
    return signups


def statements_during(action) -> int:
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


# --- villages -------------------------------------------------------------------------------------

def test_a_village_counts_the_sign_ups_of_its_visits():
    signed_up(3)
    signed_up(2, OTHER_NEAR_VILLAGE)
    assert (signups_so_far(NEAR_VILLAGE), signups_so_far(OTHER_NEAR_VILLAGE)) == (3, 2)


def test_void_sign_ups_are_not_counted_for_a_village():
    signed_up(4, void=1)
    assert signups_so_far(NEAR_VILLAGE) == 3


def test_activated_and_rejected_sign_ups_are_counted():
    first, second, _ = signed_up(3)
    first.status, second.status = SignUpStatus.ACTIVATED, SignUpStatus.REJECTED
    db.session.flush()
    assert signups_so_far(NEAR_VILLAGE) == 3


def test_a_village_without_sign_ups_counts_none():
    assert villages.village_progress(db.session.get(Village, NEAR_VILLAGE), TODAY).signups == 0


def test_coverage_is_sign_ups_over_estimated_informal_workers():
    db.session.get(Village, NEAR_VILLAGE).estimated_informal_workers = 200
    signed_up(6, void=1)
    progress = villages.village_progress(db.session.get(Village, NEAR_VILLAGE), TODAY)
    assert (progress.signups, progress.workers, progress.coverage) == (5, 200, 0.025)


def test_a_villages_progress_takes_one_statement_whatever_its_sign_ups():
    signed_up(4)
    village = db.session.get(Village, NEAR_VILLAGE)
    assert statements_during(lambda: villages.village_progress(village, TODAY)) == 1


# --- campaigns ------------------------------------------------------------------------------------

def test_a_campaign_counts_the_sign_ups_of_all_its_visits_and_no_other():
    campaign, other = make_campaign(), make_campaign()
    signed_up(2, campaign=campaign)
    signed_up(3, OTHER_NEAR_VILLAGE, campaign=campaign)
    signed_up(4, campaign=other)
    assert (campaign_progress(campaign).signups, campaign_progress(other).signups) == (5, 4)


def test_void_sign_ups_are_not_counted_for_a_campaign():
    campaign = make_campaign()
    signed_up(3, campaign=campaign, void=2)
    assert campaign_progress(campaign).signups == 1


def test_sign_ups_do_not_multiply_the_visit_counts():
    campaign = make_campaign(target_signups=40)
    signed_up(3, campaign=campaign)
    signed_up(2, OTHER_NEAR_VILLAGE, campaign=campaign)
    progress = campaign_progress(campaign)
    assert (progress.visits_planned, progress.signups, progress.target_signups) == (2, 5, 40)


def test_a_campaign_without_sign_ups_counts_zero():
    assert campaign_progress(make_campaign()).signups == 0


def test_campaign_list_rows_carry_their_sign_ups():
    campaign, visit_campaign = make_campaign(), make_campaign()
    signed_up(2, campaign=visit_campaign)
    rows = {row.campaign.id: row.progress.signups for row in list_campaigns(user_named("koordinator"),
                                                                           per_page=100)[1]}
    assert (rows[campaign.id], rows[visit_campaign.id]) == (0, 2)


def test_the_campaign_list_takes_three_statements_with_sign_ups():
    for _ in range(3):
        signed_up(2, campaign=make_campaign())
    coordinator = user_named("koordinator")
    assert statements_during(lambda: list_campaigns(coordinator, per_page=100)) == 3
