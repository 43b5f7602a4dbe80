"""Two real app processes (gunicorn, one worker each) on two ports over one PostgreSQL database, with the sign-in
limits in one Redis or (no Redis configured) in the database: sessions and limits are shared, as behind a proxy with
several workers or machines."""

import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import csrf_token_from
from tests.databases import postgres_url

REDIS_URL = os.environ.get("TEST_REDIS_URL")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.own_database,  # two processes connect to the database on their own
    pytest.mark.skipif(not postgres_url(), reason="set TEST_DATABASE_URL (PostgreSQL) to run two app processes"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(base: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the app process at {base} exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the app process at {base} did not answer within {seconds} s")


@pytest.fixture(scope="module", params=["redis", "database"])
def two_processes(request, databases):
    """Two base URLs, each served by its own gunicorn process on one fresh copy of the seeded database, keeping the
    sign-in limits in Redis or in the database.

    Started once for the module per store (about 10 s): each test signs in as a demo user of its own."""
    if request.param == "redis" and not REDIS_URL:
        pytest.skip("set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to run two app processes on one Redis")
    url = databases.fresh_url()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        # A key of its own: the limits' Redis keys are digests under it, so no other run's counts mix in.
        "SECRET_KEY": f"two-processes-{uuid.uuid4().hex}",
        "DATA_KEY": "test-data-key",
        # memory:// is the setting that keeps the limits in the database (never in a process's memory).
        "RATELIMIT_STORAGE_URI": REDIS_URL if request.param == "redis" else "memory://",
        "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": "4 per 15 minutes",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "LOG_LEVEL": "WARNING",
    }
    processes, bases = [], []
    try:
        for _ in range(2):
            port = free_port()
            command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.PIPE))
            bases.append(f"http://127.0.0.1:{port}")
        for base, process in zip(bases, processes, strict=True):
            wait_until_ready(base, process)
        yield bases
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: nothing is in flight
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stderr.close()
        databases.drop(url)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One cookie jar, sent to whichever process a request goes to (cookies are not kept per port)."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def get(self, url: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict, form_page: str) -> tuple[int, str]:
        _, page = self.get(form_page)
        body = urllib.parse.urlencode({**data, "csrf_token": csrf_token_from(page)}).encode()
        return self._open(urllib.request.Request(url, data=body, method="POST"))

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode()

    def sign_in(self, base: str, username: str, password: str = "jangkau-demo") -> int:
        return self.post(base + "/login", {"username": username, "password": password}, base + "/login")[0]

    def signed_in_at(self, base: str) -> bool:
        return self.get(base + "/account")[0] == 200


def test_a_session_started_on_one_process_works_on_the_other(two_processes):
    first, second = two_processes
    browser = Browser()
    assert browser.sign_in(first, "petugas") == 303
    assert browser.signed_in_at(second)


def test_signing_out_on_one_process_ends_the_session_on_both(two_processes):
    first, second = two_processes
    browser = Browser()
    assert browser.sign_in(first, "koordinator") == 303
    kept = Browser()
    for cookie in browser.cookies:
        kept.cookies.set_cookie(cookie)
    assert browser.post(second + "/logout", {}, second + "/account")[0] == 303
    assert not kept.signed_in_at(first)
    assert not kept.signed_in_at(second)


def test_failed_sign_ins_count_across_both_processes(two_processes):
    first, second = two_processes
    browser = Browser()
    for base in (first, second, first, second):
        assert browser.sign_in(base, "manajer", password="wrong-password") == 401
    assert browser.sign_in(first, "manajer") == 429
    assert browser.sign_in(second, "manajer") == 429
