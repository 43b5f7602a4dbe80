"""Error pages answer in the user's language, with a title and the right status."""

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError


def test_unknown_page_is_a_404_in_indonesian(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Tidak ditemukan" in page


def test_error_pages_follow_the_chosen_language(client):
    client.post("/language", data={"language": "en"})
    page = client.get("/no-such-page").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Not found" in page


def test_wrong_method_is_a_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "<title>" in response.get_data(as_text=True)


def test_a_role_without_access_gets_a_403_page(auth, client):
    auth.login_as("officer")
    response = client.get("/users/")
    assert response.status_code == 403
    assert "Tidak diizinkan" in response.get_data(as_text=True)


def test_an_unexpected_error_is_a_500_page_and_rolls_back(new_app):
    app, client = new_app, new_app.test_client()

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.get_data(as_text=True)


def test_a_request_body_that_is_too_large_is_a_413(app, client):
    too_large = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post("/login", data={"username": "x" * too_large, "password": "y"})
    assert response.status_code == 413
    assert "<title>" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/login", "/no-such-page"])
def test_every_response_says_it_varies_by_htmx(client, path):
    assert "HX-Request" in client.get(path).headers.get("Vary", "")


def test_a_database_too_busy_to_write_is_a_503_to_retry(new_app):
    app, client = new_app, new_app.test_client()

    @app.post("/busy")
    def busy():
        raise OperationalError("INSERT INTO signups ...", {}, sqlite3.OperationalError("database is locked"))

    response = client.post("/busy")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Tidak ada yang tersimpan" in response.get_data(as_text=True)


def test_a_postgresql_deadlock_is_a_503_to_retry(new_app):
    app, client = new_app, new_app.test_client()
    class Deadlock(Exception):
        pgcode = "40P01"

    @app.post("/deadlock")
    def deadlock():
        raise OperationalError("UPDATE ...", {}, Deadlock("deadlock detected"))

    assert client.post("/deadlock").status_code == 503


def test_another_database_failure_is_still_a_500(new_app):
    app, client = new_app, new_app.test_client()

    @app.get("/broken")
    def broken():
        raise OperationalError("SELECT ...", {}, sqlite3.OperationalError("no such table: nothing"))

    assert client.get("/broken").status_code == 500
