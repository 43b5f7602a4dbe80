"""One template, two renderings; compressed responses; SQLite settings."""

import pytest
from sqlalchemy import text

from campaign_app.extensions import db
from campaign_app.rendering import fragment_only, render
from tests.conftest import add_page_template


@pytest.fixture
def fragment_app(new_app, tmp_path):
    app = new_app
    add_page_template(app, tmp_path, "page.html", '<p id="part">only this</p>')

    @app.get("/page")
    def page():
        return render("page.html", fragment="part")

    @app.get("/asked")
    def asked():
        # Each context records that it was computed: only the rendering sent may be.
        return render("page.html", fragment="part", push_url="/page?shown=1",
                      page_context=lambda: computed.append("page") or {},
                      fragment_context=lambda: computed.append("fragment") or {})

    @app.get("/fragment-only")
    @fragment_only(lambda: "/page")
    def only():
        return render("page.html", fragment="part")

    computed: list[str] = []
    app.extensions["computed"] = computed
    for view in (page, asked, only):
        view.access_rule = True
    return app


def test_a_plain_request_gets_the_whole_page(fragment_app):
    body = fragment_app.test_client().get("/page").get_data(as_text=True)
    assert body.startswith("<!doctype html>")
    assert "only this" in body


def test_an_htmx_request_gets_only_the_fragment(fragment_app):
    body = fragment_app.test_client().get("/page", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert body == '<p id="part">only this</p>'


def test_a_boosted_request_gets_the_whole_page(fragment_app):
    client = fragment_app.test_client()
    body = client.get("/page", headers={"HX-Request": "true", "HX-Boosted": "true"}).get_data(as_text=True)
    assert body.startswith("<!doctype html>")


def test_a_history_restore_gets_the_whole_page(fragment_app):
    client = fragment_app.test_client()
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert client.get("/page", headers=headers).get_data(as_text=True).startswith("<!doctype html>")


def test_both_renderings_say_they_vary_by_htmx(fragment_app):
    client = fragment_app.test_client()
    assert client.get("/page").vary.as_set() >= {"hx-request"}


@pytest.mark.parametrize(("headers", "computed"), [({}, ["page"]), ({"HX-Request": "true"}, ["fragment"])])
def test_what_only_one_rendering_shows_is_computed_for_it_alone(fragment_app, headers, computed):
    fragment_app.test_client().get("/asked", headers=headers)
    assert fragment_app.extensions["computed"] == computed


def test_the_address_pushed_goes_with_the_fragment_only(fragment_app):
    client = fragment_app.test_client()
    assert client.get("/asked", headers={"HX-Request": "true"}).headers["HX-Push-Url"] == "/page?shown=1"
    assert "HX-Push-Url" not in client.get("/asked").headers


def test_a_fragment_only_endpoint_sends_a_plain_request_to_its_page(fragment_app):
    client = fragment_app.test_client()
    response = client.get("/fragment-only")
    assert response.status_code == 303 and response.location == "/page"
    assert client.get("/fragment-only", headers={"HX-Request": "true"}).get_data(as_text=True) == \
        '<p id="part">only this</p>'


def test_pages_are_compressed_for_browsers_that_accept_it(client):
    response = client.get("/login", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] in {"br", "gzip"}


def test_sqlite_runs_with_foreign_keys_and_wal(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
