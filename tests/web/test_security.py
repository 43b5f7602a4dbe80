"""CSRF and session cookies (the sign-in limits: test_sign_in_limits.py)."""

import pytest

from tests.conftest import csrf_token_from


@pytest.fixture
def csrf_app(app_factory):
    return app_factory(WTF_CSRF_ENABLED=True)


def test_login_without_csrf_token_is_refused_and_signs_nobody_in(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "admin", "password": "jangkau-demo"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_login_with_a_wrong_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": "jangkau-demo", "csrf_token": "forged"})
    assert response.status_code == 400


def test_login_with_the_form_token_succeeds(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "admin", "password": "jangkau-demo", "csrf_token": token})
    assert response.status_code == 303


def test_htmx_requests_carry_the_token_in_a_header(csrf_app):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = csrf_token_from(page)
    assert f'hx-headers=\'{{"X-CSRFToken":"{token}"}}\'' in page
    response = client.post("/login", data={"username": "admin", "password": "jangkau-demo"},
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303


def test_signing_out_needs_a_csrf_token(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "admin", "password": "jangkau-demo", "csrf_token": token})
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_and_lax(client):
    response = client.post("/login", data={"username": "admin", "password": "jangkau-demo"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(client):
    response = client.post("/login", data={"username": "admin", "password": "jangkau-demo"},
                           base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_tampered_session_cookie_signs_nobody_in(client):
    client.post("/login", data={"username": "admin", "password": "jangkau-demo"})
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value[:-4] + "AAAA")
    response = client.get("/")
    assert response.status_code == 302


def test_a_session_from_another_secret_signs_nobody_in(app, app_factory):
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": "jangkau-demo"})
    other = app_factory(app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="another-secret").test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    assert other.get("/").status_code == 302


def test_changing_the_password_signs_out_other_sessions(app):
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        client.post("/login", data={"username": "petugas", "password": "jangkau-demo"})
    first.post("/account", data={"current_password": "jangkau-demo", "new_password": "a-new-secret-1",
                                 "confirm": "a-new-secret-1"})
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_behind_a_trusted_tls_proxy_the_session_cookie_is_secure(app_factory):
    client = app_factory(TRUSTED_PROXIES=1).test_client()
    response = client.post("/login", data={"username": "admin", "password": "jangkau-demo"},
                           headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in response.headers["Set-Cookie"]


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(client):
    response = client.post("/login", data={"username": "admin", "password": "jangkau-demo"},
                           headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in response.headers["Set-Cookie"]
