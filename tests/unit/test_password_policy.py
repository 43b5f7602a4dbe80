"""Which new passwords are refused: common ones, the username, one character repeated, too short or too long."""

import pytest

from campaign_app.auth.password_policy import common_passwords, password_problem

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.mark.parametrize("password", ["qwertyuiop", "1234567890", "Password123", "bpjsketenagakerjaan"])
def test_a_common_password_is_refused(password):
    assert "paling umum" in password_problem(password, "budi")


def test_the_common_list_holds_only_passwords_long_enough_to_matter():
    assert min(len(word) for word in common_passwords()) >= 10
    assert len(common_passwords()) > 1000


@pytest.mark.parametrize("password", ["budi.santoso", "BUDI.SANTOSO-2026", "my-budi.santoso!"])
def test_a_password_holding_the_username_is_refused(password):
    assert "nama pengguna" in password_problem(password, "budi.santoso")


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "111111111111", "AAAAAaaaaaaa"])
def test_one_character_repeated_is_refused(password):
    assert "diulang" in password_problem(password, "budi")


@pytest.mark.parametrize("password", ["pendek", "x" * 257])
def test_too_short_or_too_long_is_refused(password):
    assert password_problem(password, "budi") == "Antara 10 dan 256 karakter."


@pytest.mark.parametrize("password", ["kopi-toraja-pagi", "jangkau-demo", "Lore Lindu 2026"])
def test_an_unusual_password_is_accepted(password):
    assert password_problem(password, "budi") is None
