"""The dashboard's filter choices and the campaigns offered to compare, for what each viewer may see."""

from datetime import date

import pytest
from sqlalchemy import select

from campaign_app.access import visible_branch_ids
from campaign_app.branches.service import get_or_create_branch
from campaign_app.extensions import db
from campaign_app.models import Regency, Role
from campaign_app.regions.load import load_regions
from campaign_app.reports.choices import (
    CAMPAIGN_BRANCHES_AT_ONCE,
    OFFICER_BRANCHES_AT_ONCE,
    branch_places,
    campaign_options,
    filter_choices,
    offered_branches,
    sees_several_branches,
)
from campaign_app.users.service import create_user
from tests.factories import branch_named, make_campaign, make_officer, user_named
from tests.reports_data import BUOL, MOMUNU, MOMUNU_DISTRICT, TOLI_TOLI, build_world

pytestmark = pytest.mark.usefixtures("app_context")

LUWUK = "Kantor Cabang Luwuk"
BANGGAI_VILLAGE = "72.01.01.1006"


def values(choices) -> list[str]:
    return [value for value, _label in choices]


def labels(choices) -> list[str]:
    return [label for _value, label in choices]


# --- campaign labels ----------------------------------------------------------------------------------

def test_a_viewer_of_several_branches_reads_each_campaign_with_its_branch():
    palu = make_campaign(branch_named(), "Kampanye Kembar")
    luwuk = make_campaign(branch_named(LUWUK), "Kampanye Kembar")
    options = dict(campaign_options(visible_branch_ids(user_named("manajer")), several_branches=True))
    assert options[palu.id] == "Kampanye Kembar — Kantor Cabang Palu"
    assert options[luwuk.id] == "Kampanye Kembar — Kantor Cabang Luwuk"


def test_a_viewer_of_one_branch_reads_campaign_names_alone():
    palu = make_campaign(branch_named(), "Kampanye Kembar")
    luwuk = make_campaign(branch_named(LUWUK), "Kampanye Kembar")
    options = dict(campaign_options({branch_named().id}, several_branches=False))
    assert options[palu.id] == "Kampanye Kembar" and luwuk.id not in options


def test_campaigns_are_offered_newest_first():
    older = make_campaign(name="Lama", starts_on=date(2025, 1, 6))
    newer = make_campaign(name="Baru")
    ids = [id_ for id_, _label in campaign_options({branch_named().id}, several_branches=False)]
    assert ids.index(newer.id) < ids.index(older.id)


def test_several_branches_are_seen_by_a_regional_manager_and_an_administrator():
    assert sees_several_branches(visible_branch_ids(user_named("manajer")))
    assert sees_several_branches(None)
    assert not sees_several_branches({branch_named().id})


# --- the dashboard's filters ------------------------------------------------------------------------------

def test_a_coordinator_is_offered_their_branch_alone_and_plain_campaign_names():
    choices = filter_choices(user_named("koordinator"))
    assert values(choices.branch) == ["", str(branch_named().id)]
    assert not choices.several_branches
    assert not [label for label in labels(choices.campaign) if " — " in label]


def test_a_regional_manager_is_offered_campaigns_named_with_their_branch():
    # The demo names each branch's campaigns after its own places: a Luwuk campaign named like a Palu one.
    make_campaign(branch_named("Kantor Cabang Luwuk"), name="Lapak Pasar Rakyat Palu")
    choices = filter_choices(user_named("manajer"))
    assert choices.several_branches
    assert "Lapak Pasar Rakyat Palu — Kantor Cabang Palu" in labels(choices.campaign)
    assert "Lapak Pasar Rakyat Palu — Kantor Cabang Luwuk" in labels(choices.campaign)


def test_districts_are_those_of_the_regency_asked_for():
    build_world()
    admin = user_named("admin")
    districts = values(filter_choices(admin, regency=BUOL).district)
    assert districts[0] == "" and MOMUNU_DISTRICT in districts
    assert all(code.startswith(BUOL + ".") for code in districts[1:])
    # A drill-down to a district names no regency: the district's own is read from its code.
    assert MOMUNU_DISTRICT in values(filter_choices(admin, district=MOMUNU_DISTRICT).district)


