"""Data-subject requests: finding a person by NIK, exporting what is stored about them, erasing them."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, SignUp, SignUpStatus
from campaign_app.privacy.service import (
    ERASED,
    erase_person,
    export_person,
    find_person,
    is_erased,
    person_of,
)
from campaign_app.signups.changes import correct_signup, void_signup
from campaign_app.signups.personal_data import birth_index, decrypt_nik, nik_index
from campaign_app.signups.service import find_by_nik
from campaign_app.summaries import drift
from campaign_app.validation import Refused
from tests.factories import SIGNUP_NOW, TODAY, in_progress_visit, make_officer, make_signup, user_named

NIK = "7271014508950001"
OTHER_NIK = "7271011203880002"
LATER = SIGNUP_NOW + timedelta(hours=1)


@pytest.fixture
def admin(app_context):
    return user_named("admin")


@pytest.fixture
def officer(app_context):
    return make_officer()


@pytest.fixture
def siti(app, officer):
    """Siti signed up twice under one NIK: first voided (a wrong payer), then again; corrected once. Recorded in a
    request, so the generic audit entries (her name, her birth index) are written as the app writes them."""
    with app.test_request_context():
        # Each step committed, as each is its own request: the audit keeps one transaction's entries together.
        visit = in_progress_visit(officer)
        first = make_signup(visit, officer, nik=NIK, full_name="Siti Aminah", phone="081234567890")
        db.session.commit()
        void_signup(first, officer, "Siti Aminah: pembayar salah", TODAY, LATER)
        db.session.commit()
        second = make_signup(visit, officer, nik=NIK, full_name="Siti Aminah", phone="081234567890")
        db.session.commit()
        correct_signup(second, officer, full_name="Siti Aminah Lubis", phone="081298765432",
                       occupation=second.occupation, sector=second.sector, with_jht=False,
                       declared_income=second.declared_income, today=TODAY, now=LATER)
        db.session.commit()
    return [first, second]


def entries(action: AuditAction) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def erase(person, admin, confirmation="HAPUS", reason="Permintaan tertulis 2026-11-03"):
    return erase_person(person, admin, confirmation=confirmation, reason=reason, now=LATER)


# --- find -----------------------------------------------------------------------------------------

def test_a_person_is_found_by_nik_with_their_live_and_void_sign_ups(siti, admin):
    person = find_person("7271 0145 0895 0001", admin, LATER)
    assert person.ids == [siti[0].id, siti[1].id]
    assert [s.status for s in person.signups] == [SignUpStatus.VOID, SignUpStatus.REGISTERED]


def test_another_persons_sign_ups_are_not_found(siti, admin, officer):
    make_signup(siti[0].visit, officer, nik=OTHER_NIK)
    assert find_person(NIK, admin, LATER).ids == [siti[0].id, siti[1].id]


def test_each_look_up_is_audited_per_sign_up_found_without_the_nik(siti, admin):
    find_person(NIK, admin, LATER)
    looked_up = entries(AuditAction.DATA_SUBJECT_LOOKED_UP)
    assert [(e.actor_id, e.subject_type, e.subject_id) for e in looked_up] == [
        (admin.id, "signup", siti[0].id), (admin.id, "signup", siti[1].id)]
    assert all(NIK not in json.dumps(e.details) and "0001" not in json.dumps(e.details) for e in looked_up)


def test_a_look_up_that_finds_no_one_is_audited_too(admin):
    assert find_person(OTHER_NIK, admin, LATER) is None
    [entry] = entries(AuditAction.DATA_SUBJECT_LOOKED_UP)
    assert (entry.actor_id, entry.subject_id, entry.details) == (admin.id, None, {"found": 0, "waiting": 0})


@pytest.mark.parametrize("typed", ["", "72710145089500", "7271014508950001x", "abcdefghijklmnop"])
def test_a_nik_that_is_not_16_digits_is_refused_on_its_field(app_context, admin, typed):
    with pytest.raises(Refused) as refused:
        find_person(typed, admin, LATER)
    assert list(refused.value.errors) == ["nik"]


# --- export ---------------------------------------------------------------------------------------

def test_the_export_holds_every_sign_up_with_the_nik_in_clear_and_its_history(siti, admin):
    data = export_person(person_of(siti[1].id), admin, LATER)
    assert [s["signup_id"] for s in data["signups"]] == [siti[0].id, siti[1].id]
    second = data["signups"][1]
    assert second["nik"] == NIK
    assert (second["full_name"], second["phone"], second["status"]) == ("Siti Aminah Lubis", "+6281298765432",
                                                                         "registered")
    assert second["visit"]["village"] and second["visit"]["campaign"] and second["consent_at"]
    assert second["monthly_contribution"] == siti[1].monthly_contribution
    assert "signup_corrected" in [entry["action"] for entry in second["history"]]
    json.dumps(data)  # a download: every value JSON can write


def test_an_export_is_audited_per_sign_up_and_lists_itself(siti, admin):
    data = export_person(person_of(siti[0].id), admin, LATER)
    exported = entries(AuditAction.DATA_SUBJECT_EXPORTED)
    assert [(e.actor_id, e.subject_id) for e in exported] == [(admin.id, siti[0].id), (admin.id, siti[1].id)]
    assert "data_subject_exported" in [entry["action"] for entry in data["signups"][0]["history"]]


# --- erase ----------------------------------------------------------------------------------------

def test_erasing_replaces_every_personal_field(siti, admin):
    before = {s.id: (s.nik_index, s.birth_index) for s in siti}
    assert erase(person_of(siti[0].id), admin) == 2
    for signup in siti:
        db.session.refresh(signup)
        assert (signup.full_name, signup.name_key, signup.phone, signup.nik_last4) == (ERASED, ERASED, None, "0000")
        assert decrypt_nik(signup.nik_ciphertext) == ERASED
        assert signup.nik_index not in (before[signup.id][0], nik_index(NIK))
        assert signup.birth_index != before[signup.id][1]
        assert is_erased(signup)
    assert siti[0].void_reason == ERASED


def test_erased_indexes_match_no_nik_and_keep_the_persons_sign_ups_together(siti, admin):
    erase(person_of(siti[0].id), admin)
    assert siti[0].nik_index == siti[1].nik_index
    assert birth_index("72.71.01", date(1995, 8, 5)) not in (siti[0].birth_index, siti[1].birth_index)
    assert person_of(siti[1].id).ids == [siti[0].id, siti[1].id]


def test_an_erased_person_can_no_longer_be_found_by_nik(siti, admin):
    erase(person_of(siti[0].id), admin)
    assert find_person(NIK, admin, LATER) is None
    assert find_by_nik(NIK) is None


def test_their_nik_may_be_registered_again_after_an_erasure(siti, admin, officer):
    erase(person_of(siti[0].id), admin)
    again = make_signup(siti[0].visit, officer, nik=NIK)
    assert find_by_nik(NIK).id == again.id


def test_erased_sign_ups_keep_counting_and_no_summary_drifts(siti, admin):
    kept = [(s.visit_id, s.officer_id, s.subsidy_programme_id, s.occupation, s.payer, s.sex, s.status) for s in siti]
    erase(person_of(siti[0].id), admin)
    assert [(s.visit_id, s.officer_id, s.subsidy_programme_id, s.occupation, s.payer, s.sex, s.status)
            for s in siti] == kept
    db.session.flush()
    assert drift(db.session.connection()) == []


def test_erasing_scrubs_names_phones_and_reasons_from_their_audit_entries(siti, admin):
    erase(person_of(siti[0].id), admin)
    written = json.dumps([[e.subject_name, e.details] for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == "signup",
                                 AuditEntry.subject_id.in_([s.id for s in siti])))])
    for personal in ("Siti", "Aminah", "81234567890", "81298765432", "pembayar salah"):
        assert personal not in written
    [corrected] = entries(AuditAction.SIGNUP_CORRECTED)
    assert corrected.details == {"full_name": [ERASED, ERASED], "phone": [ERASED, ERASED]}


def test_the_generic_entries_lose_the_birth_index(siti, admin):
    created = [e for e in entries(AuditAction.CREATED) if e.subject_type == "signup"]
    assert [e.details["birth_index"] for e in created] == [[None, s.birth_index] for s in siti]
    erase(person_of(siti[0].id), admin)
    assert [(e.subject_name, e.details["birth_index"]) for e in created] == [(ERASED, [None, ERASED])] * 2


def test_an_erasure_is_audited_per_sign_up_with_who_when_and_why_and_no_personal_data(app, siti, admin):
    last = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    with app.test_request_context():  # as in a request, where every write is audited from the flush
        erase(person_of(siti[0].id), admin, reason="Permintaan tertulis 2026-11-03")
    written = list(db.session.scalars(select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id)))
    assert [(e.action, e.actor_id, e.subject_id, e.at.replace(tzinfo=None)) for e in written] == [
        (AuditAction.DATA_SUBJECT_ERASED, admin.id, s.id, LATER.replace(tzinfo=None)) for s in siti]
    assert written[0].details == {"erasure_reason": "Permintaan tertulis 2026-11-03",
                                  "signups": f"#{siti[0].id}, #{siti[1].id}"}


@pytest.mark.parametrize("confirmation", ["", "hapus", "YA", None])
def test_an_erasure_needs_the_typed_confirmation(siti, admin, confirmation):
    with pytest.raises(Refused) as refused:
        erase(person_of(siti[0].id), admin, confirmation=confirmation)
    assert list(refused.value.errors) == ["confirmation"]


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 501, "bad\x00reason"])
def test_an_erasure_needs_a_reason(siti, admin, reason):
    with pytest.raises(Refused) as refused:
        erase(person_of(siti[0].id), admin, reason=reason)
    assert list(refused.value.errors) == ["reason"]


def test_a_refused_erasure_changes_nothing_before_refusing(siti, admin):
    with pytest.raises(Refused):
        erase(person_of(siti[0].id), admin, confirmation="no")
    assert siti[1].full_name == "Siti Aminah Lubis"
    assert not entries(AuditAction.DATA_SUBJECT_ERASED)


def test_the_persons_id_names_no_other_person(siti, admin, officer):
    other = make_signup(siti[0].visit, officer, nik=OTHER_NIK)
    erase(person_of(siti[1].id), admin)
    assert db.session.get(SignUp, other.id).full_name != ERASED
