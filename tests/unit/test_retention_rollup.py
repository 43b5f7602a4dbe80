"""The retention roll-up equals a fresh count of the payment histories after everything that changes them: a file
imported (twice), a sign-up voided or moved, a visit moved; reactivations are detected at import."""

from datetime import date

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import Reactivation, SignUp, SignUpStatus, VisitStatus
from campaign_app.models.payments import month_number
from campaign_app.signups.personal_data import nik_index
from campaign_app.summaries import drift, retention
from campaign_app.summaries.retention import RetentionResult, RetentionTally, history_counts, restarts
from tests.factories import NEAR_VILLAGE, in_progress_visit, make_campaign, make_signup, make_visit, nik_for, user_named
from tests.retention_data import paid, without_histories

NOV = month_number(date(2026, 11, 1))


@pytest.fixture
def admin(app_context):
    without_histories()
    return user_named("admin")


MARCH_FILE = ["2026-11", "2027-01", "2027-03"]


@pytest.fixture
def niks(admin) -> list[str]:
    """The NIKs of three sign-ups of November 2026 at one visit, paid through November, January and March."""
    visit = in_progress_visit()
    niks = [nik_for() for _ in range(3)]
    for nik in niks:
        make_signup(visit, nik=nik)
    paid(admin, dict(zip(niks, MARCH_FILE, strict=True)), date(2027, 3, 1))
    return niks


@pytest.fixture
def three(niks):
    return db.session.scalars(select(SignUp).where(SignUp.nik_index.in_([nik_index(n) for n in niks]))
                              .order_by(SignUp.id)).all()


def stored() -> dict[str, int]:
    """The tallies' counts summed."""
    t = RetentionTally.__table__.c
    row = db.session.execute(select(func.sum(t.signups), func.sum(t.paid_at_0), func.sum(t.paid_at_2),
                                    func.sum(t.contribution_months), func.sum(t.reactivations))).one()
    return dict(zip(("signups", "paid_at_0", "paid_at_2", "contribution_months", "reactivations"),
                    (int(v or 0) for v in row), strict=True))


def retention_drift() -> list:
    return [row for row in drift(db.session.connection()) if row[0].startswith("retention")]


def test_a_history_counts_its_months_paid():
    counts = history_counts(0b1011)
    assert (counts["signups"], counts["paid_at_0"], counts["paid_at_2"], counts["paid_at_3"],
            counts["contribution_months"]) == (1, 1, 0, 1, 3)


def test_a_restart_is_a_paid_month_after_more_unpaid_months_than_the_rule_allows():
    # Paid M+0, unpaid M+1 to M+4 (four months: more than three), paid M+5: lapsed from M+4, restarted at M+5.
    assert restarts(0b100001, lapse=3) == [(5, 4)]
    assert restarts(0b10001, lapse=3) == []  # three months unpaid: still a member
    assert restarts(0b110000, lapse=3) == []  # never paid before: no lapse


def test_an_imported_file_is_counted_as_a_fresh_count_would(three):
    assert stored() == {"signups": 3, "paid_at_0": 3, "paid_at_2": 2, "contribution_months": 1 + 3 + 5,
                        "reactivations": 0}
    assert retention_drift() == []


def test_the_same_file_twice_changes_nothing(niks, admin):
    before = stored()
    paid(admin, dict(zip(niks, MARCH_FILE, strict=True)), date(2027, 3, 1))
    assert stored() == before and retention_drift() == []


def test_a_later_file_adds_what_it_changes(niks, admin):
    paid(admin, {niks[1]: "2027-03"}, date(2027, 3, 1))
    assert stored()["contribution_months"] == 1 + 5 + 5 and retention_drift() == []


def test_a_voided_sign_up_leaves_the_roll_up(three):
    three[2].status = SignUpStatus.VOID
    db.session.flush()
    assert stored()["signups"] == 2 and retention_drift() == []


def test_a_sign_up_moved_to_another_visit_moves_its_counts(three):
    other = in_progress_visit()
    three[0].visit_id = other.id
    db.session.flush()
    rows = db.session.scalars(select(RetentionTally).where(RetentionTally.visit_id == other.id)).all()
    assert [row.signups for row in rows] == [1] and retention_drift() == []


def test_a_visit_moved_to_another_month_moves_its_monthly_cell(three):
    visit = three[0].visit
    visit.visit_date = date(2026, 12, 3)
    db.session.flush()
    months = db.session.scalars(select(RetentionResult.month).where(RetentionResult.campaign_id == visit.campaign_id))
    assert set(months) == {date(2026, 12, 1)} and retention_drift() == []


def test_closing_a_visit_leaves_the_retention_roll_up_alone(app, three):
    from tests.conftest import counting_statements

    visit = three[0].visit
    with counting_statements(app) as statements:
        visit.status = VisitStatus.DONE
        visit.attendance_women = 12
        db.session.flush()
    assert statements and not [s for s in statements if "retention_" in s]
    assert retention_drift() == []


def test_a_lapsed_participant_who_pays_after_a_visit_to_the_village_is_a_reactivation(admin):
    signup = make_signup(in_progress_visit(), nik=(nik := nik_for()))
    paid(admin, {nik: "2026-11"}, date(2026, 11, 1))
    # Unpaid December to April (five months: lapsed from April); a meeting in the village in April.
    campaign = make_campaign(starts_on=date(2027, 4, 1), ends_on=date(2027, 6, 30))
    meeting = make_visit(campaign, village_code=NEAR_VILLAGE, on=date(2027, 4, 20), today=date(2027, 4, 1))
    meeting.status = VisitStatus.DONE
    db.session.flush()
    paid(admin, {nik: "2027-05"}, date(2027, 5, 1))
    reactivation = db.session.scalar(select(Reactivation).where(Reactivation.signup_id == signup.id))
    assert (reactivation.month, reactivation.visit_id) == (NOV + 6, meeting.id)
    assert stored()["reactivations"] == 1 and retention_drift() == []
    paid(admin, {nik: "2027-05"}, date(2027, 5, 1))
    assert stored()["reactivations"] == 1 and retention_drift() == []


def test_a_restart_without_a_visit_before_it_is_no_reactivation(admin):
    make_signup(in_progress_visit(), nik=(nik := nik_for()))
    paid(admin, {nik: "2026-11"}, date(2026, 11, 1))
    paid(admin, {nik: "2027-05"}, date(2027, 5, 1))
    assert stored()["reactivations"] == 0 and retention_drift() == []


def test_a_voided_participants_reactivation_leaves_the_visit(admin):
    signup = make_signup(in_progress_visit(), nik=(nik := nik_for()))
    paid(admin, {nik: "2026-11"}, date(2026, 11, 1))
    campaign = make_campaign(starts_on=date(2027, 4, 1), ends_on=date(2027, 6, 30))
    meeting = make_visit(campaign, on=date(2027, 4, 20), today=date(2027, 4, 1))
    meeting.status = VisitStatus.DONE
    db.session.flush()
    paid(admin, {nik: "2027-05"}, date(2027, 5, 1))
    signup.status = SignUpStatus.VOID
    db.session.flush()
    assert stored()["reactivations"] == 0 and retention_drift() == []


def test_rebuild_counts_the_same(three):
    before = stored()
    retention.rebuild(db.session.connection())
    assert stored() == before
