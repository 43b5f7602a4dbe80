"""The audit log's query: each filter, newest first, and what each manager may read."""

from datetime import UTC, date, datetime

import pytest

from campaign_app.audit.queries import AuditFilters, audit_branches, search_entries
from campaign_app.audit.service import record
from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import AuditAction, Role
from campaign_app.users.service import create_user
from tests.conftest import counting_statements
from tests.factories import branch_named, user_named

LUWUK = "Kantor Cabang Luwuk"
# 23:30 WITA on 1 November and 00:30 WITA on 2 November: two WITA days, one UTC day.
LATE_ON_THE_FIRST = datetime(2026, 11, 1, 15, 30, tzinfo=UTC)
EARLY_ON_THE_SECOND = datetime(2026, 11, 1, 16, 30, tzinfo=UTC)


@pytest.fixture
def people(app_context):
    palu = branch_named()
    palu_manager = create_user(username="manajerpalu", full_name="Manajer Palu Saja", password=DEMO_PASSWORD,
                               role=Role.MANAGER, branch=palu)
    return {"admin": user_named("admin"), "coordinator": user_named("koordinator"),
            "manager": user_named("manajer"), "palu_manager": palu_manager}


@pytest.fixture
def log(people):
    """Entries of Palu and Luwuk, one about a rate table (no branch) and one export of no branch."""
    palu, luwuk = branch_named(), branch_named(LUWUK)
    entries = {
        "palu_void": record(AuditAction.SIGNUP_VOIDED, actor=people["coordinator"], subject_type="signup",
                            subject_id=11, branch_id=palu.id, details={"reason": "NIK salah"},
                            now=LATE_ON_THE_FIRST),
        "luwuk_correction": record(AuditAction.SIGNUP_CORRECTED, actor=people["admin"], subject_type="signup",
                                   subject_id=12, branch_id=luwuk.id, details={"phone": [None, "+6281234567890"]},
                                   now=EARLY_ON_THE_SECOND),
        "rates": record(AuditAction.RATE_TABLE_CREATED, actor=people["admin"], subject_type="rate_table",
                        subject_id=2, details={"jkm_flat": 7_200}, now=datetime(2026, 11, 3, 1, 0, tzinfo=UTC)),
        "export": record(AuditAction.EXPORT_DOWNLOADED, actor=people["admin"], details={"rows": 10},
                         now=datetime(2026, 11, 4, 1, 0, tzinfo=UTC)),
        "palu_visit": record(AuditAction.VISIT_REOPENED, actor=people["coordinator"], subject_type="visit",
                             subject_id=5, branch_id=palu.id, now=datetime(2026, 11, 5, 1, 0, tzinfo=UTC)),
    }
    db.session.flush()
    return {name: entry.id for name, entry in entries.items()}


def shown(user, log, **filters) -> list[str]:
    names = {id_: name for name, id_ in log.items()}
    page = search_entries(user, AuditFilters(**filters), per_page=100)
    return [names[row.entry.id] for row in page.items if row.entry.id in names]


def test_an_administrator_reads_every_entry_newest_first(people, log):
    assert shown(people["admin"], log) == ["palu_visit", "export", "rates", "luwuk_correction", "palu_void"]


def test_a_palu_manager_does_not_see_a_luwuk_entry(people, log):
    assert "luwuk_correction" not in shown(people["palu_manager"], log)


def test_a_manager_covering_luwuk_sees_its_entries(people, log):
    assert "luwuk_correction" in shown(people["manager"], log)


def test_every_manager_reads_entries_about_rate_tables_but_not_other_entries_of_no_branch(people, log):
    assert shown(people["palu_manager"], log) == ["palu_visit", "rates", "palu_void"]


def test_a_manager_covering_every_branch_reads_every_entry(people, log):
    people["palu_manager"].covers_all_branches = True
    assert len(shown(people["palu_manager"], log)) == 5


def test_the_action_filter(people, log):
    assert shown(people["admin"], log, action=AuditAction.SIGNUP_VOIDED) == ["palu_void"]


@pytest.mark.parametrize("typed", ["koordinator", "KOORD"])
def test_the_actor_filter_matches_part_of_the_username_in_any_case(people, log, typed):
    assert shown(people["admin"], log, actor=typed) == ["palu_visit", "palu_void"]


def test_the_actor_filter_matches_part_of_the_full_name(people, log):
    surname = people["coordinator"].full_name.split()[-1]
    assert shown(people["admin"], log, actor=surname.lower()) == ["palu_visit", "palu_void"]


def test_the_actor_filter_takes_wildcards_literally(people, log):
    assert shown(people["admin"], log, actor="%") == []


def test_the_branch_filter(people, log):
    assert shown(people["admin"], log, branch_id=branch_named(LUWUK).id) == ["luwuk_correction"]


def test_a_manager_filtering_on_a_branch_they_do_not_see_gets_nothing(people, log):
    assert shown(people["palu_manager"], log, branch_id=branch_named(LUWUK).id) == []


def test_days_are_wita_days(people, log):
    # 15:30 UTC on 1 November is 23:30 WITA the same day; 16:30 UTC is already 2 November in WITA.
    assert shown(people["admin"], log, date_from=date(2026, 11, 1), date_to=date(2026, 11, 1)) == ["palu_void"]
    assert shown(people["admin"], log, date_from=date(2026, 11, 2), date_to=date(2026, 11, 2)) == [
        "luwuk_correction"]


def test_a_period_includes_both_of_its_days(people, log):
    assert shown(people["admin"], log, date_from=date(2026, 11, 2), date_to=date(2026, 11, 4)) == [
        "export", "rates", "luwuk_correction"]


def test_the_subject_filter_by_kind_and_number(people, log):
    assert shown(people["admin"], log, subject_type="signup") == ["luwuk_correction", "palu_void"]
    assert shown(people["admin"], log, subject_type="signup", subject_id=11) == ["palu_void"]


def test_filters_combine(people, log):
    assert shown(people["admin"], log, subject_type="signup", branch_id=branch_named().id,
                 action=AuditAction.SIGNUP_CORRECTED) == []


def test_rows_carry_the_actor_and_branch_names(people, log):
    page = search_entries(people["admin"], AuditFilters(subject_type="signup", subject_id=12))
    [row] = page.items
    assert (row.actor_username, row.branch_name) == ("admin", LUWUK)
    assert row.entry.details == {"phone": [None, "+6281234567890"]}


def test_the_page_is_two_statements_however_many_entries(app, people, log):
    for n in range(60):
        record(AuditAction.NIK_REVEALED, actor=people["coordinator"], subject_type="signup", subject_id=n,
               branch_id=branch_named().id)
    db.session.commit()
    admin = people["admin"]
    assert admin.role == Role.ADMIN  # loaded again after the commit, before counting
    with counting_statements(app) as statements:
        page = search_entries(admin, AuditFilters(), page=2, per_page=25)
    assert len(page.items) == 25
    assert len(statements) == 2


def test_a_page_past_the_end_shows_the_last_page(people, log):
    page = search_entries(people["admin"], AuditFilters(), page=999, per_page=2)
    assert page.page == page.pages


def test_a_manager_may_filter_on_the_branches_they_see(people):
    assert [name for _id, name in audit_branches(people["palu_manager"])] == ["Kantor Cabang Palu"]
    assert len(audit_branches(people["manager"])) == 3
