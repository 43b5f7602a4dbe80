"""Branch pages: the list, one branch with its regencies and staff, and the administrator's form."""

import gzip

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import Branch, Province, Regency, Role, branch_regencies
from campaign_app.users.service import create_user
from tests.conftest import counting_statements, csrf_token_from

HTMX = {"HX-Request": "true"}
PALU_REGENCIES = ["72.03", "72.08", "72.10", "72.71"]


def text(response) -> str:
    return response.get_data(as_text=True)


def gzip_size(response) -> int:
    return len(gzip.compress(response.data))


def branch_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Branch.id).where(Branch.name == name))


def coverage(app, name: str) -> list[str]:
    with app.app_context():
        branch = db.session.scalar(select(Branch).where(Branch.name == name))
        return [r.code for r in branch.regencies] if branch else []


def branch_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Branch))


def add_province_73(app) -> None:
    """A second province with two regencies, enough to switch provinces."""
    with app.app_context():
        db.session.add(Province(code="73", name="Sulawesi Selatan"))
        db.session.add_all([Regency(code="73.71", province_code="73", name="Kota Makassar", kind="kota"),
                            Regency(code="73.72", province_code="73", name="Kota Parepare", kind="kota")])
        db.session.commit()


def branch_form(**changes) -> dict:
    form = {"name": "Kantor Cabang Tolitoli", "province": "72", "home_regency": "72.04",
            "regencies": ["72.04", "72.05"]}
    form.update(changes)
    return form


# --- access -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/branches/", "/branches/1", "/branches/new", "/branches/1/edit"])
def test_officer_may_not_see_branch_pages(auth, client, path):
    auth.login_as("officer")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["coordinator", "manager"])
@pytest.mark.parametrize("method, path", [("get", "/branches/new"), ("post", "/branches/new"),
                                          ("get", "/branches/1/edit"), ("post", "/branches/1/edit")])
def test_only_an_administrator_may_create_or_edit_branches(auth, client, role, method, path):
    auth.login_as(role)
    assert getattr(client, method)(path).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get("/branches/").status_code == 302


# --- list -------------------------------------------------------------------------------------

def test_admin_sees_every_branch_and_may_add_one(admin):
    page = text(admin.get("/branches/"))
    for name in ("Kantor Cabang Luwuk", "Kantor Cabang Palu", "Kantor Cabang Poso"):
        assert name in page
    assert 'href="/branches/new"' in page


def test_coordinator_sees_only_their_branch(auth, client):
    page = text(auth.reading_english("coordinator").get("/branches/"))
    assert "Kantor Cabang Palu" in page
    assert "Kantor Cabang Luwuk" not in page
    assert 'href="/branches/new"' not in page


def test_manager_sees_the_branches_they_follow(auth, client):
    page = text(auth.reading_english("manager").get("/branches/"))
    assert "Kantor Cabang Luwuk" in page and "Kantor Cabang Poso" in page


def test_branch_list_is_paginated(app, admin):
    with app.app_context():
        db.session.add_all(Branch(name=f"Kantor Cabang Uji {n:02d}") for n in range(30))
        db.session.commit()
    page = text(admin.get("/branches/"))
    assert 'rel="next"' in page
    assert "Kantor Cabang Uji 29" in text(admin.get("/branches/?page=2"))


def test_branch_list_issues_the_same_number_of_statements_for_more_branches(app, admin):
    with counting_statements(app) as few:
        admin.get("/branches/")
    with app.app_context():
        db.session.add_all(Branch(name=f"Kantor Cabang Uji {n:02d}") for n in range(20))
        db.session.commit()
    with counting_statements(app) as many:
        admin.get("/branches/")
    assert len(many) == len(few)


# --- one branch -------------------------------------------------------------------------------

