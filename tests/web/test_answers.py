"""The answers to a change, decided in one place (campaign_app/answers.py): commit or roll back, then success or
refusal, for htmx and plain posts alike."""

import json
import re

import pytest
from flask import request
from sqlalchemy import select

from campaign_app.answers import committing, refusal, saving, success
from campaign_app.extensions import db
from campaign_app.models import Branch
from campaign_app.validation import Refused
from tests.conftest import add_page_template

HTMX = {"HX-Request": "true"}


def branch_named(app, name: str) -> Branch | None:
    with app.app_context():
        return db.session.scalar(select(Branch).where(Branch.name == name))


@pytest.fixture
def answering_app(new_app, tmp_path):
    """An app with routes that add a branch, then are refused or fail as the form asks, answered by answers.py."""
    app = new_app
    add_page_template(app, tmp_path, "answered.html", '<p id="part">{{ message }}</p>')

    @app.post("/add")
    def add():
        with saving() as done:
            db.session.add(Branch(name=request.form["name"]))
            db.session.flush()
            if request.form.get("refuse"):
                raise Refused.on("name", "Refused: " + request.form["name"])
            if request.form.get("fail"):
                raise RuntimeError("a bug")
        if not done:
            return refusal("answered.html", fragment="part", message=" ".join(done.messages))
        return success("/next", "Added.", swap=lambda: refusal("answered.html", fragment="part", status=200,
                                                               message="Swapped."))

    @app.post("/reload")
    def reload():
        with committing():
            db.session.add(Branch(name=request.form["name"]))
        return success("/next", "Added.", reload=True)

    for view in (add, reload):
        view.access_rule = True
    return app


def test_a_saved_change_is_committed_and_a_plain_post_sees_the_next_page(answering_app):
    response = answering_app.test_client().post("/add", data={"name": "Kantor Uji Jawaban"})
    assert response.status_code == 303 and response.location == "/next"
    assert branch_named(answering_app, "Kantor Uji Jawaban") is not None


def test_a_saved_change_swaps_its_fragment_for_htmx(answering_app):
    response = answering_app.test_client().post("/add", data={"name": "Kantor Uji Jawaban"}, headers=HTMX)
    assert response.status_code == 200 and response.get_data(as_text=True) == '<p id="part">Swapped.</p>'
    assert branch_named(answering_app, "Kantor Uji Jawaban") is not None


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_refusal_writes_nothing_and_answers_422_in_both_renderings(answering_app, headers):
    response = answering_app.test_client().post("/add", data={"name": "Kantor Uji Jawaban", "refuse": "1"},
                                                headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Refused: Kantor Uji Jawaban" in body
    assert body.startswith("<!doctype html>") == (not headers)
    assert "hx-request" in response.vary.as_set()
    assert branch_named(answering_app, "Kantor Uji Jawaban") is None


def test_a_failure_rolls_back_and_shows_the_error_page(answering_app):
    response = answering_app.test_client().post("/add", data={"name": "Kantor Uji Jawaban", "fail": "1"})
    assert response.status_code == 500
    assert branch_named(answering_app, "Kantor Uji Jawaban") is None


def test_a_change_that_reloads_the_page_tells_htmx_where_to_go(answering_app):
    client = answering_app.test_client()
    response = client.post("/reload", data={"name": "Kantor Uji Jawaban"}, headers=HTMX)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/next"
    assert client.post("/reload", data={"name": "Kantor Uji Jawaban 2"}).status_code == 303
    assert branch_named(answering_app, "Kantor Uji Jawaban") is not None


def test_htmx_is_told_to_swap_refused_input(client):
    html = client.get("/login").get_data(as_text=True)
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1))
    rules = config["responseHandling"]
    first = {status: next(rule for rule in rules if re.search(rule["code"], status)) for status in
             ("204", "200", "303", "409", "422", "400", "404", "500")}
    assert [status for status, rule in first.items() if rule["swap"]] == ["200", "303", "409", "422"]
    assert [status for status, rule in first.items() if rule.get("error")] == ["400", "404", "500"]
