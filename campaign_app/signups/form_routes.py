"""The officer's sign-up form: the page, the NIK check and contribution preview as it is typed, and the submit."""

from datetime import UTC, date, datetime

from babel.numbers import format_decimal
from flask import abort, make_response, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from wtforms.fields.choices import SelectChoice

from campaign_app import clock
from campaign_app.access import roles
from campaign_app.answers import REFUSED, saving, success
from campaign_app.dates import parse_day
from campaign_app.forms import CONTROL_CHARACTERS_IN_LINE
from campaign_app.ids import parse_id
from campaign_app.models import Payer, Role, Visit, VisitStatus
from campaign_app.rendering import render
from campaign_app.signups import bp, records
from campaign_app.signups.contributions import NoRateTable, compute_contribution
from campaign_app.signups.forms import SignUpForm, csrf_refused, new_form_key, parse_income
from campaign_app.signups.nik import check_nik
from campaign_app.signups.service import DuplicateNik, age_problem, field_errors, record_signup
from campaign_app.validation import Refused

TEMPLATE = "signups/new.html"
VISIT_ID = "<id:visit_id>"
# Longer query values are no NIK, date or amount; they are not even parsed.
QUERY_VALUE_MAX = 40


def now() -> datetime:
    """The moment of a request; tests replace it."""
    return datetime.now(UTC)


def _fragment(block: str, **context):
    """Only the block: these answer htmx as a field is typed; without JavaScript the submit checks instead."""
    response = make_response(render_block(TEMPLATE, block, **context))
    response.vary.add("HX-Request")
    return response


def _visit_url(visit_id: int) -> str:
    """The officer's page of the visit, where it is started and closed."""
    return url_for("fieldwork.visit", visit_id=visit_id)


def _arg(name: str) -> str:
    """A short query value, or empty when missing, too long or holding control characters."""
    value = request.args.get(name, "")
    return "" if len(value) > QUERY_VALUE_MAX or CONTROL_CHARACTERS_IN_LINE.search(value) else value.strip()


def _programme_choices(programmes: list[records.ProgrammeOption]) -> list[SelectChoice]:
    # The label translated and the locale looked up once for the list, not once a programme: the form offers every
    # running programme, about a hundred at national scale.
    label, locale = _("%(name)s · %(left)s places left"), get_locale()
    return [SelectChoice(str(p.id), label % {"name": p.name, "left": format_decimal(p.remaining, locale=locale)})
            for p in programmes]


def _blocked_message(visit: Visit) -> str | None:
    if visit.status == VisitStatus.IN_PROGRESS:
        return None
    return _("Sign-ups are recorded while a visit is in progress: start the visit on its page first.")


def _page(visit: Visit, form: SignUpForm, programmes, *, status: int = 200, saved=None,
          duplicate_id: int | None = None):
    blocked = _blocked_message(visit)
    return render(TEMPLATE, fragment="signup_form", status=status, visit=visit,
                  form=form, visit_url=_visit_url(visit.id), blocked=blocked,
                  show_form=not blocked or request.method == "POST", saved=saved, duplicate_id=duplicate_id,
                  nik=_posted_nik(form),
                  preview=_preview_context(form.declared_income.data, bool(form.with_jht.data), form.payer.data,
                                           form.subsidy_programme.data, programmes))


