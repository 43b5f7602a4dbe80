"""The audit log page: administrators and managers read who did what, filtered, newest first."""

from flask import current_app, request
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign_app.access import roles
from campaign_app.audit import bp, queries
from campaign_app.audit.forms import AuditFilterForm
from campaign_app.models import Role
from campaign_app.rendering import render

FILTERS = ("action", "actor", "branch", "date_from", "date_to", "subject", "subject_id")
# Names of the fields audit details mention; any other is shown as stored.
FIELD_LABELS = {
    "name": _l("Name"), "full_name": _l("Full name"), "payer": _l("Paid by"), "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"), "quota": _l("Quota"), "effective_from": _l("In force from"),
    "jkk_rate": _l("JKK rate (%)"), "jkk_minimum": _l("JKK minimum"), "jkk_maximum": _l("JKK maximum"),
    "jkm_flat": _l("JKM per month"), "jht_rate": _l("JHT rate (%)"), "phone": _l("Phone"), "sex": _l("Sex"),
    "birth_date": _l("Birth date"), "occupation": _l("Occupation"), "sector": _l("Sector"),
    "declared_income": _l("Declared income"), "status": _l("Status"), "reason": _l("Reason"),
    "registered": _l("NIK registered"), "other_branch": _l("In another branch"),
}
# A long value (a free-text reason) is cut in the list: the page stays small on a slow line.
VALUE_MAX = 80


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else str(name).replace("_", " ")


def value_text(value) -> str:
    """A stored detail value as one short line; empty values as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, int):
        return format_decimal(value)
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= VALUE_MAX else text[:VALUE_MAX - 1] + "…"


def _filters() -> tuple[AuditFilterForm, queries.AuditFilters, dict, bool]:
    """The filters from the query string; a bad one is shown with its message and ignored."""
    branches = queries.audit_branches(current_user)
    form = AuditFilterForm([SelectChoice(str(id_), name) for id_, name in branches], formdata=request.args)
    form.validate()

    def ok(field) -> bool:
        return not field.errors and field.data not in (None, "")

    filters = queries.AuditFilters(
        action=form.action.data if ok(form.action) else None,
        actor=form.actor.data if ok(form.actor) else None,
        branch_id=int(form.branch.data) if ok(form.branch) else None,
        date_from=form.date_from.data if ok(form.date_from) else None,
        date_to=form.date_to.data if ok(form.date_to) and not form.date_from.errors else None,
        subject_type=form.subject.data if ok(form.subject) else None,
        subject_id=form.subject_id.data if ok(form.subject_id) else None,
    )
    params = {name: request.args[name] for name in FILTERS if ok(getattr(form, name))}
    return form, filters, params, len(branches) > 1


@bp.get("/")
@roles(Role.ADMIN, Role.MANAGER)
def index():
    form, filters, params, several_branches = _filters()
    page = queries.search_entries(current_user, filters, page=request.args.get("page", 1, type=int),
                                  per_page=current_app.config["PAGE_SIZE"])
    return render("audit/index.html", fragment="results", filters=form, page=page, params=params,
                  several_branches=several_branches, subject_labels=queries.SUBJECT_LABELS,
                  field_label=field_label, value_text=value_text)
