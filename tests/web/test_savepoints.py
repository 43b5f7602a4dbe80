"""A savepoint is part of the request's transaction: rolling the request back undoes what the savepoint wrote.

SQLite through pysqlite opens a transaction only before a write, so a savepoint that is a request's first write
would open it itself, and its release would commit at once. These tests run on a database of their own: the
suite's isolation begins its transactions explicitly and would hide that.
"""

import pytest
from sqlalchemy import func, select, text

from campaign_app.extensions import db
from campaign_app.models import Branch

pytestmark = pytest.mark.own_database


def branches_named(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Branch).where(Branch.name == name))


def test_a_rollback_undoes_a_savepoint_that_was_the_first_write(app):
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        with db.session.begin_nested():
            db.session.add(Branch(name="Kantor Cabang Sementara"))
        db.session.rollback()
    assert branches_named(app, "Kantor Cabang Sementara") == 0


def test_a_commit_keeps_what_a_savepoint_wrote(app):
    with app.app_context():
        with db.session.begin_nested():
            db.session.add(Branch(name="Kantor Cabang Tetap"))
        db.session.commit()
    assert branches_named(app, "Kantor Cabang Tetap") == 1


def test_a_savepoint_rolled_back_undoes_only_its_own_write(app):
    with app.app_context():
        db.session.add(Branch(name="Kantor Cabang Pertama"))
        db.session.flush()
        with pytest.raises(RuntimeError), db.session.begin_nested():
            db.session.add(Branch(name="Kantor Cabang Kedua"))
            db.session.flush()
            raise RuntimeError("refused")
        db.session.commit()
    assert (branches_named(app, "Kantor Cabang Pertama"), branches_named(app, "Kantor Cabang Kedua")) == (1, 0)
