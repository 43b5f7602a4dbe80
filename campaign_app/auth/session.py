"""Flask-Login wiring: who the session belongs to, and where anonymous visitors go.

The cookie holds only a session token (``User.get_id``); the user loader accepts it while the session it names is
live on the server (``auth.user_sessions``), so that a session ended anywhere is refused everywhere at once.
"""

import logging

from flask import Flask, g
from flask_login import LoginManager
from sqlalchemy.exc import SQLAlchemyError

from campaign_app.auth import user_sessions
from campaign_app.extensions import db, htmx
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.models import User
from campaign_app.observability.log_setup import fields

log = logging.getLogger("campaign_app.auth")

_TOUCH_KEY = "session_to_touch"


def load_user(token: str) -> User | None:
    """The user whose live session has ``token``; marks the session to be touched after the request when due."""
    found = user_sessions.session_user(token)
    if found is None:
        return None
    user, live = found
    if user_sessions.needs_touch(live):
        g.setdefault(_TOUCH_KEY, live.id)
    return user


def touch_session(response):
    """Mark the request's session as used, at most once a minute: its own short transaction after the request's.

    What the request left uncommitted is rolled back first (teardown would undo it all the same), so that the
    touch never commits a route's unfinished work. A failed touch only costs the idle timeout a minute."""
    session_id = g.pop(_TOUCH_KEY, None)
    if session_id is None:
        return response
    try:
        db.session.rollback()
        user_sessions.touch(session_id)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("%s", fields(event="session-touch-failed", session_id=session_id), exc_info=True)
    return response


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    app.after_request(touch_session)

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
