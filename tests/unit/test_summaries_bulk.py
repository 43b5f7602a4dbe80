"""Bulk statements on what the summaries count: refused outside the summaries' bulk API, kept true through it."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaign_app.extensions import db
from campaign_app.models import SignUp, SignUpStatus, Visit, VisitOfficer, VisitStatus
from campaign_app.summaries import (
    BulkChangeRefused,
    DailyResult,
    SignUpTally,
    UnsupportedBulkChange,
    bulk_execute,
    drift,
    rebuild_after,
)
from campaign_app.summaries.guard import loading_on
from tests.factories import in_progress_visit, make_officer, make_signup

pytestmark = pytest.mark.usefixtures("app_context")

NAMES_THE_API = "campaign_app.summaries.bulk_execute"


def no_drift() -> bool:
    db.session.flush()
    return drift(db.session.connection()) == []


def tallied(visit, column: str = "signups") -> int:
    """The visit's sign-ups (or another count column) as its tallies count them."""
    return db.session.scalar(select(func.coalesce(func.sum(getattr(SignUpTally, column)), 0))
                             .where(SignUpTally.visit_id == visit.id))


@pytest.fixture
def visit():
    """A visit in progress with three sign-ups recorded by its officer."""
    visit = in_progress_visit()
    for _ in range(3):
        make_signup(visit)
    db.session.flush()
    return visit


def ids_of(visit) -> list[int]:
    return list(db.session.scalars(select(SignUp.id).where(SignUp.visit_id == visit.id).order_by(SignUp.id)))


# --- refused outside the API ----------------------------------------------------------------------

def test_an_orm_bulk_update_of_sign_ups_is_refused_naming_the_bulk_api(visit):
    with pytest.raises(BulkChangeRefused, match=NAMES_THE_API):
        db.session.execute(update(SignUp).where(SignUp.visit_id == visit.id).values(status=SignUpStatus.ACTIVATED))
    assert tallied(visit, "activated") == 0


def test_a_bulk_update_by_primary_key_is_refused(visit):
    with pytest.raises(BulkChangeRefused, match="UPDATE of signups"):
        db.session.execute(update(SignUp), [{"id": ids_of(visit)[0], "status": SignUpStatus.VOID}])


def test_a_bulk_insert_of_sign_ups_is_refused(visit):
    template = db.session.get(SignUp, ids_of(visit)[0])
    columns = {c.key: getattr(template, c.key) for c in SignUp.__table__.columns if c.key != "id"}
    with pytest.raises(BulkChangeRefused, match="INSERT of signups"):
        db.session.execute(insert(SignUp), [{**columns, "form_key": "bulk-1", "nik_index": "bulk-1"}])


def test_a_bulk_delete_of_visits_or_their_officers_is_refused(visit):
    with pytest.raises(BulkChangeRefused, match="DELETE of visits"):
        db.session.execute(delete(Visit).where(Visit.id == visit.id))
    with pytest.raises(BulkChangeRefused, match="DELETE of visit_officers"):
        db.session.execute(delete(VisitOfficer).where(VisitOfficer.visit_id == visit.id))


def test_a_core_statement_on_the_session_s_connection_is_refused(visit):
    signups = SignUp.__table__
    with pytest.raises(BulkChangeRefused, match=NAMES_THE_API):
        db.session.connection().execute(signups.delete().where(signups.c.visit_id == visit.id))
    assert tallied(visit) == 3


def test_a_core_statement_on_another_connection_of_the_app_s_engine_is_refused(visit):
    visits = Visit.__table__
    with db.engine.connect() as connection, pytest.raises(BulkChangeRefused, match=NAMES_THE_API):
        connection.execute(update(visits).where(visits.c.id == visit.id).values(status=VisitStatus.CANCELLED))


def test_the_orm_s_legacy_bulk_methods_are_refused(visit):
    with pytest.raises(BulkChangeRefused, match=NAMES_THE_API):
        db.session.bulk_update_mappings(SignUp, [{"id": ids_of(visit)[0], "status": SignUpStatus.VOID}])


def test_a_plain_session_may_not_write_what_the_summaries_count(visit):
    signup_id = ids_of(visit)[0]
    with Session(bind=db.session.connection(), join_transaction_mode="create_savepoint") as plain:
        plain.get(SignUp, signup_id).status = SignUpStatus.VOID
        with pytest.raises(BulkChangeRefused, match=NAMES_THE_API):
            plain.flush()
    assert tallied(visit) == 3


def test_an_update_of_columns_the_summaries_do_not_read_passes(visit):
    # A no-op write that locks the rows (signups/review.py) and a phone number change count nothing.
    db.session.execute(update(SignUp).where(SignUp.visit_id == visit.id).values(updated_at=SignUp.updated_at)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(SignUp), [{"id": ids_of(visit)[0], "phone": "081234567890"}])
    assert db.session.scalar(select(SignUp.phone).where(SignUp.id == ids_of(visit)[0])) == "081234567890"
    assert no_drift()


