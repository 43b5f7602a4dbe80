"""The near-duplicate review queue: what it lists, for whom, and keeping both or merging, audited."""

import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, Review, SignUp, SignUpStatus
from campaign_app.signups.review import keep_both, merge, pending_reviews, review_item
from campaign_app.validation import Refused
from tests.conftest import counting_statements
from tests.factories import (
    SIGNUP_NOW,
    branch_named,
    in_progress_visit,
    make_campaign,
    make_officer,
    make_signup,
    nik_for,
    user_named,
)

BORN = date(1995, 8, 5)
LATER = SIGNUP_NOW + timedelta(hours=3)
LUWUK = "Kantor Cabang Luwuk"
LUWUK_VILLAGE = "72.01.01.1009"


@pytest.fixture
def visit(app_context):
    return in_progress_visit()


@pytest.fixture
def coordinator(app_context):
    return user_named("koordinator")


def twin(visit, name="Siti Aminah", born=BORN, **fields):
    """A sign-up of ``name`` born ``born`` in Palu Timur, under a NIK of its own."""
    return make_signup(visit, nik=nik_for(born, "P"), full_name=name, **fields)


def luwuk_visit():
    luwuk = branch_named(LUWUK)
    return in_progress_visit(make_officer(luwuk), campaign=make_campaign(luwuk), village_code=LUWUK_VILLAGE)


def palu_ids() -> set[int]:
    return {branch_named().id}


def queued(branch_ids=None) -> dict[int, list[int]]:
    """Flagged sign-up id → ids of those it resembles, over every page."""
    page = pending_reviews(branch_ids, page=1, per_page=1000)
    return {item.flagged.signup.id: [e.signup.id for e in item.resembles] for item in page.items}


def audit_entries(action) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


# --- the queue ------------------------------------------------------------------------------------

def test_a_flagged_sign_up_is_listed_with_the_one_it_resembles(visit):
    first, second = twin(visit), twin(visit, name="SITI  aminah")
    assert second.review == Review.PENDING and first.review is None
    assert queued(palu_ids())[second.id] == [first.id]
    assert first.id not in queued(palu_ids())


def test_the_queue_shows_nik_masked_with_village_and_branch(visit):
    twin(visit)
    second = twin(visit)
    item = next(i for i in pending_reviews(palu_ids(), per_page=1000).items if i.flagged.signup.id == second.id)
    assert item.flagged.signup.masked_nik.startswith("************")
    assert item.flagged.village == "Besusu Barat" and item.flagged.branch == "Kantor Cabang Palu"
    assert item.resembles[0].visible


def test_three_alike_list_every_other_one(visit):
    first, second, third = twin(visit), twin(visit), twin(visit)
    assert queued()[second.id] == [first.id, third.id]
    assert queued()[third.id] == [first.id, second.id]


def test_a_void_sign_up_is_neither_listed_nor_resembled(visit):
    first, second = twin(visit), twin(visit)
    first.status = SignUpStatus.VOID
    db.session.flush()
    assert queued()[second.id] == []
    second.status = SignUpStatus.VOID
    db.session.flush()
    assert second.id not in queued()


def test_the_queue_lists_only_the_branches_given(visit):
    twin(visit)
    palu_flagged = twin(visit)
    luwuk_flagged = twin(luwuk_visit())
    assert palu_flagged.id in queued(palu_ids()) and luwuk_flagged.id not in queued(palu_ids())
    assert luwuk_flagged.id in queued({branch_named(LUWUK).id})
    assert {palu_flagged.id, luwuk_flagged.id} <= queued(None).keys()


def test_a_resembling_sign_up_of_another_branch_is_shown_but_not_actionable(visit):
    palu = twin(visit)
    luwuk_flagged = twin(luwuk_visit())
    item = next(i for i in pending_reviews({branch_named(LUWUK).id}, per_page=1000).items
                if i.flagged.signup.id == luwuk_flagged.id)
    assert [(e.signup.id, e.visible, e.branch) for e in item.resembles] == [(palu.id, False, "Kantor Cabang Palu")]


