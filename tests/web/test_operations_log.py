"""The app's log: one line per request, one per committed write, one per sign-in, and never a worker's data.

A worker's NIK travels in form bodies (the NIK check, the search, the sign-up), and comes back in pages (a
refused duplicate, a reveal); their name and phone in forms and pages. None of it may reach a log line.
"""

import re

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from campaign_app.audit.service import record_many
from campaign_app.demo.seed import DEMO_PASSWORD
from campaign_app.extensions import db
from campaign_app.models import AuditAction, Village
from tests.factories import (
    FAR_VILLAGE,
    NEAR_VILLAGE,
    OTHER_NEAR_VILLAGE,
    in_progress_visit,
    set_travel_hours,
    user_named,
)
from tests.logs import captured_log

NIK = "7271014508950001"  # Palu Timur; a woman born 5 Aug 1995
NAME = "Siti Aminah"
PHONE = "0812 3456 7890"
# Each, in every form the app reads, stores or shows it: what must never be in the log.
WORKER_DATA = [NIK, "7271 0145 0895 0001", "08950001", NAME, "aminah", PHONE, "81234567890", "0812-3456"]
REQUEST_LINE = re.compile(r"request_id=(\S+) method=(\S+) path=(\S+) status=(\d{3}) duration_ms=\d+\.\d$")
FORM_KEY = re.compile(r'name="form_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_key"')


def form_key(page) -> str:
    """The one-time key of the sign-up form on ``page``."""
    match = FORM_KEY.search(page.get_data(as_text=True))
    return match.group(1) or match.group(2)


class Recorded:
    """A test client that keeps the request id each of its requests was answered with."""

    def __init__(self, client):
        self.client = client
        self.request_ids: list[str] = []

    def open(self, *args, **kwargs):
        response = self.client.open(*args, **kwargs)
        response.get_data()
        self.request_ids.append(response.headers["X-Request-ID"])
        return response

    def get(self, *args, **kwargs):
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args, **kwargs):
        return self.open(*args, method="POST", **kwargs)


def sign_up_form(key: str, **changes) -> dict:
    values = {"form_key": key, "nik": NIK, "full_name": NAME, "sex": "", "birth_date": "", "phone": PHONE,
              "occupation": "fisher", "sector": "bpu", "declared_income": "1.500.000", "payer": "self",
              "subsidy_programme": "", "consent": "y", "consent_version": "1"}
    return values | changes


@pytest.fixture
def visit_id(app) -> int:
    with app.app_context():
        visit = in_progress_visit(user_named("petugas"))
        db.session.commit()
        return visit.id


@pytest.fixture
def flow(app, client, visit_id):
    """An officer records a worker and looks them up; their coordinator finds, reveals and exports. Returns what
    the log received and the client that made every request."""
    web = Recorded(client)
    form_url = f"/signups/visits/{visit_id}/new"
    with captured_log() as log:
        # The NIK typed into the username field by mistake.
        assert web.post("/login", data={"username": NIK, "password": "wrong"}).status_code == 401
        assert web.post("/login", data={"username": "petugas", "password": DEMO_PASSWORD}).status_code == 303
        key = form_key(web.get(form_url))
        assert web.post("/signups/nik-check", data={"nik": NIK}).status_code == 200
        assert web.get("/signups/contribution?declared_income=1500000").status_code == 200
        saved = web.post(form_url, data=sign_up_form(key))
        assert saved.status_code == 303
        signup_id = int(saved.location.rsplit("saved=", 1)[1])
        assert web.get(saved.location).status_code == 200
        # The same worker again on a fresh form: refused, with the NIK as typed back in the page.
        fresh = form_key(web.get(form_url))
        assert web.post(form_url, data=sign_up_form(fresh, full_name="Siti A.")).status_code == 409
        assert web.post("/signups/", data={"q": NIK}).status_code == 200
        assert web.post("/signups/", data={"q": NAME}).status_code == 200
        assert web.get(f"/signups/{signup_id}").status_code == 200
        assert web.post("/logout").status_code == 303

        assert web.post("/login", data={"username": "koordinator", "password": DEMO_PASSWORD}).status_code == 303
        searched = web.post("/signups/", data={"q": "7271 0145 0895 0001"}, headers={"HX-Request": "true"})
        assert searched.status_code == 200
        revealed = web.post(f"/signups/{signup_id}/reveal", headers={"HX-Request": "true"})
        assert NIK in revealed.get_data(as_text=True)
        assert web.get("/reports/export?by=village&format=csv").status_code == 200
        assert web.get("/villages/export.csv").status_code == 200
    return log, web


