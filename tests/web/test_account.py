"""Users change their own password and language."""

from campaign_app.auth.service import authenticate


def test_account_page_shows_who_is_signed_in(auth, client):
    auth.login_as("coordinator")
    page = client.get("/account").get_data(as_text=True)
    assert "koordinator" in page
    assert "Kantor Cabang Palu" in page


def test_password_change_needs_the_current_password(app, auth, client):
    auth.login_as("officer")
    response = client.post("/account", data={"current_password": "wrong", "new_password": "a-new-secret-1",
                                             "confirm": "a-new-secret-1"})
    assert response.status_code == 422
    with app.app_context():
        assert authenticate("petugas", "jangkau-demo") is not None


def test_password_change_refuses_a_short_password(auth, client):
    auth.login_as("officer")
    response = client.post("/account", data={"current_password": "jangkau-demo", "new_password": "short",
                                             "confirm": "short"})
    assert response.status_code == 422


def test_password_change_refuses_mismatched_confirmation(auth, client):
    auth.login_as("officer")
    response = client.post("/account", data={"current_password": "jangkau-demo", "new_password": "a-new-secret-1",
                                             "confirm": "a-new-secret-2"})
    assert response.status_code == 422


def test_password_change_takes_effect(app, auth, client):
    auth.login_as("officer")
    response = client.post("/account", data={"current_password": "jangkau-demo", "new_password": "a-new-secret-1",
                                             "confirm": "a-new-secret-1"})
    assert response.status_code == 303
    with app.app_context():
        assert authenticate("petugas", "a-new-secret-1") is not None
        assert authenticate("petugas", "jangkau-demo") is None


def test_language_choice_is_kept_on_the_account(app, auth, client):
    auth.login_as("manager")
    client.post("/language", data={"language": "en"})
    auth.logout()
    auth.login_as("manager")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_visitors_can_choose_english_before_signing_in(client):
    client.post("/language", data={"language": "en"})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in" in page


def test_an_unknown_language_is_refused_without_change(client):
    response = client.post("/language", data={"language": "fr"})
    assert response.status_code == 303
    assert '<html lang="id">' in client.get("/login").get_data(as_text=True)


def test_password_change_refuses_a_common_password_with_a_clear_message(app, auth, client):
    auth.login_as("officer")
    response = client.post("/account", data={"current_password": "jangkau-demo", "new_password": "qwertyuiop",
                                             "confirm": "qwertyuiop"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ini salah satu kata sandi yang paling umum" in page
    assert "qwertyuiop" not in page and "jangkau-demo" not in page
    with app.app_context():
        assert authenticate("petugas", "jangkau-demo") is not None


def test_password_change_refuses_the_username(auth, client):
    auth.login_as("officer")
    response = client.post("/account", data={"current_password": "jangkau-demo", "new_password": "petugas-2026",
                                             "confirm": "petugas-2026"})
    assert response.status_code == 422
    assert "tidak boleh memuat nama pengguna" in response.get_data(as_text=True)
