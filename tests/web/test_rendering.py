"""One template, two renderings; compressed responses; SQLite settings."""

import pytest
from sqlalchemy import text

from campaign_app.extensions import db
from campaign_app.rendering import render


@pytest.fixture
def fragment_app(new_app, tmp_path):
    app = new_app
    (tmp_path / "page.html").write_text(
        '{% extends "base.html" %}{% block title %}T{% endblock %}'
        '{% block content %}<h1>Page</h1>{% block part %}<p id="part">only this</p>{% endblock %}{% endblock %}'
    )
    app.jinja_loader.searchpath.append(str(tmp_path))

    @app.get("/page")
    def page():
        return render("page.html", fragment="part")

    page.access_rule = True
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


def test_pages_are_compressed_for_browsers_that_accept_it(client):
    response = client.get("/login", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] in {"br", "gzip"}


def test_sqlite_runs_with_foreign_keys_and_wal(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