def test_a_days_work_leaves_no_worker_data_and_one_line_per_request_without_its_query(flow):
    log, web = flow
    for data in WORKER_DATA:
        assert data.lower() not in log.text.lower(), f"{data!r} is in the log"
    request_lines = [REQUEST_LINE.search(line) for line in log.of("campaign_app.request")]
    assert all(request_lines)
    assert [line.group(1) for line in request_lines] == web.request_ids
    assert len(set(web.request_ids)) == len(web.request_ids)
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in web.request_ids)
    paths = [line.group(3) for line in request_lines]
    assert "/signups/nik-check" in paths and "/signups/" in paths and "/reports/export" in paths
    assert not any("?" in path or "=" in path for path in paths)
    assert [line.group(4) for line in request_lines][:2] == ["401", "303"]


def test_a_days_work_logs_each_committed_write_and_each_sign_in_with_its_user(flow, app):
    log, _web = flow
    with app.app_context():
        officer, coordinator = user_named("petugas").id, user_named("koordinator").id
    writes = log.of("campaign_app.write")
    # The searches and the sign-ins wrote nothing; the NIK check and the refused duplicate audited their look-ups.
    assert [re.search(r"endpoint=(\S+)", line).group(1) for line in writes] == [
        "signups.check_nik", "signups.new", "signups.new", "signups.reveal", "reports.export"]
    assert f"user_id={officer} username=petugas endpoint=signups.check_nik changed=audit_entries+1" in writes[0]
    assert f"user_id={officer} username=petugas endpoint=signups.new changed=signups+1" in writes[1]
    assert f"user_id={officer} username=petugas endpoint=signups.new changed=audit_entries+1" in writes[2]
    assert f"user_id={coordinator} username=koordinator endpoint=signups.reveal changed=audit_entries+1" in writes[3]
    assert f"user_id={coordinator} username=koordinator endpoint=reports.export changed=audit_entries+1" in writes[4]
    auth_lines = log.of("campaign_app.auth")
    refused, *accepted = [line for line in auth_lines if "event=sign-in" in line]
    assert " WARNING " in refused
    assert re.search(r"event=sign-in-refused reason=unknown-user typed=hmac:[0-9a-f]{12} address=\S+$", refused)
    assert [re.search(r"event=sign-in user_id=(\d+) ", line).group(1) for line in accepted] == [
        str(officer), str(coordinator)]
    [signed_out] = [line for line in auth_lines if "event=sessions-ended" in line]
    assert f"reason=signed-out user_id={officer} username=petugas sessions=1 by_user_id={officer}" in signed_out


def test_a_wrong_password_names_the_account_it_was_tried_on(app, client):
    with captured_log() as log:
        client.post("/login", data={"username": "Petugas", "password": "not-the-password"})
    [line] = log.of("campaign_app.auth")
    with app.app_context():
        assert f"reason=wrong-password user_id={user_named('petugas').id} username=petugas" in line


def test_the_same_mistyped_name_gives_the_same_digest_and_another_name_another(client):
    with captured_log() as log:
        for typed in (NIK, f" {NIK} ", "7271014508950002"):
            client.post("/login", data={"username": typed, "password": "wrong"})
    digests = [re.search(r"typed=(\S+)", line).group(1) for line in log.of("campaign_app.auth")]
    assert digests[0] == digests[1] != digests[2]


def test_a_path_cannot_break_its_line(client):
    with captured_log() as log:
        client.get("/no%0Asuch page%22")
    [line] = log.lines
    assert "path=/no%0Asuch%20page%22 status=404" in line


