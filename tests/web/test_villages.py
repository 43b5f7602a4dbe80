"""The village registry's pages: browse and search, a village, editing, CSV import and export, where next."""

import gzip
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from campaign_app.clock import today
from campaign_app.extensions import db
from campaign_app.models import SignUp, Village, Visit, VisitStatus
from campaign_app.summaries import bulk_execute
from tests.conftest import counting_statements, csrf_token_from
from tests.factories import FAR_VILLAGE, NEAR_VILLAGE, in_progress_visit, make_campaign, make_signup, make_visit
from tests.workbooks import xlsx_bytes

HTMX = {"HX-Request": "true"}
LUWUK_VILLAGE = "72.01.01.1008"  # Batui, Kabupaten Banggai: the Luwuk branch's
FRAGMENT_BUDGET = 4 * 1024
PAGE_BUDGET = 14 * 1024


def text(response) -> str:
    return response.get_data(as_text=True)


def gzip_size(response) -> int:
    return len(gzip.compress(response.data, 6))


def stored(app, code: str) -> tuple:
    with app.app_context():
        village = db.session.get(Village, code)
        return (village.estimated_population, village.estimated_informal_workers, village.access_class,
                village.travel_hours, village.notes)


def upload(client, data: bytes, headers=None, filename="desa.csv"):
    return client.post("/villages/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", headers=headers or {})


def edit_form(**changes) -> dict:
    form = {"estimated_population": "4.000", "estimated_informal_workers": "1200", "access_class": "boat",
            "travel_hours": "2,5", "notes": "Perahu dari Donggala"}
    form.update(changes)
    return form


# --- access -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/villages/", f"/villages/{NEAR_VILLAGE}", f"/villages/{NEAR_VILLAGE}/edit",
                                  "/villages/import", "/villages/export.csv", "/villages/where-next"])
def test_an_officer_may_not_open_the_registry(auth, client, path):
    auth.login_as("officer")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(("method", "path"), [("get", f"/villages/{NEAR_VILLAGE}/edit"),
                                              ("post", f"/villages/{NEAR_VILLAGE}/edit"),
                                              ("get", "/villages/import"), ("post", "/villages/import")])
def test_a_manager_may_read_but_not_change_villages(manager, method, path):
    assert getattr(manager, method)(path).status_code == 403


@pytest.mark.parametrize("path", [f"/villages/{LUWUK_VILLAGE}", f"/villages/{LUWUK_VILLAGE}/edit",
                                  "/villages/?regency=72.01", "/villages/?district=72.01.01"])
def test_another_branchs_village_or_region_is_not_found(coordinator, path):
    assert coordinator.get(path).status_code == 404
    assert coordinator.get(path, headers=HTMX).status_code == 404


@pytest.mark.parametrize("path", ["/villages/72.71.01", "/villages/72.71.01.1004x", "/villages/72.71.01.9999",
                                  "/villages/%00", "/villages/?regency=7", "/villages/?district=72.10.01%00",
                                  "/villages/?province=99", "/villages/?regency=" + "9" * 300])
def test_a_malformed_or_unknown_code_is_not_found(coordinator, path):
    assert coordinator.get(path).status_code == 404


def test_a_manager_sees_the_villages_of_the_branches_they_cover(manager):
    assert manager.get(f"/villages/{LUWUK_VILLAGE}").status_code == 200


# --- browse and search ------------------------------------------------------------------------------

def test_the_registry_starts_with_the_branchs_regencies(coordinator):
    page = text(coordinator.get("/villages/"))
    assert "<html" in page
    for name in ("Kota Palu", "Kabupaten Sigi", "Kabupaten Donggala", "Kabupaten Parigi Moutong"):
        assert name in page
    assert "Kabupaten Banggai" not in page


def test_a_regency_lists_its_districts(coordinator):
    page = text(coordinator.get("/villages/?regency=72.71"))
    assert "Palu Timur" in page and 'href="/villages/?district=72.71.01"' in page


