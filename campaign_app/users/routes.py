from sqlalchemy import select

from campaign_app.access import roles
from campaign_app.extensions import db
from campaign_app.models import Role, User
from campaign_app.rendering import render
from campaign_app.users import bp


@bp.get("/")
@roles(Role.ADMIN)
def index():
    users = db.session.scalars(select(User).order_by(User.username).limit(25)).all()
    return render("users/index.html", users=users)


@bp.get("/new")
@roles(Role.ADMIN)
def create():
    return render("users/index.html", users=[])