def test_no_district_is_offered_for_a_regency_the_viewer_does_not_cover():
    build_world()
    assert values(filter_choices(user_named("koordinator"), regency=TOLI_TOLI).district) == [""]


def test_the_village_asked_for_is_offered_when_the_viewer_covers_it():
    build_world()
    assert values(filter_choices(user_named("admin"), village=MOMUNU).village) == ["", MOMUNU]
    assert values(filter_choices(user_named("koordinator"), village=BANGGAI_VILLAGE).village) == [""]
    assert values(filter_choices(user_named("koordinator"), village="72.01\x00").village) == [""]


def test_an_officer_of_another_branch_is_never_offered_to_a_coordinator():
    luwuk_officer = make_officer(branch_named(LUWUK), "Dewi Luwuk")
    offered = filter_choices(user_named("koordinator"), officer=str(luwuk_officer.id)).officer
    assert str(luwuk_officer.id) not in values(offered)


def test_an_administrator_is_offered_the_officers_of_the_branch_asked_for():
    luwuk_officer = make_officer(branch_named(LUWUK), "Dewi Luwuk")
    admin = user_named("admin")
    assert str(luwuk_officer.id) not in values(filter_choices(admin).officer)
    assert str(luwuk_officer.id) in values(filter_choices(admin, branch=str(branch_named(LUWUK).id)).officer)


def test_an_officer_a_drill_down_links_to_is_offered_to_an_administrator():
    luwuk_officer = make_officer(branch_named(LUWUK), "Dewi Luwuk")
    assert str(luwuk_officer.id) in values(filter_choices(user_named("admin"), officer=str(luwuk_officer.id)).officer)


def test_every_list_starts_with_its_all_choice_but_period_and_breakdown():
    choices = filter_choices(user_named("admin"))
    for name in ("branch", "regency", "district", "village", "channel", "officer"):
        assert getattr(choices, name)[0][0] == "", name
    assert values(choices.period) == ["week", "month"]
    assert values(choices.by)[:3] == ["branch", "campaign", "regency"]




def test_a_viewer_of_few_branches_is_offered_all_their_campaigns():
    visible = {branch_named().id, branch_named(LUWUK).id}
    assert offered_branches(visible, branch_named().id, None) == visible


def test_a_viewer_of_every_branch_is_offered_the_campaigns_of_their_own_branch_or_the_one_asked_for():
    palu, luwuk = branch_named().id, branch_named(LUWUK).id
    assert offered_branches(None, palu, None) == {palu}
    assert offered_branches(None, palu, luwuk) == {luwuk}


def test_a_branch_outside_the_viewer_s_is_not_offered():
    visible = set(range(1000, 1000 + CAMPAIGN_BRANCHES_AT_ONCE + 1))
    assert offered_branches(visible, 1000, 5) == set()
    assert offered_branches(visible, 1000, None) == {1000}


def test_a_campaign_asked_for_is_offered_beside_the_listed_branch_s():
    luwuk_campaign = make_campaign(branch_named(LUWUK), "Banggai Sehat")
    admin = user_named("admin")
    assert str(luwuk_campaign.id) not in values(filter_choices(admin).campaign)
    assert str(luwuk_campaign.id) in values(filter_choices(admin, campaigns=(str(luwuk_campaign.id),)).campaign)
    assert str(luwuk_campaign.id) in values(filter_choices(admin, branch=str(branch_named(LUWUK).id)).campaign)


def test_a_viewer_of_every_branch_is_offered_one_branch_s_regencies_and_the_one_asked_for():
    build_world()
    admin = user_named("admin")
    own = values(filter_choices(admin).regency)
    assert BUOL not in own and len(own) > 1
    assert BUOL in values(filter_choices(admin, regency=BUOL).regency)
    assert values(filter_choices(admin, branch=str(branch_named("Cabang Uji Utara").id)).regency) == [
        "", TOLI_TOLI, BUOL]


# --- many branches: one province's at a time ----------------------------------------------------------------

NORTH_SULAWESI = "71"


def branches_up_north(count: int = CAMPAIGN_BRANCHES_AT_ONCE) -> list:
    """``count`` branches in Sulawesi Utara, one regency each: with the demo's, more than are listed at once."""
    load_regions([NORTH_SULAWESI])
    codes = db.session.scalars(select(Regency.code).where(Regency.province_code == NORTH_SULAWESI)
                               .order_by(Regency.code).limit(count)).all()
    return [get_or_create_branch(f"Kantor Cabang Uji {code}", [code], home_regency_code=code) for code in codes]


