"""Configuration from the environment, with secrets generated into the instance folder."""

import stat

from campaign_app.config import load_config, normalise_database_url


def test_missing_secrets_are_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATA_KEY", raising=False)
    first = load_config(str(tmp_path))
    second = load_config(str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["DATA_KEY"] == second["DATA_KEY"]
    assert first["SECRET_KEY"] != first["DATA_KEY"]
    assert len(first["SECRET_KEY"]) >= 40


def test_generated_secrets_are_readable_only_by_their_owner(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    load_config(str(tmp_path))
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_environment_wins_over_generated_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_config(str(tmp_path))["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/jangkau.sqlite3"


def test_postgres_urls_use_psycopg_3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


def test_default_language_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    assert load_config(str(tmp_path))["BABEL_DEFAULT_LOCALE"] == "en"


def test_the_log_level_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    assert load_config(str(tmp_path))["LOG_LEVEL"] == "INFO"
    monkeypatch.setenv("LOG_LEVEL", "debug")
    assert load_config(str(tmp_path))["LOG_LEVEL"] == "DEBUG"


def test_database_errors_do_not_quote_the_values_of_their_statement(tmp_path):
    assert load_config(str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True


def test_voided_sign_ups_are_kept_a_year_unless_the_environment_says_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv("VOIDED_RETENTION_DAYS", raising=False)
    assert load_config(str(tmp_path))["VOIDED_RETENTION_DAYS"] == 365
    monkeypatch.setenv("VOIDED_RETENTION_DAYS", "730")
    assert load_config(str(tmp_path))["VOIDED_RETENTION_DAYS"] == 730
