"""A list's filter form carries its htmx attributes once, on the <form>: its fields carry none."""

import re

import pytest

FORM = re.compile(r'<form method="(?P<method>get|post)" action="(?P<action>[^"]+)"(?P<attrs>[^>]*)>'
                  r'(?P<body>.*?)</form>', re.S)


@pytest.mark.parametrize(("role", "path", "target", "trigger"), [
    ("admin", "/villages/", "#results", "input changed delay:300ms, search"),
    ("admin", "/users/", "#results", "input changed delay:300ms, search"),
    ("admin", "/audit/", "#results", "input changed delay:300ms, search"),
    ("admin", "/campaigns/", "#results", "change"),
    ("admin", "/visits/", "#results", "change"),
    ("manager", "/officers/", "#roster", "change target:#branch"),
])
def test_a_filter_form_carries_its_htmx_attributes_once(auth, role, path, target, trigger):
    page = auth.reading_english(role).get(path).get_data(as_text=True)
    form = next(match for match in FORM.finditer(page) if match["action"] == path)
    assert f'hx-get="{path}"' in form["attrs"] and f'hx-target="{target}"' in form["attrs"]
    assert f'hx-trigger="{trigger}"' in form["attrs"] and 'hx-push-url="true"' in form["attrs"]
    assert "hx-" not in form["body"]


def test_the_sign_up_search_is_posted_with_its_htmx_attributes_once(auth):
    # A name or a NIK searched for stays out of the address: the answer pushes the address of the other filters.
    page = auth.reading_english("admin").get("/signups/").get_data(as_text=True)
    form = next(match for match in FORM.finditer(page) if match["action"] == "/signups/")
    assert form["method"] == "post" and 'hx-post="/signups/"' in form["attrs"]
    assert 'hx-target="#results"' in form["attrs"] and 'hx-trigger="input changed delay:300ms, search"' in form["attrs"]
    assert "hx-push-url" not in form["attrs"] and "hx-" not in form["body"]


def test_the_roster_s_trigger_names_its_branch_field(auth):
    page = auth.reading_english("manager").get("/officers/").get_data(as_text=True)
    assert re.search(r'<select[^>]* id="branch"', page) or re.search(r'<select id="branch"', page)