def test_a_district_lists_its_villages_with_what_is_known(coordinator):
    page = text(coordinator.get("/villages/?district=72.71.01"))
    assert "Besusu Barat" in page and f'href="/villages/{NEAR_VILLAGE}"' in page
    assert "5 villages" in page


def test_a_province_lists_its_regencies(coordinator):
    assert "Kota Palu" in text(coordinator.get("/villages/?province=72"))


def test_a_search_answers_htmx_with_the_results_only(coordinator):
    response = coordinator.get("/villages/?q=sidondo", headers=HTMX)
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and "Sidondo I" in body
    assert response.headers["Vary"] == "Cookie, HX-Request" or "HX-Request" in response.headers["Vary"]


def test_a_search_without_javascript_answers_the_whole_page(coordinator):
    page = text(coordinator.get("/villages/?q=sidondo"))
    assert "<html" in page and "Sidondo II" in page and 'value="sidondo"' in page


def test_the_search_box_searches_as_the_user_types(coordinator):
    page = text(coordinator.get("/villages/"))
    assert 'hx-trigger="input changed delay:300ms, search"' in page and 'hx-push-url="true"' in page


def test_a_search_within_a_regency_keeps_to_it(coordinator):
    page = text(coordinator.get("/villages/?regency=72.10&q=a"))
    assert "Kota Palu</td>" not in page and "Kabupaten Sigi" in page


def test_a_search_never_shows_another_branchs_village(coordinator):
    assert "Batui" not in text(coordinator.get("/villages/?q=Batui", headers=HTMX))


def test_search_results_are_paginated(coordinator):
    page = text(coordinator.get("/villages/?q=a"))
    assert 'rel="next"' in page and "Page 1 of" in page


@pytest.mark.parametrize("query", ["x" * 121])
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_search_that_cannot_be_used_is_explained_and_ignored(coordinator, query, headers):
    response = coordinator.get("/villages/", query_string={"q": query}, headers=headers)
    assert response.status_code == 200
    body = text(response)
    assert "This search cannot be used" in body
    assert "Kota Palu" in body  # ignored: the regencies are listed as without a search


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999999", "1e9"])
def test_any_page_number_answers_a_page(coordinator, page):
    assert coordinator.get(f"/villages/?q=a&page={page}").status_code == 200
    assert coordinator.get(f"/villages/where-next?page={page}").status_code == 200
    assert coordinator.get(f"/villages/{NEAR_VILLAGE}?page={page}").status_code == 200


# --- a village ------------------------------------------------------------------------------------

def test_a_village_shows_what_the_campaign_knows_and_its_sign_ups(app, coordinator):
    with app.app_context():
        bulk_execute(db.session, delete(SignUp).where(SignUp.village_code == NEAR_VILLAGE))
        db.session.get(Village, NEAR_VILLAGE).estimated_informal_workers = 300
        visit = in_progress_visit(village_code=NEAR_VILLAGE)
        for _ in range(3):
            make_signup(visit)
        db.session.commit()
    page = text(coordinator.get(f"/villages/{NEAR_VILLAGE}"))
    assert "Besusu Barat" in page and "Palu Timur" in page
    assert "<dd>3</dd>" in page  # sign-ups so far
    assert "<dd>1.0%</dd>" in page  # 3 of 300 estimated informal workers
    assert "never" in page


def test_a_village_without_an_estimate_shows_no_coverage(app, coordinator):
    with app.app_context():
        db.session.get(Village, NEAR_VILLAGE).estimated_informal_workers = None
        db.session.commit()
    page = text(coordinator.get(f"/villages/{NEAR_VILLAGE}"))
    assert "Coverage needs an estimate" in page


