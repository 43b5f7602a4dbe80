"""The administrator's user pages: list and search, create, edit, reset a password."""

import gzip

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import Branch, Role, User
from campaign_app.users.service import create_user
from tests.conftest import Auth, counting_statements, csrf_token_from

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def gzip_size(response) -> int:
    return len(gzip.compress(response.data))


def branch_id(app, name="Kantor Cabang Palu") -> int:
    with app.app_context():
        return db.session.scalar(select(Branch.id).where(Branch.name == name))


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def stored(app, username: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None:
            db.session.expunge(user)
        return user


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def add_officers(app, count: int, prefix="extra") -> None:
    with app.app_context():
        branch = db.session.scalar(select(Branch).where(Branch.name == "Kantor Cabang Poso"))
        for n in range(count):
            create_user(username=f"{prefix}{n:03d}", full_name=f"Extra Officer {n}", password="a-long-password",
                        role=Role.OFFICER, branch=branch)
        db.session.commit()


def new_user_form(app, **changes) -> dict:
    form = {"username": "siti.aminah", "full_name": "Siti Aminah", "role": "officer",
            "branch": str(branch_id(app)), "language": "id", "password": "a-long-password"}
    form.update(changes)
    return form


def edit_form(app, username: str, **changes) -> dict:
    user = stored(app, username)
    form = {"full_name": user.full_name, "role": user.role, "branch": str(user.branch_id),
            "language": user.language, "active": "y"}
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


# --- access -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["coordinator", "officer", "manager"])
@pytest.mark.parametrize("method, path", [("get", "/users/"), ("get", "/users/new"), ("post", "/users/new"),
                                          ("get", "/users/1"), ("post", "/users/1"),
                                          ("post", "/users/1/password")])
def test_only_an_administrator_may_manage_users(auth, client, role, method, path):
    auth.login_as(role)
    assert getattr(client, method)(path).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/users/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


# --- list and search --------------------------------------------------------------------------

def test_list_shows_users_with_their_role_and_branch(admin):
    response = admin.get("/users/")
    assert response.status_code == 200
    page = text(response)
    assert "<html" in page
    assert ">admin</td><td>Administrator</td><td>Kantor Cabang Palu</td>" in page


def test_list_without_filters_shows_no_error(admin):
    page = text(admin.get("/users/"))
    assert 'class="err"' not in page
    assert "invalid" not in page


def test_list_is_paginated(app, admin):
    add_officers(app, 30)
    page = text(admin.get("/users/"))
    assert page.count("<tr><td><a href=\"/users/") == app.config["PAGE_SIZE"]
    assert 'rel="next"' in page


def test_second_page_keeps_the_filters_in_its_links(app, admin):
    add_officers(app, 30)
    page = text(admin.get("/users/?q=extra&role=officer&page=2"))
    assert 'rel="prev"' in page
    assert "q=extra" in page[page.index('rel="prev"') - 120:]


def test_page_past_the_end_shows_the_last_page(admin):
    response = admin.get("/users/?page=99999999999999999999")
    assert response.status_code == 200
    assert ">admin</td>" in text(response)


def test_page_that_is_not_a_number_shows_the_first_page(admin):
    response = admin.get("/users/?page=abc")
    assert response.status_code == 200


def test_search_without_javascript_answers_with_the_whole_page(admin):
    page = text(admin.get("/users/?q=petugas"))
    assert "<html" in page
    assert ">petugas</td>" in page
    assert ">koordinator</td>" not in page


def test_search_through_htmx_answers_with_only_the_results(admin):
    response = admin.get("/users/?q=petugas", headers=HTMX)
    fragment = text(response)
    assert "<html" not in fragment
    assert "<form" not in fragment
    assert fragment.lstrip().startswith("<table")
    assert ">petugas</td>" in fragment
    assert "HX-Request" in response.headers["Vary"]


def test_search_box_is_wired_for_active_search(admin):
    page = text(admin.get("/users/"))
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'hx-target="#results"' in page
    assert 'hx-push-url="true"' in page


def test_history_restore_gets_the_whole_page(admin):
    response = admin.get("/users/?q=petugas", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in text(response)


def test_filter_by_role(admin):
    page = text(admin.get("/users/?role=manager"))
    assert ">manajer</td>" in page
    assert ">petugas</td>" not in page


def test_filter_by_branch(app, admin):
    page = text(admin.get(f"/users/?branch={branch_id(app, 'Kantor Cabang Luwuk')}"))
    assert "Kantor Cabang Luwuk" in page
    assert "<td>Kantor Cabang Palu</td>" not in page


def test_unknown_filter_values_are_named_and_ignored(admin):
    response = admin.get("/users/?role=wizard&branch=99999999999999999999999")
    assert response.status_code == 200
    page = text(response)
    assert "Choose one of the roles listed." in page
    assert "Choose one of the branches listed." in page
    assert ">admin</td>" in page


def test_search_with_a_nul_character_is_not_an_error(admin):
    assert admin.get("/users/?q=%00ad").status_code == 200


def test_search_for_nobody_says_so(admin):
    assert "No user matches." in text(admin.get("/users/?q=zzzz-nobody", headers=HTMX))


def test_list_issues_the_same_number_of_statements_for_more_users(app, admin):
    with counting_statements(app) as few:
        admin.get("/users/")
    add_officers(app, 40)
    with counting_statements(app) as many:
        admin.get("/users/")
    assert len(many) == len(few)


def test_list_page_and_fragment_fit_their_budgets(app, admin):
    add_officers(app, 40, prefix="a-rather-long-username-")
    assert gzip_size(admin.get("/users/")) <= 14 * 1024
    assert gzip_size(admin.get("/users/", headers=HTMX)) <= 4 * 1024


# --- create -----------------------------------------------------------------------------------

def test_new_user_form_offers_roles_branches_and_languages(admin):
    page = text(admin.get("/users/new"))
    assert 'value="coordinator"' in page
    assert "Kantor Cabang Poso" in page
    assert 'value="en"' in page


def test_creating_a_user_redirects_to_their_page(app, admin):
    response = admin.post("/users/new", data=new_user_form(app))
    assert response.status_code == 303
    assert response.location == f"/users/{user_id(app, 'siti.aminah')}"
    assert "Account siti.aminah created." in text(admin.get(response.location))


def test_created_user_can_sign_in(app, admin):
    admin.post("/users/new", data=new_user_form(app))
    other = Auth(app.test_client())
    assert other.login("siti.aminah", "a-long-password").status_code == 303


def test_username_is_stored_in_lowercase(app, admin):
    admin.post("/users/new", data=new_user_form(app, username="Siti.Aminah"))
    assert stored(app, "siti.aminah") is not None


def test_taken_username_is_refused_and_the_form_kept(app, admin):
    before = user_count(app)
    response = admin.post("/users/new", data=new_user_form(app, username="petugas", full_name="Another Petugas"))
    assert response.status_code == 422
    page = text(response)
    assert "This username is taken. Choose another." in page
    assert 'value="petugas"' in page
    assert 'value="Another Petugas"' in page
    assert user_count(app) == before


@pytest.mark.parametrize("username", ["ab", "a" * 41, "siti aminah", "siti@aminah", "siti/../x"])
def test_malformed_username_is_refused(app, admin, username):
    before = user_count(app)
    response = admin.post("/users/new", data=new_user_form(app, username=username))
    assert response.status_code == 422
    assert "lowercase letters, digits, dot, dash or underscore" in text(response)
    assert user_count(app) == before


def test_empty_form_names_every_required_field(app, admin):
    response = admin.post("/users/new", data={})
    assert response.status_code == 422
    page = text(response)
    for message in ("Enter a username.", "Enter the full name.", "Choose a role.", "Choose a branch.",
                    "Enter an initial password."):
        assert message in page
    assert user_count(app) == 25


def test_blank_full_name_is_refused(app, admin):
    response = admin.post("/users/new", data=new_user_form(app, full_name="    "))
    assert response.status_code == 422
    assert "Enter the full name." in text(response)


def test_over_long_full_name_is_refused_and_kept(app, admin):
    response = admin.post("/users/new", data=new_user_form(app, full_name="N" * 121))
    assert response.status_code == 422
    assert "At most 120 characters." in text(response)
    assert 'value="' + "N" * 121 + '"' in text(response)


def test_a_nul_character_typed_into_a_full_name_is_dropped(app, admin):
    response = admin.post("/users/new", data=new_user_form(app, full_name="Siti\x00 Aminah"))
    assert response.status_code == 303
    assert stored(app, "siti.aminah").full_name == "Siti Aminah"


def test_short_password_is_refused(app, admin):
    response = admin.post("/users/new", data=new_user_form(app, password="short"))
    assert response.status_code == 422
    assert "Between 10 and 256 characters." in text(response)


@pytest.mark.parametrize("field, value, message", [
    ("branch", "99999", "Choose one of the branches listed."),
    ("branch", "not-a-number", "Choose one of the branches listed."),
    ("branch", "99999999999999999999999999", "Choose one of the branches listed."),
    ("role", "superuser", "Choose one of the roles listed."),
    ("language", "fr", "Choose one of the languages listed."),
])
def test_unknown_choice_is_refused_with_a_message(app, admin, field, value, message):
    response = admin.post("/users/new", data=new_user_form(app, **{field: value}))
    assert response.status_code == 422
    assert message in text(response)
    assert stored(app, "siti.aminah") is None


def test_unknown_covered_branch_is_refused(app, admin):
    response = admin.post("/users/new", data=new_user_form(app, role="manager", covered_branches=["424242"]))
    assert response.status_code == 422
    assert "Choose only branches listed" in text(response)


def test_new_manager_follows_the_branches_ticked(app, admin):
    poso = branch_id(app, "Kantor Cabang Poso")
    admin.post("/users/new", data=new_user_form(app, role="manager", covered_branches=[str(poso)]))
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "siti.aminah"))
        assert [b.name for b in manager.covered_branches] == ["Kantor Cabang Poso"]


