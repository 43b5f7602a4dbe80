"""The audit log page: who reads it, the filters (with and without htmx), paging, and how entries read."""

import gzip
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from campaign_app.audit.service import record
from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, Role, Visit
from campaign_app.users.service import create_user
from tests.conftest import counting_statements
from tests.factories import branch_named, user_named

HTMX = {"HX-Request": "true"}
LUWUK = "Kantor Cabang Luwuk"
AT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 WITA


def text(response) -> str:
    return response.get_data(as_text=True)


def add_entry(app, action=AuditAction.SIGNUP_CORRECTED, branch: str | None = "Kantor Cabang Palu",
              actor: str = "koordinator", at: datetime = AT, **fields) -> int:
    with app.app_context():
        entry = record(action, actor=user_named(actor), branch_id=branch_named(branch).id if branch else None,
                       now=at, **fields)
        db.session.commit()
        return entry.id


@pytest.fixture
def palu_manager(app, auth, client):
    """A client signed in as a manager of Palu only."""
    with app.app_context():
        create_user(username="manajerpalu", full_name="Manajer Palu Saja", password=DEMO_PASSWORD,
                    role=Role.MANAGER, branch=branch_named())
        db.session.commit()
    auth.login("manajerpalu")
    client.post("/language", data={"language": "en"})
    return client


# --- access --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["coordinator", "officer"])
def test_coordinators_and_officers_may_not_read_the_log(auth, client, role):
    auth.login_as(role)
    assert client.get("/audit/").status_code == 403


def test_the_menu_leads_administrators_and_managers_to_the_log(admin):
    assert '<a href="/audit/"' in text(admin.get("/"))


def test_a_palu_manager_does_not_see_a_luwuk_entry(app, palu_manager):
    add_entry(app, branch=LUWUK, subject_type="signup", subject_id=424242)
    add_entry(app, subject_type="signup", subject_id=515151)
    page = text(palu_manager.get("/audit/"))
    assert "#515151" in page
    assert "#424242" not in page


def test_a_manager_of_one_branch_gets_no_branch_filter(palu_manager):
    assert 'name="branch"' not in text(palu_manager.get("/audit/"))


def test_a_manager_covering_several_branches_may_filter_by_branch(app, manager):
    add_entry(app, branch=LUWUK, subject_type="signup", subject_id=424242)
    add_entry(app, subject_type="signup", subject_id=515151)
    luwuk = {"branch": str(branch_named_id(app, LUWUK))}
    page = text(manager.get("/audit/", query_string=luwuk))
    assert "#424242" in page and "#515151" not in page


def branch_named_id(app, name: str) -> int:
    with app.app_context():
        return branch_named(name).id


# --- how entries read ---------------------------------------------------------------------------------

def test_an_entry_shows_time_in_wita_actor_action_and_changes(app, admin):
    add_entry(app, subject_type="signup", subject_id=77, details={"phone": [None, "+6281234567890"],
                                                                   "declared_income": [1_500_000, 2_000_000]})
    page = text(admin.get("/audit/"))
    # 02:00 UTC is 10:00 in WITA (the space before AM is a narrow one in Babel's English).
    assert re.search(r"<td>11/2/26, 10:00\W+AM WITA</td>", page)
    assert "koordinator" in page
    assert "Sign-up corrected" in page
    assert "Phone: — → +6281234567890" in page
    assert "Declared income: Rp1.500.000 → Rp2.000.000" in page


def test_a_sign_up_entry_links_to_the_sign_up(app, admin):
    add_entry(app, subject_type="signup", subject_id=77)
    assert '<a href="/signups/77">Sign-up #77</a>' in text(admin.get("/audit/"))


def test_a_visit_entry_links_to_the_visit(app, admin):
    with app.app_context():
        visit_id = db.session.scalar(select(Visit.id).order_by(Visit.id).limit(1))
    add_entry(app, action=AuditAction.VISIT_REOPENED, subject_type="visit", subject_id=visit_id)
    assert f'href="/visits/{visit_id}"' in text(admin.get("/audit/"))


def test_entries_added_by_the_rate_and_subsidy_pages_appear(app, admin):
    admin.post("/subsidies/new", data={"name": "Program Uji", "payer": "Pemkot", "starts_on": "2026-01-01",
                                       "ends_on": "2026-12-31", "quota": "100"})
    page = text(admin.get("/audit/", query_string={"action": "subsidy_programme_created"}))
    assert "Subsidy programme added" in page
    assert "Name: Program Uji" in page
    assert "Quota: 100" in page


def test_a_long_value_is_cut_short(app, admin):
    add_entry(app, action=AuditAction.SIGNUP_VOIDED, subject_type="signup", subject_id=1,
              details={"reason": "x" * 500})
    page = text(admin.get("/audit/"))
    assert "x" * 79 + "…" in page and "x" * 81 not in page


def test_text_in_details_is_escaped(app, admin):
    add_entry(app, subject_type="signup", subject_id=1, details={"full_name": ["<b>Ani</b>", "Ani"]})
    page = text(admin.get("/audit/"))
    assert "&lt;b&gt;Ani&lt;/b&gt; → Ani" in page


