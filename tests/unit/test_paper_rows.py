"""Rows of a paper sheet: the sign-up rules on the visit's day, each row once, after the visit is closed too."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import SignUp, VisitStatus
from campaign_app.signups.paper import entered_rows, record_paper_row, row_key, sheet_for
from campaign_app.signups.service import RowEnteredAlready, record_signup
from campaign_app.validation import Refused
from tests.factories import SIGNUP_NOW, TODAY, in_progress_visit, make_officer, nik_for, signup_form, user_named

pytestmark = pytest.mark.usefixtures("app_context")


def row_values(**changes) -> dict:
    values = signup_form()
    fields = {name: values[name] for name in ("nik", "full_name", "phone", "occupation", "sector", "with_jht",
                                               "declared_income", "payer", "subsidy_programme_id")}
    fields.update({"sheet_row": 1, "collector_id": None, "signed": True, "now": SIGNUP_NOW})
    fields.update(changes)
    return fields


def signups_of(visit) -> int:
    return db.session.scalar(select(func.count()).select_from(SignUp).where(SignUp.visit_id == visit.id))


def test_a_row_is_recorded_under_a_key_made_of_its_visit_and_row():
    visit = in_progress_visit()
    outcome = record_paper_row(visit=visit, actor=visit.officers[0], **row_values(sheet_row=7))
    assert outcome.created and outcome.signup.form_key == row_key(visit.id, 7) == f"paper-{visit.id}-7"
    assert entered_rows(visit.id) == [7]


def test_the_same_row_entered_twice_is_refused_and_stored_once():
    visit = in_progress_visit()
    officer = visit.officers[0]
    record_paper_row(visit=visit, actor=officer, **row_values(sheet_row=2))
    with pytest.raises(RowEnteredAlready) as refused:
        record_paper_row(visit=visit, actor=officer, **row_values(sheet_row=2, nik=nik_for()))
    assert "sheet_row" in refused.value.errors
    assert signups_of(visit) == 1


def test_a_closed_visit_takes_paper_rows_but_not_online_sign_ups():
    visit = in_progress_visit()
    officer = visit.officers[0]
    visit.status = VisitStatus.DONE
    db.session.flush()
    with pytest.raises(Refused):
        record_signup(visit=visit, officer=officer, **signup_form())
    record_paper_row(visit=visit, actor=officer, **row_values())
    assert signups_of(visit) == 1


def test_rows_are_checked_on_the_visits_day_not_the_day_they_are_typed():
    # Born so that the worker turned 65 the day after the visit: on the visit's day they could still enrol.
    visit = in_progress_visit()
    birth = TODAY.replace(year=TODAY.year - 65) + timedelta(days=1)
    outcome = record_paper_row(visit=visit, actor=visit.officers[0], **row_values(nik=nik_for(birth_date=birth)))
    assert outcome.created


def test_a_row_off_the_sheet_or_without_a_collector_is_refused_with_every_message():
    visit = in_progress_visit()
    coordinator = user_named("koordinator")
    with pytest.raises(Refused) as refused:
        record_paper_row(visit=visit, actor=coordinator, **row_values(sheet_row=101, full_name=""))
    assert {"sheet_row", "collector", "full_name"} <= set(refused.value.errors)
    assert signups_of(visit) == 0


def test_an_officer_not_of_the_visit_may_not_enter_its_rows():
    visit = in_progress_visit()
    with pytest.raises(Refused):
        record_paper_row(visit=visit, actor=make_officer(), **row_values())
    assert signups_of(visit) == 0


def test_the_sheet_names_its_visit_and_its_officers_and_numbers_its_rows():
    visit = in_progress_visit()
    sheet = sheet_for(visit, 10)
    assert sheet.code == f"K-{visit.id}" and list(sheet.rows) == list(range(1, 11))
    assert sheet.officers == [visit.officers[0].full_name]