def test_new_manager_may_follow_every_branch(app, admin):
    admin.post("/users/new", data=new_user_form(app, role="manager", covers_all_branches="y"))
    assert stored(app, "siti.aminah").covers_all_branches is True


def test_creating_a_user_works_with_the_form_csrf_token(csrf_admin):
    app, client = csrf_admin
    token = csrf_token_from(text(client.get("/users/new")))
    response = client.post("/users/new", data={**new_user_form(app), "csrf_token": token})
    assert response.status_code == 303


def test_creating_a_user_without_a_csrf_token_is_refused(csrf_admin):
    app, client = csrf_admin
    response = client.post("/users/new", data=new_user_form(app))
    assert response.status_code == 400
    assert stored(app, "siti.aminah") is None


def test_search_needs_no_csrf_token(csrf_admin):
    _, client = csrf_admin
    assert client.get("/users/?q=petugas", headers=HTMX).status_code == 200


# --- edit -------------------------------------------------------------------------------------

def test_user_page_shows_the_account_filled_in(app, admin):
    page = text(admin.get(f"/users/{user_id(app, 'petugas')}"))
    assert ">petugas</dd>" in page
    assert '<option selected value="officer">' in page


def test_unknown_user_is_not_found(admin):
    assert admin.get("/users/424242").status_code == 404


