"""Flask-Login wiring: who the session belongs to, and where anonymous visitors go."""

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from campaign_app.extensions import db, htmx
from campaign_app.models import User


def load_user(session_id: str) -> User | None:
    """Find the user behind a session id of the form ``<user id>:<session token>``."""
    user_id, _, token = session_id.partition(":")
    if not (user_id.isdigit() and token.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != int(token) or not user.active:
        return None
    return user


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, request, url_for

        if htmx:
            # An htmx swap cannot show a login page in place; tell it to load the page instead.
            response = app.response_class(status=401)
            response.headers["HX-Redirect"] = url_for("auth.login")
            return response
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
