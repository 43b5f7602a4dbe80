"""Nothing doubled, nothing lost: sign-ups submitted at the same moment, as requests would on several workers.

Each submit runs in its own thread with its own app context (so its own session and connection) and
commits like a request. On SQLite a writer may find the database locked; the client would retry such a
request, and so does the test. Runs on SQLite, and on PostgreSQL with ``TEST_DATABASE_URL``.
"""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from campaign_app.extensions import db
from campaign_app.fieldwork.service import close_visit
from campaign_app.models import SignUp, SubsidyProgramme, User, Visit
from campaign_app.signups.service import record_signup
from campaign_app.summaries import DailyResult, rollups, tallies
from campaign_app.validation import Refused
from tests.factories import SIGNUP_NOW, TODAY, in_progress_visit, signup_form

AT_ONCE = 20
# Generous bounds that a healthy run never nears: a hang fails the test instead of stalling the suite.
START_TIMEOUT = 30
JOIN_TIMEOUT = 60
RETRIES = 20


# Requests racing on several connections, as on several workers: each test needs a database of its own.
pytestmark = pytest.mark.own_database


@pytest.fixture
def started_visit(app):
    """The ids of a visit in progress and its officer, committed so that every thread sees them."""
    with app.app_context():
        visit = in_progress_visit()
        db.session.commit()
        ids = visit.id, visit.officers[0].id
        db.session.remove()
    return ids


def submit(app, ids, form: dict, barrier: threading.Barrier) -> tuple:
    """One request: record the sign-up and commit; retried while SQLite reports the database locked."""
    visit_id, officer_id = ids
    with app.app_context():
        try:
            barrier.wait(timeout=START_TIMEOUT)
            for attempt in range(RETRIES):
                try:
                    outcome = record_signup(visit=db.session.get(Visit, visit_id),
                                            officer=db.session.get(User, officer_id), **form)
                    signup_id = outcome.signup.id
                    db.session.commit()
                    return "created" if outcome.created else "repeated", signup_id, attempt
                except Refused as refused:
                    db.session.rollback()
                    return "refused", refused.errors, attempt
                except OperationalError:
                    db.session.rollback()
                    time.sleep(0.02 * (attempt + 1))
            return "gave up", None, RETRIES
        finally:
            db.session.remove()


def all_at_once(app, ids, forms: list[dict]) -> list[tuple]:
    """Submit every form at the same moment; the outcomes in the order of ``forms``."""
    barrier = threading.Barrier(len(forms))
    results: list[tuple | None] = [None] * len(forms)

    def run(i: int, form: dict) -> None:
        try:
            results[i] = submit(app, ids, form, barrier)
        except Exception as error:  # noqa: BLE001  (reported by the assertions below, with its type)
            results[i] = ("error", repr(error), None)

    threads = [threading.Thread(target=run, args=(i, form), daemon=True) for i, form in enumerate(forms)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + JOIN_TIMEOUT
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0))
    assert not any(thread.is_alive() for thread in threads), "some submits never finished"
    return results


def stored(app, **where) -> list[int]:
    with app.app_context():
        ids = list(db.session.scalars(select(SignUp.id).filter_by(**where)))
        db.session.remove()
    return ids


def test_the_same_sign_up_submitted_20_times_at_once_is_stored_once(app, started_visit):
    form = signup_form(form_key="one-tap-too-many")
    results = all_at_once(app, started_visit, [dict(form) for _ in range(AT_ONCE)])
    assert [kind for kind, *_ in results].count("created") == 1, results
    assert {kind for kind, *_ in results} <= {"created", "repeated"}, [r for r in results if r[0] != "repeated"]
    assert len({signup_id for _, signup_id, _ in results}) == 1, results
    assert stored(app, visit_id=started_visit[0]) == [results[0][1]]


