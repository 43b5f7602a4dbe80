"""Demo data a Palu user finds believable: each branch's campaigns named after its own places and held there,
every regency with estimated workers, the rate table dated from its legal basis."""

from datetime import date

import pytest
from sqlalchemy import func, select

from campaign_app.demo.campaigns import BRANCH_CAMPAIGNS, CAMPAIGN_PLAN
from campaign_app.extensions import db
from campaign_app.models import Campaign, District, RateTable, Regency, Village, Visit
from tests.factories import branch_named

pytestmark = pytest.mark.usefixtures("app_context")
LUWUK = "Kantor Cabang Luwuk"
PALU_PLACES = ("Palu", "Sigi", "Donggala", "Parigi")


def test_the_luwuk_branch_names_its_campaigns_after_its_own_places():
    names = set(db.session.scalars(select(Campaign.name).where(Campaign.branch_id == branch_named(LUWUK).id)))
    assert names == {name for name, _place in BRANCH_CAMPAIGNS[LUWUK]}
    assert not [name for name in names if any(place in name for place in PALU_PLACES)]
    assert len(BRANCH_CAMPAIGNS[LUWUK]) == len(CAMPAIGN_PLAN)


def test_each_luwuk_campaign_visits_the_place_it_is_named_after():
    luwuk = branch_named(LUWUK).id
    for name, place in BRANCH_CAMPAIGNS[LUWUK]:
        villages = set(db.session.scalars(
            select(Visit.village_code).join(Campaign, Campaign.id == Visit.campaign_id)
            .where(Campaign.branch_id == luwuk, Campaign.name == name)))
        assert villages and all(code.startswith(place + ".") for code in villages), name


def test_no_regency_has_zero_estimated_workers():
    workers = dict(db.session.execute(
        select(Regency.name, func.coalesce(func.sum(Village.estimated_informal_workers), 0))
        .join(District, District.regency_code == Regency.code).join(Village, Village.district_code == District.code)
        .group_by(Regency.name)).all())
    assert len(workers) == 13
    assert not [name for name, count in workers.items() if count == 0]


def test_the_first_rate_table_is_in_force_from_pp_82_2019():
    # PP 44/2015 on JKK and JKM as amended by PP 82/2019, in force from its promulgation on 2 December 2019.
    first = db.session.scalar(select(RateTable).order_by(RateTable.effective_from))
    assert first.effective_from == date(2019, 12, 2)