def test_branch_page_lists_its_regencies_with_village_counts(app, admin):
    page = text(admin.get(f"/branches/{branch_id(app, 'Kantor Cabang Palu')}"))
    assert ('<td>Kota Palu</td><td data-label="Province">Sulawesi Tengah</td>'
            '<td class="num" data-label="Districts">8</td><td class="num" data-label="Villages">46</td>') in page
    assert "Kabupaten Sigi" in page


def test_branch_page_lists_its_staff_by_role_with_names(app, auth, client):
    page = text(auth.reading_english("coordinator").get(f"/branches/{branch_id(app, 'Kantor Cabang Palu')}"))
    assert "Officer (7)" in page
    assert "<small>petugas</small>" in page
    assert "/users/" not in page  # only an administrator gets links to accounts


def test_coordinator_gets_not_found_for_another_branch(app, auth, client):
    auth.login_as("coordinator")
    assert client.get(f"/branches/{branch_id(app, 'Kantor Cabang Luwuk')}").status_code == 404


def test_manager_may_see_a_branch_they_follow(app, auth, client):
    auth.login_as("manager")
    assert client.get(f"/branches/{branch_id(app, 'Kantor Cabang Luwuk')}").status_code == 200


@pytest.mark.parametrize("path", ["/branches/424242", "/branches/99999999999999999999999"])
def test_unknown_branch_is_not_found(admin, path):
    assert admin.get(path).status_code == 404


def test_branch_page_issues_the_same_number_of_statements_for_more_staff(app, admin):
    path = f"/branches/{branch_id(app, 'Kantor Cabang Palu')}"
    with counting_statements(app) as few:
        admin.get(path)
    with app.app_context():
        palu = db.session.scalar(select(Branch).where(Branch.name == "Kantor Cabang Palu"))
        for n in range(20):
            create_user(username=f"extra{n:02d}", full_name=f"Extra {n}", password="a-long-password",
                        role=Role.OFFICER, branch=palu)
        db.session.commit()
    with counting_statements(app) as many:
        admin.get(path)
    assert len(many) == len(few)


def test_branch_page_fits_the_budget(app, admin):
    assert gzip_size(admin.get(f"/branches/{branch_id(app, 'Kantor Cabang Palu')}")) <= 14 * 1024


# --- the form: provinces and regencies --------------------------------------------------------

def test_new_branch_form_offers_the_regencies_of_sulawesi_tengah(admin):
    page = text(admin.get("/branches/new"))
    assert '<option selected value="72">Sulawesi Tengah</option>' in page
    assert 'name="regencies" type="checkbox" value="72.04"' in page
    assert "Kabupaten Banggai (covered by Kantor Cabang Luwuk)" in page


def test_province_change_through_htmx_answers_with_only_the_regencies(app, admin):
    add_province_73(app)
    response = admin.get("/branches/new?province=73", headers=HTMX)
    fragment = text(response)
    assert "<html" not in fragment
    assert 'name="name"' not in fragment
    assert "Kota Makassar" in fragment
    assert "Kabupaten Sigi" not in fragment
    assert 'name="province" type="hidden" value="73"' in fragment
    assert gzip_size(response) <= 4 * 1024


def test_province_change_without_javascript_answers_with_the_whole_form(app, admin):
    add_province_73(app)
    page = text(admin.get("/branches/new?province=73"))
    assert "<html" in page
    assert '<option selected value="73">Sulawesi Selatan</option>' in page
    assert "Kota Makassar" in page


def test_province_select_is_wired_to_swap_the_regencies(admin):
    page = text(admin.get("/branches/new"))
    assert 'form="province-form" hx-get="/branches/new" hx-target="#regencies" hx-trigger="change"' in page
    assert '<form id="province-form" method="get" action="/branches/new">' in page


def test_unknown_province_is_named_and_the_default_shown(admin):
    response = admin.get("/branches/new?province=99")
    assert response.status_code == 200
    page = text(response)
    assert "Choose one of the provinces listed." in page
    assert "Kabupaten Sigi" in page