def test_20_different_sign_ups_submitted_at_once_are_all_stored(app, started_visit):
    forms = [signup_form(full_name=f"Pekerja Serentak {i}") for i in range(AT_ONCE)]
    results = all_at_once(app, started_visit, forms)
    assert [kind for kind, *_ in results] == ["created"] * AT_ONCE, results
    assert sorted(stored(app, visit_id=started_visit[0])) == sorted(signup_id for _, signup_id, _ in results)
    assert len(stored(app, visit_id=started_visit[0])) == AT_ONCE


def test_sign_ups_submitted_at_once_leave_the_tallies_and_roll_ups_true(app, started_visit):
    forms = [signup_form(full_name=f"Pekerja Serentak {i}") for i in range(AT_ONCE)]
    assert [kind for kind, *_ in all_at_once(app, started_visit, forms)] == ["created"] * AT_ONCE
    with app.app_context():
        connection = db.session.connection()
        assert (tallies.drift(connection), rollups.drift(connection)) == ([], [])
        live = db.session.scalar(select(func.count()).select_from(SignUp).where(SignUp.status != "void"))
        assert db.session.scalar(select(func.sum(DailyResult.signups))) == live
        db.session.remove()


def test_workers_racing_for_the_last_places_of_a_quota_never_overrun_it(app, started_visit):
    with app.app_context():
        programme = SubsidyProgramme(name="Iuran warga rentan", payer="Pemerintah Kota Palu", quota=3,
                                     starts_on=TODAY - timedelta(days=30), ends_on=TODAY + timedelta(days=30))
        db.session.add(programme)
        db.session.commit()
        programme_id = programme.id
        db.session.remove()
    forms = [signup_form(payer="subsidy", subsidy_programme_id=programme_id) for _ in range(8)]
    results = all_at_once(app, started_visit, forms)
    kinds = [kind for kind, *_ in results]
    assert (kinds.count("created"), kinds.count("refused")) == (3, 5), results
    assert all("subsidy_programme" in errors for kind, errors, _ in results if kind == "refused"), results
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignUp)
                                 .where(SignUp.subsidy_programme_id == programme_id)) == 3
        db.session.remove()


def close_at_once(app, ids, barrier: threading.Barrier) -> tuple:
    """The officer closes the visit (its attendance recorded first), retried like a submit; its sign-up count."""
    visit_id, officer_id = ids
    with app.app_context():
        try:
            barrier.wait(timeout=START_TIMEOUT)
            for attempt in range(RETRIES):
                try:
                    summary = close_visit(db.session.get(Visit, visit_id), db.session.get(User, officer_id),
                                          now=SIGNUP_NOW)
                    db.session.commit()
                    return "closed", summary.signups, attempt
                except OperationalError:
                    db.session.rollback()
                    time.sleep(0.02 * (attempt + 1))
            return "gave up", None, RETRIES
        finally:
            db.session.remove()


def test_no_sign_up_lands_on_a_visit_after_its_close_committed(app, started_visit):
    with app.app_context():
        visit = db.session.get(Visit, started_visit[0])
        visit.attendance_women, visit.attendance_men = 20, 20
        db.session.commit()
        db.session.remove()
    forms = [signup_form(full_name=f"Pekerja Penutupan {i}") for i in range(40)]
    barrier = threading.Barrier(len(forms) + 1)
    results: list[tuple | None] = [None] * (len(forms) + 1)

    def run(i: int) -> None:
        try:
            results[i] = (close_at_once(app, started_visit, barrier) if i == len(forms)
                          else submit(app, started_visit, forms[i], barrier))
        except Exception as error:  # noqa: BLE001  (reported by the assertions below, with its type)
            results[i] = ("error", repr(error), None)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(forms) + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    kind, counted_at_close, _ = results[-1]
    assert kind == "closed", results[-1]
    kinds = [result[0] for result in results[:-1]]
    assert set(kinds) <= {"created", "refused"}, results
    # Every sign-up stored was there when the close counted them: none committed after it.
    assert len(stored(app, visit_id=started_visit[0])) == counted_at_close == kinds.count("created")
