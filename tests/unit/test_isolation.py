"""The suite's isolation: what a test commits is undone after it, and statement counts see only the app's."""

from sqlalchemy import func, select, text

from campaign_app.extensions import db
from campaign_app.models import Branch
from tests.conftest import counting_statements


def branches(isolation) -> int:
    with isolation.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Branch))


def test_what_a_scope_commits_is_gone_after_it(isolation):
    before = branches(isolation)
    with isolation.scope(), isolation.app.app_context():
        db.session.add(Branch(name="Kantor Cabang Sementara"))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Branch)) == before + 1
    assert branches(isolation) == before


def test_a_scope_inside_another_undoes_only_its_own_writes(isolation):
    before = branches(isolation)
    with isolation.kept(lambda: db.session.add(Branch(name="Kantor Cabang Modul"))):
        with isolation.scope(), isolation.app.app_context():
            db.session.add(Branch(name="Kantor Cabang Uji"))
            db.session.commit()
        assert branches(isolation) == before + 1
    assert branches(isolation) == before


def test_a_rollback_by_the_app_keeps_what_the_test_committed_before(app):
    with app.app_context():
        db.session.add(Branch(name="Kantor Cabang Tetap"))
        db.session.commit()
        db.session.add(Branch(name="Kantor Cabang Batal"))
        db.session.rollback()
        names = set(db.session.scalars(select(Branch.name)))
    assert "Kantor Cabang Tetap" in names and "Kantor Cabang Batal" not in names


def test_statement_counts_leave_out_the_isolation_s_savepoints_but_not_the_app_s(app):
    with counting_statements(app) as statements, app.app_context():
        db.session.execute(text("SELECT 1"))
        with db.session.begin_nested():
            db.session.execute(text("SELECT 2"))
        db.session.commit()
    # The session's own savepoint (joining the test's transaction) and its release at commit are left out.
    assert [statement.split()[0].upper() for statement in statements] == ["SELECT", "SAVEPOINT", "SELECT", "RELEASE"]
