"""Rate tables: everyone who plans or compares reads them; only administrators add one, dated ahead."""

from datetime import UTC, datetime

from flask import url_for
from flask_babel import format_date
from flask_login import current_user

from campaign_app import clock
from campaign_app.access import roles
from campaign_app.answers import form_page, saving, success
from campaign_app.i18n import gettext as _
from campaign_app.models import Role
from campaign_app.models.payments import DEFAULT_LAPSE_MONTHS
from campaign_app.rates import bp, lapse, service
from campaign_app.rates.forms import LapseRuleForm, RateTableForm
from campaign_app.rendering import render


@bp.get("/")
@roles(Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
def index():
    today = clock.today()
    rows = service.rate_tables(today)
    current = next((row.table for row in rows if row.in_force), None)
    # The table in force and the next one to come: what officers charge now, and what changes soon.
    upcoming = [row.table for row in rows if row.upcoming]
    examples = [example for table in (current, upcoming[-1] if upcoming else None) if table is not None
                if (example := service.worked_example(table)) is not None]
    return render("rates/index.html", rows=rows, examples=examples, today=today, rate_text=service.rate_text)


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new():
    form = RateTableForm()
    today = clock.today()
    if form.validate_on_submit():
        with saving(form) as done:
            table = service.create_rate_table(**form.values(), created_by=current_user, today=today,
                                              now=datetime.now(UTC))
        if done:
            return success(url_for("rates.index"),
                           _("Rate table in force from %(day)s saved.", day=format_date(table.effective_from)))
    return form_page("rates/new.html", form=form, today=today)


@bp.get("/lapse")
@roles(Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
def lapse_rules():
    today = clock.today()
    return render("rates/lapse.html", rows=lapse.lapse_rules(today), in_force=lapse.lapse_months(today),
                  default_months=DEFAULT_LAPSE_MONTHS, today=today)


@bp.route("/lapse/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_lapse_rule():
    form = LapseRuleForm()
    today = clock.today()
    if form.validate_on_submit():
        with saving(form) as done:
            rule = lapse.create_lapse_rule(**form.values(), created_by=current_user, today=today,
                                           now=datetime.now(UTC))
        if done:
            return success(url_for("rates.lapse_rules"),
                           _("Lapse rule in force from %(day)s saved.", day=format_date(rule.effective_from)))
    return form_page("rates/new_lapse.html", form=form, today=today)