def test_the_log_says_so_when_nothing_matches(admin):
    assert "No entry matches." in text(admin.get("/audit/", query_string={"actor": "tidak-ada-orang"}))


# --- filters, both renderings -------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ({"action": "signup_voided"}, "#111", "#222"),
    ({"actor": "ADMIN"}, "#222", "#111"),
    ({"subject": "signup", "subject_id": "111"}, "#111", "#222"),
    ({"date_from": "2026-11-03", "date_to": "2026-11-03"}, "#222", "#111"),
])
def test_each_filter_narrows_the_page_and_the_fragment(app, admin, query, shown, hidden):
    add_entry(app, action=AuditAction.SIGNUP_VOIDED, subject_type="signup", subject_id=111)
    add_entry(app, actor="admin", subject_type="signup", subject_id=222, at=AT + timedelta(days=1))
    page = admin.get("/audit/", query_string=query)
    fragment = admin.get("/audit/", query_string=query, headers=HTMX)
    for response in (page, fragment):
        assert response.status_code == 200
        assert shown in text(response) and hidden not in text(response)
    assert "<html" in text(page) and "<html" not in text(fragment)
    assert "<form" not in text(fragment)


def test_the_filter_form_keeps_its_values_and_works_without_javascript(app, admin):
    page = text(admin.get("/audit/", query_string={"actor": "koord", "date_from": "2026-11-01"}))
    assert '<form method="get" action="/audit/"' in page
    assert 'value="koord"' in page and 'value="2026-11-01"' in page
    assert 'hx-push-url="true"' in page


@pytest.mark.parametrize("query", [
    {"date_from": "2026-02-30"}, {"action": "dropped_tables"}, {"branch": "424242"}, {"subject": "password"},
    {"subject_id": "9" * 40}, {"subject_id": "abc"}, {"page": "9" * 40}, {"actor": "x" * 500},
    {"date_from": "2026-11-01", "date_to": "2026-10-01"},
])
def test_a_bad_filter_is_shown_and_ignored(app, admin, query):
    add_entry(app, subject_type="signup", subject_id=111)
    response = admin.get("/audit/", query_string=query)
    assert response.status_code == 200
    assert "#111" in text(response)


def test_a_bad_date_says_what_is_wrong(admin):
    assert "Enter a real date" in text(admin.get("/audit/", query_string={"date_from": "2026-02-30"}))


def test_an_end_before_the_start_says_so_and_only_the_start_applies(app, admin):
    add_entry(app, subject_type="signup", subject_id=111)
    page = text(admin.get("/audit/", query_string={"date_from": "2026-11-03", "date_to": "2026-11-01"}))
    assert "The end comes before the start." in page
    assert "#111" not in page


def test_the_log_pages_newest_first_and_keeps_the_filters_in_the_pager(app, admin):
    with app.app_context():
        for n in range(30):
            record(AuditAction.NIK_REVEALED, actor=user_named("koordinator"), subject_type="signup",
                   subject_id=1000 + n, branch_id=branch_named().id, now=AT + timedelta(minutes=n))
        db.session.commit()
    first = text(admin.get("/audit/", query_string={"action": "nik_revealed"}))
    assert first.index("#1029") < first.index("#1028")
    assert "#1000" not in first
    assert "page=2" in first and "action=nik_revealed" in first
    second = text(admin.get("/audit/", query_string={"action": "nik_revealed", "page": "2"}, headers=HTMX))
    assert "#1000" in second and "#1029" not in second


def test_reading_the_log_writes_nothing(app, admin):
    with app.app_context():
        before = len(db.session.scalars(select(AuditEntry.id)).all())
    admin.get("/audit/")
    with app.app_context():
        assert len(db.session.scalars(select(AuditEntry.id)).all()) == before


def fill_log(app, count: int) -> None:
    """``count`` corrections of three fields each, with long values, as a busy week would leave."""
    with app.app_context():
        for n in range(count):
            record(AuditAction.SIGNUP_CORRECTED, actor=user_named("koordinator"), subject_type="signup",
                   subject_id=10_000 + n, branch_id=branch_named().id, now=AT + timedelta(minutes=n),
                   details={"full_name": [f"Pekerja Dengan Nama Yang Cukup Panjang {n}", f"Pekerja Nama Baru {n}"],
                            "declared_income": [1_500_000 + n, 2_500_000 + n], "reason": ["y" * 200, "z" * 200]})
        db.session.commit()


def test_statements_do_not_grow_with_the_entries_shown(app, admin):
    fill_log(app, 2)
    with counting_statements(app) as few:
        admin.get("/audit/")
    fill_log(app, 40)
    with counting_statements(app) as many:
        admin.get("/audit/")
    assert len(many) == len(few)


def test_a_full_page_of_long_entries_stays_within_the_budgets(app, admin):
    fill_log(app, 30)
    page = admin.get("/audit/").get_data()
    fragment = admin.get("/audit/", headers=HTMX).get_data()
    assert len(gzip.compress(page, 6)) <= 14 * 1024
    assert len(gzip.compress(fragment, 6)) <= 4 * 1024, len(gzip.compress(fragment, 6))
