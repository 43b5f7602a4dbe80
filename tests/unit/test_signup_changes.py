"""Changing a sign-up: who may, what a correction audits, voiding, and revealing a NIK."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, RateTable, Role, SignUpStatus
from campaign_app.signups.changes import correct_signup, may_change, may_reveal, reveal_nik, void_signup
from campaign_app.signups.service import find_by_nik
from campaign_app.users.service import create_user
from campaign_app.validation import Refused
from tests.factories import (
    SIGNUP_NOW,
    TODAY,
    branch_named,
    in_progress_visit,
    make_officer,
    make_signup,
    user_named,
)

WOMAN_1995 = "7271014508950001"
LATER = SIGNUP_NOW + timedelta(hours=2)
TOMORROW = TODAY + timedelta(days=1)
LUWUK = "Kantor Cabang Luwuk"
_serial = count(1)


@pytest.fixture
def officer(app_context):
    return make_officer()


@pytest.fixture
def signup(officer):
    return make_signup(in_progress_visit(officer), officer, nik=WOMAN_1995, full_name="Siti Aminah",
                       declared_income=1_500_000)


def staff(role: Role, branch_name: str | None = None):
    n = next(_serial)
    return create_user(username=f"changes{role.value}{n}", full_name=f"Staf {role.value}", password="not-used-here",
                       role=role, branch=branch_named(branch_name) if branch_name else branch_named())


def entries(signup, action=None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.subject_type == "signup", AuditEntry.subject_id == signup.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def correct(signup, actor, today=TODAY, **changes):
    values = {"full_name": signup.full_name, "phone": signup.phone, "occupation": signup.occupation,
              "sector": signup.sector, "with_jht": signup.has_jht, "declared_income": signup.declared_income}
    values.update(changes)
    return correct_signup(signup, actor, **values, today=today, now=LATER)


# --- who may change -------------------------------------------------------------------------------

def test_the_officer_who_recorded_it_may_change_it_on_the_same_day(signup, officer):
    assert may_change(signup, officer, TODAY)


def test_the_officer_who_recorded_it_may_not_change_it_the_next_day(signup, officer):
    assert not may_change(signup, officer, TOMORROW)


def test_the_same_day_is_the_day_in_wita_not_in_utc(officer):
    # 23:30 UTC on 1 Nov is 07:30 WITA on 2 Nov.
    late = make_signup(in_progress_visit(officer), officer, now=datetime(2026, 11, 1, 23, 30, tzinfo=UTC))
    db.session.flush()
    db.session.expire(late)  # read back from the database (SQLite gives naive times)
    assert may_change(late, officer, TODAY)
    assert not may_change(late, officer, TODAY - timedelta(days=1))


def test_another_officer_may_not_change_it(signup):
    assert not may_change(signup, make_officer(), TODAY)


def test_a_coordinator_of_its_branch_may_change_it_any_day(signup):
    assert may_change(signup, user_named("koordinator"), TODAY + timedelta(days=90))


def test_a_coordinator_of_another_branch_may_not_change_it(signup):
    assert not may_change(signup, staff(Role.COORDINATOR, LUWUK), TODAY)


def test_an_administrator_may_change_it_any_day(signup):
    assert may_change(signup, user_named("admin"), TODAY + timedelta(days=90))


def test_a_manager_may_not_change_it(signup):
    assert not may_change(signup, user_named("manajer"), TODAY)


def test_nobody_changes_a_void_sign_up(signup, officer):
    void_signup(signup, officer, "NIK salah ketik", TODAY, LATER)
    assert not may_change(signup, user_named("admin"), TODAY)
    with pytest.raises(Refused):
        correct(signup, user_named("admin"), full_name="Siti Aminah Lagi")


def test_the_officer_is_refused_a_correction_the_next_day(signup, officer):
    with pytest.raises(Refused) as refused:
        correct(signup, officer, today=TOMORROW, full_name="Siti Aminah Putri")
    assert None in refused.value.errors
    db.session.refresh(signup)
    assert signup.full_name == "Siti Aminah"


# --- corrections ----------------------------------------------------------------------------------

def test_a_correction_audits_only_the_fields_that_changed(signup, officer):
    correct(signup, officer, full_name="Siti  Aminah Putri", phone="0812-3456-7890")
    [entry] = entries(signup, AuditAction.SIGNUP_CORRECTED)
    assert entry.details == {"full_name": ["Siti Aminah", "Siti Aminah Putri"], "phone": [None, "+6281234567890"]}
    assert (entry.actor_id, entry.branch_id, entry.at.replace(tzinfo=UTC)) == (officer.id, signup.branch_id, LATER)
    assert (signup.full_name, signup.name_key, signup.updated_at) == ("Siti Aminah Putri", "siti aminah putri", LATER)


def test_a_correction_that_changes_nothing_audits_nothing(signup, officer):
    assert correct(signup, officer) == {}
    assert entries(signup) == []
    assert signup.updated_at is None


def test_a_correction_of_income_recomputes_the_contribution_and_audits_it(signup, officer):
    correct(signup, officer, declared_income=3_000_000, with_jht=True)
    assert (signup.jkk_contribution, signup.jkm_contribution, signup.jht_contribution) == (30_000, 6_800, 60_000)
    details = entries(signup, AuditAction.SIGNUP_CORRECTED)[0].details
    assert details["declared_income"] == [1_500_000, 3_000_000]
    assert details["jkk_contribution"] == [15_000, 30_000]
    assert details["has_jht"] == [False, True]


def test_a_correction_keeps_the_rate_table_the_sign_up_was_recorded_under(signup):
    recorded_under = signup.rate_table_id
    db.session.add(RateTable(effective_from=TOMORROW, jkk_rate=Decimal("0.02"), jkk_minimum=20_000,
                             jkk_maximum=400_000, jkm_flat=9_000, jht_rate=Decimal("0.03")))
    db.session.flush()
    correct(signup, user_named("koordinator"), today=TOMORROW, declared_income=3_000_000)
    assert signup.rate_table_id == recorded_under
    assert (signup.jkk_contribution, signup.jkm_contribution) == (30_000, 6_800)


@pytest.mark.parametrize(("field", "value"), [
    ("full_name", "  "),
    ("full_name", "Siti\x00"),
    ("phone", "12"),
    ("occupation", "astronaut"),
    ("sector", "x"),
    ("declared_income", 0),
    ("declared_income", None),
    ("declared_income", 10**12),
])
def test_a_correction_is_checked_like_a_sign_up(signup, officer, field, value):
    with pytest.raises(Refused) as refused:
        correct(signup, officer, **{field: value})
    assert field in refused.value.errors
    assert entries(signup) == []


# --- voiding --------------------------------------------------------------------------------------

def test_voiding_records_the_reason_and_audits_it(signup, officer):
    void_signup(signup, officer, "  NIK salah ketik ", TODAY, LATER)
    assert (signup.status, signup.void_reason, signup.updated_at) == (SignUpStatus.VOID, "NIK salah ketik", LATER)
    [entry] = entries(signup, AuditAction.SIGNUP_VOIDED)
    assert entry.details == {"status": ["registered", "void"], "reason": "NIK salah ketik"}


def test_voiding_frees_the_nik_for_a_new_sign_up(signup, officer):
    void_signup(signup, officer, "Salah ketik nama dan NIK", TODAY, LATER)
    again = make_signup(signup.visit, officer, nik=WOMAN_1995)
    assert again.id != signup.id
    assert find_by_nik(WOMAN_1995) == again


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 501, "bad\x00reason"])
def test_voiding_needs_a_reason_of_at_most_500_characters(signup, officer, reason):
    with pytest.raises(Refused) as refused:
        void_signup(signup, officer, reason, TODAY, LATER)
    assert "reason" in refused.value.errors
    assert signup.status == SignUpStatus.REGISTERED


def test_an_activated_sign_up_cannot_be_voided(signup):
    signup.status = SignUpStatus.ACTIVATED
    with pytest.raises(Refused) as refused:
        void_signup(signup, user_named("admin"), "Tidak jadi", TODAY, LATER)
    assert None in refused.value.errors
    assert signup.status == SignUpStatus.ACTIVATED
    assert entries(signup) == []


def test_the_officer_may_not_void_it_the_next_day(signup, officer):
    with pytest.raises(Refused):
        void_signup(signup, officer, "Tidak jadi", TOMORROW, LATER)
    assert signup.status == SignUpStatus.REGISTERED


# --- revealing the NIK ----------------------------------------------------------------------------

def test_a_coordinator_of_the_branch_sees_the_nik_and_the_reveal_is_audited(signup):
    coordinator = user_named("koordinator")
    assert reveal_nik(signup, coordinator, LATER) == WOMAN_1995
    [entry] = entries(signup, AuditAction.NIK_REVEALED)
    assert (entry.actor_id, entry.branch_id) == (coordinator.id, signup.branch_id)
    assert WOMAN_1995 not in str(entry.details)


def test_an_administrator_may_reveal_the_nik(signup):
    assert reveal_nik(signup, user_named("admin"), LATER) == WOMAN_1995


@pytest.mark.parametrize("who", ["officer", "manager", "foreign coordinator"])
def test_officers_managers_and_other_branches_may_not_reveal_the_nik(signup, officer, who):
    user = {"officer": lambda: officer, "manager": lambda: user_named("manajer"),
            "foreign coordinator": lambda: staff(Role.COORDINATOR, LUWUK)}[who]()
    assert not may_reveal(signup, user)
    with pytest.raises(Refused):
        reveal_nik(signup, user, LATER)
    assert entries(signup) == []


def test_a_corrected_income_below_the_lowest_bracket_needs_its_confirmation(signup, officer):
    with pytest.raises(Refused) as refused:
        correct(signup, officer, declared_income=500)
    assert "di bawah batas upah terendah, Rp1.000.000" in refused.value.errors["declared_income"][0]
    assert correct(signup, officer, declared_income=500, income_confirmed=True)["declared_income"][1] == 500
