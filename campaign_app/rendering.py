"""One template, two renderings: the whole page, or for htmx only the named block."""

from collections.abc import Callable
from functools import wraps

from flask import make_response, redirect, render_template
from jinja2_fragments.flask import render_block

from campaign_app.extensions import htmx


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page (not boosted, not a history restore).

    Only this module and ``campaign_app.answers`` ask: routes say which block is their fragment and let them decide.
    """
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def rendering(fragment: str | None) -> str:
    """Which rendering ``render`` sends for ``fragment``: its name, or ``"page"``; part of the key of an answer kept in
    memory (campaign_app/page_once.py)."""
    return fragment if fragment and wants_fragment() else "page"


def render(template: str, fragment: str | None = None, status: int = 200, *,
           page_context: Callable[[], dict] | None = None, fragment_context: Callable[[], dict] | None = None,
           push_url: str | None = None, in_place_of: str | None = None, **context):
    """Render ``template`` as a page, or only its block ``fragment`` for a partial htmx request.

    ``page_context`` and ``fragment_context`` give what only that rendering shows: computed (queries and all) only
    when it is the one sent. ``push_url`` is the address the browser shows after an htmx swap (``HX-Push-Url``).
    ``in_place_of``: the fragment (a page's content) replaces that element, whatever the request aimed at: the next
    page in the answer to a form of the one before (``HX-Retarget``).
    """
    if fragment and wants_fragment():
        if fragment_context is not None:
            context.update(fragment_context())
        body = render_block(template, fragment, **context)
        headers = {"HX-Push-Url": push_url} if push_url else {}
        if in_place_of:
            headers.update({"HX-Retarget": in_place_of, "HX-Reswap": "outerHTML"})
    else:
        if page_context is not None:
            context.update(page_context())
        body = render_template(template, **context)
        headers = {}
    response = make_response(body, status, headers)
    response.vary.add("HX-Request")
    return response


def fragment_only(elsewhere: Callable[[], str]):
    """Declare an endpoint that answers htmx with a fragment only; any other request (no JavaScript) is sent on
    with a 303 to ``elsewhere()``, the page that does the same work without it."""

    def decorate(view):
        @wraps(view)
        def answered(*args, **kwargs):
            if not wants_fragment():
                return redirect(elsewhere(), code=303)
            return view(*args, **kwargs)

        return answered

    return decorate
