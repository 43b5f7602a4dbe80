"""The village registry: what a branch may see, browsing and searching, a village's progress, and editing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from campaign_app.demo.seed import PALU_REGENCIES
from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.models import Village, VisitStatus
from campaign_app.validation import Refused
from campaign_app.villages import scope, service
from campaign_app.villages.values import parse_access, parse_count, parse_hours
from tests.factories import FAR_VILLAGE, NEAR_VILLAGE, TODAY, branch_named, make_campaign, make_visit

pytestmark = pytest.mark.usefixtures("app_context")

LUWUK_VILLAGE = "72.01.01.1008"  # Batui, Kabupaten Banggai


def palu() -> set[int]:
    return {branch_named().id}


def luwuk() -> set[int]:
    return {branch_named("Kantor Cabang Luwuk").id}


def village(code: str) -> Village:
    return db.session.get(Village, code)


def done_visit(village_code: str, days_ago: int, status: str = VisitStatus.DONE):
    day = TODAY - timedelta(days=days_ago)
    campaign = make_campaign(starts_on=day - timedelta(days=1), ends_on=TODAY + timedelta(days=60))
    visit = make_visit(campaign, village_code=village_code, on=day, today=day)
    visit.status = status
    db.session.flush()
    return visit


def values(**changes) -> dict:
    stored = {"estimated_population": 3000, "estimated_informal_workers": 900, "access_class": "boat",
              "travel_hours": Decimal("2.5"), "notes": "Perahu dari Donggala"}
    stored.update(changes)
    return stored


# --- what a branch may see ------------------------------------------------------------------------

def test_a_branch_sees_its_own_village():
    assert scope.visible_village(palu(), NEAR_VILLAGE).name == "Besusu Barat"


def test_a_branch_does_not_see_another_branchs_village():
    assert scope.visible_village(palu(), LUWUK_VILLAGE) is None


def test_every_branch_means_any_covered_village():
    assert scope.visible_village(None, LUWUK_VILLAGE) is not None


@pytest.mark.parametrize("code", ["72.10.01", "72.10.01.2001x", "72-10-01-2001", "", "9" * 200])
def test_a_malformed_code_names_no_village(code):
    assert scope.visible_village(None, code) is None


def test_regency_choices_are_the_branchs_regencies():
    assert [code for code, _name in scope.regency_options(palu())] == sorted(PALU_REGENCIES)


def test_district_choices_of_another_branchs_regency_are_empty():
    assert scope.district_options(palu(), "72.01") == []


# --- browsing -------------------------------------------------------------------------------------

def test_regencies_of_the_branch_add_up_to_its_villages():
    regencies = service.regency_areas(palu())
    assert [area.code for _p, _n, area in regencies] == sorted(PALU_REGENCIES)
    assert sum(area.villages for _p, _n, area in regencies) == 672


def test_provinces_sum_their_regencies():
    regencies = service.regency_areas(None)
    [province] = service.province_areas(regencies)
    assert (province.code, province.parts) == ("72", len(regencies))
    assert province.villages == sum(area.villages for _p, _n, area in regencies)


def test_districts_of_a_regency_count_their_villages_and_workers():
    districts = {area.code: area for area in service.district_areas(palu(), "72.71")}
    palu_timur = districts["72.71.01"]
    assert palu_timur.villages == 5
    codes = db.session.scalars(select(Village.code).where(Village.district_code == "72.71.01"))
    assert palu_timur.workers == sum(village(code).estimated_informal_workers for code in codes)


def test_districts_of_another_branchs_regency_are_not_listed():
    assert service.district_areas(palu(), "72.01") == []


# --- searching ------------------------------------------------------------------------------------

def test_search_finds_part_of_a_name_whatever_the_case():
    found = service.search_villages(palu(), today=TODAY, query="SIDONDO")
    assert {row.name for row in found.items} >= {"Sidondo I", "Sidondo II"}


def test_search_finds_the_start_of_a_code():
    found = service.search_villages(palu(), today=TODAY, query="72.71.01.")
    assert found.total == 5
    assert all(row.code.startswith("72.71.01.") for row in found.items)


def test_search_never_finds_another_branchs_villages():
    name = village(LUWUK_VILLAGE).name
    assert service.search_villages(palu(), today=TODAY, query=name).total == 0
    assert service.search_villages(luwuk(), today=TODAY, query=name).total >= 1


def test_search_within_a_district_lists_only_its_villages():
    found = service.search_villages(palu(), today=TODAY, district_code="72.71.01")
    assert [row.name for row in found.items] == sorted(row.name for row in found.items)
    assert {row.district for row in found.items} == {"Palu Timur"}


def test_search_treats_percent_and_underscore_as_plain_characters():
    assert service.search_villages(palu(), today=TODAY, query="%").total == 0
    assert service.search_villages(palu(), today=TODAY, query="_").total == 0


def test_a_listed_village_shows_the_days_since_its_last_done_visit():
    done_visit(NEAR_VILLAGE, days_ago=40)
    done_visit(NEAR_VILLAGE, days_ago=12)
    done_visit(NEAR_VILLAGE, days_ago=5, status=VisitStatus.POSTPONED)
    [row] = service.search_villages(palu(), today=TODAY, query=NEAR_VILLAGE).items
    assert row.days_since_visit == 12


def test_a_page_past_the_end_shows_the_last_page():
    found = service.search_villages(palu(), today=TODAY, district_code="72.71.01", page=99, per_page=2)
    assert (found.page, found.pages, len(found.items)) == (3, 3, 1)


# --- a village's progress and visits --------------------------------------------------------------

def test_a_village_never_visited_has_no_days_since_a_visit():
    progress = service.village_progress(village(NEAR_VILLAGE), TODAY)
    assert (progress.last_done, progress.days_since_visit) == (None, None)


def test_coverage_needs_an_estimate_of_informal_workers():
    village(NEAR_VILLAGE).estimated_informal_workers = None
    assert service.village_progress(village(NEAR_VILLAGE), TODAY).coverage is None


def test_a_planned_visit_is_not_a_done_visit():
    make_visit(village_code=NEAR_VILLAGE, on=TODAY + timedelta(days=3))
    assert service.village_progress(village(NEAR_VILLAGE), TODAY).last_done is None


def test_days_since_the_last_visit_count_from_its_date():
    done_visit(FAR_VILLAGE, days_ago=30)
    assert service.village_progress(village(FAR_VILLAGE), TODAY).days_since_visit == 30


def test_a_villages_visits_come_latest_first_and_by_page():
    old, recent = done_visit(NEAR_VILLAGE, days_ago=30), done_visit(NEAR_VILLAGE, days_ago=10)
    planned = make_visit(village_code=NEAR_VILLAGE, on=TODAY + timedelta(days=5))
    first = service.village_visits(palu(), NEAR_VILLAGE, per_page=2)
    assert [v.id for v in first.items] == [planned.id, recent.id]
    assert [v.id for v in service.village_visits(palu(), NEAR_VILLAGE, page=2, per_page=2).items] == [old.id]


def test_another_branchs_visits_are_not_listed():
    done_visit(NEAR_VILLAGE, days_ago=10)
    assert service.village_visits(luwuk(), NEAR_VILLAGE).total == 0


# --- editing ----------------------------------------------------------------------------------------

def test_update_village_records_what_the_campaign_knows():
    service.update_village(village(FAR_VILLAGE), **values())
    stored = village(FAR_VILLAGE)
    assert (stored.estimated_population, stored.estimated_informal_workers, stored.access_class,
            stored.travel_hours, stored.notes) == (3000, 900, "boat", Decimal("2.5"), "Perahu dari Donggala")


def test_update_village_clears_values_given_as_none():
    service.update_village(village(FAR_VILLAGE), **values(estimated_population=None, access_class=None,
                                                           travel_hours=None, notes="  "))
    stored = village(FAR_VILLAGE)
    assert (stored.estimated_population, stored.access_class, stored.travel_hours, stored.notes) == (
        None, None, None, None)


@pytest.mark.parametrize(("changes", "field"), [
    ({"estimated_informal_workers": 3001}, "estimated_informal_workers"),
    ({"estimated_population": -1}, "estimated_population"),
    ({"estimated_population": 2**63}, "estimated_population"),
    ({"access_class": "helicopter"}, "access_class"),
    ({"travel_hours": Decimal("72.1")}, "travel_hours"),
    ({"travel_hours": Decimal("-0.5")}, "travel_hours"),
    ({"travel_hours": Decimal("2.25")}, "travel_hours"),
    ({"notes": "x" * 2001}, "notes"),
    ({"notes": "jalan\x00rusak"}, "notes"),
])
def test_update_village_refuses_bad_values_and_changes_nothing(changes, field):
    before = village(FAR_VILLAGE).estimated_population
    with pytest.raises(Refused) as refused:
        service.update_village(village(FAR_VILLAGE), **values(**changes))
    assert list(refused.value.errors) == [field]
    assert village(FAR_VILLAGE).estimated_population == before


def test_informal_workers_may_equal_the_population():
    service.update_village(village(FAR_VILLAGE), **values(estimated_informal_workers=3000))
    assert village(FAR_VILLAGE).estimated_informal_workers == 3000


# --- reading what people type ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "hours"), [("2,5", Decimal("2.5")), ("2.5", Decimal("2.5")), ("72", Decimal(72)),
                                             (" 0 ", Decimal(0)), ("", None)])
def test_hours_are_read_with_a_comma_or_a_point(text, hours):
    assert parse_hours(text) == hours


@pytest.mark.parametrize("text", ["2,55", "2.5.1", "-1", "dua", "1e3", "2,"])
def test_hours_with_more_than_one_decimal_or_not_a_number_are_refused(text):
    with pytest.raises(ValueError):
        parse_hours(text)


@pytest.mark.parametrize(("text", "count"), [("1500", 1500), ("1.500", 1500), ("1,500", 1500), ("1 500", 1500),
                                             ("1.234.567", 1234567), ("", None)])
def test_counts_are_read_with_or_without_thousands_separators(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("text", ["1,5", "1.50", "-3", "12a", "1.500,000", "9" * 5000])
def test_counts_that_are_not_whole_numbers_are_refused(text):
    with pytest.raises(ValueError):
        parse_count(text)


@pytest.mark.parametrize(("text", "code"), [("rough_road", "rough_road"), ("Rough road", "rough_road"),
                                            ("ON-FOOT", "on_foot"), ("boat", "boat")])
def test_access_is_read_from_its_code_or_its_name(text, code):
    with force_locale("en"):
        assert parse_access(text) == code


def test_access_is_read_from_its_indonesian_name_too():
    # Whatever the catalogue says, the label in force is accepted: here its English fallback or translation.
    from campaign_app.labels import access_label

    with force_locale("id"):
        assert parse_access(access_label("boat")) == "boat"


def test_an_unknown_access_class_is_refused():
    with pytest.raises(ValueError):
        parse_access("helicopter")
