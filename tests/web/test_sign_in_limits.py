"""Failed sign-ins are limited per account and per account and address, the answer says when to try again, and
sign-in goes on (with a warning in the log) when the limit store cannot be reached."""

import logging

import pytest

LIMITS = {"LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": "3 per 15 minutes", "LOGIN_LIMIT_PER_ACCOUNT": "6 per 15 minutes",
          "LOGIN_LIMIT_PER_ADDRESS": "500 per hour"}
OFFICE = "10.0.0.7"


@pytest.fixture
def limited_app(app_factory):
    return app_factory(**LIMITS)


def sign_in(client, username="admin", password="jangkau-demo", address=OFFICE):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def fail(client, times, username="admin", address=OFFICE):
    for _ in range(times):
        assert sign_in(client, username, "wrong-password", address).status_code == 401


def test_failures_at_one_account_from_one_address_make_it_wait(limited_app):
    client = limited_app.test_client()
    fail(client, 3)
    response = sign_in(client)
    assert response.status_code == 429
    assert client.get("/").status_code == 302


def test_the_pause_says_when_to_try_again(limited_app):
    client = limited_app.test_client()
    fail(client, 3)
    response = sign_in(client)
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Coba lagi dalam 15 menit" in response.get_data(as_text=True)


def test_the_pause_keeps_the_username_typed(limited_app):
    client = limited_app.test_client()
    fail(client, 3)
    page = sign_in(client).get_data(as_text=True)
    assert 'value="admin"' in page
    assert "jangkau-demo" not in page


def test_made_up_names_from_one_address_do_not_lock_the_office_out(app_factory):
    # The defaults: fifty failures with names nobody has, then a colleague behind the same address signs in.
    client = app_factory().test_client()
    for n in range(50):
        assert sign_in(client, f"nobody{n}", "wrong-password").status_code == 401
    assert sign_in(client, "petugas").status_code == 303


def test_a_refusal_for_a_spent_limit_is_logged_without_the_name_typed(limited_app, caplog):
    client = limited_app.test_client()
    fail(client, 3)
    with caplog.at_level(logging.WARNING, logger="campaign_app.auth"):
        sign_in(client)
    lines = [r.getMessage() for r in caplog.records if "reason=throttled" in r.getMessage()]
    assert len(lines) == 1 and "typed=hmac:" in lines[0] and "admin" not in lines[0]


def test_a_paused_account_leaves_another_alone_from_the_same_address(limited_app):
    client = limited_app.test_client()
    fail(client, 3)
    assert sign_in(client, "petugas").status_code == 303


def test_the_same_account_from_another_address_may_still_sign_in(limited_app):
    client = limited_app.test_client()
    fail(client, 3, address="10.0.0.8")
    assert sign_in(client, address="10.0.0.9").status_code == 303


def test_guessing_one_account_from_many_addresses_is_paused_too(limited_app):
    client = limited_app.test_client()
    for n in range(3):
        fail(client, 2, address=f"10.1.0.{n}")
    assert sign_in(client, address="10.1.0.99").status_code == 429


def test_one_address_trying_many_accounts_meets_the_backstop(app_factory):
    client = app_factory(**{**LIMITS, "LOGIN_LIMIT_PER_ADDRESS": "5 per 15 minutes"}).test_client()
    for n in range(5):
        sign_in(client, f"guess{n}", "wrong-password")
    assert sign_in(client, "petugas").status_code == 429


def test_successful_sign_ins_do_not_count(limited_app):
    client = limited_app.test_client()
    for _ in range(5):
        assert sign_in(client).status_code == 303
        client.post("/logout")


def test_without_redis_two_apps_count_failures_together_in_the_database(app_factory):
    # Two apps stand for two workers of one server with no Redis configured (memory://): each has its own memory.
    first, second = app_factory(**LIMITS).test_client(), app_factory(**LIMITS).test_client()
    fail(first, 2)
    fail(second, 1)
    assert sign_in(first).status_code == 429
    assert sign_in(second).status_code == 429


def test_with_the_limit_store_unreachable_sign_in_works_and_a_warning_is_logged(app_factory, caplog):
    # Port 9 (discard) on the loopback: nothing listens, the connection is refused at once.
    client = app_factory(RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0").test_client()
    with caplog.at_level(logging.WARNING, logger="campaign_app.auth"):
        assert sign_in(client, password="wrong-password").status_code == 401
        assert sign_in(client).status_code == 303
    assert client.get("/").status_code == 200
    unavailable = [r.getMessage() for r in caplog.records if "sign-in-limits-unavailable" in r.getMessage()]
    assert unavailable, "no warning that the limits are off"
