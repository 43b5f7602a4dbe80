"""The demo's payment histories make the point of retention at once: self-payers lapse more than subsidised
participants, and a village-meeting campaign keeps its participants better than a door-to-door drive."""

import pytest
from sqlalchemy import select

from campaign_app import clock
from campaign_app.demo.campaigns import CAMPAIGN_PLAN
from campaign_app.demo.payments import draw_history, seed_payment_histories
from campaign_app.extensions import db
from campaign_app.models import Channel, Payer, PaymentHistory, SignUp, SignUpStatus

pytestmark = pytest.mark.usefixtures("app_context")


def _kept(payer: Payer, channel: Channel, participants: int = 2000) -> float:
    """Of ``participants`` drawn histories over a year from their first month, the share paying in the 12th month."""
    months = [draw_history(n, payer, channel, 0, 0, 11)[0] for n in range(participants)]
    return sum(bits >> 11 & 1 for bits in months) / participants


def test_every_activated_sign_up_that_paid_has_a_history():
    activated = set(db.session.scalars(select(SignUp.id).where(SignUp.status == SignUpStatus.ACTIVATED)))
    histories = set(db.session.scalars(select(PaymentHistory.signup_id)))
    assert histories and histories <= activated


def test_seeding_again_adds_nothing():
    assert seed_payment_histories(clock.today()) == 0


def test_self_payers_lapse_more_than_subsidised_participants():
    assert _kept(Payer.SELF, Channel.MARKET_STALL) < _kept(Payer.SUBSIDY, Channel.MARKET_STALL) / 2


def test_a_village_meeting_campaign_keeps_its_participants_far_better_than_a_door_to_door_drive():
    assert _kept(Payer.SELF, Channel.VILLAGE_MEETING) > 2 * _kept(Payer.SELF, Channel.DOOR_TO_DOOR)


def test_the_campaign_that_signs_up_more_is_the_door_to_door_drive():
    targets = {channel: target for _name, channel, _start, _days, target, *_rest in CAMPAIGN_PLAN}
    assert targets[Channel.DOOR_TO_DOOR] > targets[Channel.VILLAGE_MEETING]