def test_huge_user_id_is_not_found(admin):
    assert admin.get("/users/99999999999999999999999").status_code == 404


def test_editing_saves_the_changes(app, admin):
    poso = branch_id(app, "Kantor Cabang Poso")
    target = user_id(app, "petugas")
    response = admin.post(f"/users/{target}", data=edit_form(app, "petugas", full_name="Ina R.",
                                                             role="coordinator", branch=str(poso), language="en"))
    assert response.status_code == 303
    assert response.location == f"/users/{target}"
    user = stored(app, "petugas")
    assert (user.full_name, user.role, user.branch_id, user.language) == ("Ina R.", "coordinator", poso, "en")


def test_deactivated_user_can_no_longer_sign_in(app, admin):
    admin.post(f"/users/{user_id(app, 'petugas')}", data=edit_form(app, "petugas", active=None))
    assert stored(app, "petugas").active is False
    assert Auth(app.test_client()).login("petugas", "jangkau-demo").status_code == 401


def test_admin_cannot_deactivate_themselves(app, admin):
    response = admin.post(f"/users/{user_id(app, 'admin')}", data=edit_form(app, "admin", active=None))
    assert response.status_code == 422
    assert "You cannot deactivate your own account." in text(response)
    assert stored(app, "admin").active is True


def test_admin_cannot_remove_their_own_admin_role(app, admin):
    response = admin.post(f"/users/{user_id(app, 'admin')}", data=edit_form(app, "admin", role="manager"))
    assert response.status_code == 422
    assert "You cannot remove your own administrator role" in text(response)
    assert stored(app, "admin").role == "admin"


