"""What a screen reader and a keyboard rely on, on every page a role reaches: a skip link first, and ARIA references
that name elements the page holds. (The browser test ``tests/browser/test_every_screen.py`` runs axe-core, which
does not fail a reference to a missing id.)"""

from html.parser import HTMLParser

import pytest

from tests.web.conftest import ROLES

REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls", "for")
FOCUSABLE = ("a", "button", "input", "select", "textarea", "summary")


class _Structure(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.references: list[tuple[str, str, str]] = []
        self.first_focusable: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attr_list):
        attrs = dict(attr_list)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in REFERENCES:
            for target in (attrs.get(name) or "").split():
                self.references.append((tag, name, target))
        focusable = tag in FOCUSABLE and attrs.get("type") != "hidden" and (tag != "a" or "href" in attrs)
        if self.first_focusable is None and focusable:
            self.first_focusable = {"tag": tag, "class": attrs.get("class"), "href": attrs.get("href")}


def structure(body: bytes) -> _Structure:
    parsed = _Structure()
    parsed.feed(body.decode("utf-8", errors="replace"))
    parsed.close()
    return parsed


@pytest.mark.parametrize("role", ROLES)
def test_every_aria_reference_names_an_element_of_the_page(demo_crawls, role):
    missing = []
    for page in demo_crawls[role].pages:
        parsed = structure(page.body)
        missing += [f"  <{tag} {name}={target!r}> on {page.describe()}"
                    for tag, name, target in parsed.references if target not in parsed.ids]
    assert not missing, f"references to ids the page does not hold ({role}):\n" + "\n".join(sorted(set(missing)))


@pytest.mark.parametrize("role", ROLES)
def test_the_first_thing_the_tab_key_reaches_is_the_skip_link_to_the_content(demo_crawls, role):
    wrong = [page.describe() for page in demo_crawls[role].pages
             if structure(page.body).first_focusable != {"tag": "a", "class": "skip", "href": "#main"}]
    assert not wrong, f"pages whose first stop is not the skip link ({role}):\n  " + "\n  ".join(wrong)
