from flask import abort, current_app, request, session, url_for
from flask_login import current_user, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from campaign_app.access import roles
from campaign_app.answers import REFUSED, committing, form_page, saving, success
from campaign_app.auth.service import sign_in
from campaign_app.branches.service import branch_options
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.i18n import ngettext
from campaign_app.models import Branch, Role, User
from campaign_app.rendering import render
from campaign_app.users import bp, service
from campaign_app.users.forms import EditUserForm, NewUserForm, PasswordResetForm, UserFilterForm

USER_ID = "<id:user_id>"


def _branch_choices() -> list[SelectChoice]:
    return [SelectChoice(str(id_), name) for id_, name in branch_options()]


def _load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _account_values(form) -> dict:
    """The service arguments from a validated create or edit form."""
    branch = db.session.get(Branch, form.branch.data)
    if branch is None:  # deleted since the form was shown
        abort(400)
    return {
        "full_name": form.full_name.data,
        "role": Role(form.role.data),
        "branch": branch,
        "language": form.language.data,
        "covered_branches": service.branches_by_id(form.covered_branches.data or []),
        "covers_all_branches": form.covers_all_branches.data,
    }


@bp.get("/")
@roles(Role.ADMIN)
def index():
    filters = UserFilterForm(_branch_choices(), formdata=request.args)
    filters.validate()
    # A filter that is not one of the choices is shown as an error and ignored.
    query = filters.q.data if not filters.q.errors else ""
    role = filters.role.data if not filters.role.errors else ""
    branch = filters.branch.data if not filters.branch.errors else ""
    page = request.args.get("page", 1, type=int)
    users = service.search_users(
        query=query or "", role=role or None, branch_id=int(branch) if branch else None,
        page=page, per_page=current_app.config["PAGE_SIZE"],
    )
    params = {key: value for key, value in (("q", query), ("role", role), ("branch", branch)) if value}
    return render("users/index.html", fragment="results", filters=filters, users=users, params=params)


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def create():
    form = NewUserForm(_branch_choices())
    if form.validate_on_submit():
        with saving(form) as done:
            user = service.create_user(username=form.username.data, password=form.password.data,
                                       **_account_values(form))
        if done:
            return success(url_for("users.edit", user_id=user.id),
                           _("Account %(username)s created.", username=user.username))
    return form_page("users/new.html", form=form)


def _saved_account_form(user: User) -> EditUserForm:
    """The edit form filled with what is stored, ignoring any posted data."""
    return EditUserForm(
        _branch_choices(), formdata=None, full_name=user.full_name, role=user.role, branch=user.branch_id,
        language=user.language, active=user.active, covers_all_branches=user.covers_all_branches,
        covered_branches=[b.id for b in user.covered_branches],
    )


def _edit_page(user: User, form: EditUserForm, password_form: PasswordResetForm, status: int):
    return render("users/edit.html", user=user, form=form, password_form=password_form, status=status,
                  live_sessions=service.live_sessions(user))


@bp.route(f"/{USER_ID}", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit(user_id: int):
    user = _load_user(user_id)
    if request.method == "GET":
        return _edit_page(user, _saved_account_form(user), PasswordResetForm(formdata=None), 200)
    form = EditUserForm(_branch_choices())
    if form.validate_on_submit():
        with saving(form) as done:
            service.update_user(user, acting_user=current_user, active=form.active.data, **_account_values(form))
        if done:
            return success(url_for("users.edit", user_id=user.id),
                           _("Account %(username)s saved.", username=user.username))
    return _edit_page(user, form, PasswordResetForm(formdata=None), REFUSED)


@bp.post(f"/{USER_ID}/password")
@roles(Role.ADMIN)
def reset_password(user_id: int):
    user = _load_user(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _edit_page(user, _saved_account_form(user), form, REFUSED)
    with saving(form) as done:
        service.reset_password(user, form.new_password.data)
        if user.id == current_user.id:
            # Every session ended with the old password, this one too: this browser goes on in a new one.
            sign_in(user, request.user_agent.string)
    if not done:
        return _edit_page(user, _saved_account_form(user), form, REFUSED)
    if user.id == current_user.id:
        login_user(user)
    return success(url_for("users.edit", user_id=user.id),
                   _("New password set for %(username)s; they are signed out everywhere.", username=user.username))


@bp.post(f"/{USER_ID}/sessions/end")
@roles(Role.ADMIN)
def end_sessions(user_id: int):
    user = _load_user(user_id)
    ending_own = user.id == current_user.id
    with committing():
        ended = service.end_sessions(user, current_user._get_current_object())
    if ending_own:
        logout_user()
        session.clear()
        return success(url_for("auth.login"), _("You have signed out on every device."), category="info")
    return success(url_for("users.edit", user_id=user.id),
                   ngettext("%(num)d session of %(username)s ended; they must sign in again.",
                            "%(num)d sessions of %(username)s ended; they must sign in again.",
                            ended, username=user.username))
