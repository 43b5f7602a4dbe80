from flask_login import current_user

from campaign_app import clock
from campaign_app.access import signed_in, visible_branch_ids
from campaign_app.branches.service import visible_branches
from campaign_app.home import bp, service
from campaign_app.models import Role
from campaign_app.rendering import render
from campaign_app.reports.charts import bar_chart
from campaign_app.subsidies.cliff import subsidy_cliff


@bp.get("/")
@signed_in
def index():
    context = {}
    if current_user.role == Role.OFFICER:
        today = clock.today()
        context.update(day=service.officer_day(current_user, today), today=today)
    else:
        context["branch_page"], context["branches"] = visible_branches(current_user)
        context["staff"] = service.staff_by_role(current_user)
    if current_user.role in (Role.ADMIN, Role.COORDINATOR):
        context["pending_reviews"] = service.pending_review_count(current_user)
    if current_user.role == Role.ADMIN:
        context["regions"] = service.region_counts()
    if current_user.role in (Role.COORDINATOR, Role.MANAGER):
        context["cliff"] = subsidy_cliff(clock.today(), visible_branch_ids(current_user))
    if current_user.role == Role.MANAGER:
        overview = service.manager_overview(current_user, clock.today())
        context.update(overview=overview, chart=bar_chart([point.signups for point in overview.months]))
    return render(f"home/{current_user.role}.html", **context)