def test_a_viewer_of_many_branches_is_offered_the_branches_of_their_own_province():
    north = branches_up_north()
    choices = filter_choices(user_named("admin"))
    assert values(choices.province) == [NORTH_SULAWESI, "72"] and choices.listed_province == "72"
    assert labels(choices.province) == ["Sulawesi Utara", "Sulawesi Tengah"]
    assert str(branch_named().id) in values(choices.branch)
    assert not {str(branch.id) for branch in north} & set(values(choices.branch))
    assert choices.several_branches and choices.branch[0][0] == ""


def test_the_province_asked_for_lists_its_branches():
    north = branches_up_north()
    choices = filter_choices(user_named("admin"), province=NORTH_SULAWESI)
    assert choices.listed_province == NORTH_SULAWESI
    assert values(choices.branch) == ["", *(str(branch.id) for branch in sorted(north, key=lambda b: b.name))]


def test_the_branch_asked_for_is_listed_with_the_branches_of_its_province():
    north = branches_up_north()
    admin = user_named("admin")
    assert filter_choices(admin, branch=str(north[0].id)).listed_province == NORTH_SULAWESI
    # Asked for beside another province (a province changed after the branch was chosen), it stays listed.
    assert str(north[0].id) in values(filter_choices(admin, province="72", branch=str(north[0].id)).branch)


def test_an_unknown_province_lists_the_viewer_s_own():
    branches_up_north()
    assert filter_choices(user_named("admin"), province="99\x00").listed_province == "72"


def test_a_branch_covering_no_regency_is_listed_whatever_the_province():
    branches_up_north()
    empty = get_or_create_branch("Kantor Cabang Tanpa Wilayah", [])
    for province in ("72", NORTH_SULAWESI):
        assert str(empty.id) in values(filter_choices(user_named("admin"), province=province).branch)


def test_a_viewer_of_few_branches_chooses_among_them_all_without_a_province():
    branches_up_north()
    choices = filter_choices(user_named("manajer"))
    assert choices.province == [] and choices.listed_province == ""
    assert len(values(choices.branch)) == 1 + len(visible_branch_ids(user_named("manajer")))


def test_branch_places_name_each_branch_s_province():
    north = branches_up_north(1)
    places = {place.id: place for place in branch_places(None)}
    assert places[north[0].id].province_code == NORTH_SULAWESI
    assert places[branch_named().id].province_name == "Sulawesi Tengah"


def test_a_manager_of_few_branches_is_offered_the_officers_of_all_of_them():
    palu_officer = make_officer(branch_named(), "Dewi Palu")
    luwuk_officer = make_officer(branch_named(LUWUK), "Dewi Luwuk")
    choices = filter_choices(user_named("manajer"))  # of Palu, Luwuk and Poso; their own is Palu
    assert {str(palu_officer.id), str(luwuk_officer.id)} <= set(values(choices.officer))
    assert not choices.officers_need_branch


def test_a_chosen_branch_narrows_the_officers_to_its_own():
    palu_officer = make_officer(branch_named(), "Dewi Palu")
    luwuk_officer = make_officer(branch_named(LUWUK), "Dewi Luwuk")
    offered = values(filter_choices(user_named("manajer"), branch=str(branch_named(LUWUK).id)).officer)
    assert str(luwuk_officer.id) in offered and str(palu_officer.id) not in offered


def test_a_manager_of_many_branches_chooses_a_branch_before_its_officers():
    north = branches_up_north(OFFICER_BRANCHES_AT_ONCE + 1)
    officer = make_officer(north[1], "Dewi Utara")
    manager = create_user(username="regional", full_name="Manajer Regional", password="not-used-by-tests",
                          role=Role.MANAGER, branch=north[0], covered_branches=north)
    choices = filter_choices(manager)
    assert values(choices.officer) == [""] and choices.officers_need_branch
    choices = filter_choices(manager, branch=str(north[1].id))
    assert values(choices.officer) == ["", str(officer.id)] and not choices.officers_need_branch
