"""Every endpoint declares who may call it, and answers every role and branch as it declares.

The cases are built from ``app.url_map``, so a new endpoint is checked without editing this file; its URL
arguments take their values from ``tests/samples.py``. For each role (and an anonymous visitor), each
endpoint and each method it accepts:

- anonymous on a non-public endpoint: 302 to the login page (401 with ``HX-Redirect`` for htmx);
- a signed-in role the rule does not name: 403;
- an allowed role: neither 401, 403 nor 500, and 404 for a record of a branch it may not see;
- an endpoint a phone calls with its device token (``device``): 401 for everyone without one, whatever the session.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import select

from campaign_app.access import rule_of, visible_branch_ids
from campaign_app.extensions import db
from campaign_app.models import User
from tests.conftest import DEMO_USERS, Auth, make_app
from tests.crawler import ANONYMOUS, FRAGMENT_HEADERS, RequestMeter
from tests.samples import PROVIDERS, Samples, missing_provider_message
from tests.web.conftest import ROLES, app_on_copy

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
STATIC_ARGUMENTS = {"filename": "css/app.css"}

# Only the URL map of this app is read, to name the cases; the tests run on apps with a database.
_URL_MAP = make_app("sqlite://").url_map


def _cases():
    rules = sorted(_URL_MAP.iter_rules(), key=lambda r: (r.endpoint, r.rule))
    rules_per_endpoint: dict[str, int] = {}
    for rule in rules:
        rules_per_endpoint[rule.endpoint] = rules_per_endpoint.get(rule.endpoint, 0) + 1
    cases = []
    # Every GET before any POST: a POST may change data that a later GET would read.
    for method in METHODS:
        for role in ROLES:
            for rule in rules:
                if method in rule.methods:
                    name = rule.endpoint if rules_per_endpoint[rule.endpoint] == 1 else f"{rule.endpoint}[{rule.rule}]"
                    cases.append(pytest.param(role, method, rule.endpoint, rule.rule, id=f"{role}-{method}-{name}"))
    return cases


def test_every_endpoint_declares_an_access_rule(app):
    missing = sorted({
        rule.endpoint for rule in app.url_map.iter_rules()
        if rule_of(app.view_functions[rule.endpoint]) is None
    })
    assert not missing, (
        "endpoints without an access rule (decorate the view with @public, @roles(...) or @signed_in "
        "from campaign_app.access): " + ", ".join(missing)
    )


def _build(rule, values: dict) -> str:
    # This very rule, not whichever rule of the endpoint MapAdapter.build would pick from the values.
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"{rule.rule} cannot be built from the samples {values} (see tests/samples.py)"
    return built[1]


@dataclass
class Variant:
    label: str
    url: str
    # The branches owning the records the URL names.
    branch_ids: frozenset[int]


class AccessSite:
    """One app for the whole module, with a signed-in session per demo role and the sample values."""

    def __init__(self, app, meter: RequestMeter):
        self.app = app
        # Tells what went wrong in a request that answered 500.
        self.meter = meter
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        self._cookies: dict[str, str] = {}
        self._samples: dict[str, Samples] = {}
        self.visible: dict[str, set[int] | None] = {}
        with app.app_context():
            for role, username in DEMO_USERS.items():
                user = db.session.scalar(select(User).where(User.username == username))
                self.visible[role] = visible_branch_ids(user)
        with app.test_request_context():
            self.login_path = url_for("auth.login")
            self.home_path = url_for("home.index")

    def rule(self, endpoint: str, path: str):
        return next(r for r in self.app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == path)

    def samples(self, name: str, endpoint: str) -> Samples:
        if name not in self._samples:
            if name not in PROVIDERS:
                pytest.fail(missing_provider_message(name, endpoint))
            with self.app.app_context():
                self._samples[name] = PROVIDERS[name]()
        return self._samples[name]

    def variants(self, rule) -> list[Variant]:
        """The URL with every own sample, and, if any argument has one, with every foreign sample."""
        if rule.endpoint == "static":
            return [Variant("own", _build(rule, STATIC_ARGUMENTS), frozenset())]
        defaults = dict(rule.defaults or {})
        samples = {name: self.samples(name, rule.endpoint) for name in sorted(rule.arguments - defaults.keys())}
        chosen = {"own": {name: s.own for name, s in samples.items()}}
        if any(s.foreign is not None for s in samples.values()):
            chosen["foreign"] = {name: s.foreign or s.own for name, s in samples.items()}
        return [
            Variant(label, _build(rule, {**defaults, **{name: s.value for name, s in picked.items()}}),
                    frozenset(s.branch_id for s in picked.values() if s.branch_id is not None))
            for label, picked in chosen.items()
        ]

    def _cookie(self, role: str, fresh: bool = False) -> str:
        if fresh or role not in self._cookies:
            client = self.app.test_client()
            Auth(client).login_as(role)
            self._cookies[role] = client.get_cookie(self.cookie_name).value
        return self._cookies[role]

    def _client(self, role: str):
        client = self.app.test_client()
        if role != ANONYMOUS:
            client.set_cookie(self.cookie_name, self._cookie(role))
        return client

    def _session_is_stale(self, role: str) -> bool:
        response = self._client(role).get(self.home_path)
        response.close()
        return response.status_code != 200

    def call(self, role: str, method: str, url: str, headers=None):
        """``method`` on ``url`` from a fresh client signed in as ``role``, with an empty form for a POST."""
        response = self._request(role, method, url, headers)
        sent_to_login = response.status_code == 401 or urlsplit(response.location or "").path == self.login_path
        if role != ANONYMOUS and sent_to_login and self._session_is_stale(role):
            # An earlier POST (a password reset, say) ended the shared session: sign in again and retry.
            self._cookie(role, fresh=True)
            response = self._request(role, method, url, headers)
        return response

    def _request(self, role, method, url, headers):
        response = self._client(role).open(url, method=method, headers=headers or {},
                                           data={} if method != "GET" else None)
        response.get_data()
        response.close()
        return response


@pytest.fixture(scope="module")
def site(databases):
    with app_on_copy(databases, databases.fresh_url()) as app, RequestMeter(app) as meter:
        yield AccessSite(app, meter)


def _status(response, meter) -> str:
    detail = f" ({meter.error})" if response.status_code >= 500 and meter.error else ""
    where = f" to {response.location}" if response.location else ""
    return f"{response.status_code}{where}{detail}"


def _anonymous_problems(site, method, variant) -> list[str]:
    problems = []
    response = site.call(ANONYMOUS, method, variant.url)
    if response.status_code != 302 or urlsplit(response.location or "").path != site.login_path:
        problems.append(f"expected 302 to {site.login_path}, got {_status(response, site.meter)}")
    response = site.call(ANONYMOUS, method, variant.url, headers=FRAGMENT_HEADERS)
    if response.status_code != 401 or not response.headers.get("HX-Redirect"):
        problems.append(f"with HX-Request: expected 401 with HX-Redirect, got {_status(response, site.meter)}"
                        f" HX-Redirect={response.headers.get('HX-Redirect')!r}")
    return problems


def _expected_for_allowed(site, role, variant) -> int | None:
    """404 when the URL names a record of a branch ``role`` may not see; None means any non-refusal."""
    visible = site.visible.get(role)
    if role != ANONYMOUS and visible is not None and not variant.branch_ids <= visible:
        return 404
    return None


@pytest.mark.parametrize(("role", "method", "endpoint", "path"), _cases())
def test_endpoint_answers_each_role_as_its_rule_declares(site, role, method, endpoint, path):
    rule = site.rule(endpoint, path)
    access = rule_of(site.app.view_functions[endpoint])
    assert access is not None, f"{endpoint} declares no access rule"
    allowed = access.public or (role != ANONYMOUS and role in access.roles)
    problems = []
    for variant in site.variants(rule):
        where = f"{method} {variant.url}" + (f" ({variant.label} samples)" if rule.arguments else "")
        if access.device:
            response = site.call(role, method, variant.url)
            if response.status_code != 401:
                problems.append(f"{where}: only a device token may call it, expected 401, got "
                                f"{_status(response, site.meter)}")
            continue
        if not allowed and role == ANONYMOUS:
            problems += [f"{where}: {problem}" for problem in _anonymous_problems(site, method, variant)]
            continue
        response = site.call(role, method, variant.url)
        status = response.status_code
        if not allowed:
            if status != 403:
                problems.append(f"{where}: {role} is not in the rule's roles, expected 403, got "
                                f"{_status(response, site.meter)}")
            continue
        expected = _expected_for_allowed(site, role, variant)
        if expected is not None and status != expected:
            problems.append(f"{where}: branch {sorted(variant.branch_ids)} is not visible to {role} "
                            f"(sees {sorted(site.visible[role])}), expected {expected}, got "
                            f"{_status(response, site.meter)}")
        elif expected is None and (status in (401, 403) or status >= 500):
            problems.append(f"{where}: {role} is allowed, got {_status(response, site.meter)}")
    assert not problems, "\n".join(problems)
