"""Every page each role reaches, looked at in a real browser on a 360 × 740 phone and a 1280 × 800 desk.

The crawler (``tests/crawler.py``) finds every page a role reaches from home; the browser opens one address of each
endpoint (and the comparison of four campaigns, which only a ticked form reaches) at both widths. No page may be
wider than the screen, axe-core may find no violation, and on the officer's pages every control must be at least
44 × 44 px (a checkbox counts by its label's box). The officer's visit day and refused forms are looked at too:
after-action states the crawl cannot reach. A screenshot of every page at both widths is kept in
``test-results/screens/<role>/`` to flip through.

Fast by design: one live server and one browser for the module, one page per role and width; axe-core (the slow
part, ~0.4 s a page) runs once per endpoint on the phone, on the first role that reaches it, and on each role's
home at both widths.
"""

import base64
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from campaign_app.clock import today
from campaign_app.demo.seed import DEMO_PASSWORD, PALU_BRANCH
from campaign_app.extensions import db
from campaign_app.models import Branch, Campaign, User, Visit, VisitOfficer, VisitStatus
from campaign_app.navigation import grouped_menu_for, menu_for
from tests.browser.conftest import RESULTS, policy_blocks, served
from tests.browser.test_sign_in import sign_in, too_wide
from tests.conftest import DEMO_USERS, app_on_copy, csrf_token_from
from tests.crawler import Crawler

