"""The monthly payment status file in a real browser: the upload swaps in its import's progress, which polls every
2 s (htmx) until the report replaces it and the polling stops; the address is the job's page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser


def test_an_upload_shows_its_progress_then_the_report_without_a_reload(page, live_app, live_server, tmp_path):
    live_app.config["PAYMENT_IMPORT_RUNNER"] = "thread"
    live_app.config["PAYMENT_IMPORT_FOLDER"] = str(tmp_path)
    sign_in(page, live_server, "admin")
    page.goto("/signups/payment-status")
    rows = "".join(f"72710145089{n:05d};aktif;2026-11\n" for n in range(3)) + "123;aktif;2026-11\n"
    page.set_input_files("#file", files=[{"name": "status.csv", "mimeType": "text/csv",
                                          "buffer": ("nik;status;periode_terakhir\n" + rows).encode()}])
    key = page.locator("#upload_key").input_value()
    page.locator("form[enctype] button.primary").click()
    progress = page.locator("#import-progress")
    expect(progress).to_be_visible()
    expect(page).to_have_url(re.compile(r"/signups/payment-status/imports/\d+$"))
    # The job runs in a thread of the server; the fragment polls until its report.
    expect(progress.locator("[role=status]")).to_have_text(re.compile(r"^4 (rows read|baris dibaca)\.$"),
                                                           timeout=15_000)
    expect(progress).not_to_have_attribute("hx-trigger", "every 2s")
    # The form's one-time key was renewed: the next file is another job.
    assert page.locator("#upload_key").input_value() != key
