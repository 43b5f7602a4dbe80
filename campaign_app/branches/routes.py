from flask import abort, current_app, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign_app.access import roles
from campaign_app.answers import form_page, saving, success
from campaign_app.branches import bp, service
from campaign_app.branches.forms import BranchForm, ProvinceForm
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import Branch, Role
from campaign_app.rendering import render

BRANCH_ID = "<id:branch_id>"


@bp.get("/")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def index():
    page, branches = service.visible_branches(
        current_user, page=request.args.get("page", 1, type=int), per_page=current_app.config["PAGE_SIZE"],
    )
    return render("branches/index.html", page=page, branches=branches)


@bp.get(f"/{BRANCH_ID}")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def show(branch_id: int):
    # Another branch's page is "not found", not "forbidden": its existence is nobody else's business.
    branch = service.visible_branch(current_user, branch_id)
    if branch is None:
        abort(404)
    return render("branches/show.html", branch=branch, regencies=service.branch_regency_rows(branch.id),
                  staff=service.branch_staff(branch.id))


def _form_page(branch: Branch | None):
    """Show or handle the branch form; the province's regencies come from ``?province=`` or the post."""
    provinces = [SelectChoice(code, name) for code, name in service.province_options()]
    known = {choice.value for choice in provinces}
    default = service.branch_province(branch)
    province_form = ProvinceForm(provinces, formdata=None, province=default)
    form = BranchForm()
    if request.method == "POST":
        province = form.province.data
    else:
        province = request.args.get("province", default)
        if province not in known:
            province_form.province.errors = [_("Choose one of the provinces listed.")]
    if province not in known:
        # An unknown code, typed into the address or tampered with: show the branch's own province.
        province = default
    province_form.province.data = province
    form.province.data = province
    if request.method == "GET" and branch is not None:
        form.name.data = branch.name
        form.home_regency.data = branch.home_regency_code
        form.regencies.data = [r.code for r in branch.regencies if r.province_code == province]
    options = service.regency_options(province, branch.id if branch is not None else None)
    form.set_regencies(options, keep_home=branch.home_regency if branch is not None else None)

    if form.validate_on_submit():
        with saving(form) as done:
            saved = service.save_branch(branch, name=form.name.data, home_regency_code=form.home_regency.data,
                                        province_code=province, regency_codes=form.regencies.data or [])
        if done:
            return success(url_for("branches.show", branch_id=saved.id), _("Branch %(name)s saved.", name=saved.name))
    action = url_for("branches.edit", branch_id=branch.id) if branch is not None else url_for("branches.create")
    return form_page("branches/form.html", fragment="regencies", branch=branch, form=form,
                     province_form=province_form, action=action)


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def create():
    return _form_page(None)


@bp.route(f"/{BRANCH_ID}/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit(branch_id: int):
    branch = db.session.get(Branch, branch_id)
    if branch is None:
        abort(404)
    return _form_page(branch)
