"""Passwords are hashed with scrypt in production; only the tests' settings choose a cheaper method."""

from flask import Flask

from campaign_app.config import load_config
from campaign_app.passwords import hash_password, password_matches


def app_with(config: dict) -> Flask:
    app = Flask(__name__)
    app.config.update(config)
    return app


def test_production_settings_hash_passwords_with_scrypt(tmp_path):
    with app_with(load_config(str(tmp_path))).app_context():
        assert hash_password("rahasia-sekali-1").startswith("scrypt:")


def test_an_app_without_the_setting_hashes_with_scrypt():
    with app_with({}).app_context():
        assert hash_password("rahasia-sekali-1").startswith("scrypt:")


def test_a_hash_is_checked_by_the_method_it_names_whatever_the_setting(tmp_path):
    with app_with(load_config(str(tmp_path))).app_context():
        scrypt_hash = hash_password("rahasia-sekali-1")
    with app_with({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"}).app_context():
        assert password_matches(scrypt_hash, "rahasia-sekali-1")
        assert not password_matches(scrypt_hash, "rahasia-sekali-2")
        assert hash_password("rahasia-sekali-1").startswith("pbkdf2:sha256:1$")
