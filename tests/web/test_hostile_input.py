"""No query string may produce a 500: every parameter of every crawled URL, replaced by hostile values."""

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from tests.crawler import sign_in

HOSTILE = ["\x00", "9" * 40, "-1", "2026-02-30", "x" * 5000, "' OR 1=1 --", "%", "\ud800"]
# The officer's pages take no query parameters yet.
ROLES = ["admin", "coordinator", "manager"]


def hostile_variants(url: str):
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for index, (name, _) in enumerate(query):
        for value in HOSTILE:
            changed = [*query[:index], (name, value), *query[index + 1:]]
            yield parts._replace(query=urlencode(changed, errors="surrogatepass")).geturl()


@pytest.mark.parametrize("role", ROLES)
def test_hostile_query_values_never_cause_a_server_error(demo_site, demo_crawls, role):
    client = demo_site.test_client()
    sign_in(client, role)
    # One URL per endpoint and kind is enough: the parameters are what vary.
    samples = {}
    for fetched in demo_crawls[role].responses:
        if "?" in fetched.url:
            samples.setdefault((fetched.endpoint, fetched.fragment), fetched)
    failures = []
    for fetched in samples.values():
        headers = {"HX-Request": "true"} if fetched.fragment else {}
        for url in hostile_variants(fetched.url):
            status = client.get(url, headers=headers).status_code
            if status >= 500:
                failures.append(f"{status} {url[:200]}")
    assert samples, "the crawl found no URL with a query string"
    assert not failures, "\n".join(failures)
