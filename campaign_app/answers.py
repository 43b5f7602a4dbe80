"""How a route answers a request to change something: commit or roll back, then success or refusal, decided here
for htmx and plain posts alike (STYLE 8; Indico's request handler is the model).

A route says only what is its own: the service to call inside ``saving()``, where to go after a success, the page
or fragment that shows a refusal. Routes never ask whether the request came from htmx, nor commit by hand.

- ``saving()`` commits what its block wrote at the end, or rolls it back when a service refuses (``Refused``)
  or anything fails; a refusal goes to the form's fields and the block's outcome is false, for the route to
  answer. ``committing()`` is the same for a change nothing refuses.
- Success, ``success()``: a 303 to the next page (htmx follows it and swaps what it finds); or for htmx a fragment
  swapped in place (``swap``), or a full page load (``reload``: ``HX-Redirect``) where a flashed message must show.
- Refusal, ``refusal()`` and ``form_page()``: the form again with its messages and what the user typed, status
  422 for both. htmx 2 swaps no 4xx by default: templates/base.html's ``htmx-config`` tells it to swap 422 (and
  409, a duplicate refused with a link to the record it duplicates).
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from flask import current_app, flash, redirect, request
from flask.typing import ResponseReturnValue

from campaign_app.extensions import db
from campaign_app.rendering import render, wants_fragment
from campaign_app.validation import Refused, show_refusal

# Unprocessable Content: the request was understood, what it asked was refused; the page says why.
REFUSED = 422


class Outcome:
    """What a ``saving`` block came to: true when its writes were committed; otherwise ``refused`` says why."""

    def __init__(self):
        self.refused: Refused | None = None

    def __bool__(self) -> bool:
        return self.refused is None

    @property
    def messages(self) -> list[str]:
        """The refusal's messages, every field's, in order (none after a success)."""
        if self.refused is None:
            return []
        return [message for messages in self.refused.errors.values() for message in messages]


@contextmanager
def saving(form=None) -> Iterator[Outcome]:
    """Commit what the block writes, once, at its end: the request's one transaction.

    A ``Refused`` raised in the block rolls everything back (nothing partial stays), is shown on ``form``'s fields
    when a form is given, and is kept on the outcome, which is then false; the code after the block answers with
    the refusal (the route must look at it: use ``committing()`` where nothing refuses). Any other exception rolls
    back and goes on to the error pages."""
    outcome = Outcome()
    try:
        yield outcome
    except Refused as refused:
        db.session.rollback()
        outcome.refused = refused
        if form is not None:
            show_refusal(form, refused)
        return
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


@contextmanager
def committing() -> Iterator[None]:
    """Commit what the block writes at its end, for a change nothing refuses: any exception, a ``Refused`` too
    (a route that does not expect one has no page to show it on), rolls back and goes on to the error pages."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def success(url: str, message: str | None = None, *, category: str = "success", warnings: Iterable[str] = (),
          swap: Callable[[], ResponseReturnValue] | None = None, reload: bool = False) -> ResponseReturnValue:
    """The answer to a change that was saved.

    With ``swap``, an htmx request gets what it returns (a fragment, which shows the news itself). Otherwise
    ``message`` and ``warnings`` are flashed and the browser goes to ``url``: a 303 (after which a reload does not
    post again), or, with ``reload``, for htmx a full page load (``HX-Redirect``) so that the flash shows."""
    if swap is not None and wants_fragment():
        return swap()
    if message:
        flash(message, category)
    for warning in warnings:
        flash(warning, "warning")
    if reload and wants_fragment():
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def refusal(template: str, fragment: str | None = None, *, status: int = REFUSED, **context):
    """Refused input: the form (the page, or its fragment for htmx) again with its messages and what was typed."""
    return render(template, fragment, status=status, **context)


def form_page(template: str, fragment: str | None = None, **context):
    """A form's page: as asked for (200), or, after a post that was not saved, its refusal (422)."""
    return render(template, fragment, status=REFUSED if request.method == "POST" else 200, **context)
