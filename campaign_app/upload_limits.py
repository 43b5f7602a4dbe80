"""Uploads larger than ``MAX_CONTENT_LENGTH``, for the endpoints that declare it (``@larger_uploads("KEY")``): the
request's limit is raised to ``app.config[KEY]`` before anything reads its body. Flask-WTF's CSRF check reads the
form in a ``before_request`` of its own, so the limit cannot be set in the view: ``init_app`` must run before
``csrf.init_app``."""

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, request

View = TypeVar("View", bound=Callable)


def larger_uploads(config_key: str) -> Callable[[View], View]:
    """Declare that the view takes uploads up to ``app.config[config_key]`` bytes."""

    def mark(view: View) -> View:
        view.upload_limit_key = config_key  # type: ignore[attr-defined]
        return view

    return mark


def init_app(app: Flask) -> None:
    @app.before_request
    def _raise_upload_limit() -> None:
        view = app.view_functions.get(request.endpoint or "")
        key = getattr(view, "upload_limit_key", None)
        if key is not None:
            request.max_content_length = app.config[key]