def test_the_guard_stays_on_after_a_flush_fails(visit):
    duplicate = db.session.get(SignUp, ids_of(visit)[0])
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(SignUp(**{c.key: getattr(duplicate, c.key) for c in SignUp.__table__.columns
                                 if c.key != "id"}))
        db.session.flush()
    with pytest.raises(BulkChangeRefused):
        db.session.connection().execute(update(SignUp.__table__).values(status=SignUpStatus.VOID))


# --- kept true through the API --------------------------------------------------------------------

def test_a_bulk_update_through_the_api_keeps_the_summaries_true(visit):
    bulk_execute(db.session, update(SignUp).where(SignUp.visit_id == visit.id).values(status=SignUpStatus.ACTIVATED))
    assert tallied(visit, "activated") == 3
    assert no_drift()


def test_a_bulk_update_by_primary_key_through_the_api_keeps_the_summaries_true(visit):
    first, second, _third = ids_of(visit)
    bulk_execute(db.session, update(SignUp), [{"id": first, "status": SignUpStatus.VOID},
                                              {"id": second, "status": SignUpStatus.ACTIVATED}])
    assert (tallied(visit), tallied(visit, "activated")) == (2, 1)
    assert no_drift()


def test_a_sign_up_moved_to_another_visit_in_bulk_is_counted_there(visit):
    other = in_progress_visit(officer=make_officer())
    bulk_execute(db.session, update(SignUp).where(SignUp.id == ids_of(visit)[0]).values(visit_id=other.id))
    assert (tallied(visit), tallied(other)) == (2, 1)
    assert no_drift()


def test_a_bulk_insert_and_delete_through_the_api_keep_the_summaries_true(visit):
    template = db.session.get(SignUp, ids_of(visit)[0])
    columns = {c.key: getattr(template, c.key) for c in SignUp.__table__.columns if c.key != "id"}
    bulk_execute(db.session, insert(SignUp), [{**columns, "form_key": f"bulk-{n}", "nik_index": f"bulk-{n}"}
                                              for n in range(2)])
    assert tallied(visit) == 5
    assert no_drift()
    bulk_execute(db.session, delete(SignUp).where(SignUp.visit_id == visit.id))
    assert tallied(visit) == 0
    assert no_drift()


def done_visits_on(visit, day) -> int:
    """The done visits of the visit's branch on ``day``, as the daily roll-up counts them."""
    return db.session.scalar(select(func.coalesce(func.sum(DailyResult.visits_done), 0)).where(
        DailyResult.branch_id == visit.branch_id, DailyResult.day == day))


def test_visits_changed_in_bulk_move_their_cells(visit):
    visit.status = VisitStatus.DONE
    visit.attendance_women, visit.attendance_men = 12, 8
    db.session.flush()
    first, later = visit.visit_date, visit.visit_date + timedelta(days=400)
    done_first = done_visits_on(visit, first)
    bulk_execute(db.session, update(Visit).where(Visit.id == visit.id).values(visit_date=later))
    assert (done_visits_on(visit, first), done_visits_on(visit, later)) == (done_first - 1, 1)
    assert db.session.scalar(select(SignUpTally.visit_date).where(SignUpTally.visit_id == visit.id)) == later
    assert no_drift()


def test_officers_taken_off_and_visits_deleted_in_bulk_keep_the_summaries_true():
    visit = in_progress_visit()
    officer = visit.officers[0]
    bulk_execute(db.session, delete(VisitOfficer).where(VisitOfficer.visit_id == visit.id))
    assert no_drift()
    bulk_execute(db.session, insert(VisitOfficer), [{"visit_id": visit.id, "officer_id": officer.id}])
    assert no_drift()
    bulk_execute(db.session, delete(Visit).where(Visit.id == visit.id))
    assert no_drift()


def test_a_statement_whose_rows_cannot_be_told_is_not_run():
    with pytest.raises(UnsupportedBulkChange, match="takes its rows as parameters"):
        bulk_execute(db.session, insert(SignUp).from_select([c.key for c in SignUp.__table__.columns],
                                                            select(SignUp.__table__)))


def test_a_load_inside_rebuild_after_is_counted_when_it_ends(visit):
    with rebuild_after(db.session.connection()):
        db.session.execute(delete(SignUp).where(SignUp.visit_id == visit.id))
    assert tallied(visit) == 0
    assert no_drift()


def test_flushes_inside_rebuild_after_are_counted_once_when_it_ends(visit):
    with rebuild_after(db.session.connection()):
        make_signup(visit)
        db.session.flush()
        assert tallied(visit) == 3, "a flush inside the load is left to the rebuild at its end"
    assert tallied(visit) == 4
    assert no_drift()


def test_flushes_on_another_connection_than_the_one_a_load_rebuilds_are_kept_as_they_happen(visit):
    with loading_on(object()):  # a load on a connection of its own (the benchmark's writer)
        make_signup(visit)
        db.session.flush()
        assert tallied(visit) == 4
    assert no_drift()
