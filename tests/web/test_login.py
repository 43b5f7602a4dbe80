"""Signing in and out, with every kind of bad input answered clearly."""

from tests.conftest import DEMO_USERS


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_each_demo_role_signs_in_and_lands_on_home(auth, client):
    for role in DEMO_USERS:
        auth.login_as(role)
        assert client.get("/").status_code == 200
        auth.logout()


def test_wrong_password_is_refused_with_a_message(auth):
    response = auth.login("admin", "not-the-password")
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in response.get_data(as_text=True)


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(auth):
    unknown = auth.login("nobody-here", "whatever")
    wrong = auth.login("admin", "whatever")
    assert unknown.status_code == wrong.status_code == 401


def test_empty_fields_are_named(client):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 422
    assert response.data.count(b'class="err"') == 2


def test_over_long_username_is_refused_and_kept(client):
    response = client.post("/login", data={"username": "a" * 500, "password": "x"})
    assert response.status_code == 422
    assert b'value="' + b"a" * 500 in response.data


def test_non_utf8_input_is_a_clear_refusal_not_an_error(client):
    response = client.post(
        "/login", data=b"username=%FF%FEadmin&password=%C3%28",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (400, 401)


def test_next_parameter_cannot_send_the_user_elsewhere(auth, client):
    response = client.post("/login", data={"username": "admin", "password": "jangkau-demo",
                                           "next": "//evil.example/"})
    assert response.status_code == 303
    assert response.location == "/"


def test_sign_out_ends_the_session(auth, client):
    auth.login_as("officer")
    auth.logout()
    assert client.get("/").status_code == 302
