from flask import abort
from flask_login import current_user

from campaign_app.access import roles, visible_branch_ids
from campaign_app.branches import bp
from campaign_app.extensions import db
from campaign_app.home.service import branch_summaries
from campaign_app.models import Branch, Role
from campaign_app.rendering import render


@bp.get("/")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def index():
    return render("branches/index.html", branches=branch_summaries(current_user))


@bp.get("/<int:branch_id>")
@roles(Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
def show(branch_id: int):
    visible = visible_branch_ids(current_user)
    branch = db.session.get(Branch, branch_id)
    if branch is None or (visible is not None and branch.id not in visible):
        abort(404)
    return render("branches/index.html", branches=branch_summaries(current_user))


@bp.get("/new")
@roles(Role.ADMIN)
def create():
    return render("branches/index.html", branches=[])
