"""The manager's home: sign-ups this month and last, activation and cost per sign-up, and the monthly trend, for the
branches the manager follows (the hand-built world of tests/reports_data.py, seen on 20 October 2026)."""

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import Branch, Role, User
from campaign_app.users.service import create_user
from tests.conftest import DEMO_PASSWORD, counting_statements
from tests.reports_data import add_copies, load_world

SEEN_ON = date(2026, 10, 20)


@pytest.fixture
def manager(app, world_keys, monkeypatch):
    """A manager of the world's branch alone, signed in on 20 October 2026."""
    monkeypatch.setattr("campaign_app.clock.today", lambda: SEEN_ON)
    with app.app_context():
        if db.session.scalar(select(User).where(User.username == "manajer_utara")) is None:
            create_user(username="manajer_utara", full_name="Manajer Utara", password=DEMO_PASSWORD,
                        role=Role.MANAGER, branch=db.session.get(Branch, world_keys.branch))
            db.session.commit()
    return "manajer_utara"


def home(auth, username: str) -> str:
    auth.login(username)
    auth.client.post("/language", data={"language": "en"})
    response = auth.client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def tile(body: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", body)
    assert match, f"no tile {label!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def test_the_manager_sees_this_month_s_sign_ups_against_last_month_s(auth, manager):
    body = home(auth, manager)
    # October: V3's 2 and V4's 1; September: V1's 4 and V2's 2.
    assert tile(body, "This month") == "3 −3 on last month"
    assert tile(body, "Last month") == "6"


def test_the_manager_sees_activation_and_cost_per_sign_up_of_the_last_12_months(auth, manager):
    body = home(auth, manager)
    assert tile(body, "Activation, 12 months") == "3 of 9 too few to compare"
    # Rp1,000,000 of done visits over their 8 sign-ups.
    assert tile(body, "Cost per sign-up, 12 months") == "Rp125.000 (Rp1.000.000 ÷ 8, too few to compare)"


def test_the_manager_sees_a_monthly_trend_chart_with_its_numbers(auth, manager):
    body = home(auth, manager)
    svg = re.search(r"<svg[^>]*>.*?</svg>", body, re.S).group(0)
    assert 'aria-labelledby="home-trend-title home-trend-desc"' in svg and 'class="axis-title">Month</text>' in svg
    assert ">Nov 2025</text>" in svg and ">Oct 2026</text>" in svg
    table = re.search(r"<details>.*?</details>", body, re.S).group(0)
    assert table.count("<tr>") == 1 + 12
    assert "<td>October 2026</td><td class=\"num\">3</td><td class=\"num\">1</td>" in table


def test_another_branch_s_sign_ups_are_not_counted(auth, manager):
    # The Luwuk branch's 2 sign-ups of September are not the manager's.
    assert tile(home(auth, manager), "Last month") == "6"


def test_the_manager_s_home_asks_as_many_statements_whatever_the_data(app, auth, manager, world_keys):
    auth.login(manager)
    auth.client.get("/")
    with counting_statements(app) as before:
        auth.client.get("/")
    with app.app_context():
        add_copies(load_world(world_keys), 5)
        db.session.commit()
    with counting_statements(app) as after:
        body = auth.client.get("/").get_data(as_text=True)
    assert len(after) == len(before) and "Rp" in body
    assert sum("FROM monthly_results" in statement for statement in after) == 1
