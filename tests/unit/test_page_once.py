"""``answered_once``: a whole answer rendered once per process for each value of its key, the request's own values
written in afterwards."""

from flask import g, make_response, render_template_string
from flask_wtf.csrf import generate_csrf

from campaign_app import page_once
from campaign_app.page_once import answered_once

PAGE = "<p>{{ shown() }} {{ language }} {{ key }}</p><i>{{ csrf_token() }}</i>"


def answerer(app):
    """An answer keyed by language (emptied memory), its one-time key a value, and the renders it makes."""
    page_once._answers.clear()
    renders = []

    def answer(language: str, key: str):
        def render(values):
            renders.append(language)
            return make_response(render_template_string(PAGE, shown=lambda: "<b>", language=language,
                                                        key=values["key"]), 201, {"X-Kept": language})
        return answered_once(("page", language), render, {"key": lambda: key})

    return renders, answer


def test_an_answer_is_rendered_once_for_each_key_and_written_from_memory_with_the_requests_values(app):
    renders, answer = answerer(app)
    with app.test_request_context():
        first = answer("id", "k1")
        token = generate_csrf()
        assert first.get_data(as_text=True) == f"<p>&lt;b&gt; id k1</p><i>{token}</i>"
    with app.test_request_context():
        again = answer("id", "k2")
        # A new session: its own token, made as rendering would have made it.
        token = g.csrf_token
        assert again.get_data(as_text=True) == f"<p>&lt;b&gt; id k2</p><i>{token}</i>"
        assert (again.status_code, again.headers["X-Kept"]) == (201, "id")
        assert again.headers["Content-Length"] == str(len(again.get_data()))
        english = answer("en", "k3")
        assert english.get_data(as_text=True) == f"<p>&lt;b&gt; en k3</p><i>{token}</i>"
    assert renders == ["id", "en"]


def test_the_requests_token_is_left_as_it_was_after_a_render(app):
    _renders, answer = answerer(app)
    with app.test_request_context():
        token = generate_csrf()
        answer("id", "k")
        assert generate_csrf() == token


def test_with_templates_reloaded_as_they_are_edited_every_answer_is_rendered(app):
    renders, answer = answerer(app)
    app.jinja_env.auto_reload = True
    try:
        with app.test_request_context():
            answer("id", "k1")
            assert "k2" in answer("id", "k2").get_data(as_text=True)
    finally:
        app.jinja_env.auto_reload = False
    assert renders == ["id", "id"]


def test_the_memory_is_emptied_when_full(app, monkeypatch):
    monkeypatch.setattr("campaign_app.page_once.ANSWERS_KEPT", 2)
    renders, answer = answerer(app)
    with app.test_request_context():
        for language in ("a", "b", "c", "a"):
            answer(language, "k")
    assert renders == ["a", "b", "c", "a"]
