"""Language choice: the signed-in user's setting, else the visitor's choice, else Indonesian."""

from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user

from campaign_app.config import SUPPORTED_LANGUAGES


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

    app.add_template_global(may)
    app.add_template_test(takes_focus)
    for name, function in TEMPLATE_LABELS.items():
        app.add_template_global(function, name)

    @app.context_processor
    def page_context():
        role = current_user.role if current_user and current_user.is_authenticated else None
        return {"current_language": str(get_locale()), "menu": grouped_menu_for(role)}
