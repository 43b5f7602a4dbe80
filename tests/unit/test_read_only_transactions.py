"""What a connection knows of its transaction's writes (campaign_app/database.py): on PostgreSQL a transaction that
only read ends with COMMIT, so that psycopg keeps its prepared statements (it forgets them all on a ROLLBACK), and
one that wrote is still rolled back; a block that is its transaction's first write is undone without a savepoint."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from campaign_app.database import note_writes, reads_only, undone_alone, wrote_around_sqlalchemy
from campaign_app.extensions import db
from campaign_app.models import Role, User
from tests.conftest import counting_statements
from tests.databases import postgres_url

READ = "SELECT users.id FROM users WHERE users.id = %(id)s"


@pytest.mark.parametrize("statement", [
    READ,
    "  SELECT 1",
    "WITH sides AS (SELECT 1 AS key) SELECT key FROM sides",
])
def test_a_select_only_reads(statement):
    assert reads_only(statement)


@pytest.mark.parametrize("statement", [
    "INSERT INTO signups (form_key) VALUES (%(form_key)s)",
    "UPDATE village_results SET signups=(village_results.signups + 1)",
    "DELETE FROM visit_officers WHERE visit_id = 1",
    "WITH gone AS (DELETE FROM visits RETURNING id) SELECT id FROM gone",
    "SELECT branches.id FROM branches ORDER BY branches.id FOR NO KEY UPDATE",
    "SAVEPOINT sa_savepoint_1",
    "ROLLBACK TO SAVEPOINT sa_savepoint_1",
    "SET work_mem = '32MB'",
    "select 1",  # SQLAlchemy writes keywords in capitals: anything else is not known to be a read
])
def test_anything_else_counts_as_a_write(statement):
    assert not reads_only(statement)


@pytest.fixture
def engine():
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL only: SQLite keeps its statements on a rollback")
    engine = create_engine(url, connect_args={"prepare_threshold": 1}, pool_size=1, max_overflow=0)
    note_writes(engine)
    yield engine
    engine.dispose()


def _prepared_on(connection) -> int:
    return connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar()


def test_a_transaction_that_only_read_keeps_the_prepared_statements(engine):
    with engine.connect() as connection:
        for _ in range(2):
            connection.exec_driver_sql("SELECT 1 AS one").scalar()
            connection.rollback()
        assert _prepared_on(connection) >= 1


def test_after_a_write_the_rollback_is_a_real_one_and_forgets_them(engine):
    with engine.connect() as connection:
        for _ in range(2):
            connection.exec_driver_sql("SELECT 1 AS one").scalar()
            # A write (a temporary table): the transaction is rolled back, and psycopg forgets what it prepared.
            connection.exec_driver_sql("CREATE TEMPORARY TABLE IF NOT EXISTS scratch (n integer)")
            connection.rollback()
        assert _prepared_on(connection) == 0


def test_a_transaction_that_wrote_is_rolled_back(engine):
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TEMPORARY TABLE kept (n integer)")
        connection.commit()
        connection.execute(text("INSERT INTO kept (n) VALUES (1)"))
        connection.rollback()
        assert connection.exec_driver_sql("SELECT count(*) FROM kept").scalar() == 0


def test_a_copy_through_the_driver_is_rolled_back_when_noted(engine):
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TEMPORARY TABLE copied (n integer)")
        connection.commit()
        connection.exec_driver_sql("SELECT 1").scalar()
        wrote_around_sqlalchemy(connection)
        with connection.connection.driver_connection.cursor().copy("COPY copied (n) FROM STDIN") as copy:
            copy.write_row((1,))
        connection.rollback()
        assert connection.exec_driver_sql("SELECT count(*) FROM copied").scalar() == 0


def test_a_failed_read_is_rolled_back(engine):
    with engine.connect() as connection:
        with pytest.raises(Exception, match="no_such_table"):
            connection.exec_driver_sql("SELECT * FROM no_such_table")
        connection.rollback()
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1


def test_a_pooled_connection_returned_after_reading_keeps_them(engine):
    for _ in range(3):
        with engine.connect() as connection:
            # Closed without a commit: the pool's reset ends the transaction.
            connection.exec_driver_sql("SELECT 2 AS two").scalar()
    with engine.connect() as connection:
        assert _prepared_on(connection) >= 1


# --- a block undone alone (``undone_alone``) ------------------------------------------------------------------------

def _user(username: str) -> User:
    branch_id = db.session.scalar(text("SELECT id FROM branches ORDER BY id LIMIT 1"))
    return User(username=username, full_name="Uji Transaksi", password_hash="x", role=Role.ADMIN, branch_id=branch_id)


@pytest.mark.own_database  # the app's own connection, outside the tests' savepoints, which count as writes
def test_a_first_write_that_fails_is_undone_by_the_transaction_without_a_savepoint(app):
    with app.app_context():
        taken = db.session.scalar(text("SELECT username FROM users ORDER BY id LIMIT 1"))
        user = _user(taken)
        with counting_statements(app) as statements, pytest.raises(IntegrityError, match="(?i)unique"), undone_alone():
            db.session.add(user)
            db.session.flush()
        assert not [s for s in statements if "SAVEPOINT" in s]
        # The session is usable again, and nothing of the block stayed.
        assert db.session.query(User).filter_by(username=taken).count() == 1


@pytest.mark.own_database
def test_after_a_write_a_failing_block_is_undone_alone_in_a_savepoint(app):
    with app.app_context():
        taken = db.session.scalar(text("SELECT username FROM users ORDER BY id LIMIT 1"))
        db.session.add(_user("ditulis-sebelumnya"))
        db.session.flush()
        user = _user(taken)
        with pytest.raises(IntegrityError, match="(?i)unique"), undone_alone():
            db.session.add(user)
            db.session.flush()
        db.session.commit()
        assert db.session.query(User).filter_by(username="ditulis-sebelumnya").count() == 1


@pytest.mark.own_database
def test_changes_not_yet_flushed_are_kept_when_the_block_fails(app):
    with app.app_context(), db.session.no_autoflush:
        db.session.add(_user("belum-ditulis"))
        with pytest.raises(RuntimeError), undone_alone():
            raise RuntimeError("the block fails")
        db.session.commit()
        assert db.session.query(User).filter_by(username="belum-ditulis").count() == 1
