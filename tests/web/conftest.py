"""Fixtures for the guard-rail tests: apps shared by a module or the whole run, and crawls of them."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask

from campaign_app.extensions import db
from tests.conftest import DEMO_USERS, make_app
from tests.crawler import ANONYMOUS, Crawl, crawl

ROLES = [*DEMO_USERS, ANONYMOUS]


@contextmanager
def app_on_copy(databases, url: str, **overrides) -> Iterator[Flask]:
    """An app on the database at ``url``, dropped afterwards; for fixtures wider than one test."""
    app = make_app(url, **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.drop(url)


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
    with app_on_copy(databases, databases.fresh_url()) as app:
        yield app


@pytest.fixture(scope="session")
def demo_crawls(demo_site) -> Crawls:
    """Every page and fragment each demo role reaches on the demo site (crawls only GET)."""
    return Crawls(demo_site)
