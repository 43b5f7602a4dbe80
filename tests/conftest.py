"""Shared fixtures: the run's app on a seeded database whose writes each test undoes, a client, a way to sign in.

One app serves the whole run (``create_app`` costs ~130 ms); each test works inside a savepoint of one long
transaction that is rolled back at its end (tests/isolation.py). A test marked ``own_database`` gets an app on
a fresh copy of the seeded database instead: for threads racing on several connections.
"""

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import event

from campaign_app import create_app
from campaign_app.demo.seed import DEMO_PASSWORD, seed_demo
from campaign_app.extensions import db
from campaign_app.regions.load import load_regions
from tests.databases import PostgresDatabases, SQLiteDatabases, postgres_url
from tests.isolation import Isolation, is_harness_statement
from tests.reports_data import WorldKeys, build_world, keys_of

DEMO_USERS = {"admin": "admin", "coordinator": "koordinator", "officer": "petugas", "manager": "manajer"}


class CompiledTemplates(BytecodeCache):
    """Templates compiled once for the test process, shared by every app a test makes: each new app would compile
    each template it renders again (~35 ms a template). A template whose source changed is compiled again (Jinja
    checks the source's checksum)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def make_app(database_url: str, **overrides):
    """A test app on ``database_url``; CSRF is off unless a test turns it on, and password hashes are cheap."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "DATA_KEY": "test-data-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # One app serves the run and its limiter counts across tests: the NIK check's limit is tested on an app of
        # its own (tests/web/test_nik_lookups.py).
        "NIK_CHECK_LIMIT": "10000 per minute",
        # Thousands of sign-ins: one PBKDF2 round instead of scrypt's ~200 ms (production keeps scrypt).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        # An uploaded payment status file is applied in the upload's request, through the function a thread calls.
        "PAYMENT_IMPORT_RUNNER": "request",
        "PAYMENT_IMPORT_FOLDER": str(Path(tempfile.gettempdir()) / f"jangkau-test-imports-{os.getpid()}"),
    }
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    """The run's database server (SQLite files or PostgreSQL) with a seeded template."""
    server = postgres_url()
    dbs = PostgresDatabases(server) if server else SQLiteDatabases(tmp_path_factory.mktemp("db"))
    app = make_app(dbs.template_url())
    with app.app_context():
        upgrade()
        load_regions(["72"])
        seed_demo()
        db.session.commit()
        db.engine.dispose()
    yield dbs
    dbs.close()


@contextmanager
def app_on_copy(databases, url: str, drop: bool = True, **overrides) -> Iterator[Flask]:
    """An app on the database at ``url``; its connections are closed and (with ``drop``) the database dropped."""
    app = make_app(url, **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if drop:
            databases.drop(url)


@pytest.fixture(scope="session")
def isolation(databases) -> Iterator[Isolation]:
    """The run's one app, on its own copy of the seeded database, whose writes scopes undo."""
    with app_on_copy(databases, databases.fresh_url()) as app:
        harness = Isolation(app)
        try:
            yield harness
        finally:
            harness.close()


def needs_own_database(request) -> bool:
    return request.node.get_closest_marker("own_database") is not None


@pytest.fixture
def app(request, databases, isolation):
    """The app on the seeded database (regions of province 72 and the demo branch); the test's writes are undone.

    With ``@pytest.mark.own_database``: a new app on a fresh copy of the seeded database, dropped afterwards.
    """
    if needs_own_database(request):
        with app_on_copy(databases, databases.fresh_url()) as own:
            yield own
    else:
        with isolation.scope():
            yield isolation.app


@pytest.fixture(scope="module")
def world_keys(isolation) -> Iterator[WorldKeys]:
    """The reports' hand-built world (tests/reports_data.py), built once for a module's tests and undone after."""
    with isolation.kept(lambda: keys_of(build_world())) as keys:
        yield keys


@pytest.fixture
def empty_app(databases):
    """An app on an empty database with no tables, for migration tests."""
    with app_on_copy(databases, databases.empty_url()) as app:
        yield app


@pytest.fixture
def app_factory(request, app, databases, isolation):
    """Makes apps with other settings (``factory(**overrides)``, or ``factory(url, **overrides)``); all closed at
    the end.

    In an isolated test, an app without ``url`` or on the run's database works on the test's own data, and its
    writes are undone with the test's. In an ``own_database`` test, an app without ``url`` gets a fresh copy of
    the seeded database; an app on a given ``url`` works on that database.
    """
    with ExitStack() as stack:
        def factory(url: str | None = None, **overrides) -> Flask:
            shared_url = isolation.app.config["SQLALCHEMY_DATABASE_URI"]
            if not needs_own_database(request) and url in (None, shared_url):
                other = stack.enter_context(app_on_copy(databases, shared_url, drop=False, **overrides))
                isolation.join(other)
                return other
            fresh = url is None
            return stack.enter_context(app_on_copy(databases, url or databases.fresh_url(), drop=fresh, **overrides))

        yield factory


@pytest.fixture
def new_app(app_factory) -> Flask:
    """A new app on the test's data, for a test that adds routes or templates to the app itself."""
    return app_factory()


def add_page_template(app: Flask, folder, name: str, part: str) -> None:
    """Give ``app`` a page template ``name`` (in ``folder``) that extends base.html, with ``part`` in its block
    ``part``: for tests of how pages and their fragments are answered."""
    (folder / name).write_text(
        '{% extends "base.html" %}{% block title %}T{% endblock %}'
        '{% block content %}<h1>Page</h1>{% block part %}' + part + '{% endblock %}{% endblock %}'
    )
    app.jinja_loader.searchpath.append(str(folder))


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    """Signs a test client in and out as a demo user or any user made by a test."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str = "admin", password: str = DEMO_PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password})

    def login_as(self, role: str):
        response = self.login(DEMO_USERS[role])
        assert response.status_code == 303, f"demo {role} could not sign in"
        return response

    def logout(self):
        return self.client.post("/logout")

    def reading_english(self, role: str):
        """Sign in as the demo user of ``role`` with the English interface; returns the client."""
        self.login_as(role)
        self.client.post("/language", data={"language": "en"})
        return self.client


@contextmanager
def counting_statements(app):
    """Collects the SQL statements the app sends while the block runs (the test isolation's savepoints left out)."""
    with app.app_context():
        engine = db.engine
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
        statements[:] = [statement for statement in statements if not is_harness_statement(statement)]


@pytest.fixture
def auth(client):
    return Auth(client)


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token rendered into a page's forms."""
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def pytest_sessionstart(session):
    """Compile the catalogues, so that a bare `pytest` shows the Indonesian UI like the app does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from campaign_app import PROJECT_ROOT

    for po_path in (PROJECT_ROOT / "campaign_app" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with open(po_path, "rb") as po_file:
                catalogue = read_po(po_file)
            with open(mo_path, "wb") as mo_file:
                write_mo(mo_file, catalogue)
