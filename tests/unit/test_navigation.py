"""The main menu: each role sees its destinations, every one of them, grouped by what the role does."""

import pytest

from campaign_app.models import Role
from campaign_app.navigation import MENU, grouped_menu_for, menu_for


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_every_destination_it_may_open_once(role):
    expected = sorted(endpoint for endpoint, _label, roles, _group in MENU if role in roles)
    assert sorted(endpoint for endpoint, _label in menu_for(role)) == expected


@pytest.mark.parametrize("role", list(Role))
def test_a_group_holds_two_destinations_or_more_and_a_lone_one_stands_as_a_link(role):
    for entry in grouped_menu_for(role):
        assert (entry.endpoint is None) == bool(entry.links)
        assert not entry.links or len(entry.links) >= 2


def test_the_officer_has_three_destinations_and_no_group():
    assert [e.endpoint for e in grouped_menu_for(Role.OFFICER)] == ["home.index", "signups.index", "auth.account"]


def test_a_manager_finds_the_reports_first_and_a_coordinator_the_fieldwork():
    assert grouped_menu_for(Role.MANAGER)[1].holds("reports.dashboard")
    assert grouped_menu_for(Role.COORDINATOR)[1].holds("visits.index")


def test_nobody_signed_in_has_no_menu():
    assert grouped_menu_for(None) == [] and menu_for(None) == []


def test_the_group_of_the_open_page_is_marked():
    fieldwork = next(e for e in grouped_menu_for(Role.COORDINATOR) if e.links)
    assert fieldwork.holds("visits.index") and not fieldwork.holds("reports.dashboard")
