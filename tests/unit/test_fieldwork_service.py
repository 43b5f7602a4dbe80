"""The officer's visit day: check in, attendance, close with a summary, and a coordinator's reopen."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.fieldwork.service import (
    ATTENDANCE_MAX,
    NOTES_MAX,
    close_visit,
    record_attendance,
    reopen_visit,
    start_visit,
)
from campaign_app.fieldwork.summary import VisitSummary, visit_signups, visit_summary
from campaign_app.i18n import force_locale
from campaign_app.models import AuditAction, AuditEntry, Role, SignUpStatus, Visit, VisitStatus
from campaign_app.users.service import create_user
from campaign_app.validation import Refused
from campaign_app.visits.service import change_status
from tests.conftest import counting_statements
from tests.factories import (
    SIGNUP_NOW,
    TODAY,
    branch_named,
    make_officer,
    make_signup,
    make_visit,
    user_named,
)

S = VisitStatus
# 09:30 WITA on TODAY (01:30 UTC); WITA is UTC+8, so 16:30 UTC is already the next day there.
MORNING = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
LATE_EVENING_UTC = datetime(2026, 11, 1, 16, 30, tzinfo=UTC)  # 00:30 WITA on TODAY
EVENING = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # 18:00 WITA on TODAY
LUWUK = "Kantor Cabang Luwuk"


@pytest.fixture
def officer(app_context):
    return make_officer()


@pytest.fixture
def visit(officer):
    """A planned visit of today with ``officer`` assigned."""
    return make_visit(officers=[officer])


@pytest.fixture
def started(visit, officer):
    return start_visit(visit, officer, MORNING)


@pytest.fixture
def coordinator(app_context):
    return user_named("koordinator")


def utc(moment: datetime | None) -> datetime | None:
    """A stored timestamp as aware UTC (SQLite gives it back without its zone)."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def refusal_of(call, *args) -> Refused:
    with force_locale("en"), pytest.raises(Refused) as refused:
        call(*args)
    return refused.value


def messages(refused: Refused) -> str:
    return " ".join(str(m) for ms in refused.errors.values() for m in ms)


def attend(visit, officer, women=12, men=9, obstacles=(), notes=""):
    return record_attendance(visit, officer, women, men, list(obstacles), notes)


def closed(visit, officer):
    start_visit(visit, officer, MORNING)
    attend(visit, officer)
    close_visit(visit, officer, EVENING)
    return visit


# --- starting ---------------------------------------------------------------------------------------

def test_starting_checks_the_officer_in(visit, officer):
    start_visit(visit, officer, MORNING)
    assert visit.status == S.IN_PROGRESS
    assert utc(visit.checked_in_at) == MORNING
    assert visit.checked_in_by_id == officer.id


def test_starting_counts_the_day_in_wita_not_utc(visit, officer):
    start_visit(visit, officer, LATE_EVENING_UTC)  # still the day before in UTC
    assert visit.status == S.IN_PROGRESS


def test_starting_twice_keeps_the_first_check_in(started, officer):
    start_visit(started, officer, EVENING)
    assert started.status == S.IN_PROGRESS
    assert utc(started.checked_in_at) == MORNING


def test_a_colleague_starting_an_ongoing_visit_changes_nothing(app_context):
    first, second = make_officer(), make_officer()
    visit = make_visit(officers=[first, second])
    start_visit(visit, first, MORNING)
    start_visit(visit, second, EVENING)
    assert visit.checked_in_by_id == first.id


def test_an_officer_not_assigned_cannot_start(visit):
    refused = refusal_of(start_visit, visit, make_officer(), MORNING)
    assert "assigned" in messages(refused)
    assert visit.status == S.PLANNED


def test_a_coordinator_cannot_start_a_visit(visit, coordinator):
    refusal_of(start_visit, visit, coordinator, MORNING)
    assert visit.status == S.PLANNED


def test_a_visit_cannot_start_before_its_day(officer):
    visit = make_visit(officers=[officer], on=TODAY + timedelta(days=2))
    refused = refusal_of(start_visit, visit, officer, MORNING)
    assert "you can check in on that day" in messages(refused)
    assert visit.status == S.PLANNED and visit.checked_in_at is None


def test_a_visit_cannot_start_after_its_day(visit, officer):
    refused = refusal_of(start_visit, visit, officer, MORNING + timedelta(days=1))
    assert "reschedule" in messages(refused)
    assert visit.status == S.PLANNED


@pytest.mark.parametrize("status", [S.POSTPONED, S.CANCELLED, S.DONE])
def test_only_a_planned_visit_can_start(visit, officer, status):
    visit.status = status
    refused = refusal_of(start_visit, visit, officer, MORNING)
    assert "Only a planned visit can be started" in messages(refused)
    assert visit.status == status


# --- attendance ------------------------------------------------------------------------------------

def test_attendance_is_recorded_with_obstacles_in_a_fixed_order(started, officer):
    attend(started, officer, women=14, men=0, obstacles=["other", "road", "weather"], notes="  Hujan deras.  ")
    assert (started.attendance_women, started.attendance_men) == (14, 0)
    assert started.obstacles == "road,weather,other"
    assert started.obstacle_list == ["road", "weather", "other"]
    assert started.notes == "Hujan deras."