def test_a_village_lists_its_visits_and_the_days_since_the_last(app, coordinator):
    with app.app_context():
        day = today() - timedelta(days=9)
        visit = make_visit(make_campaign(starts_on=day), village_code=NEAR_VILLAGE, on=day, today=day,
                           planned_activity="Sosialisasi BPU")
        visit.status = VisitStatus.DONE
        db.session.commit()
        visit_id = visit.id
    page = text(coordinator.get(f"/villages/{NEAR_VILLAGE}"))
    assert "Sosialisasi BPU" in page and f'href="/visits/{visit_id}"' in page
    assert "<dd>9</dd>" in page


def test_a_village_with_many_visits_pages_them(app, coordinator):
    with app.app_context():
        campaign = make_campaign(starts_on=today())
        for n in range(12):
            make_visit(campaign, village_code=FAR_VILLAGE, on=today() + timedelta(days=n), today=today())
        db.session.commit()
    page = text(coordinator.get(f"/villages/{FAR_VILLAGE}"))
    assert "12 visits" in page and f'href="/villages/{FAR_VILLAGE}?page=2"' in page


def test_a_manager_sees_no_edit_button(manager):
    assert f"/villages/{NEAR_VILLAGE}/edit" not in text(manager.get(f"/villages/{NEAR_VILLAGE}"))


# --- editing --------------------------------------------------------------------------------------

def test_the_edit_form_shows_the_stored_values(app, coordinator):
    population = stored(app, NEAR_VILLAGE)[0]
    page = text(coordinator.get(f"/villages/{NEAR_VILLAGE}/edit"))
    assert f'value="{population}"' in page and '<option selected value="road">' in page


def test_saving_the_edit_form_records_the_values(app, coordinator):
    response = coordinator.post(f"/villages/{FAR_VILLAGE}/edit", data=edit_form())
    assert response.status_code == 303 and response.location == f"/villages/{FAR_VILLAGE}"
    assert stored(app, FAR_VILLAGE) == (4000, 1200, "boat", Decimal("2.5"), "Perahu dari Donggala")
    assert "Saved what the campaign knows" in text(coordinator.get(response.location))


def test_empty_fields_clear_the_values(app, coordinator):
    coordinator.post(f"/villages/{FAR_VILLAGE}/edit", data=edit_form(estimated_population="",
                     estimated_informal_workers="", access_class="", travel_hours="", notes=""))
    assert stored(app, FAR_VILLAGE) == (None, None, None, None, None)


@pytest.mark.parametrize(("changes", "message"), [
    ({"estimated_informal_workers": "5000"}, "cannot outnumber the population"),
    ({"estimated_population": "banyak"}, "whole number"),
    ({"estimated_population": "9" * 40}, "from 0 to"),
    ({"estimated_population": "9" * 5000}, "from 0 to"),
    ({"travel_hours": "2,55"}, "at most one decimal"),
    ({"travel_hours": "73"}, "from 0 to 72"),
    ({"access_class": "helicopter"}, "access classes listed"),
    ({"notes": "x" * 2001}, "At most 2000"),
])
def test_bad_values_are_refused_keeping_what_was_typed(app, coordinator, changes, message):
    before = stored(app, FAR_VILLAGE)
    response = coordinator.post(f"/villages/{FAR_VILLAGE}/edit", data=edit_form(**changes))
    assert response.status_code == 422
    page = text(response)
    assert message in page
    typed = next(iter(changes.values()))
    if len(typed) < 100 and "\x00" not in typed and typed != "helicopter":
        assert f'value="{typed}"' in page
    assert stored(app, FAR_VILLAGE) == before


def test_the_edit_form_needs_its_csrf_token(csrf_admin):
    app, client = csrf_admin
    assert client.post(f"/villages/{FAR_VILLAGE}/edit", data=edit_form()).status_code == 400
    token = csrf_token_from(text(client.get(f"/villages/{FAR_VILLAGE}/edit")))
    assert client.post(f"/villages/{FAR_VILLAGE}/edit", data={**edit_form(), "csrf_token": token}).status_code == 303