def test_the_queue_is_read_in_three_statements_whatever_its_length(app, visit):
    for name in ("Siti Aminah", "Budi Santoso", "Rina Wati", "Made Arta"):
        twin(visit, name), twin(visit, name), twin(visit, name)
    branch_ids = palu_ids()
    with counting_statements(app) as statements:
        page = pending_reviews(branch_ids, per_page=1000)
        for item in page.items:
            [e.signup.masked_nik for e in item.resembles]
    assert len(page.items) >= 8
    assert len(statements) == 3


def test_the_queue_is_paginated(visit):
    for name in ("Siti Aminah", "Budi Santoso", "Rina Wati"):
        twin(visit, name), twin(visit, name)
    page = pending_reviews(palu_ids(), page=2, per_page=2)
    assert page.page == 2 and len(page.items) <= 2 and page.total >= 3


# --- keeping both ---------------------------------------------------------------------------------

def test_keeping_both_closes_the_review_and_is_audited(visit, coordinator):
    first, second = twin(visit), twin(visit)
    assert keep_both(second, coordinator, LATER) is True
    assert second.review == Review.KEPT and second.updated_at == LATER
    assert second.id not in queued()
    [entry] = audit_entries(AuditAction.NEAR_DUPLICATE_KEPT)
    assert (entry.actor_id, entry.subject_type, entry.subject_id, entry.branch_id) == \
        (coordinator.id, "signup", second.id, second.branch_id)
    assert entry.details == {"review": ["pending", "kept"], "resembles": [first.id]}


def test_keeping_both_again_writes_nothing_more(visit, coordinator):
    twin(visit)
    second = twin(visit)
    keep_both(second, coordinator, LATER)
    assert keep_both(second, coordinator, LATER) is False
    assert len(audit_entries(AuditAction.NEAR_DUPLICATE_KEPT)) == 1


def test_a_sign_up_not_waiting_for_review_cannot_be_kept(visit, coordinator):
    with pytest.raises(Refused):
        keep_both(twin(visit), coordinator, LATER)
    assert audit_entries(AuditAction.NEAR_DUPLICATE_KEPT) == []


# --- merging --------------------------------------------------------------------------------------

def test_merging_voids_the_flagged_one_into_the_other(visit, coordinator):
    first, second = twin(visit), twin(visit, phone="0812 3456 7890")
    assert merge(second, first, coordinator, LATER) is True
    assert second.status == SignUpStatus.VOID and second.void_reason == f"merged into #{first.id}"
    assert second.merged_into_id == first.id and second.review == Review.MERGED and second.updated_at == LATER
    assert first.status == SignUpStatus.REGISTERED and first.phone == "+6281234567890"
    assert second.id not in queued()


def test_merging_keeps_the_phone_of_the_one_kept(visit, coordinator):
    first, second = twin(visit, phone="0812 1111 2222"), twin(visit, phone="0812 3456 7890")
    merge(second, first, coordinator, LATER)
    assert first.phone == "+6281211112222"


def test_merging_is_audited_with_both_ids_and_no_nik_or_phone(visit, coordinator):
    first, second = twin(visit), twin(visit, phone="0812 3456 7890")
    merge(second, first, coordinator, LATER)
    [entry] = audit_entries(AuditAction.NEAR_DUPLICATE_MERGED)
    assert (entry.subject_type, entry.subject_id, entry.branch_id, entry.actor_id) == \
        ("signup", second.id, second.branch_id, coordinator.id)
    assert entry.details["kept"] == first.id and entry.details["dropped"] == second.id
    assert entry.details["status"] == ["registered", "void"] and entry.details["kept_phone"] == [None, "copied"]
    assert "7890" not in str(entry.details) and second.nik_last4 not in str(entry.details)


