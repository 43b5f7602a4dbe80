"""A coordinator searches the sign-ups by NIK and by name in a real browser: the answer comes, and neither the
address bar nor any request's address or Referer ever holds what was typed."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import Branch, SignUp, SignUpStatus
from campaign_app.signups.personal_data import decrypt_nik
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser


def a_palu_worker(app) -> tuple[str, str]:
    """The NIK and the name of a registered demo sign-up of Palu."""
    with app.app_context():
        ciphertext, name = db.session.execute(
            select(SignUp.nik_ciphertext, SignUp.full_name).join(Branch, Branch.id == SignUp.branch_id)
            .where(Branch.name == "Kantor Cabang Palu", SignUp.status == SignUpStatus.REGISTERED).order_by(SignUp.id)
        ).first()
        nik = decrypt_nik(ciphertext)
        db.session.remove()
    return nik, name


def test_a_search_by_nik_or_name_answers_without_putting_either_in_an_address(page, live_app, live_server):
    nik, name = a_palu_worker(live_app)
    sent = []
    page.on("request", lambda request: sent.append((request.url, request.headers.get("referer", ""))))
    sign_in(page, live_server, "koordinator")
    page.goto("/signups/?status=registered")
    for typed, rows in ((nik, 1), (name.split()[0], None)):
        with page.expect_response(lambda response: response.request.method == "POST") as answered:
            page.get_by_role("searchbox").fill(typed)
        assert answered.value.ok
        expect(page.locator("#results tbody")).to_contain_text(name)
        if rows:
            expect(page.locator("#results tbody tr")).to_have_count(rows)
    expect(page).to_have_url(f"{live_server}/signups/?status=registered")
    for url, referer in sent:
        for typed in (nik, name.split()[0]):
            assert typed not in url and typed not in referer, (typed, url, referer)
