"""Every record id in a URL goes through one converter (``<id:...>``, campaign_app/ids.py)."""

import pytest
from flask import url_for

from campaign_app.ids import IdConverter


def test_every_id_in_a_url_uses_the_id_converter(app):
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if name.endswith("_id"):
                assert isinstance(converter, IdConverter), (rule.rule, name)


@pytest.mark.parametrize("text", ["0", "-1", "abc", "2147483648", "99999999999999999999", "٣", "1.0"])
@pytest.mark.parametrize("path", ["/visits/{}", "/campaigns/{}", "/signups/{}", "/subsidies/{}", "/users/{}"])
def test_what_is_no_id_is_not_found(admin, path, text):
    assert admin.get(path.format(text)).status_code == 404


def test_the_largest_id_is_looked_up_and_not_found(admin):
    assert admin.get("/visits/2147483647").status_code == 404


def test_urls_are_built_with_the_id(app):
    with app.test_request_context():
        assert url_for("visits.show", visit_id=12) == "/visits/12"