def test_merging_the_earlier_one_into_the_flagged_one_closes_the_review(visit, coordinator):
    first, second = twin(visit), twin(visit)
    merge(first, second, coordinator, LATER)
    assert first.status == SignUpStatus.VOID and first.merged_into_id == second.id
    assert second.review == Review.MERGED and second.status == SignUpStatus.REGISTERED
    assert second.id not in queued()


def test_a_flagged_one_kept_while_it_resembles_a_third_stays_in_the_queue(visit, coordinator):
    first, second, third = twin(visit), twin(visit), twin(visit)
    merge(first, second, coordinator, LATER)
    assert second.review == Review.PENDING
    assert queued()[second.id] == [third.id]


def test_merging_again_writes_nothing_more(visit, coordinator):
    first, second = twin(visit), twin(visit)
    merge(second, first, coordinator, LATER)
    assert merge(second, first, coordinator, LATER) is False
    assert len(audit_entries(AuditAction.NEAR_DUPLICATE_MERGED)) == 1


def test_an_activated_sign_up_is_never_the_one_dropped(visit, coordinator):
    first, second = twin(visit), twin(visit)
    first.status, first.first_payment_on = SignUpStatus.ACTIVATED, date(2026, 11, 1)
    with pytest.raises(Refused):
        merge(first, second, coordinator, LATER)
    assert first.status == SignUpStatus.ACTIVATED
    assert merge(second, first, coordinator, LATER) is True


@pytest.mark.parametrize("other", ["another name", "another birth date", "the same sign-up", "a void one"])
def test_only_live_near_duplicates_of_each_other_merge(visit, coordinator, other):
    second = None
    if other == "another name":
        first = twin(visit, name="Budi Santoso")
    elif other == "another birth date":
        first = twin(visit, born=date(1995, 8, 6))
    elif other == "the same sign-up":
        first = second = twin(visit)
    else:
        first = twin(visit)
    second = second or twin(visit)
    if other == "a void one":
        first.status = SignUpStatus.VOID
        db.session.flush()
    with pytest.raises(Refused):
        merge(second, first, coordinator, LATER)
    assert audit_entries(AuditAction.NEAR_DUPLICATE_MERGED) == []


def test_the_row_of_a_decided_sign_up_is_gone(visit, coordinator):
    first, second = twin(visit), twin(visit)
    assert [e.signup.id for e in review_item(second, None).resembles] == [first.id]
    keep_both(second, coordinator, LATER)
    assert review_item(second, None) is None


# --- two coordinators at once ---------------------------------------------------------------------

def _decide(app, drop_id: int, keep_id: int, barrier: threading.Barrier) -> str:
    """One request merging ``drop_id`` into ``keep_id``; retried while SQLite reports the database locked."""
    with app.app_context():
        try:
            barrier.wait(timeout=30)
            for attempt in range(20):
                try:
                    merge(db.session.get(SignUp, drop_id), db.session.get(SignUp, keep_id),
                          user_named("koordinator"), LATER)
                    db.session.commit()
                    return "merged"
                except Refused:
                    db.session.rollback()
                    return "refused"
                except OperationalError:
                    db.session.rollback()
                    time.sleep(0.02 * (attempt + 1))
            return "gave up"
        finally:
            db.session.remove()


@pytest.mark.own_database
def test_merging_a_pair_from_both_sides_at_once_voids_one_of_them(app):
    with app.app_context():
        visit = in_progress_visit()
        pairs = [(twin(visit, f"Kembar {n}").id, twin(visit, f"Kembar {n}").id) for n in range(5)]
        db.session.commit()
    for first, second in pairs:
        barrier = threading.Barrier(2)
        outcomes: list[str] = []
        threads = [threading.Thread(target=lambda d, k, b, out: out.append(_decide(app, d, k, b)),
                                    args=(drop, keep, barrier, outcomes), daemon=True)
                   for drop, keep in ((first, second), (second, first))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["merged", "refused"]
        with app.app_context():
            statuses = db.session.scalars(select(SignUp.status).where(SignUp.id.in_((first, second)))).all()
            assert sorted(statuses) == [SignUpStatus.REGISTERED, SignUpStatus.VOID]