def test_a_clients_own_request_id_is_not_taken_without_a_trusted_proxy(client):
    with captured_log() as log:
        response = client.get("/login", headers={"X-Request-ID": "chosen-by-the-client-1"})
    assert response.headers["X-Request-ID"] != "chosen-by-the-client-1"
    assert f"request_id={response.headers['X-Request-ID']} " in log.lines[0]


def test_a_trusted_proxys_request_id_is_kept_when_sane(app_factory):
    client = app_factory(TRUSTED_PROXIES=1).test_client()
    for sent, kept in [("5f0c2a9d8e7b4c3a9f0e1d2c3b4a5968", True), ("req-2026-12-07.0001", True),
                       ("short", False), ("a b", False), ("x" * 200, False), ("id\tforged=line", False),
                       ('"quoted"-id', False), (NIK, False)]:
        with captured_log() as log:
            answered = client.get("/login", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
        assert (answered == sent) is kept, sent
        assert len(log.lines) == 1 and f"request_id={answered} " in log.text
        assert kept or sent not in log.text


def test_an_unexpected_error_is_one_request_line_with_status_500(app_factory):
    app = app_factory()

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    with captured_log() as log:
        assert app.test_client().get("/boom").status_code == 500
    assert len(log.of("campaign_app.request")) == 1 and "path=/boom status=500" in log.text
    assert " ERROR campaign_app " in log.text  # the traceback, under the same request id


def test_a_database_error_does_not_quote_the_values_it_was_given(app):
    with app.app_context(), db.engine.connect() as connection, pytest.raises(DBAPIError) as raised:
        connection.execute(text("SELECT no_such_column FROM users WHERE username = :name"), {"name": NAME})
    assert NAME not in str(raised.value)


def test_a_bulk_update_is_logged_with_its_rows_when_they_are_known(app):
    with app.test_request_context("/villages/import", method="POST"), captured_log() as log:
        db.session.execute(update(Village), [{"code": NEAR_VILLAGE, "notes": "jalan rusak"},
                                             {"code": OTHER_NEAR_VILLAGE, "notes": "perahu"}])
        # A bulk write goes around the audit's flush: it records its entries itself (or its commit fails).
        record_many(AuditAction.CHANGED, actor=None, subject_type="village", entries=[{"subject_name": "2 desa"}])
        db.session.commit()
        db.session.execute(update(Village).where(Village.code == FAR_VILLAGE).values(notes="jauh"))
        record_many(AuditAction.CHANGED, actor=None, subject_type="village", entries=[{"subject_name": "Sidondo"}])
        db.session.commit()
    assert [line.split(" user_id=")[1] for line in log.of("campaign_app.write")] == [
        "- username=- endpoint=villages.import_csv changed=audit_entries+1,villages~2",
        "- username=- endpoint=villages.import_csv changed=audit_entries+1,villages~?"]


def test_a_rolled_back_transaction_logs_no_write(app):
    with app.test_request_context(), captured_log() as log:
        set_travel_hours(NEAR_VILLAGE, "3.5")
        db.session.rollback()
        db.session.commit()
    assert log.of("campaign_app.write") == []


def test_a_savepoint_released_in_a_transaction_rolled_back_logs_no_write(app):
    # A savepoint's release is no commit: the write is logged when the transaction commits, or not at all.
    with app.test_request_context(), captured_log() as log:
        with db.session.begin_nested():
            set_travel_hours(NEAR_VILLAGE, "3.5")
        assert log.of("campaign_app.write") == []
        db.session.rollback()
        db.session.commit()
    assert log.of("campaign_app.write") == []


def test_writes_in_a_savepoint_are_logged_once_with_the_transaction_s_commit(app):
    with app.test_request_context(), captured_log() as log:
        with db.session.begin_nested():
            set_travel_hours(NEAR_VILLAGE, "3.5")
        set_travel_hours(FAR_VILLAGE, "5")
        db.session.commit()
    [line] = log.of("campaign_app.write")
    assert line.endswith("changed=villages~2"), line


def test_writes_outside_a_request_are_not_logged(app):
    with app.app_context(), captured_log() as log:
        set_travel_hours(NEAR_VILLAGE, "3.5")
        db.session.commit()
    assert log.lines == []