# --- import and export ----------------------------------------------------------------------------

GOOD_FILE = f"code;estimated_population;travel_hours\n{NEAR_VILLAGE};4.321;1,5\n{FAR_VILLAGE};1234;\n".encode()
BAD_FILE = f"code,estimated_population\n{NEAR_VILLAGE},4321\n{LUWUK_VILLAGE},10\n72.71.01.9999,5\n".encode()


def test_the_import_page_offers_the_current_values_and_shows_upload_progress(coordinator):
    page = text(coordinator.get("/villages/import"))
    assert "At most 16 MB and 100,000 rows per file." in page
    assert 'href="/villages/export.csv' in page
    assert 'hx-encoding="multipart/form-data"' in page and "<progress" in page and "js/upload.js" in page
    assert 'enctype="multipart/form-data"' in page


def test_a_good_file_is_applied_and_the_count_shown(app, coordinator):
    response = upload(coordinator, GOOD_FILE)
    assert response.status_code == 303
    assert "2 villages changed (of 2 rows in the file)." in text(coordinator.get(response.location))
    assert stored(app, NEAR_VILLAGE)[0] == 4321 and stored(app, NEAR_VILLAGE)[3] == Decimal("1.5")
    assert stored(app, FAR_VILLAGE)[3] is None


def test_a_good_file_sent_by_htmx_answers_the_result_only(app, coordinator):
    response = upload(coordinator, GOOD_FILE, headers=HTMX)
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and "2 villages changed" in body


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_file_with_bad_rows_is_refused_whole_with_each_row(app, coordinator, headers):
    before = stored(app, NEAR_VILLAGE)
    response = upload(coordinator, BAD_FILE, headers=headers)
    assert response.status_code == 422
    body = text(response)
    assert ("<html" in body) == (not headers)
    assert "2 rows are bad; nothing changed" in body
    assert LUWUK_VILLAGE in body and "outside the regencies" in body and "No village has this code" in body
    assert stored(app, NEAR_VILLAGE) == before


def test_many_bad_rows_show_a_hundred_and_count_the_rest(coordinator):
    data = ("code,notes\n" + "".join(f"72.71.01.{9000 + n},x\n" for n in range(150))).encode()
    response = upload(coordinator, data, headers=HTMX)
    body = text(response)
    assert body.count("No village has this code") == 100 and "and 50 more bad rows" in body
    assert gzip_size(response) <= FRAGMENT_BUDGET


@pytest.mark.parametrize("headers", [{}, HTMX])
@pytest.mark.parametrize(("data", "message"), [
    ("code,notes\n72.71.01.1004,Caf\u00e9\n".encode("cp1252"), "not UTF-8"),
    (b"", "empty"),
    (b"kode,populasi\n72.71.01.1004,1\n", 'no column "code"'),
    (b"code,notes\n", "no village rows"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "a picture"),
])
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(coordinator, headers, data, message):
    response = upload(coordinator, data, headers=headers)
    assert response.status_code == 422
    assert message in text(response).replace("&#34;", '"')


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_quote_left_open_is_refused_and_nothing_changes(app, coordinator, headers):
    before = stored(app, FAR_VILLAGE)
    data = f'code,notes\n{NEAR_VILLAGE},"Jalan rusak\n{FAR_VILLAGE},Perahu\n'.encode()
    response = upload(coordinator, data, headers=headers)
    assert response.status_code == 422 and "quote opened on line 2 is never closed" in text(response)
    assert stored(app, NEAR_VILLAGE)[4] is None and stored(app, FAR_VILLAGE) == before


def test_an_excel_workbook_is_imported(app, coordinator):
    data = xlsx_bytes([["code", "estimated_population", "travel_hours"], [NEAR_VILLAGE, 4321, 1.5]])
    response = upload(coordinator, data, filename="desa.xlsx")
    assert response.status_code == 303
    assert "1 village changed" in text(coordinator.get(response.location))
    assert stored(app, NEAR_VILLAGE)[0] == 4321 and stored(app, NEAR_VILLAGE)[3] == Decimal("1.5")