def test_bad_edit_keeps_what_was_typed_and_writes_nothing(app, admin):
    target = user_id(app, "petugas")
    response = admin.post(f"/users/{target}", data=edit_form(app, "petugas", full_name="Typed Name",
                                                             branch="99999"))
    assert response.status_code == 422
    assert 'value="Typed Name"' in text(response)
    assert stored(app, "petugas").full_name != "Typed Name"


def test_editing_an_unknown_user_is_not_found(app, admin):
    assert admin.post("/users/424242", data=edit_form(app, "petugas")).status_code == 404


def test_a_common_initial_password_is_refused_and_the_form_kept(app, admin):
    before = user_count(app)
    response = admin.post("/users/new", data=new_user_form(app, password="1234567890"))
    assert response.status_code == 422
    page = text(response)
    assert "This is one of the most common passwords: choose something harder to guess." in page
    assert 'value="siti.aminah"' in page and "1234567890" not in page
    assert user_count(app) == before

# --- reset password ---------------------------------------------------------------------------

def test_password_reset_signs_the_user_out_everywhere(app, admin):
    theirs = app.test_client()
    Auth(theirs).login_as("officer")
    assert theirs.get("/").status_code == 200
    response = admin.post(f"/users/{user_id(app, 'petugas')}/password", data={"new_password": "a-new-password-1"})
    assert response.status_code == 303
    assert "they are signed out everywhere" in text(admin.get(response.location))
    assert theirs.get("/").status_code == 302
    assert Auth(app.test_client()).login("petugas", "a-new-password-1").status_code == 303


def test_short_new_password_is_refused(app, admin):
    response = admin.post(f"/users/{user_id(app, 'petugas')}/password", data={"new_password": "short"})
    assert response.status_code == 422
    assert "Between 10 and 256 characters." in text(response)
    assert Auth(app.test_client()).login("petugas", "jangkau-demo").status_code == 303


def test_a_new_password_holding_the_username_is_refused(app, admin):
    response = admin.post(f"/users/{user_id(app, 'petugas')}/password", data={"new_password": "petugas12345"})
    assert response.status_code == 422
    assert "The password may not contain the username." in text(response)
    assert Auth(app.test_client()).login("petugas", "jangkau-demo").status_code == 303


def test_admin_resetting_their_own_password_stays_signed_in(app, admin):
    admin.post(f"/users/{user_id(app, 'admin')}/password", data={"new_password": "a-new-password-1"})
    assert admin.get("/users/").status_code == 200


def test_password_reset_of_an_unknown_user_is_not_found(admin):
    assert admin.post("/users/424242/password", data={"new_password": "a-new-password-1"}).status_code == 404


def test_password_reset_cannot_be_fetched(app, admin):
    assert admin.get(f"/users/{user_id(app, 'petugas')}/password").status_code == 405