def test_recording_attendance_again_replaces_it(started, officer):
    attend(started, officer, women=3, men=4, obstacles=["road"], notes="Jalan rusak")
    attend(started, officer, women=5, men=6)
    assert (started.attendance_women, started.attendance_men, started.obstacles, started.notes) == (5, 6, None, None)


def test_attendance_may_be_zero(started, officer):
    attend(started, officer, women=0, men=0)
    assert started.attendance == 0


def test_notes_keep_line_breaks(started, officer):
    attend(started, officer, notes="Kepala desa hadir.\nWarga antusias.")
    assert started.notes == "Kepala desa hadir.\nWarga antusias."


@pytest.mark.parametrize(("women", "men", "field"), [
    (-1, 3, "women"), (3, ATTENDANCE_MAX + 1, "men"), (None, 3, "women"), (3, "12", "men"), (True, 3, "women"),
    (2.5, 3, "women"),
])
def test_attendance_outside_the_bounds_is_refused(started, officer, women, men, field):
    refused = refusal_of(record_attendance, started, officer, women, men, [], "")
    assert field in refused.errors
    assert started.attendance is None


def test_the_largest_attendance_is_accepted(started, officer):
    attend(started, officer, women=ATTENDANCE_MAX, men=ATTENDANCE_MAX)
    assert started.attendance == 2 * ATTENDANCE_MAX


def test_an_unknown_obstacle_is_refused(started, officer):
    refused = refusal_of(record_attendance, started, officer, 1, 1, ["road", "flood"], "")
    assert "obstacles" in refused.errors
    assert started.obstacles is None


@pytest.mark.parametrize("notes", ["x" * (NOTES_MAX + 1), "Banjir\x00", "bel\x07", 42])
def test_hostile_notes_are_refused(started, officer, notes):
    refused = refusal_of(record_attendance, started, officer, 1, 1, [], notes)
    assert "notes" in refused.errors
    assert started.notes is None and started.attendance is None


def test_notes_of_the_longest_length_are_kept(started, officer):
    attend(started, officer, notes="x" * NOTES_MAX)
    assert len(started.notes) == NOTES_MAX


def test_attendance_needs_a_visit_in_progress(visit, officer):
    refused = refusal_of(record_attendance, visit, officer, 1, 1, [], "")
    assert "in progress" in messages(refused)
    assert visit.attendance is None


def test_attendance_of_a_closed_visit_waits_for_a_reopen(visit, officer):
    closed(visit, officer)
    refusal_of(record_attendance, visit, officer, 1, 1, [], "")
    assert visit.attendance == 21


def test_an_officer_not_assigned_cannot_record_attendance(started):
    refusal_of(record_attendance, started, make_officer(), 1, 1, [], "")
    assert started.attendance is None


# --- closing ---------------------------------------------------------------------------------------

def test_closing_marks_the_visit_done_and_sums_it_up(started, officer):
    make_signup(started, officer)
    make_signup(started, officer)
    attend(started, officer, women=12, men=8)
    summary = close_visit(started, officer, EVENING)
    assert started.status == S.DONE and utc(started.closed_at) == EVENING
    assert summary == VisitSummary(by_status={SignUpStatus.REGISTERED: 2}, women=12, men=8)
    assert (summary.signups, summary.attendance, summary.conversion) == (2, 20, 0.1)


def test_closing_needs_the_attendance_first(started, officer):
    refused = refusal_of(close_visit, started, officer, EVENING)
    assert "Record the attendance first" in messages(refused)
    assert started.status == S.IN_PROGRESS and started.closed_at is None


def test_closing_twice_keeps_the_first_closing_time(visit, officer):
    closed(visit, officer)
    summary = close_visit(visit, officer, EVENING + timedelta(hours=1))
    assert utc(visit.closed_at) == EVENING
    assert summary.attendance == 21


def test_a_planned_visit_cannot_be_closed(visit, officer):
    refused = refusal_of(close_visit, visit, officer, EVENING)
    assert "Only a visit in progress can be closed" in messages(refused)
    assert visit.status == S.PLANNED


def test_an_officer_not_assigned_cannot_close(started, officer):
    attend(started, officer)
    refusal_of(close_visit, started, make_officer(), EVENING)
    assert started.status == S.IN_PROGRESS


def test_a_visit_can_be_closed_on_a_later_day(started, officer):
    attend(started, officer)
    close_visit(started, officer, EVENING + timedelta(days=1))  # no signal in the village: closed from home
    assert started.status == S.DONE


def test_the_summary_leaves_out_void_sign_ups_and_counts_by_status(started, officer):
    kept = make_signup(started, officer)
    voided = make_signup(started, officer)
    activated = make_signup(started, officer)
    activated.status = SignUpStatus.ACTIVATED
    voided.status = SignUpStatus.VOID  # as voiding does: the sign-up stays, out of every count
    attend(started, officer, women=0, men=0)
    summary = close_visit(started, officer, EVENING)
    assert summary.by_status == {SignUpStatus.REGISTERED: 1, SignUpStatus.ACTIVATED: 1}
    assert summary.signups == 2 and kept.status == SignUpStatus.REGISTERED
    assert summary.conversion is None  # nobody counted: no rate rather than a division by zero


