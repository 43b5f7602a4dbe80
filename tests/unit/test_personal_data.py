"""NIKs at rest: encrypted, indexed by a keyed hash, shown masked."""

import pytest
from cryptography.fernet import InvalidToken

from campaign_app.signups.personal_data import decrypt_nik, encrypt_nik, mask_nik, nik_index
from tests.conftest import app_on_copy

NIK = "7271014508950001"


def test_a_nik_comes_back_from_its_ciphertext(app_context):
    assert decrypt_nik(encrypt_nik(NIK)) == NIK


def test_the_ciphertext_does_not_contain_the_nik(app_context):
    assert NIK.encode() not in encrypt_nik(NIK)


def test_encrypting_twice_gives_different_ciphertexts(app_context):
    assert encrypt_nik(NIK) != encrypt_nik(NIK)


def test_the_blind_index_is_stable_and_tells_niks_apart(app_context):
    assert nik_index(NIK) == nik_index(NIK)
    assert nik_index(NIK) != nik_index("7271014508950002")
    assert NIK not in nik_index(NIK)


def test_another_data_key_can_neither_read_nor_match(app, databases):
    with app.app_context():
        ciphertext, index = encrypt_nik(NIK), nik_index(NIK)
    # On a database of its own: the run's database refuses an app with another key (tests/unit/test_key_check.py).
    with app_on_copy(databases, databases.empty_url(), DATA_KEY="another-data-key") as other, other.app_context():
        assert nik_index(NIK) != index
        with pytest.raises(InvalidToken):
            decrypt_nik(ciphertext)


def test_a_masked_nik_shows_only_its_last_four_digits():
    assert mask_nik(NIK) == "************0001"
