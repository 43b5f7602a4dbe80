"""A sign-up's record. Being written: the endpoint names and arguments are the contract."""

from flask import abort

from campaign_app.access import signed_in
from campaign_app.signups import bp


@bp.route("/<int(max=2147483647):signup_id>")
@signed_in
def show(signup_id: int):
    abort(404)
