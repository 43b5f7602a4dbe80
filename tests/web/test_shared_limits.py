"""Several app processes share login limits through Redis (RATELIMIT_STORAGE_URI)."""

import os
import uuid

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to run")
def test_failed_logins_counted_by_one_process_throttle_another(app, app_factory):
    # Two apps stand for two gunicorn workers: separate memory, one Redis.
    prefix = f"jangkau-test-{uuid.uuid4().hex[:8]}"
    settings = {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_LIMIT_PER_ACCOUNT": "2 per 15 minutes",
    }
    first = app_factory(app.config["SQLALCHEMY_DATABASE_URI"], **settings).test_client()
    for _ in range(2):
        assert first.post("/login", data={"username": "admin", "password": "wrong"}).status_code == 401
    second = app_factory(app.config["SQLALCHEMY_DATABASE_URI"], **settings).test_client()
    response = second.post("/login", data={"username": "admin", "password": "jangkau-demo"})
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
