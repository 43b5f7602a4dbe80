"""Rate tables: everyone who plans or compares reads them; only administrators add one, dated ahead."""

from datetime import UTC, datetime

from flask import flash, redirect, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from campaign_app import clock
from campaign_app.access import roles
from campaign_app.extensions import db
from campaign_app.models import Role
from campaign_app.rates import bp, service
from campaign_app.rates.forms import RateTableForm
from campaign_app.rendering import render
from campaign_app.validation import Refused, show_refusal


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
        try:
            table = service.create_rate_table(**form.values(), created_by=current_user, today=today,
                                              now=datetime.now(UTC))
        except Refused as refused:
            db.session.rollback()
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Rate table in force from %(day)s saved.", day=format_date(table.effective_from)), "success")
            return redirect(url_for("rates.index"), code=303)
    status = 400 if request.method == "POST" else 200
    return render("rates/new.html", form=form, today=today, status=status)
