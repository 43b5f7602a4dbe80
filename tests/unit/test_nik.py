"""NIK rules: 16 digits, a known region, a real birth date; sex and birth date read from it."""

from datetime import date

import pytest

from campaign_app.signups.nik import check_nik

WOMAN_1995 = "7271014508950001"  # Palu Timur, Kota Palu; born 5 Aug 1995 (day + 40: a woman)
MAN_1988 = "7210011203880002"  # Sigi Biromaru, Sigi; born 12 Mar 1988


def test_a_valid_nik_gives_district_sex_and_birth_date(app_context):
    check = check_nik(WOMAN_1995)
    assert check.valid
    assert (check.district_code, check.sex, check.birth_date) == ("72.71.01", "P", date(1995, 8, 5))


def test_a_man_s_nik_reads_as_a_man(app_context):
    check = check_nik(MAN_1988)
    assert (check.sex, check.birth_date) == ("L", date(1988, 3, 12))


def test_spaces_and_dots_typed_in_a_nik_are_ignored(app_context):
    assert check_nik("7271 0145 0895 0001").nik == WOMAN_1995
    assert check_nik("72.71.01.450895.0001").valid


@pytest.mark.parametrize("nik", ["727101450895000", "72710145089500012", "72710145O8950001", "", "abc"])
def test_a_nik_that_is_not_16_digits_is_refused(app_context, nik):
    assert check_nik(nik).errors


def test_an_unknown_region_is_refused(app_context):
    assert not check_nik("7299014508950001").valid


def test_an_impossible_birth_date_is_refused(app_context):
    assert not check_nik("7271013102950001").valid  # 31 February
    assert not check_nik("7271019908950001").valid  # day 99


def test_a_stated_sex_that_differs_is_flagged(app_context):
    assert check_nik(WOMAN_1995, stated_sex="L").mismatches
    assert not check_nik(WOMAN_1995, stated_sex="P").mismatches


def test_a_stated_birth_date_that_differs_is_flagged(app_context):
    assert check_nik(MAN_1988, stated_birth_date=date(1988, 3, 13)).mismatches
    assert not check_nik(MAN_1988, stated_birth_date=date(1988, 3, 12)).mismatches