def test_form_page_fits_the_budget(admin):
    assert gzip_size(admin.get("/branches/new")) <= 14 * 1024


# --- create -----------------------------------------------------------------------------------

def test_creating_a_branch_redirects_to_its_page(app, admin):
    response = admin.post("/branches/new", data=branch_form())
    assert response.status_code == 303
    assert response.location == f"/branches/{branch_id(app, 'Kantor Cabang Tolitoli')}"
    assert coverage(app, "Kantor Cabang Tolitoli") == ["72.04", "72.05"]
    assert "Branch Kantor Cabang Tolitoli saved." in text(admin.get(response.location))


def test_taken_name_is_refused_and_the_form_kept(app, admin):
    response = admin.post("/branches/new", data=branch_form(name="kantor cabang palu"))
    assert response.status_code == 422
    page = text(response)
    assert "Another branch is already called kantor cabang palu." in page
    assert 'value="kantor cabang palu"' in page
    assert 'checked id="regencies-3"' in page  # Toli-Toli stays ticked
    assert branch_count(app) == 3


def test_regency_of_another_branch_is_refused_naming_that_branch(app, admin):
    response = admin.post("/branches/new", data=branch_form(regencies=["72.04", "72.01"]))
    assert response.status_code == 422
    assert "Kabupaten Banggai is already covered by Kantor Cabang Luwuk." in text(response)
    assert branch_count(app) == 3
    assert coverage(app, "Kantor Cabang Luwuk") == ["72.01", "72.07"]


def test_empty_form_names_the_missing_fields(app, admin):
    response = admin.post("/branches/new", data={})
    assert response.status_code == 422
    page = text(response)
    assert "Enter the branch" in page
    assert "Choose the regency of the office." in page
    assert branch_count(app) == 3


def test_branch_names_are_escaped_in_the_regency_list(app, admin):
    admin.post("/branches/new", data=branch_form(name="<b>Bold</b>"))
    page = text(admin.get("/branches/new"))
    assert "(covered by &lt;b&gt;Bold&lt;/b&gt;)" in page
    assert "<b>Bold</b>" not in page


def test_over_long_name_is_refused_and_kept(app, admin):
    response = admin.post("/branches/new", data=branch_form(name="K" * 121))
    assert response.status_code == 422
    assert "At most 120 characters." in text(response)
    assert 'value="' + "K" * 121 + '"' in text(response)
    assert branch_count(app) == 3


def test_a_nul_character_typed_into_a_name_is_dropped(app, admin):
    response = admin.post("/branches/new", data=branch_form(name="Kantor\x00 Cabang"))
    assert response.status_code == 303
    assert branch_count(app) == 4


def test_unknown_regency_code_is_refused(app, admin):
    response = admin.post("/branches/new", data=branch_form(regencies=["72.04", "99.99"]))
    assert response.status_code == 422
    assert "Choose only regencies of the province shown; 99.99 is not one." in text(response)
    assert branch_count(app) == 3


def test_unknown_office_regency_is_refused(app, admin):
    response = admin.post("/branches/new", data=branch_form(home_regency="99.99"))
    assert response.status_code == 422
    assert "Choose one of the regencies listed." in text(response)


def test_regency_of_another_province_than_the_one_shown_is_refused(app, admin):
    add_province_73(app)
    response = admin.post("/branches/new", data=branch_form(regencies=["73.71"]))
    assert response.status_code == 422
    assert branch_count(app) == 3


def test_tampered_province_falls_back_to_the_default_and_is_checked(app, admin):
    response = admin.post("/branches/new", data=branch_form(province="<script>"))
    assert response.status_code == 303
    assert coverage(app, "Kantor Cabang Tolitoli") == ["72.04", "72.05"]


def test_branch_in_another_province_is_created(app, admin):
    add_province_73(app)
    response = admin.post("/branches/new", data=branch_form(name="Kantor Cabang Makassar", province="73",
                                                            home_regency="73.71", regencies=["73.71"]))
    assert response.status_code == 303
    assert coverage(app, "Kantor Cabang Makassar") == ["73.71"]


