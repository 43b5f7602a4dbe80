"""Voided sign-ups purged once the retention period has passed: counts unchanged, the audit log without their data."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, SignUp
from campaign_app.signups.changes import correct_signup, void_signup
from campaign_app.signups.retention import PURGED_MARK, purge_voided_signups
from campaign_app.signups.review import merge
from campaign_app.summaries import drift
from tests.factories import SIGNUP_NOW, TODAY, in_progress_visit, make_signup, nik_for, user_named

RETENTION = 365
NOW = SIGNUP_NOW + timedelta(days=2 * RETENTION)
LONG_AGO = NOW - timedelta(days=RETENTION + 1)
LATELY = NOW - timedelta(days=RETENTION - 1)


@pytest.fixture
def admin(app_context):
    return user_named("admin")


@pytest.fixture
def visit(app_context):
    return in_progress_visit()


def voided(visit, admin, when, **fields) -> SignUp:
    signup = make_signup(visit, phone="0812 3456 7890", **fields)
    void_signup(signup, admin, "NIK salah ketik oleh Siti", TODAY, when)
    return signup


def stored(signup_id: int) -> bool:
    return db.session.get(SignUp, signup_id) is not None


def entries_of(signup_id: int) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.subject_type == "signup",
                                                       AuditEntry.subject_id == signup_id)).all()


def test_a_sign_up_voided_longer_ago_than_the_retention_period_is_purged(visit, admin):
    old = voided(visit, admin, LONG_AGO).id
    purge_voided_signups(RETENTION, NOW)
    assert not stored(old)


def test_a_sign_up_voided_within_the_retention_period_is_kept(visit, admin):
    recent = voided(visit, admin, LATELY).id
    purge_voided_signups(RETENTION, NOW)
    assert stored(recent)


def test_a_live_sign_up_is_kept_however_old(visit):
    live = make_signup(visit).id
    purge_voided_signups(RETENTION, NOW + timedelta(days=10 * RETENTION))
    assert stored(live)


def test_every_summary_still_equals_a_fresh_count_after_a_purge(visit, admin):
    make_signup(visit)
    voided(visit, admin, LONG_AGO)
    purge = purge_voided_signups(RETENTION, NOW)
    assert purge.signups >= 1
    assert drift(db.session.connection()) == []


def test_the_audit_entries_of_a_purged_sign_up_keep_what_was_done_but_not_the_worker(visit, admin):
    signup = make_signup(visit, full_name="Siti Aminah")
    correct_signup(signup, admin, full_name="Siti Aminah Lamadi", phone="0812 9999 0000", occupation="fisher",
                   sector="bpu", with_jht=False, declared_income=2_000_000, today=TODAY, now=LONG_AGO)
    void_signup(signup, admin, "NIK salah ketik oleh Siti", TODAY, LONG_AGO)
    signup_id = signup.id
    purge_voided_signups(RETENTION, NOW)
    entries = entries_of(signup_id)
    assert {entry.action for entry in entries} >= {AuditAction.SIGNUP_CORRECTED, AuditAction.SIGNUP_VOIDED}
    for entry in entries:
        assert entry.subject_name is None and entry.details[PURGED_MARK] is True
        assert not {"full_name", "phone", "declared_income", "reason"} & set(entry.details)
        assert "Siti" not in str(entry.details) and "0812" not in str(entry.details)
    void = next(entry for entry in entries if entry.action == AuditAction.SIGNUP_VOIDED)
    assert void.details["status"] == ["registered", "void"]


def test_the_audit_entries_of_a_kept_sign_up_are_left_as_they_were(visit, admin):
    recent = voided(visit, admin, LATELY).id
    purge_voided_signups(RETENTION, NOW)
    assert all(entry.details.get("reason") == "NIK salah ketik oleh Siti" for entry in entries_of(recent)
               if entry.action == AuditAction.SIGNUP_VOIDED)


def test_the_purge_is_audited_once_with_how_many_it_purged(visit, admin):
    voided(visit, admin, LONG_AGO)
    voided(visit, admin, LONG_AGO)
    purge = purge_voided_signups(RETENTION, NOW)
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.VOIDED_SIGNUPS_PURGED)).all()
    assert len(entries) == 1 and purge.signups >= 2
    assert entries[0].details["purged"] == purge.signups and entries[0].details["retention_days"] == RETENTION
    assert entries[0].actor_id is None


def test_a_sign_up_merged_into_a_purged_one_loses_only_the_pointer(visit, admin):
    born = date(1990, 3, 3)
    kept = make_signup(visit, nik=nik_for(born, "P"), full_name="Rina Tadulako")
    dropped = make_signup(visit, nik=nik_for(born, "P"), full_name="Rina Tadulako")
    # Merged lately, so kept; the one it was merged into voided long ago (the day order does not matter here).
    merge(dropped, kept, admin, LATELY)
    void_signup(kept, admin, "Bukan pekerja di desa ini", TODAY, LONG_AGO)
    kept_id, dropped_id = kept.id, dropped.id
    purge_voided_signups(RETENTION, NOW)
    assert not stored(kept_id)
    assert stored(dropped_id) and db.session.get(SignUp, dropped_id).merged_into_id is None


def test_a_negative_retention_period_is_refused(app_context):
    with pytest.raises(ValueError):
        purge_voided_signups(-1, NOW)
