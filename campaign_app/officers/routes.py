from campaign_app.access import roles
from campaign_app.models import Role
from campaign_app.officers import bp
from campaign_app.rendering import render


@bp.get("/")
@roles(Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
def index():
    return render("officers/index.html")
