"""Sign-up records: the list, one sign-up with its history, corrections, voiding, and revealing a NIK."""

from datetime import UTC, datetime

from flask import abort, current_app, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from campaign_app import clock
from campaign_app.access import roles
from campaign_app.answers import REFUSED, refusal, saving, success
from campaign_app.i18n import gettext as _
from campaign_app.i18n import lazy_gettext as _l
from campaign_app.ids import parse_id
from campaign_app.labels import signup_status_label
from campaign_app.models import Role, SignUp, SignUpStatus
from campaign_app.rendering import render
from campaign_app.signups import bp, changes, records
from campaign_app.signups.consent import consent_text
from campaign_app.signups.forms import CorrectionForm, SignUpFilterForm, VoidForm, csrf_refused
from campaign_app.validation import Refused

SIGNUP_ID = "<id:signup_id>"
EVERYONE = (Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.OFFICER)
CHANGERS = (Role.ADMIN, Role.COORDINATOR, Role.OFFICER)
# How the history names the fields a correction changed.
FIELD_LABELS = {
    "full_name": _l("Name"), "phone": _l("Phone"), "occupation": _l("Occupation"), "sector": _l("Sector"),
    "has_jht": _l("JHT"), "declared_income": _l("Declared income"), "jkk_contribution": _l("JKK contribution"),
    "jht_contribution": _l("JHT contribution"), "status": _l("Status"),
}


def now() -> datetime:
    """The moment of a request; tests replace it."""
    return datetime.now(UTC)


def _load(signup_id: int) -> SignUp:
    """The sign-up, or 404 when it does not exist or ``current_user`` may not see it."""
    signup = records.visible_signup(current_user, signup_id)
    if signup is None:
        abort(404)
    return signup


# --- the list -------------------------------------------------------------------------------------

def _filters() -> tuple[SignUpFilterForm, records.SignUpFilters, dict]:
    """The list's filters: the searched name or NIK only from a posted form (personal data stays out of addresses,
    access logs and Referers), the others from the form or the query string. A bad one is shown with its message
    and ignored. Returns the form, the filters, and the filters an address may hold (never the search)."""
    posted = request.method == "POST"
    form = SignUpFilterForm(formdata=request.form if posted else request.args)
    if not posted:
        form.q.data = ""
    form.status.choices = [SelectChoice("", _("All statuses")),
                           *(SelectChoice(s.value, signup_status_label(s)) for s in SignUpStatus)]
    form.campaign.choices = [SelectChoice("", _("All campaigns")), *(
        SelectChoice(str(id_), name) for id_, name in records.visible_campaigns(current_user))]
    form.validate()

    def ok(field) -> bool:
        return not field.errors and bool(field.data)

    visit_id = parse_id((request.form if posted else request.args).get("visit"))
    filters = records.SignUpFilters(
        text=form.q.data if ok(form.q) else "", status=form.status.data if ok(form.status) else None,
        campaign_id=int(form.campaign.data) if ok(form.campaign) else None, visit_id=visit_id)
    params = {name: getattr(form, name).data for name in ("status", "campaign") if ok(getattr(form, name))}
    if visit_id:
        params["visit"] = visit_id
    return form, filters, params


# A search is posted: a name or a NIK typed into it never becomes part of an address.
@bp.route("/", methods=["GET", "POST"])
@roles(*EVERYONE)
def index():
    form, filters, params = _filters()
    page = (request.form if request.method == "POST" else request.args).get("page", 1, type=int)
    signups = records.search_signups(current_user, filters, page=page, per_page=current_app.config["PAGE_SIZE"])
    # After a search, the address bar shows the list with the other filters, which a reload or a link may keep.
    push_url = url_for("signups.index", **params) if request.method == "POST" else None
    return render("signups/index.html", fragment="results", filters=form, signups=signups, params=params,
                  visit_id=filters.visit_id, searched=filters.text, push_url=push_url,
                  fragment_context=lambda: {"announce": True})


# --- one sign-up ----------------------------------------------------------------------------------

def _show_page(signup: SignUp, *, status: int = 200, void_form: VoidForm | None = None, revealed: str | None = None,
               fragment: str | None = None):
    today = clock.today()
    may_change = changes.may_change(signup, current_user, today)
    return render("signups/show.html", fragment=fragment, status=status, signup=signup,
                  history=records.history(signup), may_change=may_change,
                  may_void=may_change and signup.status != SignUpStatus.ACTIVATED,
                  may_reveal=changes.may_reveal(signup, current_user), revealed=revealed,
                  consent_text=consent_text(signup.consent_version),
                  void_form=void_form or VoidForm(formdata=None), field_labels=FIELD_LABELS)


@bp.get(f"/{SIGNUP_ID}")
@roles(*EVERYONE)
def show(signup_id: int):
    return _show_page(_load(signup_id))


@bp.post(f"/{SIGNUP_ID}/reveal")
@roles(Role.ADMIN, Role.COORDINATOR)
def reveal(signup_id: int):
    signup = _load(signup_id)
    with saving() as done:
        nik = changes.reveal_nik(signup, current_user, now())
    if not done:
        # Refused to this user: as for a sign-up they may not see.
        abort(404)
    response = _show_page(signup, revealed=nik, fragment="nik")
    # A full NIK must not stay in a browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"/{SIGNUP_ID}/edit", methods=["GET", "POST"])
@roles(*CHANGERS)
def edit(signup_id: int):
    signup = _load(signup_id)
    allowed = changes.may_change(signup, current_user, clock.today())
    if request.method == "GET":
        form = CorrectionForm(formdata=None, full_name=signup.full_name, phone=signup.phone,
                              occupation=signup.occupation, sector=signup.sector, with_jht=signup.has_jht,
                              declared_income=signup.declared_income)
        return render("signups/edit.html", signup=signup, form=form, allowed=allowed)
    form = CorrectionForm()
    read = form.validate()
    with saving(form) as done:
        if not read:
            raise Refused({})
        changed = changes.correct_signup(signup, current_user, **form.values(), today=clock.today(), now=now())
    if done:
        return success(url_for("signups.show", signup_id=signup.id),
                     _("Sign-up corrected.") if changed else _("Nothing was changed."))
    if csrf_refused(form):
        form.form_errors.append(_("This form has expired; check it and save again."))
    return refusal("signups/edit.html", signup=_load(signup_id), form=form, allowed=allowed)


@bp.post(f"/{SIGNUP_ID}/void")
@roles(*CHANGERS)
def void(signup_id: int):
    signup = _load(signup_id)
    form = VoidForm()
    with saving(form) as done:
        if not form.validate():
            raise Refused({})
        changes.void_signup(signup, current_user, form.reason.data, clock.today(), now())
    if done:
        return success(url_for("signups.show", signup_id=signup.id),
                       _("Sign-up voided: its NIK can be registered again."))
    if csrf_refused(form):
        form.form_errors.append(_("This form has expired; check it and save again."))
    return _show_page(_load(signup_id), void_form=form, status=REFUSED)
