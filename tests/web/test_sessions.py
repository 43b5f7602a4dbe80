"""Sessions live on the server: a cookie kept from before a session ended is refused, whichever way it ended."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign_app.auth import user_sessions
from campaign_app.extensions import db
from campaign_app.models import User, UserSession
from tests.conftest import DEMO_USERS, counting_statements

PASSWORD = "jangkau-demo"


def signed_in(app, role="officer", user_agent="Mozilla/5.0 (Linux; Android 10) Chrome/120.0 Mobile Safari/537.36"):
    client = app.test_client()
    response = client.post("/login", data={"username": DEMO_USERS[role], "password": PASSWORD},
                           headers={"User-Agent": user_agent})
    assert response.status_code == 303
    return client


def kept_copy(app, client):
    """Another browser holding a copy of ``client``'s session cookie, as someone who kept it would."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def password_change(client, new="another-secret-9"):
    return client.post("/account", data={"current_password": PASSWORD, "new_password": new, "confirm": new})


def test_a_cookie_kept_from_before_signing_out_is_refused(app):
    officer = signed_in(app)
    kept = kept_copy(app, officer)
    officer.post("/logout")
    assert not is_signed_in(kept)


def test_a_cookie_kept_from_before_signing_out_cannot_write(app):
    officer = signed_in(app)
    kept = kept_copy(app, officer)
    officer.post("/logout")
    response = password_change(kept)
    assert response.status_code == 302 and response.location.startswith("/login")
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "petugas")).check_password(PASSWORD)


def test_signing_out_leaves_the_other_sessions_of_the_user(app):
    phone, laptop = signed_in(app), signed_in(app)
    phone.post("/logout")
    assert is_signed_in(laptop)


def test_signing_out_everywhere_ends_every_session_of_the_user(app):
    phone, laptop = signed_in(app), signed_in(app)
    kept = kept_copy(app, laptop)
    response = phone.post("/account/sessions/end")
    assert response.status_code == 303
    assert not any(is_signed_in(client) for client in (phone, laptop, kept))


def test_signing_out_everywhere_leaves_other_users_alone(app):
    officer, coordinator = signed_in(app), signed_in(app, "coordinator")
    officer.post("/account/sessions/end")
    assert is_signed_in(coordinator)


def test_the_account_page_counts_the_live_sessions(app):
    signed_in(app)
    page = signed_in(app).get("/account").get_data(as_text=True)
    assert "Anda sedang masuk di 2 perangkat atau peramban." in page


def test_an_administrator_ends_a_users_sessions(app):
    officer = signed_in(app)
    kept = kept_copy(app, officer)
    admin = signed_in(app, "admin")
    response = admin.post(f"/users/{user_id(app, 'petugas')}/sessions/end")
    assert response.status_code == 303
    assert not is_signed_in(officer) and not is_signed_in(kept)
    assert is_signed_in(admin)


def test_the_users_page_shows_how_many_sessions_are_live(app):
    signed_in(app)
    admin = signed_in(app, "admin")
    page = admin.get(f"/users/{user_id(app, 'petugas')}").get_data(as_text=True)
    assert "Sedang masuk di 1 perangkat atau peramban." in page


def test_only_an_administrator_may_end_someone_elses_sessions(app):
    officer = signed_in(app)
    coordinator = signed_in(app, "coordinator")
    assert coordinator.post(f"/users/{user_id(app, 'petugas')}/sessions/end").status_code == 403
    assert is_signed_in(officer)


def test_an_administrator_ending_their_own_sessions_is_signed_out(app):
    admin = signed_in(app, "admin")
    response = admin.post(f"/users/{user_id(app, 'admin')}/sessions/end")
    assert response.location == "/login"
    assert not is_signed_in(admin)


def test_changing_ones_password_ends_every_earlier_session_and_keeps_this_browser_in(app):
    phone, laptop = signed_in(app), signed_in(app)
    kept = kept_copy(app, phone)
    assert password_change(phone).status_code == 303
    assert is_signed_in(phone)
    assert not is_signed_in(laptop) and not is_signed_in(kept)


