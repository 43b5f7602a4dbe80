"""The SQLite database and the instance folder are readable by the account that runs the app alone."""

import os
import stat

import pytest
from sqlalchemy import text

from campaign_app.config import load_config
from campaign_app.extensions import db
from campaign_app.private_files import private_sqlite_file
from tests.conftest import app_on_copy

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_instance_folder_is_created_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    load_config(str(tmp_path / "instance"))
    assert mode(tmp_path / "instance") == 0o700


def test_an_instance_folder_readable_by_others_is_made_private(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s")
    monkeypatch.delenv("DATA_KEY", raising=False)
    (tmp_path / "instance").mkdir(mode=0o755)
    (tmp_path / "instance").chmod(0o755)
    load_config(str(tmp_path / "instance"))
    assert mode(tmp_path / "instance") == 0o700


def test_the_default_sqlite_database_and_its_folder_are_created_private(tmp_path):
    instance = tmp_path / "instance"
    private_sqlite_file(f"sqlite:///{instance}/jangkau.sqlite3", str(instance))
    assert mode(instance) == 0o700
    assert mode(instance / "jangkau.sqlite3") == 0o600


def test_an_app_s_sqlite_database_and_its_write_ahead_log_are_private(databases, tmp_path):
    path = tmp_path / "jangkau.sqlite3"
    with app_on_copy(databases, f"sqlite:///{path}", drop=False) as app, app.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.commit()
        # SQLite creates these with the database file's mode.
        files = {p.name: mode(p) for p in tmp_path.iterdir()}
    assert files == {"jangkau.sqlite3": 0o600, "jangkau.sqlite3-wal": 0o600, "jangkau.sqlite3-shm": 0o600}


def test_an_existing_database_readable_by_others_is_made_private(tmp_path):
    path = tmp_path / "jangkau.sqlite3"
    path.touch()
    path.chmod(0o644)
    private_sqlite_file(f"sqlite:///{path}", str(tmp_path / "instance"))
    assert mode(path) == 0o600


def test_a_database_folder_other_than_the_instance_folder_is_neither_created_nor_changed(tmp_path):
    tmp_path.chmod(0o755)
    private_sqlite_file(f"sqlite:///{tmp_path}/missing/jangkau.sqlite3", str(tmp_path / "instance"))
    assert not (tmp_path / "missing").exists()
    assert mode(tmp_path) == 0o755
