"""The installable app and what the officer's phone stores before leaving: the manifest, the service worker at the
root scope, the offline page, the offline pack and the stored copies of a visit's pages (issue 15)."""

import json
import re

import pytest
from sqlalchemy import select

from campaign_app.clock import today
from campaign_app.extensions import db
from campaign_app.models import User, Visit, VisitOfficer, VisitStatus
from tests.crawler import gzip_size

PREPARATION_BUDGET = 60 * 1024  # issue 15: the preparation of a day's visits on the wire


def fetched(client, url: str) -> tuple[int, str]:
    """Status and type of a static file, the file closed."""
    response = client.get(url)
    response.close()
    return response.status_code, response.mimetype


@pytest.fixture
def officer(auth):
    """A client signed in as the demo officer (Indonesian, the default)."""
    auth.login_as("officer")
    return auth.client


@pytest.fixture
def planned_visit(app) -> int:
    """The demo officer's first planned visit of today."""
    with app.app_context():
        visit_id = db.session.scalar(
            select(Visit.id).join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
            .join(User, User.id == VisitOfficer.officer_id)
            .where(User.username == "petugas", Visit.visit_date == today(), Visit.status == VisitStatus.PLANNED)
            .order_by(Visit.id).limit(1))
    assert visit_id is not None
    return visit_id


def test_the_manifest_names_the_app_in_indonesian_and_its_icons_answer(client):
    response = client.get("/manifest.webmanifest")
    manifest = json.loads(response.get_data())
    assert (response.mimetype, manifest["lang"], manifest["start_url"], manifest["display"]) == (
        "application/manifest+json", "id", "/", "standalone")
    assert manifest["name"].startswith("Jangkau · Pendaftaran")
    assert [icon["sizes"] for icon in manifest["icons"]] == ["192x192", "512x512"]
    for icon in manifest["icons"]:
        assert fetched(client, icon["src"]) == (200, "image/png")


def test_every_page_links_the_manifest(client):
    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/login").get_data(as_text=True)


def test_the_service_worker_is_served_from_the_root_revalidated_with_the_fingerprinted_shell(client):
    response = client.get("/sw.js")
    code = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]
    shell = json.loads(re.search(r"var SHELL = (\[.*\]);", code).group(1))
    assert shell[0] == "/offline"
    assert any(re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{12}", url) for url in shell)
    assert all(fetched(client, url)[0] == 200 for url in shell)


def test_an_unchanged_service_worker_is_revalidated_with_a_304(client):
    first = client.get("/sw.js", headers={"Accept-Encoding": "br"})
    again = client.get("/sw.js", headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert first.status_code == 200 and again.status_code == 304 and again.get_data() == b""
    assert "no-cache" in again.headers["Cache-Control"]


def test_the_offline_page_says_no_signal_in_both_languages_to_anyone(client):
    page = client.get("/offline").get_data(as_text=True)
    assert "Tanpa sinyal" in page and "No signal" in page


def test_the_offline_pack_holds_what_the_officers_coming_visits_need(officer, planned_visit):
    response = officer.get("/field/offline-pack")
    pack = response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    visit = next(v for v in pack["visits"] if v["id"] == planned_visit)
    assert visit["pages"] == [f"/field/visits/{planned_visit}", f"/signups/visits/{planned_visit}/new"]
    assert visit["status"] == "planned" and visit["code"].startswith("72.")
    assert pack["rates"]["enrolment_min_age"] < pack["rates"]["enrolment_age_limit"]
    assert pack["consent"]["version"] >= 1 and pack["consent"]["text_id"] and pack["consent"]["text_en"]
    assert all({"id", "name", "remaining"} <= set(p) for p in pack["programmes"])
    assert "01" in re.findall("..", pack["districts"]["7271"])  # Palu Timur, 72.71.01


def test_the_offline_pack_is_the_officers_alone(auth):
    auth.reading_english("coordinator")
    assert auth.client.get("/field/offline-pack").status_code == 403


def test_the_stored_copy_of_a_planned_visit_holds_the_started_visit_hidden(officer, planned_visit):
    live = officer.get(f"/field/visits/{planned_visit}").get_data(as_text=True)
    stored = officer.get(f"/field/visits/{planned_visit}?offline=1").get_data(as_text=True)
    assert "data-offline-start" not in live
    assert f'data-offline-start="{planned_visit}" hidden' in stored
    assert 'data-offline="attendance"' in stored and 'data-offline="visit_closed"' in stored


def test_the_stored_copy_of_the_sign_up_form_shows_the_form_before_the_visit_starts(officer, planned_visit):
    live = officer.get(f"/signups/visits/{planned_visit}/new").get_data(as_text=True)
    stored = officer.get(f"/signups/visits/{planned_visit}/new?offline=1").get_data(as_text=True)
    assert 'data-offline="signup"' not in live
    assert 'data-offline="signup"' in stored and 'name="nik"' in stored


def test_a_days_preparation_fits_its_budget_on_the_wire(officer):
    pack = officer.get("/field/offline-pack")
    pages = ["/", *(url for v in pack.get_json()["visits"] for url in v["pages"])]
    sizes = {"pack": gzip_size(pack.get_data())}
    sizes.update({url: gzip_size(officer.get(url + ("" if url == "/" else "?offline=1")).get_data()) for url in pages})
    print(f"preparation: {sum(sizes.values())} B gzip in all, {sizes}")  # run with -s to see the figures
    assert sum(sizes.values()) <= PREPARATION_BUDGET, sizes
