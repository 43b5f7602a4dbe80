"""The load balancer's probes: /healthz (the process answers) and /readyz (the database does, at the head).

Both are public, plain text, never cached, never rate-limited, and cheap: no session cookie, no template.
"""

import logging

import pytest
from flask import template_rendered
from flask_limiter import ExemptionScope

from campaign_app.access import rule_of
from campaign_app.extensions import limiter
from tests.conftest import counting_statements
from tests.logs import captured_log

PROBES = ("/healthz", "/readyz")


@pytest.mark.parametrize("path", PROBES)
def test_a_probe_answers_anyone_in_plain_text_never_cached(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-ID"]


def test_healthz_says_ok_without_asking_the_database(app, client):
    with counting_statements(app) as statements:
        assert client.get("/healthz").get_data(as_text=True) == "ok\n"
    assert statements == []


def test_readyz_says_ready_when_the_database_is_at_the_migrations_head(app, client):
    with counting_statements(app) as statements:
        assert client.get("/readyz").get_data(as_text=True) == "ready\n"
    assert 1 <= len(statements) <= 3


@pytest.mark.parametrize("path", PROBES)
def test_a_probe_sets_no_cookie_and_renders_no_template(app, client, path):
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    with template_rendered.connected_to(record, app):
        response = client.get(path)
    assert "Set-Cookie" not in response.headers
    assert rendered == []


def test_the_probes_are_declared_public(app):
    for endpoint in ("health.live", "health.ready"):
        assert rule_of(app.view_functions[endpoint]).public


def test_readyz_is_503_with_the_reason_when_the_database_has_no_schema(empty_app):
    with captured_log() as log:
        response = empty_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "not ready: database has no schema\n"
    # A failing probe is logged like any request, with the reason at WARNING.
    assert " WARNING campaign_app.health " in log.text and "not ready: database has no schema" in log.text
    [line] = log.of("campaign_app.request")
    assert " INFO " in line and "path=/readyz status=503" in line


def test_readyz_is_503_when_the_database_cannot_be_reached_and_healthz_stays_200(app_factory, tmp_path):
    client = app_factory(url=f"sqlite:///{tmp_path}/no-such-directory/jangkau.sqlite3").test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "not ready: database unavailable\n"
    assert client.get("/healthz").status_code == 200


def test_the_probes_are_exempt_from_every_rate_limit(app):
    # Asked of the limiter, not shown by tripping a limit: default limits set for one app would stay on the
    # limiter, which every app in the process shares.
    for endpoint in ("health.live", "health.ready"):
        scope = limiter.limit_manager.exemption_scope(app, endpoint, "health")
        assert scope & ExemptionScope.DEFAULT and scope & ExemptionScope.APPLICATION and scope & ExemptionScope.META


def test_successful_probes_are_logged_at_debug_only(client):
    with captured_log(logging.INFO) as quiet:
        client.get("/healthz")
        client.get("/readyz")
    with captured_log(logging.DEBUG) as detailed:
        client.get("/healthz")
    assert quiet.lines == []
    [line] = detailed.of("campaign_app.request")
    assert " DEBUG " in line and "path=/healthz status=200" in line
