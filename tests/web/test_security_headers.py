"""Security headers on every response, and pages a strict Content-Security-Policy does not break.

Every page and fragment each role reaches (the crawl of tests/crawler.py) carries the headers, and none holds
inline script or style, which the policy would block: a page that needs one breaks in the browser, not here,
unless it is caught here.
"""

import json
import re
from html.parser import HTMLParser

import pytest

from campaign_app import PROJECT_ROOT
from campaign_app.security_headers import CONTENT_SECURITY_POLICY, DOCUMENT_ONLY, HEADERS, HSTS
from tests.crawler import parse
from tests.web.conftest import ROLES

# Attributes whose value htmx would run as JavaScript (hx-vals='js:…', hx-headers='javascript:…').
HTMX_SCRIPT_VALUE = re.compile(r"^\s*(js|javascript):", re.IGNORECASE)


class InlineCode(HTMLParser):
    """Collects everything in an HTML document that a policy without 'unsafe-inline' or 'unsafe-eval' blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attr_list):
        attrs = {name: value or "" for name, value in attr_list}
        if tag == "script":
            self._in_script = True
            if not attrs.get("src"):
                self.found.append("<script> without src")
        elif tag == "style":
            self.found.append("<style> element")
        for name, value in attrs.items():
            if name == "style":
                self.found.append(f'style="{value}" on <{tag}>')
            elif name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"{name}= handler on <{tag}>")
            elif name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in {name} of <{tag}>")
            elif name.startswith(("hx-", "data-hx-")) and HTMX_SCRIPT_VALUE.match(value):
                self.found.append(f"script in {name} of <{tag}>")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("inline code inside a <script src>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def inline_code(html: str) -> list[str]:
    finder = InlineCode()
    finder.feed(html)
    finder.close()
    return finder.found


def missing_headers(headers, fragment: bool = False) -> list[str]:
    """The security headers ``headers`` lacks; an answer to htmx (``fragment``) needs none that only a document
    obeys, and must not carry them (they would cost bytes on every answer)."""
    wanted = {name: value for name, value in HEADERS.items() if not (fragment and name in DOCUMENT_ONLY)}
    missing = [f"{name}: {headers.get(name)!r}" for name, value in wanted.items() if headers.get(name) != value]
    extra = [f"{name} sent to htmx" for name in DOCUMENT_ONLY if fragment and name in headers]
    return missing + extra


def test_the_policy_allows_no_inline_code_no_eval_and_no_framing():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("role", ROLES)
def test_every_crawled_response_carries_the_security_headers(demo_crawls, role):
    crawl = demo_crawls[role]
    assert crawl.responses, f"{role} crawl fetched nothing"
    problems = [f"  {r.describe()}: {', '.join(missing_headers(r.headers, r.fragment))}"
                for r in crawl.responses if missing_headers(r.headers, r.fragment)]
    assert not problems, f"responses of the {role} crawl without the security headers:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_no_crawled_page_or_fragment_holds_inline_script_or_style(demo_crawls, role):
    problems = []
    for response in demo_crawls[role].responses:
        if response.is_html:
            problems += [f"  {found}: {response.describe()}" for found in inline_code(response.body.decode())]
    assert not problems, f"inline code the policy blocks, in the {role} crawl:\n" + "\n".join(problems)


def test_no_template_holds_inline_script_or_style():
    # The crawl sees only the pages the demo data leads to; the templates hold every page there is.
    problems = []
    for template in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        # Jinja's tags and comments would confuse the HTML parser: dropped, and each expression stands as one word.
        source = re.sub(r"{#.*?#}|{%.*?%}", "", template.read_text(), flags=re.DOTALL)
        source = re.sub(r"{{.*?}}", "x", source, flags=re.DOTALL)
        problems += [f"  {found}: {template.relative_to(PROJECT_ROOT)}" for found in inline_code(source)]
    assert not problems, "inline code the policy blocks, in templates:\n" + "\n".join(problems)


def test_our_scripts_neither_eval_code_nor_write_style_attributes():
    # CSSOM changes (element.style.x = …, element.hidden) pass the policy; code from strings and style markup do not.
    forbidden = re.compile(r"\beval\s*\(|new\s+Function\b|set(Timeout|Interval)\s*\(\s*['\"`]|"
                           r"setAttribute\s*\(\s*['\"](style|on\w+)['\"]|\.innerHTML\s*=|insertAdjacentHTML")
    problems = []
    for script in sorted((PROJECT_ROOT / "static" / "js").glob("*.js")):
        problems += [f"  {script.name}: {m.group(0)}" for m in forbidden.finditer(script.read_text())]
    assert not problems, "scripts the policy would break:\n" + "\n".join(problems)


def test_htmx_is_configured_to_need_neither_eval_nor_inline_style(client):
    html = client.get("/login").get_data(as_text=True)
    [content] = re.findall(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    config = json.loads(content)
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    # htmx copies settled attributes with setAttribute, which the policy blocks for style.
    assert "style" not in config["attributesToSettle"]
    # What htmx no longer injects, our stylesheet provides.
    assert ".htmx-indicator{" in (PROJECT_ROOT / "static" / "css" / "app.css").read_text()


def test_static_files_carry_the_security_headers_a_file_that_is_no_document_obeys(client):
    # A script, a stylesheet or an icon is no document: the page's own policy is the one applied to it.
    assets = [*parse(client.get("/login").get_data()).assets, "/favicon.ico"]
    assert len(assets) > 1, "the login page links no stylesheet or script"
    for url in assets:
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert missing_headers(response.headers, fragment=True) == [], url


def test_error_pages_carry_the_security_headers(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert missing_headers(response.headers) == []


def test_hsts_is_sent_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == HSTS


def test_hsts_is_not_sent_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_behind_a_trusted_tls_proxy_hsts_is_sent(app_factory):
    client = app_factory(TRUSTED_PROXIES=1).test_client()
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == HSTS


def test_a_forwarded_https_header_from_an_untrusted_client_sends_no_hsts(client):
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
