"""Filtered lists are not one big live region read whole after every filter: each says its count in one short live
line (role=status) outside the part htmx replaces, and an htmx answer updates that line out of band."""

import re

import pytest

HTMX = {"HX-Request": "true"}
LIVE_LINE = re.compile(r'<p id="list-summary" class="visually-hidden" role="status">([^<]*)</p>')
UPDATE = re.compile(r'<p hx-swap-oob="innerHTML:#list-summary">([^<]*)</p>')

# (role, path, the replaced region's id, the count said)
LISTS = [
    ("coordinator", "/villages/where-next", "ranking", r"\d+ villages to visit"),
    ("coordinator", "/villages/?q=sidondo", "results", r"\d+ villages?"),
    ("coordinator", "/villages/", "results", r"\d+ areas?"),
    ("coordinator", "/signups/", "results", r"\d+ sign-ups?"),
    ("manager", "/reports/", "view", r"\d+ sign-ups?"),
    ("coordinator", "/visits/", "results", r"\d+ visits?"),
]


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("role", "path", "region", "said"), LISTS)
def test_the_page_says_its_count_in_one_live_line_and_the_list_is_not_live(auth, role, path, region, said):
    client = auth.reading_english(role)
    page = text(client.get(path))
    assert re.fullmatch(said, LIVE_LINE.findall(page)[0])
    assert len(LIVE_LINE.findall(page)) == 1 and not UPDATE.search(page)
    opening = re.search(rf'<div id="{region}"[^>]*>', page).group(0)
    assert "aria-live" not in opening
    assert page.index('id="list-summary"') < page.index(opening)


@pytest.mark.parametrize(("role", "path", "region", "said"), LISTS)
def test_an_htmx_answer_updates_the_live_line_out_of_band(auth, role, path, region, said):
    client = auth.reading_english(role)
    fragment = text(client.get(path, headers=HTMX))
    assert "<html" not in fragment and 'id="list-summary"' not in fragment
    (update,) = UPDATE.findall(fragment)
    assert re.fullmatch(said, update)


def test_a_posted_sign_up_search_announces_what_it_found(auth):
    client = auth.reading_english("coordinator")
    fragment = text(client.post("/signups/", data={"q": "tidak-ada-nama-begini"}, headers=HTMX))
    assert UPDATE.findall(fragment) == ["0 sign-ups"]


def test_a_search_that_cannot_be_used_is_what_the_live_line_says(auth):
    client = auth.reading_english("coordinator")
    fragment = text(client.get("/villages/", query_string={"q": "x" * 500}, headers=HTMX))
    (update,) = UPDATE.findall(fragment)
    assert update.startswith("This search cannot be used:")


def test_the_count_is_said_in_indonesian(auth, client):
    auth.login_as("coordinator")
    assert re.fullmatch(r"\d+ desa untuk dikunjungi", UPDATE.findall(
        text(client.get("/villages/where-next", headers=HTMX)))[0])
    assert re.fullmatch(r"\d+ kunjungan", LIVE_LINE.findall(text(client.get("/visits/")))[0])
