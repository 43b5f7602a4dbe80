from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from campaign_app.access import public, signed_in
from campaign_app.answers import REFUSED, committing, form_page, success
from campaign_app.auth import bp, service
from campaign_app.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from campaign_app.extensions import limiter
from campaign_app.rendering import render


def _account_key() -> str:
    return "account:" + service.normalise_username(request.form.get("username", ""))[:64]


def _address_key() -> str:
    return "address:" + (request.remote_addr or "unknown")


def _failed(response) -> bool:
    # Only failed sign-ins count towards the limits; a success redirects.
    return response.status_code != 303


def _safe_next(target: str | None) -> str:
    """A local path to continue to after signing in; anything else goes home."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key,
               methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], key_func=_address_key,
               methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        user = service.authenticate(form.username.data, form.password.data)
        if user is not None:
            session.clear()
            login_user(user)
            session.permanent = True
            return redirect(_safe_next(form.next.data), code=303)
        form.password.errors.append(_("Wrong username or password."))
        status = 401
    elif request.method == "POST":
        status = REFUSED
    return render("auth/login.html", form=form, language_form=LanguageForm(), status=status)


@bp.post("/logout")
@signed_in
def logout():
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with committing():
            changed = service.change_password(user, form.current_password.data, form.new_password.data)
        if changed:
            # The session token changed with the password: sign this session in again.
            login_user(user)
            return success(url_for("auth.account"), _("Your password has been changed."))
        form.current_password.errors.append(_("The current password is wrong."))
    return form_page("auth/account.html", form=form, language_form=LanguageForm(language=current_user.language))


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
