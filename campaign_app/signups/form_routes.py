"""The officer's sign-up form. Being written: the endpoint names and arguments are the contract."""

from flask import abort

from campaign_app.access import roles
from campaign_app.models import Role
from campaign_app.signups import bp


@bp.route("/visits/<int(max=2147483647):visit_id>/new", methods=["GET", "POST"])
@roles(Role.OFFICER)
def new(visit_id: int):
    abort(404)
