"""No query string may produce a 500: every parameter of every crawled URL, replaced by hostile values."""

import json
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


# --- the sync endpoint: a phone's record, malformed every way, is refused with 422, never a 500 ------------

GOOD_KEY = "hostile-record-key-0001"
HOSTILE_RECORDS = [
    b"", b"null", b"[]", b'"text"', b"{", b"\xff\xfe{}", b"{\"key\": NaN}", b"[" * 5000 + b"]" * 5000,
    b'{"key": "' + b"x" * 70000 + b'"}',
    {"key": "short"}, {"key": 12345678901234567}, {"key": "bad key with spaces!!"}, {"key": "\x00" * 20},
    {"key": GOOD_KEY}, {"key": GOOD_KEY, "kind": "signup"},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": "1", "captured_at": "2026-11-02T01:00:00Z"},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": True, "captured_at": "2026-11-02T01:00:00Z"},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": 9_999_999_999, "captured_at": "2026-11-02T01:00:00Z"},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": -1, "captured_at": "2026-11-02T01:00:00Z"},
    {"key": GOOD_KEY, "kind": ["signup"], "visit_id": 1, "captured_at": "2026-11-02T01:00:00Z"},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": 1, "captured_at": "2026-11-02T01:00:00"},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": 1, "captured_at": "9999-12-31T23:59:59-23:59"},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": 1, "captured_at": 1764637200},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": 1, "captured_at": "2026-11-02T01:00:00Z", "data": []},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": 1, "captured_at": "2026-11-02T01:00:00Z",
     "data": {"nik": {"nested": 1}}},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": 1, "captured_at": "2026-11-02T01:00:00Z",
     "data": {"obstacles": [1, 2]}},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": 1, "captured_at": "2026-11-02T01:00:00Z",
     "data": {f"f{n}": n for n in range(100)}},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": 1, "captured_at": "2026-11-02T01:00:00Z",
     "data": {"notes": "x" * 6000}},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": 1, "captured_at": "2026-11-02T01:00:00Z",
     "data": {"full_name": "\ud800"}},
    {"key": GOOD_KEY, "kind": "signup", "visit_id": 1, "captured_at": "2026-11-02T01:00:00Z",
     "data": {"\udfff": "x"}},
]


@pytest.fixture
def device_token(app):
    from campaign_app.extensions import db
    from campaign_app.models.people import utcnow
    from campaign_app.sync.devices import issue_device
    from tests.factories import make_officer

    with app.app_context():
        issued = issue_device(make_officer(), "Hostile", None, utcnow())
        db.session.commit()
        return issued.token


@pytest.mark.parametrize("body", HOSTILE_RECORDS, ids=lambda body: repr(body)[:40])
def test_malformed_records_are_refused_with_422_never_a_500(app, device_token, body):
    client = app.test_client()
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = client.post("/sync/records", data=payload, content_type="application/json",
                           headers={"Authorization": f"Bearer {device_token}"})
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    answer = response.get_json()
    assert answer["error"] and isinstance(answer["fields"], dict)


@pytest.mark.parametrize("data", [
    {"nik": "abc", "full_name": "", "declared_income": "-5", "birth_date": "2026-02-30", "sex": "X",
     "payer": "nobody", "subsidy_programme": "9" * 40, "consent_version": "x", "consent": "maybe"},
    {"nik": 7271014508950001, "full_name": 12, "declared_income": 1e300, "with_jht": "yes", "phone": "\ud800"},
    {"women": -1, "men": "9" * 40, "obstacles": ["flood", "\x00"], "notes": "\x00"},
])
@pytest.mark.parametrize("kind", ["signup", "attendance", "visit_started", "visit_closed"])
def test_hostile_fields_of_a_visit_of_the_branch_never_cause_a_server_error(app, kind, data):
    from campaign_app.extensions import db
    from campaign_app.models.people import utcnow
    from campaign_app.sync.devices import issue_device
    from tests.factories import in_progress_visit, make_officer

    with app.app_context():
        officer = make_officer()
        visit = in_progress_visit(officer)
        token = issue_device(officer, None, None, utcnow()).token
        db.session.commit()
        visit_id = visit.id
    record = {"key": f"hostile-{kind}-{abs(hash(repr(data))) % 10**12:012d}", "kind": kind, "visit_id": visit_id,
              "captured_at": "2026-11-02T01:00:00+08:00", "data": data}
    response = app.test_client().post("/sync/records", data=json.dumps(record).encode(),
                                      content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("cell", [*(value for value in HOSTILE if value != "\ud800"), "=cmd|' /C calc'!A0",
                                  "0000-01", "9999-99", "2026-00", "-2026-11", "1e400", "2026-11-31"])
@pytest.mark.parametrize("column", ["nik", "status", "periode_terakhir"])
def test_hostile_cells_of_a_payment_status_file_are_rows_refused_never_a_server_error(admin, monkeypatch, column,
                                                                                      cell):
    from io import BytesIO

    from tests.factories import TODAY

    monkeypatch.setattr("campaign_app.clock.today", lambda: TODAY)

    values = {"nik": "7271014508950001", "status": "aktif", "periode_terakhir": "2026-11", column: cell}
    data = ("nik;status;periode_terakhir\n" + ";".join(values.values()) + "\n").encode()
    response = admin.post("/signups/payment-status", data={"file": (BytesIO(data), "status.csv"), "month": "2026-11"},
                          content_type="multipart/form-data", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code in (200, 422), body[:300]
    # Read and reported row by row (the NIK is unknown or the cell invalid), or the file refused with its reason.
    assert "1 row read." in body or "The file was refused" in body
