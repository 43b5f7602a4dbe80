"""Fixtures for the guard-rail tests: apps shared by a module or the whole run, and crawls of them."""

import pytest
from flask import Flask

from tests.conftest import DEMO_USERS, app_on_copy, csrf_token_from
from tests.crawler import ANONYMOUS, Crawl, crawl

ROLES = [*DEMO_USERS, ANONYMOUS]
# A crawl counts each endpoint's statements; a session is marked as used at most once a minute, by whichever request
# comes first after the minute, so in a crawl longer than a minute some endpoint would count one more at random.
# The crawled sites mark it once a day: tests/web/test_sessions.py holds the touch to its own count.
CRAWLED_SITE = {"SESSION_TOUCH_SECONDS": 24 * 3600}


class Crawls:
    """Crawls of one app, one per role, each made the first time a test asks for it."""

    def __init__(self, app: Flask):
        self.app = app
        self._done: dict[str, Crawl] = {}

    def __getitem__(self, role: str) -> Crawl:
        if role not in self._done:
            self._done[role] = crawl(self.app, role)
        return self._done[role]


@pytest.fixture(scope="session")
def demo_site(databases):
    """An app on a copy of the seeded demo database (scale 1), shared by tests that only read."""
    with app_on_copy(databases, databases.fresh_url(), **CRAWLED_SITE) as app:
        yield app


@pytest.fixture(scope="session")
def demo_crawls(demo_site) -> Crawls:
    """Every page and fragment each demo role reaches on the demo site (crawls only GET)."""
    return Crawls(demo_site)


@pytest.fixture
def csrf_admin(app_factory):
    """An app that checks CSRF tokens, and a client signed in on it as the administrator."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "admin", "password": "jangkau-demo", "csrf_token": token})
    return app, client


@pytest.fixture
def admin(auth):
    """A client signed in as the demo administrator, reading English."""
    return auth.reading_english("admin")


@pytest.fixture
def coordinator(auth):
    """A client signed in as the demo coordinator of Palu, reading English."""
    return auth.reading_english("coordinator")


@pytest.fixture
def manager(auth):
    """A client signed in as the demo manager (Palu, Luwuk, Poso), reading English."""
    return auth.reading_english("manager")
