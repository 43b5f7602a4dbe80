"""A whole answer rendered once per process for each value of its key, the request's own values (its CSRF token, a
one-time form key) written in afterwards.

For the officer's empty sign-up form, asked for over and over with the same visit, programmes and rate table: its
rendering (the layout, fifteen fields) cost twice a request that inserts a row and commits. The route reads what the
page shows, as before, and names it in the key; the memory holds markup derived from that key, never a record read
from the database, so a change anywhere shows in the next answer (a new key). Like ``same_for``
(campaign_app/render_once.py), what the page shows must be decided by the key and the values: anything else it reads
is taken as it was the first time. Emptied when full.
"""

import re
import secrets
from collections.abc import Callable, Hashable, Mapping

from flask import Response, current_app, g
from flask_wtf.csrf import generate_csrf
from markupsafe import escape
from werkzeug.datastructures import Headers

# Answers kept per process: a few per officer and visit in service at once (each about 6–16 KB).
ANSWERS_KEPT = 256
CSRF = "csrf_token"
# Written where a value goes, then replaced: made afresh by each process, of letters and digits that escaping leaves
# as they are, so no text a page shows holds it.
_MARK = "slot" + secrets.token_hex(8)
_SLOTS = re.compile(f"{_MARK}([a-z_]+){_MARK}".encode())


class _Answer:
    """An answer's status, headers and body, cut where its values go: the body's bytes at even places, value names
    at odd (kept encoded: encoding a national page's 15 KB again on every answer cost more than writing it)."""

    __slots__ = ("status", "headers", "parts")

    def __init__(self, response: Response):
        self.status = response.status_code
        self.headers = Headers([(name, value) for name, value in response.headers.items()
                                if name != "Content-Length"])
        self.parts = _SLOTS.split(response.get_data())

    def filled(self, values: Mapping[bytes, bytes]) -> Response:
        parts = self.parts[:]
        parts[1::2] = [values[name] for name in parts[1::2]]
        return current_app.response_class(b"".join(parts), self.status, self.headers.copy())


_answers: dict[Hashable, _Answer] = {}


def slot(name: str) -> str:
    """What a page renders in place of the value ``name``, to be replaced on every answer."""
    return f"{_MARK}{name}{_MARK}"


def answered_once(key: Hashable, render: Callable[[Mapping[str, str]], Response],
                  values: Mapping[str, Callable[[], str]]) -> Response:
    """``render(slots)``'s answer for ``key``: rendered the first time with ``slots[name]`` where each of ``values``
    goes (and the CSRF token's slot wherever the page asks for the request's token), then, for this key, written from
    memory with ``values[name]()`` and the request's CSRF token in their places.

    ``key`` must name everything the answer shows but those values (the language, the user, each record's fields
    shown): two requests with equal keys get the same answer. With templates reloaded as they are edited (debug),
    rendered every time."""
    if current_app.jinja_env.auto_reload:
        return render({name: make() for name, make in values.items()})
    # Every answer makes the request's token, as rendering would: it puts the CSRF secret in a new session.
    filled = {CSRF.encode(): _written(generate_csrf())}
    answer = _answers.get(key)
    if answer is None:
        answer = _rendered(render)
        if len(_answers) >= ANSWERS_KEPT:
            _answers.clear()
        _answers[key] = answer
    filled.update((name.encode(), _written(make())) for name, make in values.items())
    return answer.filled(filled)


def _written(value: str) -> bytes:
    # As the template writes a value: escaped (a token or key of letters, digits and "-_." is left as it is).
    return str(escape(value)).encode()


def _rendered(render: Callable[[Mapping[str, str]], Response]) -> _Answer:
    # Flask-WTF keeps the request's token in ``g`` once made: the page's every ``csrf_token()`` and CSRF field write
    # that, so the slot stands there while it renders.
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", CSRF)
    token = g.get(name)
    setattr(g, name, slot(CSRF))
    try:
        return _Answer(render(_Slots()))
    finally:
        setattr(g, name, token)


class _Slots(dict):
    """Any value's slot by its name."""

    def __missing__(self, name: str) -> str:
        return slot(name)
