"""On a phone a list's table is stacked, one cell under another, and its header row hidden: each cell after the
first (the row's name) carries its column's label, which the phone layout shows before it (``data-label``)."""

import re
from html.parser import HTMLParser

import pytest

from campaign_app import PROJECT_ROOT, clock
from campaign_app.extensions import db
from tests.factories import TODAY, branch_named, make_campaign, make_officer, make_visit


class StackedCells(HTMLParser):
    """The cells of the body rows of every stacked table (``table.list.stack``): each as (data-label, text)."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[list]] = []
        self._depth = 0  # inside a stacked table's body
        self._cell: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "stack" in (attrs.get("class") or "").split():
            self._depth = 1
        elif self._depth and tag == "tbody":
            self._depth = 2
        elif self._depth == 2 and tag == "tr":
            self.rows.append([])
        elif self._depth == 2 and tag == "td" and "colspan" not in attrs:
            self._cell = [attrs.get("data-label"), ""]
            self.rows[-1].append(self._cell)

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None
        elif tag == "table":
            self._depth = 0

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data


def stacked_rows(html: str) -> list[list[list]]:
    parser = StackedCells()
    parser.feed(html)
    return [row for row in parser.rows if row]


def unlabelled(html: str) -> list[str]:
    """The text of every cell after a row's first that says nothing of what it is."""
    return [text.strip() for row in stacked_rows(html) for label, text in row[1:] if not label]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def booked_officer(app):
    with app.app_context():
        officer = make_officer(name="Aa Petugas Berlabel")
        make_visit(make_campaign(), on=TODAY, officers=[officer])
        db.session.commit()


def test_the_stylesheet_shows_a_cells_label_before_it_on_a_phone():
    css = (PROJECT_ROOT / "static" / "css" / "app.css").read_text()
    phone = r"@media \(max-width:40rem\)\{[^@]*"
    assert re.search(phone + r"\.list\.stack td\[data-label\]::before\{content:attr\(data-label\)", css)


def test_every_number_of_the_officers_roster_says_what_it_counts(coordinator, booked_officer):
    page = coordinator.get("/officers/").get_data(as_text=True)
    rows = stacked_rows(page)
    assert rows and unlabelled(page) == []
    row = next(row for row in rows if "Aa Petugas Berlabel" in row[0][1])
    assert [label for label, _text in row[1:]] == ["Visits this week", "Workload", "Visits, next 30 days",
                                                    "Leave days, next 30 days"]


def test_the_roster_labels_its_cells_in_indonesian_too(auth, client, booked_officer):
    auth.login_as("coordinator")
    page = client.get("/officers/").get_data(as_text=True)
    assert 'data-label="Kunjungan minggu ini"' in page and 'data-label="Beban kerja"' in page
    assert unlabelled(page) == []


def test_the_branch_page_names_each_count_of_its_regencies(app, admin):
    with app.app_context():
        branch_id = branch_named().id
    page = admin.get(f"/branches/{branch_id}").get_data(as_text=True)
    rows = stacked_rows(page)
    assert rows and unlabelled(page) == []
    assert [label for label, _text in rows[0][1:]] == ["Province", "Districts", "Villages"]