def test_the_file_picker_offers_csv_and_excel_files(coordinator):
    assert 'accept=".csv,text/csv,.xlsx,' in text(coordinator.get("/villages/import"))


@pytest.mark.parametrize(("data", "words"), [
    ("code,notes\n72.71.01.1004,x\n".encode("utf-16"), "teks UTF-16"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "buku kerja Excel lama (.xls"),
    (b"code,notes\n72.71.01.1004,x\x00\n", "bita NUL"),
])
def test_a_file_that_is_not_a_table_is_named_in_indonesian(auth, client, data, words):
    auth.login_as("coordinator")
    response = upload(client, data)
    assert response.status_code == 422 and words in text(response)


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_sending_no_file_asks_for_one(coordinator, headers):
    response = coordinator.post("/villages/import", data={}, content_type="multipart/form-data", headers=headers)
    assert response.status_code == 422 and "Choose a CSV or Excel file." in text(response)


def test_a_file_too_large_is_refused_not_crashed(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1000)
    client = app.test_client()
    client.post("/login", data={"username": "koordinator", "password": "jangkau-demo"})
    response = upload(client, b"code,notes\n" + b"72.71.01.1004,x\n" * 200)
    assert response.status_code == 413


def test_the_export_is_the_branchs_villages_with_their_values(coordinator):
    response = coordinator.get("/villages/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = text(response).splitlines()
    assert lines[0] == "\ufeffcode,name,district,regency,estimated_population,estimated_informal_workers," \
                       "access_class,travel_hours,notes"
    assert len(lines) == 1 + 672
    assert not any(line.startswith("72.01.") for line in lines)


def test_the_export_in_indonesian_uses_semicolons_and_decimal_commas(auth, client):
    auth.login_as("coordinator")
    client.post("/language", data={"language": "id"})
    lines = text(client.get("/villages/export.csv")).splitlines()
    assert lines[0].startswith("\ufeffcode;name;")
    assert "," in lines[1].split(";")[7]


def test_the_export_protects_notes_that_look_like_formulas(app, coordinator):
    with app.app_context():
        db.session.get(Village, NEAR_VILLAGE).notes = "=HYPERLINK(\"x\")"
        db.session.commit()
    line = next(line for line in text(coordinator.get("/villages/export.csv")).splitlines()
                if line.startswith(NEAR_VILLAGE))
    assert "'=HYPERLINK" in line


def test_an_exported_file_imports_again_without_changes(coordinator):
    exported = coordinator.get("/villages/export.csv").data
    response = upload(coordinator, exported, headers=HTMX)
    assert response.status_code == 200 and "0 villages changed (of 672 rows in the file)." in text(response)


# --- where next -------------------------------------------------------------------------------------

def test_where_next_ranks_the_branchs_villages_and_explains_how(coordinator):
    page = text(coordinator.get("/villages/where-next"))
    assert "<html" in page and "Villages rank higher" in page
    assert "/visits/new?village_code=72." in page and "Schedule a visit" in page
    assert "Kabupaten Banggai" not in page


def test_where_next_answers_htmx_with_the_ranking_only(coordinator):
    response = coordinator.get("/villages/where-next?regency=72.10", headers=HTMX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert "Kabupaten Sigi" in body and "Kota Palu" not in body
    assert 'name="district"' in body
    assert gzip_size(response) <= FRAGMENT_BUDGET


def test_where_next_filters_by_district(coordinator):
    body = text(coordinator.get("/villages/where-next?regency=72.71&district=72.71.01", headers=HTMX))
    assert "Palu Timur, Kota Palu" in body and "Palu Barat, Kota Palu" not in body


def test_a_village_with_a_planned_visit_leaves_the_ranking(app, coordinator):
    first = text(coordinator.get("/villages/where-next?regency=72.71&district=72.71.01", headers=HTMX))
    top = first.split('href="/villages/', 1)[1].split('"', 1)[0]
    with app.app_context():
        make_visit(make_campaign(starts_on=today()), village_code=top, on=today() + timedelta(days=3), today=today())
        db.session.commit()
    again = text(coordinator.get("/villages/where-next?regency=72.71&district=72.71.01", headers=HTMX))
    assert f'href="/villages/{top}"' not in again


@pytest.mark.parametrize("headers", [{}, HTMX])
@pytest.mark.parametrize("query", ["regency=72.01", "regency=zz%00", "regency=72.10&district=72.10.99",
                                   "regency=72.10&district=72.10." + "9" * 300])
def test_a_filter_that_is_not_a_choice_is_explained_and_ignored(coordinator, headers, query):
    response = coordinator.get(f"/villages/where-next?{query}", headers=headers)
    assert response.status_code == 200
    assert "listed" in text(response)


def test_a_district_left_from_another_regency_is_forgotten_without_a_message(coordinator):
    response = coordinator.get("/villages/where-next?regency=72.10&district=72.71.01", headers=HTMX)
    body = text(response)
    assert response.status_code == 200 and "listed" not in body
    assert "Kabupaten Sigi" in body and "Kota Palu" not in body


def test_a_district_without_its_regency_is_ignored(coordinator):
    response = coordinator.get("/villages/where-next?district=72.71.01")
    assert response.status_code == 200 and "Kabupaten Sigi" in text(response)


def test_a_manager_sees_the_ranking_without_a_schedule_action(manager):
    page = text(manager.get("/villages/where-next"))
    assert "Villages rank higher" in page and "Schedule a visit" not in page


# --- sizes ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/villages/where-next", "/villages/?q=a", "/villages/?regency=72.08",
                                  f"/villages/{NEAR_VILLAGE}", "/villages/import"])
