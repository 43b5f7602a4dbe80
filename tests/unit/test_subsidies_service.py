"""Subsidy programmes: created and changed by the rules, audited, quota never below what sign-ups use."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.i18n import force_locale
from campaign_app.models import AuditAction, AuditEntry, Payer, SignUpStatus, SubsidyProgramme, Village
from campaign_app.subsidies.service import (
    QUOTA_MAX,
    create_programme,
    list_programmes,
    programme_state,
    signups_by_branch,
    update_programme,
    used_quota,
)
from campaign_app.validation import Refused
from tests.conftest import counting_statements
from tests.factories import (
    TODAY,
    branch_named,
    in_progress_visit,
    make_campaign,
    make_officer,
    make_signup,
    user_named,
)

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
LUWUK = "Kantor Cabang Luwuk"


def values(**changes) -> dict:
    fields = {"name": "Palu Peduli Pekerja", "payer": "Pemerintah Kota Palu", "starts_on": date(2026, 1, 1),
              "ends_on": date(2026, 12, 31), "quota": 15_000}
    fields.update(changes)
    return fields


@pytest.fixture(autouse=True)
def english(app_context):
    """Messages in English, so that tests can read them."""
    with force_locale("en"):
        yield


@pytest.fixture
def admin():
    return user_named("admin")


@pytest.fixture
def programme(admin) -> SubsidyProgramme:
    return create_programme(**values(), created_by=admin, now=NOW)


def refusal(call) -> dict:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.errors


def entries(action: AuditAction) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def programmes() -> int:
    return db.session.scalar(select(func.count()).select_from(SubsidyProgramme))


def sign_up_under(programme: SubsidyProgramme, count: int, visit=None):
    visit = visit or in_progress_visit()
    return [make_signup(visit, payer=Payer.SUBSIDY, subsidy_programme_id=programme.id) for _ in range(count)]


def change(programme, admin, **changes) -> dict:
    return update_programme(programme, **values(**changes), changed_by=admin, now=NOW)


# --- create ------------------------------------------------------------------------------------------

def test_a_new_programme_keeps_its_fields(programme):
    assert (programme.name, programme.payer, programme.quota) == ("Palu Peduli Pekerja", "Pemerintah Kota Palu", 15_000)
    assert (programme.starts_on, programme.ends_on) == (date(2026, 1, 1), date(2026, 12, 31))


def test_a_new_programme_is_audited_with_its_values(programme, admin):
    [entry] = entries(AuditAction.SUBSIDY_PROGRAMME_CREATED)
    assert (entry.actor_id, entry.subject_type, entry.subject_id, entry.branch_id) == (
        admin.id, "subsidy_programme", programme.id, None)
    assert entry.details == {"name": "Palu Peduli Pekerja", "payer": "Pemerintah Kota Palu",
                             "starts_on": "2026-01-01", "ends_on": "2026-12-31", "quota": 15_000}


def test_spaces_around_and_inside_names_are_folded(admin):
    programme = create_programme(**values(name="  Palu   Peduli ", payer=" Pemkot  Palu"), created_by=admin)
    assert (programme.name, programme.payer) == ("Palu Peduli", "Pemkot Palu")


def test_a_second_programme_with_the_same_name_in_any_case_is_refused(programme, admin):
    errors = refusal(lambda: create_programme(**values(name="PALU peduli pekerja"), created_by=admin))
    assert errors == {"name": ["A programme called PALU peduli pekerja exists already."]}


def test_the_same_programme_submitted_twice_is_stored_and_audited_once(programme, admin):
    again = create_programme(**values(), created_by=admin, now=NOW)
    assert again.id == programme.id
    assert len(entries(AuditAction.SUBSIDY_PROGRAMME_CREATED)) == 1


def test_a_taken_name_is_reported_with_the_other_refused_fields(programme, admin):
    errors = refusal(lambda: create_programme(**values(quota=-1), created_by=admin))
    assert set(errors) == {"name", "quota"}


def test_an_end_before_the_start_is_refused(admin):
    errors = refusal(lambda: create_programme(**values(ends_on=date(2025, 12, 31)), created_by=admin))
    assert errors == {"ends_on": ["The end comes before the start."]}


def test_a_programme_of_one_day_is_allowed(admin):
    programme = create_programme(**values(ends_on=date(2026, 1, 1)), created_by=admin)
    assert programme.starts_on == programme.ends_on


@pytest.mark.parametrize("quota", [-1, QUOTA_MAX + 1, None, True])
def test_a_quota_below_zero_or_absurd_is_refused(admin, quota):
    errors = refusal(lambda: create_programme(**values(quota=quota), created_by=admin))
    assert list(errors) == ["quota"]


def test_a_quota_of_zero_is_allowed(admin):
    assert create_programme(**values(quota=0), created_by=admin).quota == 0


@pytest.mark.parametrize(("field", "value"), [("name", ""), ("name", "x" * 121), ("payer", "  "),
                                               ("payer", "Pemkot\x00"), ("starts_on", None)])
def test_missing_over_long_or_control_character_text_is_refused(admin, field, value):
    errors = refusal(lambda: create_programme(**values(**{field: value}), created_by=admin))
    assert list(errors) == [field]


def test_nothing_is_written_when_refused(admin):
    before = programmes()
    refusal(lambda: create_programme(**values(quota=-1), created_by=admin))
    assert programmes() == before
    assert entries(AuditAction.SUBSIDY_PROGRAMME_CREATED) == []


# --- change ------------------------------------------------------------------------------------------

def test_a_change_is_audited_with_before_and_after_of_the_changed_fields_only(programme, admin):
    changes = change(programme, admin, quota=20_000, ends_on=date(2027, 6, 30))
    assert changes == {"quota": [15_000, 20_000], "ends_on": [date(2026, 12, 31), date(2027, 6, 30)]}
    [entry] = entries(AuditAction.SUBSIDY_PROGRAMME_CHANGED)
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (admin.id, "subsidy_programme", programme.id)
    assert entry.details == {"ends_on": ["2026-12-31", "2027-06-30"], "quota": [15_000, 20_000]}
    assert (programme.quota, programme.ends_on) == (20_000, date(2027, 6, 30))


def test_saving_without_changes_writes_no_audit_entry(programme, admin):
    assert change(programme, admin) == {}
    assert entries(AuditAction.SUBSIDY_PROGRAMME_CHANGED) == []


def test_a_programme_may_keep_its_own_name_in_another_case(programme, admin):
    assert change(programme, admin, name="PALU PEDULI PEKERJA") == {
        "name": ["Palu Peduli Pekerja", "PALU PEDULI PEKERJA"]}


def test_a_programme_may_not_take_another_programmes_name(programme, admin):
    other = create_programme(**values(name="Donggala Peduli"), created_by=admin)
    errors = refusal(lambda: change(other, admin, name="palu peduli pekerja"))
    assert list(errors) == ["name"]


def test_the_quota_may_come_down_to_what_is_used(programme, admin):
    sign_up_under(programme, 3)
    change(programme, admin, quota=3)
    assert programme.quota == 3


def test_a_quota_below_what_is_used_is_refused_with_the_used_count(programme, admin):
    sign_up_under(programme, 3)
    errors = refusal(lambda: change(programme, admin, quota=2, payer="Pemkot Palu"))
    assert errors == {"quota": ["3 sign-ups already use this programme: the quota cannot be below 3."]}


def test_a_refused_change_leaves_the_programme_as_it_was(programme, admin):
    sign_up_under(programme, 2)
    refusal(lambda: change(programme, admin, quota=1, payer="Pemkot Palu"))
    db.session.expire_all()
    stored = db.session.get(SubsidyProgramme, programme.id)
    assert (stored.quota, stored.payer) == (15_000, "Pemerintah Kota Palu")
    assert entries(AuditAction.SUBSIDY_PROGRAMME_CHANGED) == []


def test_void_sign_ups_do_not_count_against_the_quota(programme, admin):
    first, _second = sign_up_under(programme, 2)
    first.status = SignUpStatus.VOID
    db.session.flush()
    assert used_quota(programme) == 1
    change(programme, admin, quota=1)
    assert programme.quota == 1


# --- list and state ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("today", "state"), [
    (date(2025, 12, 31), "upcoming"), (date(2026, 1, 1), "running"), (date(2026, 12, 31), "running"),
    (date(2027, 1, 1), "ended"),
])
def test_a_programme_is_upcoming_running_or_ended(programme, today, state):
    assert programme_state(programme, today) == state


def test_the_list_counts_used_and_remaining_for_every_programme(programme, admin):
    other = create_programme(**values(name="Donggala Peduli", quota=2, starts_on=date(2026, 6, 1)), created_by=admin)
    visit = in_progress_visit()
    sign_up_under(programme, 2, visit)
    sign_up_under(other, 2, visit)
    rows = {row.programme.name: row for row in list_programmes(TODAY, per_page=100).items}
    assert (rows["Palu Peduli Pekerja"].used, rows["Palu Peduli Pekerja"].remaining) == (2, 14_998)
    assert (rows["Donggala Peduli"].used, rows["Donggala Peduli"].remaining) == (2, 0)


def test_the_list_needs_three_statements_however_many_programmes(admin, app):
    for n in range(30):
        create_programme(**values(name=f"Programme {n}"), created_by=admin)
    db.session.commit()
    with counting_statements(app) as statements:
        list_programmes(TODAY, per_page=25)
    assert len(statements) == 3


def test_sign_ups_by_branch_keep_to_the_branches_asked_for(programme, admin):
    palu, luwuk = branch_named(), branch_named(LUWUK)
    sign_up_under(programme, 2)
    village = db.session.scalar(select(Village.code).where(
        Village.code.startswith(luwuk.home_regency_code + ".")).order_by(Village.code).limit(1))
    luwuk_visit = in_progress_visit(officer=make_officer(branch=luwuk), village_code=village,
                                    campaign=make_campaign(branch=luwuk))
    sign_up_under(programme, 1, luwuk_visit)
    assert signups_by_branch(programme, None) == [(palu.name, 2), (luwuk.name, 1)]
    assert signups_by_branch(programme, {palu.id}) == [(palu.name, 2)]

