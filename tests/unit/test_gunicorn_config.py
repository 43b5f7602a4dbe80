"""gunicorn.conf.py as gunicorn itself reads it: ``gunicorn`` started in the repository root, no other arguments."""

import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.app.wsgiapp import WSGIApplication
from gunicorn.config import Chdir
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FROM_ENVIRONMENT = ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_BIND", "PORT")


@pytest.fixture
def gunicorn_settings(monkeypatch):
    """Loads the settings through gunicorn's own command-line application, with ``env`` set and nothing else."""
    def load(**env) -> WSGIApplication:
        for name in SETTINGS_FROM_ENVIRONMENT:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        # gunicorn changes directory, adds it to sys.path and imports the file as __config__: all undone after.
        monkeypatch.chdir(ROOT)
        monkeypatch.setattr(sys, "path", list(sys.path))
        monkeypatch.setitem(sys.modules, "__config__", None)
        # gunicorn took its start directory when imported (wherever pytest started): it is the repository root.
        monkeypatch.setattr(Chdir, "default", str(ROOT))
        monkeypatch.setattr(sys, "argv", ["gunicorn"])
        return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="gunicorn")

    return load


def test_workers_are_threaded_so_they_heartbeat_while_an_export_streams(gunicorn_settings):
    cfg = gunicorn_settings().cfg
    assert cfg.worker_class is ThreadWorker and cfg.worker_class_str == "gthread"
    assert cfg.threads > 1
    assert cfg.graceful_timeout >= 30


def test_the_bare_command_serves_the_app_on_the_loopback(gunicorn_settings):
    application = gunicorn_settings()
    assert application.app_uri == "campaign_app:create_app()"
    assert application.cfg.bind == ["127.0.0.1:8000"]
    assert 3 <= application.cfg.workers <= 8


def test_the_environment_sets_workers_threads_and_the_address(gunicorn_settings):
    cfg = gunicorn_settings(WEB_CONCURRENCY="3", GUNICORN_THREADS="8", GUNICORN_BIND="unix:/run/jangkau.sock").cfg
    assert (cfg.workers, cfg.threads, cfg.bind) == (3, 8, ["unix:/run/jangkau.sock"])
    assert cfg.worker_class is ThreadWorker


def test_the_app_writes_the_access_log_and_gunicorns_own_would_match_it_without_the_query(gunicorn_settings):
    cfg = gunicorn_settings().cfg
    assert cfg.accesslog is None
    assert "%(U)s" in cfg.access_log_format
    assert not any(atom in cfg.access_log_format for atom in ("%(r)s", "%(q)s", "%(f)s", "%({x-request-id}i)s"))
    nik = "7271014508950001"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/signups/nik-check?nik={nik}", "PATH_INFO": "/signups/nik-check",
               "QUERY_STRING": f"nik={nik}", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_REFERER": f"/signups/?q={nik}"}
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("X-Request-ID", "5f0c2a9d8e7b4c3a")])
    request = SimpleNamespace(headers=[("X-REQUEST-ID", "chosen-by-the-client")])
    line = cfg.access_log_format % Logger(cfg).atoms(response, request, environ, timedelta(milliseconds=12))
    assert line == "request_id=5f0c2a9d8e7b4c3a method=GET path=/signups/nik-check status=200 duration_ms=12"