def test_deactivating_a_user_ends_their_sessions_for_good(app):
    officer = signed_in(app)
    admin = signed_in(app, "admin")
    url = f"/users/{user_id(app, 'petugas')}"
    account = {"full_name": "Petugas", "role": "officer", "branch": "1", "language": "id"}
    with app.app_context():
        account["branch"] = str(db.session.scalar(select(User.branch_id).where(User.username == "petugas")))
    assert admin.post(url, data=account).status_code == 303  # no "active": deactivated
    assert admin.post(url, data={**account, "active": "y"}).status_code == 303  # and active again
    assert not is_signed_in(officer)


@pytest.fixture
def clock(monkeypatch):
    """Moves the sessions' clock forward: ``clock(minutes=...)``."""
    now = user_sessions._now()
    offset = timedelta()

    def advance(**delta):
        nonlocal offset
        offset += timedelta(**delta)

    monkeypatch.setattr(user_sessions, "_now", lambda: now + offset)
    return advance


def test_a_session_left_idle_past_the_timeout_is_refused(app, clock):
    officer = signed_in(app)
    clock(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    assert not is_signed_in(officer)


def test_a_session_in_use_stays_live_past_the_idle_timeout(app, clock):
    officer = signed_in(app)
    idle = app.config["SESSION_IDLE_MINUTES"]
    for _ in range(3):
        clock(minutes=idle - 5)
        assert is_signed_in(officer)


def test_a_session_ends_after_its_lifetime_however_busy(app, clock):
    officer = signed_in(app)
    lifetime_minutes = app.config["PERMANENT_SESSION_LIFETIME"] // 60
    for _ in range(lifetime_minutes // 60):
        clock(minutes=60)
        is_signed_in(officer)
    clock(minutes=1)
    assert not is_signed_in(officer)


def test_the_database_keeps_only_a_digest_of_the_token(app):
    officer = signed_in(app)
    with app.app_context():
        stored = db.session.scalars(select(UserSession.token_digest)).all()
    with officer.session_transaction() as cookie:
        token = cookie["_user_id"]
    assert user_sessions.token_digest(token) in stored
    assert token not in stored


def test_the_session_remembers_the_device_not_the_whole_user_agent(app):
    signed_in(app)
    with app.app_context():
        devices = db.session.scalars(select(UserSession.device)).all()
    assert "Chrome on Android" in devices


def test_a_page_within_the_minute_writes_nothing_to_the_session(app):
    officer = signed_in(app)
    with counting_statements(app) as statements:
        assert officer.get("/").status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]


def test_the_first_page_after_a_minute_marks_the_session_used_once(app, clock):
    officer = signed_in(app)
    clock(seconds=app.config["SESSION_TOUCH_SECONDS"] + 1)
    with counting_statements(app) as statements:
        assert officer.get("/").status_code == 200
        assert officer.get("/").status_code == 200
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 and "user_sessions" in updates[0]


def test_an_administrator_ending_sessions_is_logged_with_who_did_it(app, caplog):
    signed_in(app)
    admin = signed_in(app, "admin")
    with caplog.at_level(logging.INFO, logger="campaign_app.auth"):
        admin.post(f"/users/{user_id(app, 'petugas')}/sessions/end")
    [line] = [r.getMessage() for r in caplog.records if "event=sessions-ended" in r.getMessage()]
    assert (f"reason=administrator user_id={user_id(app, 'petugas')} username=petugas sessions=1 "
            f"by_user_id={user_id(app, 'admin')}") in line


def test_marking_a_session_used_is_no_line_in_the_write_log(app, clock, caplog):
    officer = signed_in(app)
    clock(seconds=app.config["SESSION_TOUCH_SECONDS"] + 1)
    with caplog.at_level(logging.INFO, logger="campaign_app.write"):
        officer.get("/")
    assert not [r for r in caplog.records if r.name == "campaign_app.write"]


def test_sessions_over_for_a_month_are_forgotten_at_the_next_sign_in(app, clock):
    officer = signed_in(app)
    officer.post("/logout")
    clock(days=31)
    signed_in(app)
    with app.app_context():
        reasons = db.session.scalars(select(UserSession.ended_reason)
                                     .where(UserSession.user_id == user_id(app, "petugas"))).all()
    assert reasons == [None]
