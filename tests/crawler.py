"""A crawler for the Flask test client: every page and htmx fragment a role can reach from home.

It signs in as a demo role, starts at ``/`` (or ``/login`` for an anonymous visitor) and follows every
same-origin ``<a href>``, every ``hx-get`` (fetched with ``HX-Request: true``: a fragment) and every GET
form submitted with its default values. It never submits a POST form and never signs out. For each
response it records the status, the body, its gzip size, the endpoint and the number of SQL statements
the request issued, so that tests can hold every page to the budgets of the design note.
"""

import gzip
import json
import logging
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from flask import Flask, request, request_finished, request_started, url_for
from sqlalchemy import event

from campaign_app.extensions import db
from tests.conftest import Auth

ANONYMOUS = "anonymous"
FRAGMENT_HEADERS = {"HX-Request": "true"}
MAX_URLS = 600
# Many URLs lead to one endpoint (a visit page per visit): a few of each show what the endpoint does.
MAX_PER_ENDPOINT = 5
# Pagination links beyond this page are not followed: the first pages show what every page does.
MAX_PAGE = 3
REDIRECTS = {301, 302, 303, 307, 308}


def gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, 6))


@dataclass
class Fetched:
    """One response the crawler received."""

    url: str
    status: int
    fragment: bool
    body: bytes
    gzip_size: int
    statements: int
    endpoint: str | None
    content_type: str
    found_on: str | None
    error: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")

    def describe(self) -> str:
        kind = "fragment" if self.fragment else "page"
        return f"{kind} {self.url} ({self.endpoint}, found on {self.found_on})"


@dataclass
class Crawl:
    role: str
    responses: list[Fetched] = field(default_factory=list)
    # URLs found but not fetched because the crawl reached MAX_URLS.
    left_over: int = 0
    # Endpoints found in links but never fetched because the crawl reached MAX_URLS: should stay empty.
    unreached: set[str] = field(default_factory=set)

    @property
    def pages(self) -> list[Fetched]:
        """Full HTML pages (not fragments), error pages included; redirects are not pages."""
        return [r for r in self.responses if not r.fragment and r.is_html and r.status not in REDIRECTS]

    @property
    def fragments(self) -> list[Fetched]:
        """HTML answers to htmx requests, error answers included; redirects are not fragments."""
        return [r for r in self.responses if r.fragment and r.is_html and r.status not in REDIRECTS]

    def largest(self, responses: list[Fetched]) -> Fetched | None:
        return max(responses, key=lambda r: r.gzip_size, default=None)


class RequestMeter:
    """While active, notes the endpoint, the SQL statement count and any logged error of each request.

    Statements are counted from ``request_started`` to ``request_finished``, so a test's own queries
    between requests are not counted.
    """

    def __init__(self, app: Flask):
        self.app = app
        self.statements = 0
        self.endpoint: str | None = None
        self.error: str | None = None
        self._counting = False
        self._handler = _ErrorCatcher(self)

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._statement)
        request_started.connect(self._started, self.app)
        request_finished.connect(self._finished, self.app)
        self.app.logger.addHandler(self._handler)
        return self

    def __exit__(self, *exc_info):
        self.app.logger.removeHandler(self._handler)
        request_finished.disconnect(self._finished, self.app)
        request_started.disconnect(self._started, self.app)
        event.remove(self.engine, "before_cursor_execute", self._statement)

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        if self._counting:
            self.statements += 1

    def _started(self, sender, **extra):
        self.statements, self.endpoint, self.error = 0, None, None
        self._counting = True

    def _finished(self, sender, response, **extra):
        self._counting = False
        self.endpoint = request.endpoint


class _ErrorCatcher(logging.Handler):
    """Keeps the last line of the traceback the app logs for an unhandled error (a 500)."""

    def __init__(self, meter: RequestMeter):
        super().__init__(logging.ERROR)
        self.meter = meter

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            last_line = logging.Formatter().formatException(record.exc_info).strip().splitlines()[-1]
            self.meter.error = last_line
        else:
            self.meter.error = record.getMessage()