pytestmark = [
    pytest.mark.browser,
    # What it looks at (widths, targets, accessibility) is the same on either database: the SQLite pass runs it, and
    # the PostgreSQL pass saves its two minutes (the suite is a budget too).
    pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="layout: checked in the SQLite pass"),
]

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# device_scale_factor 1 keeps the screenshots small and quick to take; the layout is the same as at 2.
WIDTHS = {
    360: {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    1280: {"viewport": {"width": 1280, "height": 800}},
}
PHONE, DESK = 360, 1280
ROLES = list(DEMO_USERS)
# WCAG 2.5.5 (target size, enhanced): what a thumb hits on a cheap phone in the field.
MIN_TARGET = 44
# One row of the header: a 44 px control and its padding.
ONE_ROW = 60
SCREENS = RESULTS / "screens"

# The controls a person taps; a checkbox or radio counts by the label around it or naming it, which the browser makes
# tappable with it. Controls not drawn (hidden, in a closed menu) or off-screen (the skip link until it has the focus)
# are left out.
SMALL_TARGETS = """min => {
    const small = [], seen = new Set();
    for (const control of document.querySelectorAll(
            'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
        let box = control;
        if (control.matches('input[type=checkbox], input[type=radio]')) {
            box = control.closest('label')
                || (control.id && document.querySelector(`label[for="${control.id}"]`)) || control;
        }
        if (seen.has(box)) continue;
        seen.add(box);
        const r = box.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.right <= 0 || r.bottom <= 0) continue;
        if (r.width < min || r.height < min) {
            const name = (box.innerText || control.value || control.name || '').trim().slice(0, 30);
            small.push(`${control.tagName.toLowerCase()}${control.type ? '[' + control.type + ']' : ''} ` +
                       `"${name}" ${Math.round(r.width)}×${Math.round(r.height)}`);
        }
    }
    return small;
}"""

AXE_RUN = """() => axe.run(document, {resultTypes: ['violations']}).then(result => result.violations.map(v =>
    `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`))"""

# The focused element, named for a message: its id, else its tag.
FOCUSED = "() => document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : null"
FIRST_INVALID = "() => (document.querySelector('[aria-invalid=true]') || {}).id || null"
FOCUS_ON_FIRST_INVALID = ("() => { const first = document.querySelector('[aria-invalid=true]'); "
                          "return first !== null && document.activeElement === first; }")


@dataclass
class Screen:
    """One page (or one state of a page) at one width, as the browser drew it."""

    name: str
    width: int
    scroll_width: int
    too_wide: list[str]
    violations: list[str]
    small_targets: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = []
        if self.scroll_width > self.width:
            found.append(f"{self.scroll_width} px wide; too wide: {self.too_wide}")
        found += [f"axe: {v}" for v in self.violations]
        if self.small_targets:
            found.append(f"under {MIN_TARGET} px: " + ", ".join(self.small_targets))
        return [f"{self.name} at {self.width} px: {p}" for p in found]


class Looker:
    """Looks at what a browser page shows: keeps a screenshot, measures the width, runs axe-core, measures targets."""

    def __init__(self, axe_source: str, folder: Path):
        self.axe_source = axe_source
        self.folder = folder
        self.shots = 0

    def look(self, page: Page, name: str, width: int, *, axe: bool = True, targets: bool = False,
             folder: str = "states", number: int | None = None) -> Screen:
        # Numbered in the order looked at; a page's two widths side by side.
        path = self.folder / folder / f"{self.shots if number is None else number:03d}-{slug(name)}-{width}.jpg"
        path.parent.mkdir(exist_ok=True)
        self.shots += 1
        # JPEG: a third of the time a PNG takes, and fine to flip through.
        path.write_bytes(full_page_jpeg(page))
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        violations = []
        if axe:
            if not page.evaluate("typeof window.axe === 'object'"):
                # Evaluated by the browser's debugger protocol: the page's Content-Security-Policy does not apply.
                page.evaluate(self.axe_source)
            violations = page.evaluate(AXE_RUN)
        return Screen(name=name, width=width, scroll_width=scroll_width,
                      too_wide=too_wide(page, width) if scroll_width > width else [], violations=violations,
                      small_targets=page.evaluate(SMALL_TARGETS, MIN_TARGET) if targets else [])


def full_page_jpeg(page: Page) -> bytes:
    """The whole page as a JPEG, straight from Chromium: a third quicker than ``page.screenshot(full_page=True)``,
    which waits for web fonts (our pages use the device's own) and hides a focused field's caret first."""
    cdp = page.context.new_cdp_session(page)
    try:
        size = cdp.send("Page.getLayoutMetrics")["cssContentSize"]
        shot = cdp.send("Page.captureScreenshot", {
            # optimizeForSpeed: Chromium's faster JPEG encoder, a fifth less time for the same size (measured).
            "format": "jpeg", "quality": 70, "captureBeyondViewport": True, "optimizeForSpeed": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    finally:
        cdp.detach()
    return base64.b64decode(shot["data"])


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "home"


@pytest.fixture(scope="module")
def site(databases) -> Iterator[tuple]:
    """The demo app on its own database copy, served once for the whole module; with CSRF on, as in production."""
    with app_on_copy(databases, databases.fresh_url(), WTF_CSRF_ENABLED=True,
                     SESSION_TOUCH_SECONDS=24 * 3600) as app, served(app) as base_url:
        yield app, base_url


@pytest.fixture(scope="module")
def looker() -> Looker:
    if not AXE.exists():
        message = f"{AXE} is missing: npm ci --prefix tests/browser (python3 dev.py test does it)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " and REQUIRE_BROWSER=1")
        pytest.skip(message)
    shutil.rmtree(SCREENS, ignore_errors=True)
    SCREENS.mkdir(parents=True)
    return Looker(AXE.read_text(), SCREENS)


def pages_of(app, role: str) -> list[tuple[str, str | None]]:
    """(address, endpoint) of every endpoint that answers ``role`` with a page, one address each, in the order the
    crawl found them; and the comparison of four Palu campaigns where the role may compare."""
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": DEMO_USERS[role], "password": DEMO_PASSWORD, "csrf_token": token})
    crawl = Crawler(app, client, role).run("/")
    pages, endpoints = [], set()
    for response in crawl.pages:
        if response.status == 200 and response.endpoint not in endpoints:
            endpoints.add(response.endpoint)
            pages.append((response.url, response.endpoint))
    if "reports.compare_campaigns" in endpoints:
        with app.app_context():
            ids = db.session.scalars(select(Campaign.id).join(Branch, Branch.id == Campaign.branch_id)
                                     .where(Branch.name == PALU_BRANCH).order_by(Campaign.id).limit(4)).all()
        pages.append(("/reports/compare?" + "&".join(f"campaign={i}" for i in ids), "reports.compare (four)"))
    return pages


# Each role's cookies after its first sign-in in the browser, by (server, role): its later pages start signed in, as
# a phone that comes back does (the sign-in itself is tested in test_sign_in.py); about half a second each.
_signed_in: dict[tuple[str, str], dict] = {}


def signed_in_page(browser, base_url: str, role: str, width: int, **options) -> Page:
    state = _signed_in.get((base_url, role))
    context = browser.new_context(base_url=base_url, storage_state=state, **WIDTHS[width], **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    if state is None:
        sign_in(page, base_url, DEMO_USERS[role])
        _signed_in[base_url, role] = context.storage_state()
    else:
        # Where a sign-in lands: the role's home.
        page.goto("/")
        expect(page).to_have_url(f"{base_url}/")
    return page


@dataclass
class Survey:
    """Every page one role reaches, at both widths."""

    role: str
    pages: int = 0
    screens: list[Screen] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


class Surveys:
    """Each role's survey, made the first time a test asks for it."""

    def __init__(self, browser, site, looker: Looker):
        self.browser, (self.app, self.base_url), self.looker = browser, site, looker
        self._done: dict[str, Survey] = {}
        # Endpoints axe-core has checked, on whichever role reached them first.
        self.checked: set[str | None] = set()

    def __getitem__(self, role: str) -> Survey:
        if role not in self._done:
            self._done[role] = self._survey(role)
        return self._done[role]

    def _survey(self, role: str) -> Survey:
        survey = Survey(role)
        pages = pages_of(self.app, role)
        survey.pages = len(pages) + 1
        for width in WIDTHS:
            page = signed_in_page(self.browser, self.base_url, role, width)
            survey.blocked += policy_blocks(page)
            # The officer taps: every control on the phone is measured, the menu's with the menu open.
            targets = role == "officer" and width == PHONE
            for index, (url, endpoint) in enumerate(pages):
                page.goto(url, wait_until="domcontentloaded")
                # The same page at both widths has the same markup: axe-core reads it on the phone, where tables
                # scroll inside their boxes; on the desk only each role's home, for the menu laid out in a line.
                axe = endpoint == "home.index" or (width == PHONE and endpoint not in self.checked)
                self.checked.add(endpoint)
                survey.screens.append(self.looker.look(page, url, width, axe=axe, targets=targets,
                                                       folder=role, number=index))
            page.goto("/", wait_until="domcontentloaded")
            menu = page.locator("header .menu > summary")
            if menu.is_visible():
                menu.click()
            for group in page.locator("header .group > summary").all():
                group.click()
            survey.screens.append(self.looker.look(page, "/ (menu open)", width, targets=targets, folder=role,
                                                   number=len(pages)))
            page.context.close()
        return survey


@pytest.fixture(scope="module")
def surveys(browser, site, looker) -> Surveys:
    return Surveys(browser, site, looker)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_is_wider_than_the_screen(surveys, role):
    wide = [p for s in surveys[role].screens for p in s.problems() if "wide" in p]
    assert not wide, f"{role}: pages wider than the screen:\n  " + "\n  ".join(wide)


@pytest.mark.parametrize("role", ROLES)
def test_axe_finds_no_violation_on_any_page(surveys, role):
    found = [p for s in surveys[role].screens for p in s.problems() if ": axe: " in p]
    assert not found, f"{role}: axe-core violations:\n  " + "\n  ".join(found)


def test_every_control_on_the_officers_pages_is_big_enough_for_a_thumb(surveys):
    small = [p for s in surveys["officer"].screens for p in s.problems() if " px: under " in p]
    assert not small, f"controls under {MIN_TARGET}×{MIN_TARGET} px on the officer's phone:\n  " + "\n  ".join(small)


@pytest.mark.parametrize("role", ROLES)
def test_the_content_security_policy_blocks_nothing_on_any_page(surveys, role):
    assert not surveys[role].blocked, "\n".join(surveys[role].blocked)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_kept_as_a_screenshot_at_both_widths(surveys, role):
    survey = surveys[role]
    shots = sorted((SCREENS / role).glob("*.jpg"))
    assert len(shots) == len(survey.screens) == 2 * survey.pages
    assert {360, 1280} == {int(shot.stem.rsplit("-", 1)[1]) for shot in shots}


# The menu

@pytest.mark.parametrize("role", ROLES)
def test_a_phone_gets_a_one_row_header_whose_menu_opens_without_javascript(role, browser, site):
    app, base_url = site
    page = signed_in_page(browser, base_url, role, PHONE, java_script_enabled=False)
    header = page.locator("header")
    assert header.bounding_box()["height"] <= ONE_ROW
    navigation = page.locator("header nav")
    expect(navigation).to_be_hidden()

    page.locator("header .menu > summary").click()
    expect(navigation).to_be_visible()
    expect(navigation.locator("a")).to_have_count(len(menu_for(role)))
    groups = navigation.locator(".group > summary")
    expect(groups).to_have_count(sum(1 for entry in grouped_menu_for(role) if entry.links))
    for link in navigation.locator(":scope > a").all():
        expect(link).to_be_visible()
    # One group open at a time: each shows its destinations when tapped.
    for group in navigation.locator(".group").all():
        group.locator("summary").click()
        for link in group.locator("a").all():
            expect(link).to_be_visible()
    page.context.close()


def test_the_administrators_menu_fits_one_line_at_1280_px_with_sign_out_on_it(browser, site):
    app, base_url = site
    page = signed_in_page(browser, base_url, "admin", DESK)
    header = page.locator("header").bounding_box()
    assert header["height"] <= ONE_ROW, f"the header is {header['height']} px high"
    entries = page.locator("header nav > a, header nav > .group > summary")
    expect(entries).to_have_count(len(grouped_menu_for("admin")))
    sign_out = page.locator("header .signout button").bounding_box()
    for entry in entries.all():
        box = entry.bounding_box()
        assert box["y"] + box["height"] <= header["height"] and box["x"] + box["width"] <= sign_out["x"]

    # A drop-down per group, one open at a time.
    reports = page.locator("header nav .group").filter(has=page.locator("a[href='/reports/']"))
    reports.locator("summary").click()
    expect(reports.locator("a[href='/reports/']")).to_be_visible()
    fieldwork = page.locator("header nav .group").filter(has=page.locator("a[href='/visits/']"))
    fieldwork.locator("summary").click()
    expect(reports.locator("a[href='/reports/']")).to_be_hidden()
    fieldwork.locator("a[href='/visits/']").click()
    expect(page).to_have_url(f"{base_url}/visits/")
    page.context.close()


# The skip link and the focus after a refusal

def test_the_first_tab_reaches_a_skip_link_that_moves_the_focus_to_the_content(browser, site):
    app, base_url = site
    page = signed_in_page(browser, base_url, "coordinator", PHONE)
    page.goto("/visits/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Langsung ke isi")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.context.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["without-javascript", "with-javascript"])
def test_a_refused_form_has_the_focus_on_its_first_field_in_error(javascript, browser, site, looker):
    app, base_url = site
    page = signed_in_page(browser, base_url, "admin", DESK, java_script_enabled=javascript)
    page.goto("/campaigns/new")
    page.locator("main form button.primary").click()
    expect(page.locator("main .flash.error")).to_be_visible()
    first = page.evaluate(FIRST_INVALID)
    assert first is not None and page.evaluate(FOCUSED) == first
    # axe-core needs JavaScript (its promise never settles without): the page with it is the same markup.
    screen = looker.look(page, "campaign refused", DESK) if javascript else None
    page.context.close()
    assert screen is None or not screen.problems(), "\n".join(screen.problems() if screen else [])


def test_a_refused_sign_in_is_clean_and_focuses_the_field(browser, site, looker):
    app, base_url = site
    context = browser.new_context(base_url=base_url, **WIDTHS[PHONE])
    page = context.new_page()
    screens = []
    page.goto("/login")
    screens.append(looker.look(page, "sign-in", PHONE, targets=True))
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "wrong password")
    page.locator("main form button.primary").click()
    expect(page.locator("main .flash.error, main .err").first).to_be_visible()
    screens.append(looker.look(page, "sign-in refused", PHONE, targets=True))
    context.close()
    problems = [p for s in screens for p in s.problems()]
    assert not problems, "\n".join(problems)


# The officer's visit day: the states the crawl cannot reach, each looked at on the phone

@pytest.fixture(scope="module")
def todays_visit(site) -> int:
    app, _base_url = site
    with app.app_context():
        visit_id = db.session.scalar(
            select(Visit.id).join(VisitOfficer, VisitOfficer.visit_id == Visit.id)
            .join(User, User.id == VisitOfficer.officer_id)
            .where(User.username == DEMO_USERS["officer"], Visit.visit_date == today(),
                   Visit.status == VisitStatus.PLANNED)
            .order_by(Visit.id).limit(1))
    assert visit_id is not None, "the demo seed gives the officer a planned visit today"
    return visit_id


def focus_moves_to_the_first_field_in_error(page) -> None:
    """Focus lands on the first field in error once the swapped refusal has settled (htmx settles after a beat)."""
    try:
        page.wait_for_function(FOCUS_ON_FIRST_INVALID, timeout=5000)
    except PlaywrightTimeout:
        raise AssertionError(f"htmx swapped the refusal; the focus stayed on {page.evaluate(FOCUSED)}, not on "
                             f"{page.evaluate(FIRST_INVALID)}") from None


def test_the_officers_visit_day_is_clean_at_every_step_and_closing_asks_first(browser, site, looker, todays_visit):
    app, base_url = site
    page = signed_in_page(browser, base_url, "officer", PHONE)
    screens: list[Screen] = []

    def look(name: str) -> None:
        screens.append(looker.look(page, name, PHONE, targets=True, folder="officer-day"))

    page.goto(f"/field/visits/{todays_visit}")
    page.locator("main form button.primary.big").click()
    expect(page.locator("#attendance form")).to_be_visible()
    look("visit started")

    page.locator("#attendance button.primary").click()
    expect(page.locator("#attendance [aria-invalid=true]").first).to_be_visible()
    focus_moves_to_the_first_field_in_error(page)
    look("attendance refused")
    page.locator("#attendance input[name=women]").fill("5")
    page.locator("#attendance input[name=men]").fill("3")
    page.locator("#attendance button.primary").click()
    expect(page.locator("#attendance .flash.success")).to_be_visible()

    page.locator("main a.button.primary.big").click()
    expect(page.locator("#signup form")).to_be_visible()
    look("sign-up form")
    page.locator("#signup button.primary").click()
    expect(page.locator("#signup [aria-invalid=true]").first).to_be_visible()
    focus_moves_to_the_first_field_in_error(page)
    look("sign-up refused")

    page.goto(f"/field/visits/{todays_visit}")
    confirm = page.locator("details.confirm")
    confirm.locator("summary").click()
    # The first tap only asks: the visit is still open.
    expect(confirm.locator("button")).to_be_visible()
    expect(page.locator("#attendance form")).to_be_visible()
    look("closing asked")
    confirm.locator("button").click()
    expect(page.locator("main .tiles")).to_be_visible()
    look("visit closed")
    page.context.close()

    problems = [p for s in screens for p in s.problems()]
    assert not problems, "\n".join(problems)