def test_creating_a_branch_works_with_the_form_csrf_token(csrf_admin):
    app, client = csrf_admin
    token = csrf_token_from(text(client.get("/branches/new")))
    assert client.post("/branches/new", data={**branch_form(), "csrf_token": token}).status_code == 303


def test_creating_a_branch_without_a_csrf_token_is_refused(csrf_admin):
    app, client = csrf_admin
    assert client.post("/branches/new", data=branch_form()).status_code == 400
    assert branch_count(app) == 3


def test_province_change_needs_no_csrf_token(csrf_admin):
    _, client = csrf_admin
    assert client.get("/branches/new?province=72", headers=HTMX).status_code == 200


# --- edit -------------------------------------------------------------------------------------

def test_edit_form_is_filled_with_the_branch(app, admin):
    page = text(admin.get(f"/branches/{branch_id(app, 'Kantor Cabang Palu')}/edit"))
    assert 'value="Kantor Cabang Palu"' in page
    assert '<option selected value="72.71">Kota Palu</option>' in page
    assert 'checked id="regencies-12" name="regencies" type="checkbox" value="72.71"' in page
    assert "Kota Palu (covered by" not in page  # its own regencies are not "another branch's"


def test_editing_renames_and_changes_coverage(app, admin):
    palu = branch_id(app, "Kantor Cabang Palu")
    response = admin.post(f"/branches/{palu}/edit", data=branch_form(
        name="KC Palu", home_regency="72.71", regencies=["72.71", "72.10", "72.04"]))
    assert response.status_code == 303
    assert response.location == f"/branches/{palu}"
    assert coverage(app, "KC Palu") == ["72.04", "72.10", "72.71"]


def test_editing_keeps_the_branch_own_name(app, admin):
    palu = branch_id(app, "Kantor Cabang Palu")
    response = admin.post(f"/branches/{palu}/edit", data=branch_form(
        name="Kantor Cabang Palu", home_regency="72.71", regencies=PALU_REGENCIES))
    assert response.status_code == 303


def test_renaming_to_another_branch_name_is_refused(app, admin):
    palu = branch_id(app, "Kantor Cabang Palu")
    response = admin.post(f"/branches/{palu}/edit", data=branch_form(
        name="Kantor Cabang Poso", home_regency="72.71", regencies=PALU_REGENCIES))
    assert response.status_code == 422
    assert "Another branch is already called Kantor Cabang Poso." in text(response)
    assert coverage(app, "Kantor Cabang Palu") == PALU_REGENCIES


def test_editing_coverage_in_another_province_keeps_the_first(app, admin):
    add_province_73(app)
    palu = branch_id(app, "Kantor Cabang Palu")
    page = text(admin.get(f"/branches/{palu}/edit?province=73"))
    assert '<option selected value="72.71">Kota Palu</option>' in page  # the office stays offered
    response = admin.post(f"/branches/{palu}/edit", data=branch_form(
        name="Kantor Cabang Palu", province="73", home_regency="72.71", regencies=["73.71"]))
    assert response.status_code == 303
    assert coverage(app, "Kantor Cabang Palu") == [*PALU_REGENCIES, "73.71"]


def test_editing_an_unknown_branch_is_not_found(admin):
    assert admin.get("/branches/424242/edit").status_code == 404
    assert admin.post("/branches/424242/edit", data=branch_form()).status_code == 404


def test_regency_rows_of_a_branch_stay_unique(app, admin):
    palu = branch_id(app, "Kantor Cabang Palu")
    admin.post(f"/branches/{palu}/edit", data=branch_form(
        name="Kantor Cabang Palu", home_regency="72.71", regencies=[*PALU_REGENCIES, "72.71"]))
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(branch_regencies)
                                 .where(branch_regencies.c.branch_id == palu))
    assert rows == 4
