"""Acting on lapses (issue 17, item 4): a village's participants lapsing on its page and on the officer's visit page
(and its stored offline copy), masked; the subsidy cliff on the home page and the subsidies page."""

from datetime import timedelta

import pytest

from campaign_app.extensions import db
from campaign_app.models import Role, Visit
from campaign_app.signups.payment_status import apply_payment_status_file
from campaign_app.subsidies.service import create_programme
from campaign_app.users.service import create_user
from tests.conftest import counting_statements
from tests.factories import (
    SIGNUP_NOW,
    TODAY,
    branch_named,
    in_progress_visit,
    make_campaign,
    make_officer,
    make_signup,
    make_visit,
    nik_for,
    user_named,
)

HTMX = {"HX-Request": "true"}
VILLAGE = "72.71.01.1010"  # Lolu Utara, Palu Timur
LUWUK_VILLAGE = "72.01.01.1006"  # Bugis, Banggai: the Luwuk branch's
MARCH = TODAY.replace(year=2027, month=3, day=1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("campaign_app.clock.today", lambda: TODAY)


def pay(rows: dict[str, str]) -> None:
    data = "nik;status;periode_terakhir\n" + "".join(f"{nik};aktif;{period}\n" for nik, period in rows.items())
    apply_payment_status_file(data.encode(), MARCH, user_named("admin"), SIGNUP_NOW + timedelta(days=150))


@pytest.fixture
def village(app):
    """In Lolu Utara, an officer's visit in progress with three sign-ups (paid through November: lapsed in March;
    December: one month from lapsing; March: paid up) and a planned visit of the same officer a week later; in
    Luwuk's village, a lapsed participant. The file of March 2027 reported."""
    with app.app_context():
        officer = make_officer(name="Petugas Lolu")
        create_user(username="petugaslain", full_name="Petugas Lain", password="jangkau-demo", role=Role.OFFICER,
                    branch=branch_named())
        visit = in_progress_visit(officer, village_code=VILLAGE)
        niks = {name: nik_for() for name in ("Siti Lapsed", "Rina Nearly", "Dewi Paid")}
        for name, nik in niks.items():
            make_signup(visit, nik=nik, full_name=name)
        planned = make_visit(visit.campaign, village_code=VILLAGE, on=TODAY + timedelta(days=7), officers=[officer])
        luwuk = branch_named("Kantor Cabang Luwuk")
        luwuk_officer = make_officer(luwuk)
        luwuk_visit = in_progress_visit(luwuk_officer, village_code=LUWUK_VILLAGE, campaign=make_campaign(luwuk))
        luwuk_nik = nik_for()
        make_signup(luwuk_visit, nik=luwuk_nik, full_name="Ani Luwuk")
        pay({niks["Siti Lapsed"]: "2026-11", niks["Rina Nearly"]: "2026-12", niks["Dewi Paid"]: "2027-03",
             luwuk_nik: "2026-11"})
        db.session.commit()
        return {"officer": officer.username, "visit": visit.id, "planned": planned.id, "niks": niks,
                "luwuk_nik": luwuk_nik}


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def assert_masked(html: str, niks) -> None:
    for nik in niks:
        assert nik[:12] not in html and nik not in html
        assert "************" + nik[-4:] in html


def test_the_village_page_counts_its_participants_lapsing(auth, village):
    html = text(auth.reading_english("coordinator").get(f"/villages/{VILLAGE}"))
    assert "Participants lapsing" in html and "As of the payment file of March 2027" in html
    # Counted, listed only on a click.
    assert "Siti Lapsed" not in html
    assert f'hx-get="/villages/{VILLAGE}/lapsing"' in html


def test_the_list_comes_alone_to_htmx_and_in_the_whole_page_without_it(auth, village):
    client = auth.reading_english("coordinator")
    fragment = text(client.get(f"/villages/{VILLAGE}/lapsing", headers=HTMX))
    page = text(client.get(f"/villages/{VILLAGE}/lapsing"))
    assert "<html" not in fragment and "<html" in page
    for html in (fragment, page):
        assert "Siti Lapsed" in html and "Rina Nearly" in html and "Dewi Paid" not in html
        assert "One month from lapsing" in html and "Lapsed" in html
        assert_masked(html, [village["niks"]["Siti Lapsed"], village["niks"]["Rina Nearly"]])


def test_another_branchs_village_and_its_list_are_not_found(auth, village):
    client = auth.reading_english("coordinator")
    assert client.get(f"/villages/{LUWUK_VILLAGE}/lapsing").status_code == 404
    assert client.get(f"/villages/{LUWUK_VILLAGE}").status_code == 404


def test_a_manager_of_both_branches_sees_each_villages_own_participants(auth, village):
    html = text(auth.reading_english("manager").get(f"/villages/{LUWUK_VILLAGE}/lapsing"))
    assert "Ani Luwuk" in html and "Siti Lapsed" not in html
    assert_masked(html, [village["luwuk_nik"]])


def test_the_officers_visit_page_lists_the_participants_to_look_for_masked(auth, village):
    auth.login(village["officer"])
    html = text(auth.client.get(f"/field/visits/{village['visit']}"))
    assert "Siti Lapsed" in html and "Rina Nearly" in html and "Dewi Paid" in html  # Dewi: among the sign-ups
    look_for = html[html.index('id="look-for"'):]
    look_for = look_for[:look_for.index("</details>")]
    assert "Siti Lapsed" in look_for and "Rina Nearly" in look_for and "Dewi Paid" not in look_for
    assert "Ani Luwuk" not in html
    assert_masked(look_for, [village["niks"]["Siti Lapsed"], village["niks"]["Rina Nearly"]])


def test_the_stored_offline_copy_of_a_planned_visit_holds_the_list(auth, village):
    auth.login(village["officer"])
    stored = text(auth.client.get(f"/field/visits/{village['planned']}?offline=1"))
    assert 'id="look-for"' in stored and "Siti Lapsed" in stored


def test_an_officer_sees_no_other_visits_list_and_no_village_page(auth, village):
    auth.login("petugaslain")
    assert auth.client.get(f"/field/visits/{village['visit']}").status_code == 404
    assert auth.client.get(f"/villages/{VILLAGE}/lapsing").status_code == 403


@pytest.fixture
def ending(app):
    """A programme whose period ends 30 days from today."""
    with app.app_context():
        programme = create_programme(name="Subsidi Hampir Habis", payer="Pemerintah Kota Palu",
                                     starts_on=TODAY - timedelta(days=300), ends_on=TODAY + timedelta(days=30),
                                     quota=100, created_by=user_named("admin"))
        db.session.commit()
        return programme.name


@pytest.mark.parametrize("role", ["coordinator", "manager"])
def test_the_home_page_warns_of_programmes_ending_within_sixty_days(auth, ending, role):
    html = text(auth.reading_english(role).get("/"))
    warning = html[html.index('id="cliff-h"'):]
    assert ending in warning[:warning.index("</section>")] and "in 30 days" in warning


def test_the_subsidies_page_warns_of_them_too(auth, ending):
    html = text(auth.reading_english("coordinator").get("/subsidies/"))
    assert 'id="cliff-h"' in html and ending in html


def test_an_officers_home_page_has_no_warning(auth, ending):
    auth.login_as("officer")
    assert 'id="cliff-h"' not in text(auth.client.get("/"))


def test_where_next_says_how_participants_lapsing_weigh(auth):
    html = text(auth.reading_english("coordinator").get("/villages/where-next"))
    assert "weighs as much as a worker not yet enrolled" in html and ">Lapsing</th>" in html


def statements_of(app, client, url: str) -> int:
    with counting_statements(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_pages_statements_do_not_grow_with_the_participants_lapsing(app, auth, village):
    pages = {"koordinator": f"/villages/{VILLAGE}/lapsing?page=2",
             village["officer"]: f"/field/visits/{village['visit']}"}

    def counts() -> dict[str, int]:
        found = {}
        for username, url in pages.items():
            auth.logout()
            auth.login(username)
            found[username] = statements_of(app, auth.client, url)
        return found

    before = counts()
    with app.app_context():
        visit = db.session.get(Visit, village["visit"])
        more = {nik_for(): "2026-11" for _ in range(40)}
        for nik in more:
            make_signup(visit, nik=nik)
        pay(more)
        db.session.commit()
    assert counts() == before
