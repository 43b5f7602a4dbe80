"""The pieces of the app's log lines: fields, request ids, write summaries, sign-in digests, handler set-up."""

import logging
import re

from flask import Flask

from campaign_app.observability.log_setup import (
    LineFormatter,
    RequestIdFilter,
    configure_logging,
    drop_development_server_access_lines,
    fields,
)
from campaign_app.observability.request_log import loggable_path, request_id_from
from campaign_app.observability.sign_in_log import typed_name_digest
from campaign_app.observability.write_log import ADDED, CHANGED, DELETED, Changes

NIK = "7271014508950001"


def test_plain_values_are_bare_and_others_quoted_on_one_line():
    assert fields(method="GET", path="/signups/", status=200, user_id=None) == (
        "method=GET path=/signups/ status=200 user_id=-")
    assert fields(username="ani yusuf") == 'username="ani yusuf"'
    assert fields(x='a"b\nforged=line') == r'x="a\"b\nforged=line"'
    assert "\n" not in fields(x="\r\n\x00")


def test_a_request_id_is_new_unless_a_trusted_proxy_sent_a_sane_one():
    new = request_id_from(None, trusted=False)
    assert re.fullmatch(r"[0-9a-f]{32}", new) and new != request_id_from(None, trusted=False)
    assert request_id_from("9f0e1d2c-3b4a-5968-8776-a5b4c3d2e1f0", trusted=True) == (
        "9f0e1d2c-3b4a-5968-8776-a5b4c3d2e1f0")
    for refused in ("short", "with space-x", "x" * 129, "-leading-dash", NIK, "id\r\nforged"):
        assert request_id_from(refused, trusted=True) != refused
    assert request_id_from("9f0e1d2c-3b4a-5968", trusted=False) != "9f0e1d2c-3b4a-5968"


def test_changes_read_table_kind_and_rows_with_unknown_counts_as_a_question_mark():
    changes = Changes()
    changes.add("signups", ADDED, 1)
    changes.add("audit_entries", ADDED, 1)
    changes.add("signups", ADDED, 1)
    changes.add("villages", CHANGED, 5)
    changes.add("villages", CHANGED, None)
    changes.add("visit_officers", DELETED, 2)
    assert str(changes) == "audit_entries+1,signups+2,villages~?,visit_officers-2"


def test_a_typed_name_is_logged_as_a_keyed_digest():
    digest = typed_name_digest(NIK, "secret")
    assert re.fullmatch(r"[0-9a-f]{12}", digest)
    assert digest == typed_name_digest(NIK, "secret")
    assert digest != typed_name_digest(NIK, "another secret")
    assert digest != typed_name_digest("7271014508950002", "secret")


def test_lines_carry_a_utc_time_and_the_request_id_or_a_dash_outside_a_request():
    record = logging.LogRecord("campaign_app.write", logging.INFO, __file__, 1, "%s", ("changed=signups+1",), None)
    record.created = 0.0
    RequestIdFilter().filter(record)
    assert LineFormatter().format(record) == (
        "1970-01-01T00:00:00.000+00:00 INFO campaign_app.write request_id=- changed=signups+1")


def test_the_development_servers_access_line_is_dropped_and_its_other_lines_kept():
    def record(msg, *args):
        return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, msg, args, None)

    access = record('127.0.0.1 - - [07/Dec/2026 10:00:00] "%s" %s %s',
                    f"GET /signups/nik-check?nik={NIK} HTTP/1.1", "200", "-")
    assert not drop_development_server_access_lines(access)
    assert drop_development_server_access_lines(record(" * Running on http://127.0.0.1:5000"))
    assert drop_development_server_access_lines(record("127.0.0.1 - - [07/Dec/2026] code %d, message %s", 400, "x"))


def test_each_app_made_in_a_process_shares_one_handler():
    for _ in range(2):
        configure_logging(Flask("campaign_app"))
    logger = logging.getLogger("campaign_app")
    assert sum(type(handler).__name__ == "_StderrHandler" for handler in logger.handlers) == 1
    assert not logger.propagate
    assert logging.getLogger("werkzeug").filters.count(drop_development_server_access_lines) == 1


def test_a_long_run_of_digits_in_a_logged_path_is_hidden_and_ids_and_region_codes_are_kept():
    assert loggable_path("/signups/7271014508950001") == "/signups/redacted"
    assert loggable_path("/signups/7271 0145 0895 0001/x") == "/signups/redacted/x"
    assert loggable_path("/x/0812-3456-7890") == "/x/redacted"
    assert loggable_path("/signups/2147483647") == "/signups/2147483647"
    assert loggable_path("/villages/72.71.01.1004") == "/villages/72.71.01.1004"
