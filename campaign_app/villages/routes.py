from campaign_app.access import roles
from campaign_app.models import Role
from campaign_app.rendering import render
from campaign_app.villages import bp


@bp.get("/")
@roles(Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
def index():
    return render("villages/index.html")
