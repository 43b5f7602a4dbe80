"""One template, two renderings: the whole page, or for htmx only the named block."""

from flask import make_response, render_template
from jinja2_fragments.flask import render_block

from campaign_app.extensions import htmx


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page (not boosted, not a history restore)."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, fragment: str | None = None, status: int = 200, **context):
    """Render ``template`` as a page, or only its block ``fragment`` for a partial htmx request."""
    if fragment and wants_fragment():
        body = render_block(template, fragment, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
