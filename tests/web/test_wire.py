"""What each answer costs on a slow link, in bytes: no session cookie re-sent, static files shared by everyone (no
``Vary: Cookie``), brotli never larger than gzip, error pages and refusals compressed, a small cacheable favicon."""

import gzip
from pathlib import Path

import brotli
import pytest
from flask import url_for

from campaign_app import PROJECT_ROOT
from campaign_app.static_text import stripped, without_comments

HTMX_JS = "vendor/htmx-2.0.11/htmx.min.js"
BROTLI_OR_GZIP = {"Accept-Encoding": "gzip, deflate, br"}
GZIP_ONLY = {"Accept-Encoding": "gzip"}


def fetch(client, url: str, headers: dict):
    """A static answer, read and closed (the file it was read from with it)."""
    with client.get(url, headers=headers) as response:
        response.get_data()
        return response


def fingerprinted(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def static_bytes(filename: str) -> bytes:
    """What is sent of a static file: our scripts and stylesheets without their comments."""
    data = Path(PROJECT_ROOT, "static", filename).read_bytes()
    return without_comments(data.decode(), Path(filename).suffix).encode() if stripped(filename) else data


def vary(response) -> set[str]:
    return {name.strip().lower() for name in response.headers.get("Vary", "").split(",") if name.strip()}


@pytest.mark.parametrize("filename", [HTMX_JS, "css/app.css", "js/failures.js"])
def test_a_static_file_sent_to_a_signed_in_user_neither_varies_on_nor_sets_the_cookie(app, auth, client, filename):
    auth.login_as("officer")
    response = fetch(client, fingerprinted(app, filename), BROTLI_OR_GZIP)
    assert response.status_code == 200
    assert "cookie" not in vary(response) and "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_session_cookie_is_sent_at_sign_in_and_not_again_with_each_page(auth, client):
    assert "Set-Cookie" in auth.login_as("officer").headers
    client.get("/")
    second = client.get("/")
    assert second.status_code == 200 and "Set-Cookie" not in second.headers
    assert "cookie" in vary(second)  # a page is the signed-in user's own


def test_a_page_still_sets_the_cookie_when_the_session_changes(auth, client):
    auth.login_as("officer")
    client.get("/")
    # The choice of language is flashed: the session changes, and its cookie comes with the answer.
    assert "Set-Cookie" in client.post("/language", data={"language": "en"}).headers


def test_htmx_in_brotli_is_smaller_than_gzip_at_its_best_would_make_it(app, client):
    response = fetch(client, fingerprinted(app, HTMX_JS), BROTLI_OR_GZIP)
    raw = static_bytes(HTMX_JS)
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.get_data()) == raw
    assert response.content_length < len(gzip.compress(raw, 9))


@pytest.mark.parametrize("filename", [HTMX_JS, "css/app.css", "js/failures.js", "js/upload.js"])
def test_every_static_file_comes_in_the_smaller_of_brotli_and_gzip(app, client, filename):
    raw = static_bytes(filename)
    both = fetch(client, fingerprinted(app, filename), BROTLI_OR_GZIP)
    only_gzip = fetch(client, fingerprinted(app, filename), GZIP_ONLY)
    assert only_gzip.headers["Content-Encoding"] == "gzip" and gzip.decompress(only_gzip.get_data()) == raw
    assert both.content_length <= only_gzip.content_length
    assert both.content_length <= len(gzip.compress(raw, 9))


def test_a_page_in_brotli_is_smaller_than_in_gzip(auth, client):
    auth.login_as("coordinator")
    client.get("/")
    page = client.get("/", headers=BROTLI_OR_GZIP)
    plain = client.get("/")
    assert page.headers["Content-Encoding"] == "br" and "Content-Encoding" not in plain.headers
    assert brotli.decompress(page.get_data()) == plain.get_data()
    assert page.content_length < len(gzip.compress(plain.get_data(), 6))


def test_a_client_that_asks_for_no_compression_gets_none(client):
    response = client.get("/login", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers and "accept-encoding" in vary(response)


def test_a_compressed_static_file_is_revalidated_with_a_304(app, client):
    url = fingerprinted(app, "css/app.css")
    first = fetch(client, url, BROTLI_OR_GZIP)
    again = fetch(client, url, {**BROTLI_OR_GZIP, "If-None-Match": first.headers["ETag"]})
    assert first.headers["ETag"].endswith(':br"')
    assert again.status_code == 304 and again.get_data() == b""


@pytest.mark.parametrize("path", ["/no-such-page", "/signups/visits/2147483647/new"])
def test_an_error_page_is_compressed(auth, client, path):
    auth.login_as("officer")
    response = client.get(path, headers=BROTLI_OR_GZIP)
    assert response.status_code == 404
    assert response.headers["Content-Encoding"] == "br"
    assert b"</html>" in brotli.decompress(response.get_data())


def test_a_refused_form_is_compressed(auth, client):
    auth.login_as("admin")
    response = client.post("/users/new", data={"username": ""}, headers=BROTLI_OR_GZIP)
    assert response.status_code == 422
    assert response.headers["Content-Encoding"] == "br"


def test_the_favicon_is_small_cacheable_and_the_same_for_everyone(auth, client):
    auth.login_as("officer")
    response = fetch(client, "/favicon.ico", BROTLI_OR_GZIP)
    assert response.status_code == 200 and response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert response.get_data() == static_bytes("favicon.ico") and response.content_length < 512
    assert response.cache_control.public and response.cache_control.max_age >= 24 * 3600
    assert "cookie" not in vary(response) and "Set-Cookie" not in response.headers


@pytest.mark.parametrize("filename", ["js/outbox.js", "css/app.css"])
def test_our_scripts_and_stylesheets_are_sent_without_their_comments_or_indentation(app, client, filename):
    source = Path(PROJECT_ROOT, "static", filename).read_text()
    sent = fetch(client, fingerprinted(app, filename), {}).get_data(as_text=True)
    assert "//" in source or "/*" in source
    assert not [line for line in sent.splitlines() if line.lstrip().startswith(("//", "/*")) or line != line.lstrip()]
    assert len(sent) < len(source) * 0.97


def test_a_range_of_a_script_is_answered_with_the_whole_script_as_sent(app, client):
    response = fetch(client, fingerprinted(app, "js/failures.js"), {"Range": "bytes=0-99"})
    assert response.status_code == 200 and response.get_data() == static_bytes("js/failures.js")


def test_a_static_file_goes_without_the_headers_nothing_reads(app, client):
    response = fetch(client, fingerprinted(app, "css/app.css"), BROTLI_OR_GZIP)
    favicon = fetch(client, "/favicon.ico", BROTLI_OR_GZIP)
    for sent in (response, favicon):
        assert not {"Content-Disposition", "Last-Modified", "Accept-Ranges", "Expires"} & set(sent.headers.keys())
        assert sent.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" not in sent.headers


def test_an_answer_to_htmx_goes_without_the_headers_only_a_document_obeys(auth, client):
    auth.login_as("officer")
    page = client.get("/signups/")
    fragment = client.get("/signups/", headers={"HX-Request": "true"})
    assert {"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"} <= set(page.headers.keys())
    assert "Content-Security-Policy" not in fragment.headers and "X-Frame-Options" not in fragment.headers
    assert fragment.headers["X-Content-Type-Options"] == "nosniff"