class _Links(HTMLParser):
    """Collects what a crawler follows from one HTML document, and what the budget tests check."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pages: list[str] = []
        self.fragments: list[str] = []
        self.assets: list[str] = []
        self.lang: str | None = None
        self.title: str | None = None
        self._title: list[str] | None = None
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attr_list):
        attrs = {name: (value if value is not None else "") for name, value in attr_list}
        if tag == "html" and self.lang is None:
            self.lang = attrs.get("lang", "")
        elif tag == "title":
            self._title = []
        elif tag == "a" and attrs.get("href"):
            self.pages.append(attrs["href"])
        elif tag == "link" and "stylesheet" in attrs.get("rel", "").split() and attrs.get("href"):
            self.assets.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])
        if tag == "form":
            self._start_form(attrs)
        elif "hx-get" in attrs:
            url = attrs["hx-get"]
            # htmx sends the value of an input that makes its own request (active search, for one).
            if tag in ("input", "select") and attrs.get("name"):
                url = _with_query(url, [(attrs["name"], attrs.get("value", ""))])
            self.fragments.append(url)
        if self._form is not None and self._form["get"] and "disabled" not in attrs:
            self._form_field(tag, attrs)

    def _start_form(self, attrs):
        method = attrs.get("method", "get").lower()
        self._form = {
            "get": method == "get" and "hx-post" not in attrs,
            "action": attrs.get("action", ""),
            "hx_get": attrs.get("hx-get"),
            "fields": [],
            "submitter": False,
        }

    def _form_field(self, tag, attrs):
        fields, name = self._form["fields"], attrs.get("name")
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if name and "checked" in attrs:
                    fields.append((name, attrs.get("value", "on")))
            elif kind in ("submit", "image"):
                self._submitter(name, attrs)
            elif kind not in ("button", "reset", "file") and name:
                fields.append((name, attrs.get("value", "")))
        elif tag == "button" and attrs.get("type", "submit").lower() == "submit":
            self._submitter(name, attrs)
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "text": [], "selected": "selected" in attrs}
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": []}

    def _submitter(self, name, attrs):
        # Submitting "with default values" presses the first submit button.
        if not self._form["submitter"]:
            self._form["submitter"] = True
            if name:
                self._form["fields"].append((name, attrs.get("value", "")))

    def handle_data(self, data):
        if self._title is not None:
            self._title.append(data)
        if self._option is not None:
            self._option["text"].append(data)
        if self._textarea is not None:
            self._textarea["text"].append(data)

    def handle_endtag(self, tag):
        if tag == "title" and self._title is not None:
            self.title = "".join(self._title).strip()
            self._title = None
        elif tag == "option" and self._option is not None and self._select is not None:
            option = self._option
            value = option["value"] if option["value"] is not None else "".join(option["text"]).strip()
            if self._select["first"] is None:
                self._select["first"] = value
            if option["selected"] and self._select["selected"] is None:
                self._select["selected"] = value
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["selected"] if self._select["selected"] is not None else self._select["first"]
            if chosen is not None and self._form is not None:
                self._form["fields"].append((self._select["name"], chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form["fields"].append((self._textarea["name"], "".join(self._textarea["text"])))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            form = self._form
            if form["get"]:
                self.pages.append(_with_query(form["action"], form["fields"], replace=True))
            if form["hx_get"] is not None:
                self.fragments.append(_with_query(form["hx_get"], form["fields"]))
            self._form = None


def _with_query(url: str, fields: list[tuple[str, str]], replace: bool = False) -> str:
    """``url`` with ``fields`` added to its query (a GET form replaces the action's query)."""
    parts = urlsplit(url)
    query = ([] if replace else parse_qsl(parts.query, keep_blank_values=True)) + list(fields)
    return parts._replace(query=urlencode(query), fragment="").geturl()


def parse(body: bytes) -> _Links:
    links = _Links()
    links.feed(body.decode("utf-8", errors="replace"))
    links.close()
    return links


class Crawler:
    """Crawls one app with one test client, which is already signed in as the role to crawl (or not)."""

    def __init__(self, app: Flask, client, role: str, max_urls: int = MAX_URLS):
        self.app = app
        self.client = client
        self.max_urls = max_urls
        self.crawl = Crawl(role)
        with app.test_request_context():
            self.never = {url_for("auth.logout")}
        self.static_prefix = (app.static_url_path or "/static").rstrip("/") + "/"
        self.adapter = app.url_map.bind("localhost")

    def normalise(self, url: str, base: str) -> str | None:
        """A same-origin URL as path and sorted query, or None for a URL not to follow."""
        parts = urlsplit(urljoin("http://localhost" + base, url.strip()))
        if parts.scheme not in ("http", "https") or parts.hostname != "localhost":
            return None
        path = parts.path or "/"
        if path in self.never or path.startswith(self.static_prefix):
            return None
        query = sorted(parse_qsl(parts.query, keep_blank_values=True))
        if any(name == "page" and value.isdigit() and int(value) > MAX_PAGE for name, value in query):
            return None
        return path + ("?" + urlencode(query) if query else "")

    def endpoint_of(self, url: str) -> str | None:
        """The endpoint a URL would reach, before fetching it."""
        try:
            endpoint, _ = self.adapter.match(urlsplit(url).path, method="GET")
        except Exception:  # 404, 405 or a redirect: still worth one fetch
            return None
        return endpoint

    def run(self, start: str = "/") -> Crawl:
        # URLs of endpoints not fetched yet go first, so that the cap never hides a whole endpoint.
        fresh: deque[tuple[str, bool, str | None]] = deque([(start, False, None)])
        more: deque[tuple[str, bool, str | None]] = deque()
        seen = {(start, False)}
        fetched_per_endpoint: dict[tuple[str | None, bool], int] = {}

        def enqueue(url: str, fragment: bool, found_on: str) -> None:
            target = self.normalise(url, found_on)
            if target is None or (target, fragment) in seen:
                return
            seen.add((target, fragment))
            key = (self.endpoint_of(target), fragment)
            if fetched_per_endpoint.get(key, 0) >= MAX_PER_ENDPOINT:
                return
            (more if key in fetched_per_endpoint else fresh).append((target, fragment, found_on))

        with RequestMeter(self.app) as meter:
            while fresh or more:
                if len(self.crawl.responses) >= self.max_urls:
                    self.crawl.left_over = len(fresh) + len(more)
                    self.crawl.unreached = {self.endpoint_of(url) or url for url, _, _ in fresh}
                    break
                url, fragment, found_on = (fresh or more).popleft()
                key = (self.endpoint_of(url), fragment)
                if fetched_per_endpoint.get(key, 0) >= MAX_PER_ENDPOINT:
                    continue
                fetched_per_endpoint[key] = fetched_per_endpoint.get(key, 0) + 1
                response = self.client.get(url, headers=FRAGMENT_HEADERS if fragment else {})
                try:
                    body = response.get_data()
                finally:
                    response.close()
                fetched = Fetched(
                    url=url, status=response.status_code, fragment=fragment, body=body,
                    gzip_size=gzip_size(body), statements=meter.statements, endpoint=meter.endpoint,
                    content_type=response.content_type or "", found_on=found_on, error=meter.error,
                    headers=dict(response.headers),
                )
                self.crawl.responses.append(fetched)
                for target in _redirect_targets(response):
                    enqueue(target, False, url)
                if fetched.is_html:
                    links = parse(body)
                    for href in links.pages:
                        enqueue(href, False, url)
                    for href in links.fragments:
                        enqueue(href, True, url)
        return self.crawl


def _redirect_targets(response) -> list[str]:
    targets = []
    if response.status_code in REDIRECTS and response.location:
        targets.append(response.location)
    if response.headers.get("HX-Redirect"):
        targets.append(response.headers["HX-Redirect"])
    location = response.headers.get("HX-Location")
    if location:
        targets.append(json.loads(location).get("path", "/") if location.startswith("{") else location)
    return targets


def sign_in(client, role: str) -> None:
    """Sign ``client`` in as the demo user of ``role``; an anonymous visitor stays signed out."""
    if role != ANONYMOUS:
        Auth(client).login_as(role)


def crawl(app: Flask, role: str, max_urls: int = MAX_URLS) -> Crawl:
    """Crawl ``app`` as the demo user of ``role`` from home, or from the login page for an anonymous visitor."""
    client = app.test_client()
    sign_in(client, role)
    with app.test_request_context():
        start = url_for("auth.login") if role == ANONYMOUS else url_for("home.index")
    return Crawler(app, client, role, max_urls).run(start)