def test_a_summary_before_attendance_has_no_attendance_or_conversion(started):
    summary = visit_summary(started)
    assert (summary.signups, summary.attendance, summary.conversion) == (0, None, None)


# --- reopening -------------------------------------------------------------------------------------

def test_a_coordinator_reopens_a_closed_visit_and_it_is_audited(visit, officer, coordinator):
    closed(visit, officer)
    reopen_visit(visit, coordinator, "  Dua peserta belum dicatat  ", EVENING + timedelta(hours=2))
    assert visit.status == S.IN_PROGRESS and visit.closed_at is None
    assert visit.status_reason == "Dua peserta belum dicatat"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.VISIT_REOPENED))
    assert (entry.actor_id, entry.subject_type, entry.subject_id, entry.branch_id) == (
        coordinator.id, "visit", visit.id, visit.branch_id)
    assert entry.details["reason"] == "Dua peserta belum dicatat"
    assert entry.details["status"] == ["done", "in_progress"]


def test_a_reopened_visit_can_be_recorded_and_closed_again(visit, officer, coordinator):
    closed(visit, officer)
    reopen_visit(visit, coordinator, "Koreksi kehadiran", EVENING)
    attend(visit, officer, women=30, men=20)
    summary = close_visit(visit, officer, EVENING + timedelta(hours=1))
    assert visit.status == S.DONE and summary.attendance == 50
    assert visit.status_reason is None


def test_an_administrator_may_reopen(visit, officer):
    closed(visit, officer)
    reopen_visit(visit, user_named("admin"), "Koreksi", EVENING)
    assert visit.status == S.IN_PROGRESS


def test_a_coordinator_of_another_branch_cannot_reopen(app_context):
    luwuk = branch_named(LUWUK)
    officer = make_officer()
    visit = closed(make_visit(officers=[officer]), officer)
    stranger = create_user(username="koordluwuk", full_name="Koordinator Luwuk", password=DEMO_PASSWORD,
                           role=Role.COORDINATOR, branch=luwuk)
    refused = refusal_of(reopen_visit, visit, stranger, "Koreksi", EVENING)
    assert "coordinator of this branch" in messages(refused)
    assert visit.status == S.DONE


@pytest.mark.parametrize("username", ["petugas", "manajer"])
def test_officers_and_managers_cannot_reopen(visit, officer, username):
    closed(visit, officer)
    refusal_of(reopen_visit, visit, user_named(username), "Koreksi", EVENING)
    assert visit.status == S.DONE
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == AuditAction.VISIT_REOPENED)) is None


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 501, "Banjir\x00"])
def test_reopening_needs_a_clean_reason(visit, officer, coordinator, reason):
    closed(visit, officer)
    refused = refusal_of(reopen_visit, visit, coordinator, reason, EVENING)
    assert "reason" in refused.errors
    assert visit.status == S.DONE and utc(visit.closed_at) == EVENING


@pytest.mark.parametrize("status", [S.PLANNED, S.IN_PROGRESS, S.POSTPONED, S.CANCELLED])
def test_only_a_closed_visit_can_be_reopened(visit, coordinator, status):
    visit.status = status
    refused = refusal_of(reopen_visit, visit, coordinator, "Koreksi", EVENING)
    assert "Only a closed visit can be reopened" in messages(refused)
    assert visit.status == status


# --- agreement with the coordinators' status table -------------------------------------------------

def test_a_coordinator_cannot_postpone_or_cancel_a_started_visit(started):
    for status in (S.POSTPONED, S.CANCELLED):
        with pytest.raises(Refused):
            change_status(started, status, "Hujan", role="coordinator")
    assert started.status == S.IN_PROGRESS


# --- the visit's sign-ups --------------------------------------------------------------------------

def test_the_sign_up_list_is_newest_first_with_masked_niks(started, officer):
    first = make_signup(started, officer)
    second = make_signup(started, officer, now=SIGNUP_NOW + timedelta(minutes=5))
    db.session.expunge_all()
    listed = visit_signups(db.session.get(Visit, started.id))
    assert [s.id for s in listed] == [second.id, first.id]
    assert listed[0].masked_nik == "************" + second.nik_last4
    assert listed[0].full_name == second.full_name


def test_the_sign_up_list_is_one_statement(app, started, officer):
    for _ in range(3):
        make_signup(started, officer)
    db.session.expunge_all()
    visit = db.session.get(Visit, started.id)
    with counting_statements(app) as statements:
        listed = visit_signups(visit)
        [(s.masked_nik, s.full_name, s.occupation, s.status) for s in listed]
    assert len(statements) == 1


def test_the_sign_up_list_is_only_this_visits(started, officer):
    make_signup(started, officer)
    elsewhere = make_signup()
    assert elsewhere.id not in {s.id for s in visit_signups(started)}
