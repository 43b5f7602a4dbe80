import math
from urllib.parse import urlsplit

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from campaign_app.access import public, signed_in
from campaign_app.answers import REFUSED, committing, form_page, saving, success
from campaign_app.auth import bp, service, throttle
from campaign_app.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from campaign_app.i18n import gettext as _
from campaign_app.rendering import render


def _safe_next(target: str | None) -> str:
    """A local path to continue to after signing in; anything else goes home."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status, wait = 200, None
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        # Checked before the password: while a limit is spent, the right password gets the same answer.
        wait = throttle.seconds_to_wait(form.username.data, address)
        if wait is None:
            user = service.authenticate(form.username.data, form.password.data)
            if user is not None:
                session.clear()
                with committing():
                    service.sign_in(user, request.user_agent.string)
                    # Before the commit expires the user: Flask-Login reads whether it is active.
                    login_user(user)
                session.permanent = True
                return redirect(_safe_next(form.next.data), code=303)
            with committing():
                throttle.count_failure(form.username.data, address)
            form.password.errors.append(_("Wrong username or password."))
            status = 401
        else:
            service.refuse_throttled(form.username.data)
            status = 429
    elif request.method == "POST":
        status = REFUSED
    response = render("auth/login.html", form=form, language_form=LanguageForm(), status=status,
                      wait_minutes=math.ceil(wait / 60) if wait else None)
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    return response


@bp.post("/logout")
@signed_in
def logout():
    with committing():
        service.sign_out(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.post("/account/sessions/end")
@signed_in
def sign_out_everywhere():
    with committing():
        service.sign_out_everywhere(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have signed out on every device."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        with saving(form) as done:
            service.change_password(user, form.current_password.data, form.new_password.data)
            # Every session ended with the old password, this one too: this browser goes on in a new one.
            service.sign_in(user, request.user_agent.string)
        if done:
            login_user(user)
            return success(url_for("auth.account"),
                           _("Your password has been changed; you are signed out everywhere else."))
    return form_page("auth/account.html", form=form, language_form=LanguageForm(language=user.language),
                     live_sessions=service.live_sessions(user))


@bp.post("/language")
@public
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            with committing():
                service.set_language(current_user, form.language.data)
        session["language"] = form.language.data
    else:
        flash(_("Choose one of the languages offered."), "error")
    return redirect(_safe_next(request.referrer and urlsplit(request.referrer).path), code=303)
