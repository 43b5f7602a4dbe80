"""Error pages answer in the user's language, with a title and the right status."""

import pytest


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


def test_an_unexpected_error_is_a_500_page_and_rolls_back(app, client):
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