@bp.route(f"/visits/{VISIT_ID}/new", methods=["GET", "POST"])
@roles(Role.OFFICER)
def new(visit_id: int):
    visit = records.officer_visit(current_user, visit_id)
    if visit is None:
        abort(404)
    today = clock.today()
    if request.method == "GET":
        programmes = records.running_programmes(today)
        form = SignUpForm(_programme_choices(programmes), formdata=None)
        form.form_key.data = new_form_key()
        saved = records.saved_signup(current_user, parse_id(request.args.get("saved")), visit.id)
        return _page(visit, form, programmes, saved=saved)

    # The programmes offered are read only for a page to show: the choice is checked by the service, and a
    # saved sign-up answers with a redirect.
    form = SignUpForm(formdata=request.form)
    read = form.validate()
    values = form.values()
    with saving(form) as done:
        if not read:
            # Something could not be read (a date, an amount): show it with every other message, save nothing.
            errors = field_errors(**{k: v for k, v in values.items() if k != "with_jht"}, today=today)
            raise Refused({name: messages for name, messages in errors.items()
                           if not (name and getattr(form, name).errors)})
        outcome = record_signup(visit=visit, officer=current_user, form_key=form.form_key.data, **values,
                                today=today, now=now())
        # The commit expires every loaded record: the redirect is built from what is known before it, so that
        # nothing is read again after it.
        saved_url = url_for("signups.new", visit_id=visit_id, saved=outcome.signup.id)
    if done:
        # htmx follows the 303 too, and swaps in the next empty form with the one just saved.
        return success(saved_url)
    if csrf_refused(form):
        form.form_errors.append(_("This form has expired; check it and save again."))
    if not form.form_key.data or records.key_used(form.form_key.data):
        # A tampered key, or one another officer's form used: this form gets a fresh one.
        form.form_key.data = new_form_key()
    duplicate = done.refused if isinstance(done.refused, DuplicateNik) else None
    duplicate_id = duplicate.existing_id if duplicate else None
    if duplicate_id is not None and records.visible_signup(current_user, duplicate_id) is None:
        duplicate_id = None
    # Read after the roll-back, once: the places left as they stand without this submit.
    programmes = records.running_programmes(today)
    form.offer(_programme_choices(programmes))
    # A NIK registered already is a conflict with that record (409); any other refusal, refused input.
    return _page(visit, form, programmes, status=409 if duplicate else REFUSED, duplicate_id=duplicate_id)


def _posted_nik(form: SignUpForm) -> dict | None:
    """After a refused submit: what a valid NIK says (an invalid one's messages are beside the field)."""
    if request.method != "POST" or not form.nik.data or form.nik.errors:
        return None
    nik = _nik_context(form.nik.data, form.sex.data, form.birth_date.data)
    return nik if nik["check"].valid else None


def _nik_context(raw: str, sex: str | None, birth_date) -> dict:
    """What the NIK check shows: its errors, or what it says, mismatches, and any registration of it."""
    check = check_nik(raw, sex if sex in ("L", "P") else None, birth_date)
    problem = age_problem(check.birth_date, clock.today()) if check.valid else None
    if problem:
        check.errors.append(problem)
    if not check.valid:
        return {"check": check, "district": None, "registration": None}
    return {"check": check, "district": records.district_label(check.district_code),
            "registration": records.registration_of(check.nik)}


@bp.get("/nik-check", endpoint="check_nik")
@roles(Role.OFFICER)
def nik_check():
    raw = _arg("nik")
    sex = _arg("sex") or None
    # Any real day: the NIK check says whether it is a likely birth date.
    birth_date = parse_day(_arg("birth_date"), date.min, date.max)
    nik = _nik_context(raw, sex, birth_date) if raw else None
    # Sex and birth date left empty are filled from the NIK (htmx swaps them in out of band).
    fill = SignUpForm(formdata=None)
    if nik and nik["check"].valid:
        fill.sex.data = sex or nik["check"].sex
        fill.birth_date.data = birth_date or nik["check"].birth_date
    return _fragment("nik_check", nik=nik, fill=fill if nik and nik["check"].valid and not (sex and birth_date)
                     else None)


def _preview_context(declared_income: int | None, with_jht: bool, payer: str | None, programme_id: int | None,
                     programmes: list[records.ProgrammeOption], error: str | None = None) -> dict:
    """The monthly contribution for an income under today's rate table, and the chosen programme's quota."""
    contribution = None
    if declared_income is not None and error is None:
        try:
            contribution = compute_contribution(declared_income, with_jht, clock.today())
        except NoRateTable:
            error = _("No contribution rates are in force today; ask an administrator.")
    programme = next((p for p in programmes if p.id == programme_id), None) if payer == Payer.SUBSIDY else None
    return {"contribution": contribution, "error": error, "programme": programme}


@bp.get("/contribution")
@roles(Role.OFFICER)
def preview():
    income, error = None, None
    typed = request.args.get("declared_income", "")
    if typed.strip():
        try:
            income = parse_income(typed if not CONTROL_CHARACTERS_IN_LINE.search(typed) else "?")
        except ValueError as refused:
            error = str(refused.args[0])
    programme_id = parse_id(_arg("subsidy_programme"))
    programmes = records.running_programmes(clock.today(), programme_id) if programme_id else []
    return _fragment("preview", preview=_preview_context(
        income, bool(request.args.get("with_jht")), _arg("payer"), programme_id, programmes, error))
