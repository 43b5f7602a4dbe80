"""The reports' charts and the comparison's choices, read on a 360 px phone and a 1280 px laptop.

The demo manager opens the dashboard, the comparison of two Palu campaigns and the home page: every chart label
renders at least 11 px high, no chart reaches past the screen, and each campaign's name to tick takes at most
three lines.
"""

import pytest
from sqlalchemy import select

from campaign_app.demo.seed import PALU_BRANCH
from campaign_app.extensions import db
from campaign_app.models import Branch, Campaign
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser
SCREENS = {"phone": {"width": 360, "height": 740}, "laptop": {"width": 1280, "height": 800}}
# Each chart text's rendered size: its font size scaled by the SVG's drawn width over its viewBox's.
LABEL_SIZES = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
})"""
CHART_RIGHTS = "() => [...document.querySelectorAll('svg.chart')].map(svg => svg.getBoundingClientRect().right)"
# How many lines each campaign's label takes: its height over its line height.
CHOICE_LINES = """() => [...document.querySelectorAll('.checks.campaigns label')].map(label =>
    Math.round(label.getBoundingClientRect().height / parseFloat(getComputedStyle(label).lineHeight)))"""


@pytest.fixture
def two_campaigns(live_app):
    with live_app.app_context():
        ids = list(db.session.scalars(
            select(Campaign.id).join(Branch, Branch.id == Campaign.branch_id).where(Branch.name == PALU_BRANCH)
            .order_by(Campaign.starts_on.desc(), Campaign.id.desc()).limit(2)))
    assert len(ids) == 2
    return ids


@pytest.mark.parametrize("screen", list(SCREENS))
def test_charts_are_readable_and_choices_short_on_every_screen(browser, live_server, two_campaigns, screen,
                                                               results_dir):
    context = browser.new_context(base_url=live_server, viewport=SCREENS[screen])
    context.set_default_timeout(10_000)
    page = context.new_page()
    width = SCREENS[screen]["width"]
    try:
        sign_in(page, live_server, "manajer")
        query = "&".join(f"campaign={id_}" for id_ in two_campaigns)
        for name, path in (("home", "/"), ("dashboard", "/reports/"), ("compare", f"/reports/compare?{query}")):
            page.goto(path)
            sizes = page.evaluate(LABEL_SIZES)
            page.screenshot(path=str(results_dir / f"charts-{name}-{screen}.png"), full_page=True)
            assert sizes, f"no chart on {path}"
            assert min(sizes) >= 11, f"{path} at {width} px: a chart label renders {min(sizes):.1f} px"
            assert max(page.evaluate(CHART_RIGHTS)) <= width, f"{path} at {width} px: a chart is cut off"
            if name == "compare":
                lines = page.evaluate(CHOICE_LINES)
                assert lines and max(lines) <= 3, f"a campaign to tick takes {max(lines)} lines at {width} px"
    finally:
        context.close()
