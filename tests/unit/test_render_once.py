"""``same_for``: a part of a template rendered once per process for each value of its key."""

from campaign_app.render_once import SameFor

PART = "{% same_for language %}<p>{{ shown() }} {{ language }}</p>{% endsame_for %}<i>{{ shown() }}</i>"


def memory(app) -> SameFor:
    return next(extension for extension in app.jinja_env.extensions.values() if isinstance(extension, SameFor))


def renderer(app):
    """A template with a part keyed by language (emptied memory), and the calls of ``shown`` its renders make."""
    memory(app).rendered.clear()
    calls = []

    def shown():
        calls.append(1)
        return "<b>"

    template = app.jinja_env.from_string(PART)
    return calls, lambda language: template.render(language=language, shown=shown)


def test_a_part_is_rendered_once_for_each_key_and_written_from_memory_after(app):
    calls, render = renderer(app)
    first = [render("id"), render("id"), render("en"), render("id")]
    assert first == ["<p>&lt;b&gt; id</p><i>&lt;b&gt;</i>"] * 2 + ["<p>&lt;b&gt; en</p><i>&lt;b&gt;</i>",
                                                                 "<p>&lt;b&gt; id</p><i>&lt;b&gt;</i>"]
    # Twice for each key (the part, the rest), once for each render after.
    assert len(calls) == 2 + 1 + 2 + 1


def test_a_template_edited_while_the_app_runs_is_rendered_every_time(app):
    calls, render = renderer(app)
    app.jinja_env.auto_reload = True
    try:
        render("id")
        render("id")
    finally:
        app.jinja_env.auto_reload = False
    assert len(calls) == 4


def test_the_memory_is_emptied_when_full(app, monkeypatch):
    monkeypatch.setattr("campaign_app.render_once.PARTS_KEPT", 2)
    calls, render = renderer(app)
    for language in ("a", "b", "c", "a"):
        render(language)
    assert len(calls) == 8