def test_pages_fit_the_first_round_trip_and_fragments_a_small_train(coordinator, path):
    page, fragment = coordinator.get(path), coordinator.get(path, headers=HTMX)
    print(f"\n{path}: page {gzip_size(page)} B gzip, fragment {gzip_size(fragment)} B gzip")
    assert gzip_size(page) <= PAGE_BUDGET
    if "<html" not in text(fragment):
        assert gzip_size(fragment) <= FRAGMENT_BUDGET


def test_no_visit_is_created_by_reading_the_registry(app, coordinator):
    with app.app_context():
        before = len(db.session.scalars(select(Visit.id)).all())
    for path in ("/villages/", "/villages/where-next", f"/villages/{NEAR_VILLAGE}"):
        coordinator.get(path)
    with app.app_context():
        assert len(db.session.scalars(select(Visit.id)).all()) == before


# --- statements per page ------------------------------------------------------------------------------

def statements_for(app, client, path: str) -> int:
    with counting_statements(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def add_visits(app, codes, per_village=3) -> None:
    with app.app_context():
        campaign = make_campaign(starts_on=today())
        for n, code in enumerate(codes):
            for k in range(per_village):
                make_visit(campaign, village_code=code, on=today() + timedelta(days=1 + n * per_village + k),
                           today=today())
        db.session.commit()


@pytest.mark.parametrize("path", ["/villages/?q=a", "/villages/?district=72.71.01", "/villages/where-next",
                                  f"/villages/{NEAR_VILLAGE}", f"/villages/{NEAR_VILLAGE}/edit",
                                  "/villages/?regency=72.71", "/villages/"])
def test_statements_per_page_do_not_grow_with_visits(app, coordinator, path):
    before = statements_for(app, coordinator, path)
    with app.app_context():
        codes = db.session.scalars(select(Village.code).where(Village.district_code == "72.71.01")).all()
    add_visits(app, codes, per_village=4)
    assert statements_for(app, coordinator, path) == before
