"""User accounts as an administrator manages them: search, create, change, reset a password."""

import pytest
from sqlalchemy import func, select

from campaign_app.auth.service import sign_in
from campaign_app.auth.user_sessions import session_user
from campaign_app.extensions import db
from campaign_app.models import Branch, Role, User
from campaign_app.users import service

pytestmark = pytest.mark.usefixtures("app_context")


def branch_named(name: str) -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == name))


def user_named(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def make_user(username="budi.santoso", full_name="Budi Santoso", role=Role.OFFICER, branch="Kantor Cabang Palu",
              **extra) -> User:
    return service.create_user(username=username, full_name=full_name, password="a-long-password",
                               role=role, branch=branch_named(branch), **extra)


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_search_finds_part_of_a_full_name_whatever_the_case():
    make_user(full_name="Budi Santoso")
    found = service.search_users("SANTOS")
    assert [u.username for u in found.items] == ["budi.santoso"]


def test_search_finds_part_of_a_username():
    make_user(username="ratna.d", full_name="Ratna Dewi")
    assert [u.full_name for u in service.search_users("atna.").items] == ["Ratna Dewi"]


def test_search_treats_percent_and_underscore_literally():
    assert service.search_users("%").total == 0
    assert service.search_users("_").total == 0


def test_search_filters_by_role():
    found = service.search_users(role=Role.MANAGER, per_page=100)
    assert {u.role for u in found.items} == {Role.MANAGER}
    assert found.total == 1


def test_search_filters_by_branch():
    luwuk = branch_named("Kantor Cabang Luwuk")
    found = service.search_users(branch_id=luwuk.id, per_page=100)
    assert found.total == 7
    assert {u.branch_id for u in found.items} == {luwuk.id}


def test_search_pages_through_every_user_once():
    total = user_count()
    pages = service.search_users(per_page=10).pages
    seen = []
    for page in range(1, pages + 1):
        seen += [u.id for u in service.search_users(page=page, per_page=10).items]
    assert len(seen) == len(set(seen)) == total


def test_search_past_the_last_page_shows_the_last_page():
    last = service.search_users(page=999, per_page=10)
    assert last.page == last.pages
    assert last.items


def test_create_user_stores_a_lowercase_username_and_a_hashed_password():
    user = make_user(username="  Siti.Aminah ")
    assert user.username == "siti.aminah"
    assert user.check_password("a-long-password")
    assert "a-long-password" not in user.password_hash


def test_create_user_refuses_a_username_taken_in_another_case():
    before = user_count()
    with pytest.raises(service.UsernameTaken):
        make_user(username="ADMIN")
    assert user_count() == before


def test_create_user_gives_a_manager_the_branches_chosen_but_not_their_own():
    palu, poso = branch_named("Kantor Cabang Palu"), branch_named("Kantor Cabang Poso")
    user = make_user(role=Role.MANAGER, covered_branches=[palu, poso])
    assert user.covered_branches == [poso]


def test_create_user_ignores_coverage_for_an_officer():
    poso = branch_named("Kantor Cabang Poso")
    user = make_user(role=Role.OFFICER, covered_branches=[poso], covers_all_branches=True)
    assert user.covered_branches == []
    assert user.covers_all_branches is False


def _update(user, acting, **changes):
    values = {"full_name": user.full_name, "role": user.role, "branch": user.branch, "language": user.language,
              "active": user.active, "covered_branches": list(user.covered_branches),
              "covers_all_branches": user.covers_all_branches}
    values.update(changes)
    return service.update_user(user, acting_user=acting, **values)


def test_update_user_changes_name_role_branch_and_language():
    user = make_user()
    poso = branch_named("Kantor Cabang Poso")
    _update(user, user_named("admin"), full_name="Budi S.", role=Role.COORDINATOR, branch=poso, language="en")
    db.session.expire_all()
    user = user_named("budi.santoso")
    assert (user.full_name, user.role, user.branch.name, user.language) == (
        "Budi S.", "coordinator", "Kantor Cabang Poso", "en")


def test_update_user_drops_coverage_when_a_manager_becomes_a_coordinator():
    manager = user_named("manajer")
    assert manager.covered_branches
    _update(manager, user_named("admin"), role=Role.COORDINATOR)
    assert manager.covered_branches == []


def test_admin_may_deactivate_another_account():
    user = make_user()
    _update(user, user_named("admin"), active=False)
    assert user.active is False


def test_admin_cannot_deactivate_themselves():
    admin = user_named("admin")
    with pytest.raises(service.CannotDeactivateSelf):
        _update(admin, admin, active=False, full_name="Changed")
    assert admin.active is True
    assert admin.full_name != "Changed"


def test_admin_cannot_remove_their_own_admin_role():
    admin = user_named("admin")
    with pytest.raises(service.CannotDropOwnAdminRole):
        _update(admin, admin, role=Role.MANAGER)
    assert admin.role == Role.ADMIN


def test_reset_password_sets_the_new_one_and_ends_every_session():
    user = user_named("petugas")
    token = sign_in(user)
    service.reset_password(user, "a-brand-new-password")
    assert user.check_password("a-brand-new-password")
    assert session_user(token) is None


def test_branches_by_id_leaves_unknown_ids_out():
    palu = branch_named("Kantor Cabang Palu")
    assert service.branches_by_id([palu.id, 999_999]) == [palu]
