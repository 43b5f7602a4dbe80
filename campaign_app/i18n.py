"""Language choice (the signed-in user's setting, else the visitor's choice, else Indonesian) and the translation
functions the app uses: ``gettext``, ``ngettext``, ``lazy_gettext``.

Flask-Babel looks the catalogue up again at every call (the context, the locale, its name: about 30 µs, some fifty
times a page). These look it up once per request and keep it until the request ends; outside a request (commands,
``force_locale``) they are Flask-Babel's own, unchanged.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import flask_babel
from babel.support import NullTranslations
from flask import Flask, current_app, has_app_context, has_request_context, session
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user

from campaign_app.config import SUPPORTED_LANGUAGES

# The request's catalogue and language code; emptied when the request ends (a worker thread serves many requests).
_in_request: ContextVar[tuple[NullTranslations, str] | None] = ContextVar("jangkau_translations", default=None)


def _catalogue() -> tuple[NullTranslations, str]:
    cached = _in_request.get()
    if cached is not None:
        return cached
    if not has_app_context():
        # No app, no catalogue: the text as written (Flask-Babel does the same).
        return NullTranslations(), "en"
    if not has_request_context():
        return get_translations(), str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    cached = (get_translations(), str(get_locale()))
    _in_request.set(cached)
    return cached


def gettext(string: str, **variables) -> str:
    """``string`` in the request's language, formatted with ``variables`` (``%(name)s``)."""
    translated = _catalogue()[0].ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The singular or plural form for ``num`` in the request's language; ``%(num)d`` is ``num``."""
    variables.setdefault("num", num)
    return _catalogue()[0].ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """``gettext`` when the string is used, for labels defined at import time."""
    return LazyString(gettext, string, **variables)


def language() -> str:
    """The request's language code (``id``, ``en``)."""
    return _catalogue()[1]


@contextmanager
def force_locale(language: str) -> Iterator[None]:
    """Speak ``language`` inside the block (Flask-Babel's ``force_locale``, with the request's catalogue set aside)."""
    with flask_babel.force_locale(language):
        token = _in_request.set(None)
        try:
            yield
        finally:
            _in_request.reset(token)


def _forget_catalogue(_error=None) -> None:
    _in_request.set(None)


def select_locale() -> str:
    if not has_request_context():
        # Commands and services run outside a request speak the default language.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in SUPPORTED_LANGUAGES:
        return current_user.language
    chosen = session.get("language")
    if chosen in SUPPORTED_LANGUAGES:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    from campaign_app.access import may
    from campaign_app.forms import takes_focus
    from campaign_app.labels import TEMPLATE_LABELS
    from campaign_app.navigation import grouped_menu_for

    # Templates translate through the request's catalogue too (Flask-Babel installed its own, per call); Jinja
    # fills the variables in itself.
    app.jinja_env.install_gettext_callables(
        lambda string: _catalogue()[0].ugettext(string),
        lambda singular, plural, num: _catalogue()[0].ungettext(singular, plural, num), newstyle=True,
        pgettext=lambda context, string: _catalogue()[0].upgettext(context, string),
        npgettext=lambda context, singular, plural, num: _catalogue()[0].unpgettext(context, singular, plural, num))
    app.teardown_request(_forget_catalogue)
    app.add_template_global(may)
    app.add_template_test(takes_focus)
    for name, function in TEMPLATE_LABELS.items():
        app.add_template_global(function, name)

    # The menu's labels are in the language: a key of its memory with the role.
    menu = lru_cache(maxsize=32)(lambda role, _language: tuple(grouped_menu_for(role)))

    @app.context_processor
    def page_context():
        role = current_user.role if current_user and current_user.is_authenticated else None
        current = language()
        return {"current_language": current, "menu": menu(role, current)}
