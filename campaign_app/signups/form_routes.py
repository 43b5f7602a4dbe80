"""The officer's sign-up form: the page, the NIK check and contribution preview as it is typed, and the submit."""

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import lru_cache

from flask import abort, current_app, g, make_response, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from campaign_app import clock
from campaign_app.access import roles
from campaign_app.answers import REFUSED, committing, saving, success
from campaign_app.dates import parse_day
from campaign_app.extensions import limiter
from campaign_app.formatting import whole_numbers
from campaign_app.forms import CONTROL_CHARACTERS_IN_LINE
from campaign_app.i18n import gettext as _
from campaign_app.i18n import language
from campaign_app.ids import parse_id
from campaign_app.models import Payer, Role, Visit, VisitStatus
from campaign_app.page_once import answered_once
from campaign_app.rendering import render, rendering
from campaign_app.signups import bp, records
from campaign_app.signups.consent import consent_text_on
from campaign_app.signups.contributions import NoRateTable, compute_contribution
from campaign_app.signups.forms import NO_PROGRAMME, SignUpForm, csrf_refused, new_form_key, parse_income
from campaign_app.signups.lookup import Registration, audit_refused_duplicate, elsewhere_message, look_up_nik
from campaign_app.signups.nik import NikCheck, check_nik
from campaign_app.signups.phone_rates import phone_rates
from campaign_app.signups.service import DuplicateNik, field_errors, record_signup, with_age_problem
from campaign_app.validation import Refused
from campaign_app.widgets import option

TEMPLATE = "signups/new.html"
VISIT_ID = "<id:visit_id>"
# Longer query values are no NIK, date or amount; they are not even parsed.
QUERY_VALUE_MAX = 40
PREVIEW_CACHE_SECONDS = 30


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


def _programme_choices(programmes: list[records.ProgrammeOption]) -> tuple[SelectChoice, ...]:
    # Labelled once for each state of the programmes (a subsidised sign-up anywhere changes it), not on every
    # request: the form offers every running programme, about a hundred at national scale.
    return _labelled(language(), tuple(programmes))


@lru_cache(maxsize=64)
def _labelled(language: str, programmes: tuple[records.ProgrammeOption, ...]) -> tuple[SelectChoice, ...]:
    """The programmes' choices in ``language`` (the request's: a key of the cache, as the labels are in it)."""
    places = whole_numbers(get_locale())
    return tuple(SelectChoice(str(p.id), _programme_label(p, places)) for p in programmes)


def _programme_label(programme: records.ProgrammeOption, places) -> str:
    """A programme's name and the places it has left (written by ``places``), in the request's language."""
    return _("%(name)s · %(left)s places left") % {"name": programme.name, "left": places(programme.remaining)}


def _programme_options(programmes: list[records.ProgrammeOption]) -> Markup:
    """The options of the empty form's programme select, "None" chosen, as the select writes them: written per
    request into the page kept in memory, so that the places left, which any subsidised sign-up changes, do not make
    the page a new one. Each option is written once per process for its programme's id, name and places left."""
    language_ = language()
    return Markup(_no_programme(language_) + "".join([_programme_option(language_, p) for p in programmes]))


@lru_cache(maxsize=8)
def _no_programme(language: str) -> str:
    """The "None" option, chosen, in ``language`` (the request's)."""
    return option("", str(NO_PROGRAMME), selected=True)


@lru_cache(maxsize=4096)
def _programme_option(language: str, programme: records.ProgrammeOption) -> str:
    """A programme's option in ``language`` (the request's), as ``_labelled`` labels it."""
    return option(str(programme.id), _programme_label(programme, whole_numbers(get_locale())))


def _blocked_message(visit: Visit) -> str | None:
    if visit.status == VisitStatus.IN_PROGRESS:
        return None
    return _("Sign-ups are recorded while a visit is in progress: start the visit on its page first.")


def _page(visit: Visit, form: SignUpForm, programmes, *, status: int = 200, saved=None,
          duplicate_id: int | None = None, offline_copy: bool = False, fragment: str = "signup_form",
          done: str | None = None, in_place_of: str | None = None, rates: Callable[[], dict | None] | None = None):
    # The copy "prepare for offline" stores shows the form before the visit starts: it is used once it has started
    # on the phone (static/js/outbox.js), and records go to the phone's outbox, not to this form's action.
    blocked = None if offline_copy else _blocked_message(visit)

    def page() -> dict:
        # The page carries the rate table in force: the phone works the contribution out as the income is typed,
        # with no request (the save computes it again); the fragment swapped after a save does not repeat it.
        return {"rates": rates() if rates is not None else phone_rates(clock.today())}

    return render(TEMPLATE, fragment=fragment, status=status, visit=visit, page_context=page,
                  # The page's whole content, for htmx to put in place of another page's: with its title.
                  fragment_context=(lambda: {**page(), "own_title": True}) if fragment == "signup_page" else None,
                  in_place_of=in_place_of, done=done,
                  push_url=url_for("signups.new", visit_id=visit.id) if in_place_of else None,
                  consent_text=consent_text_on(clock.today()),
                  form=form, visit_url=_visit_url(visit.id), blocked=blocked, offline_copy=offline_copy,
                  show_form=not blocked or request.method == "POST", saved=saved, duplicate_id=duplicate_id,
                  nik=_posted_nik(form),
                  preview=_preview_context(form.declared_income.data, bool(form.with_jht.data), form.payer.data,
                                           form.subsidy_programme.data, programmes))


@bp.route(f"/visits/{VISIT_ID}/new", methods=["GET", "POST"])
@roles(Role.OFFICER)
def new(visit_id: int):
    today = clock.today()
    if request.method == "GET":
        # The page carries the rate table in force: read with the visit, in one statement.
        found = records.officer_visit_and_rates(current_user, visit_id, today)
        if found is None:
            abort(404)
        form_visit, rates = found
        return _empty_form(form_visit, today, parse_id(request.args.get("saved")),
                           offline_copy=request.args.get("offline") == "1", rates=lambda: rates)
    visit = records.officer_visit(current_user, visit_id)
    if visit is None:
        abort(404)

    # The programmes offered are read only for a page to show: the choice is checked by the service, and a
    # saved sign-up answers with a redirect (to htmx, with the next empty form).
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
        # The commit expires every loaded record: the redirect is built from what is known before it, so that a
        # plain post reads nothing again after it.
        saved_id = outcome.signup.id
        saved_url = url_for("signups.new", visit_id=visit_id, saved=saved_id)
    if done:
        # htmx gets the next empty form with the one just saved in this answer (a 303 would cost a second round
        # trip); a plain post is sent to it.
        return success(saved_url, swap=lambda: _empty_form(visit, today, saved_id))
    if csrf_refused(form):
        form.form_errors.append(_("This form has expired; check it and save again."))
    if not form.form_key.data or records.key_used(form.form_key.data):
        # A tampered key, or one another officer's form used: this form gets a fresh one.
        form.form_key.data = new_form_key()
    _show_consent_in_force(form, today)
    duplicate = done.refused if isinstance(done.refused, DuplicateNik) else None
    duplicate_id = duplicate.existing_id if duplicate else None
    if duplicate_id is not None:
        # The refusal told whether the NIK is registered: audited like the NIK check's look-up.
        with committing():
            audit_refused_duplicate(duplicate_id, current_user, now())
    if duplicate_id is not None and records.visible_signup(current_user, duplicate_id) is None:
        duplicate_id = None
    # Read after the roll-back, once: the places left as they stand without this submit.
    programmes = records.running_programmes(today)
    form.offer(_programme_choices(programmes))
    # A NIK registered already is a conflict with that record (409); any other refusal, refused input.
    return _page(visit, form, programmes, status=409 if duplicate else REFUSED, duplicate_id=duplicate_id)


def _empty_form(visit: Visit, today: date, saved_id: int | None, *, offline_copy: bool = False,
                rates: Callable[[], dict | None] | None = None, **page):
    """The form for the next worker, with the confirmation of the sign-up ``saved_id`` when one was just saved
    (``offline_copy``: the copy "prepare for offline" stores; ``rates``: the rate table in force when read already;
    ``page``: how htmx gets it, see ``_page``)."""
    read_rates = rates or (lambda: phone_rates(today))
    programmes = records.running_programmes(today)
    saved = records.saved_signup(current_user, saved_id, visit.id)
    consent_version = consent_text_on(today).version

    def rendered(values: Mapping[str, str], kept: bool = False, rates: Callable[[], dict | None] = read_rates):
        if kept:
            form = SignUpForm(formdata=None)
            form.subsidy_programme.written_options = values["programme_options"]
        else:
            form = SignUpForm(_programme_choices(programmes), formdata=None)
        form.form_key.data = values["form_key"]
        form.consent_version.data = consent_version
        return _page(visit, form, programmes, saved=saved, offline_copy=offline_copy, rates=rates, **page)

    if saved is not None or "_flashes" in session:
        return rendered({"form_key": new_form_key()})
    # The empty form is the same for every request with the same key but for its CSRF token, one-time key and the
    # programmes' options: rendered once per process for it (campaign_app/page_once.py). The key names all else
    # the page shows.
    sent = rendering(page.get("fragment", "signup_form"))
    # Only the page carries the rate table (see _page): the fragment of the form alone does not read it.
    rates_shown = read_rates() if sent != "signup_form" else None
    key = ("signups.new", language(), sent,
           request.endpoint, request.script_root, request.method, current_user.id, current_user.role,
           visit.id, visit.status, visit.village.name, visit.visit_date, offline_copy,
           consent_version, tuple(rates_shown.items()) if rates_shown else None, tuple(sorted(page.items())))
    return answered_once(key, lambda values: rendered(values, kept=True, rates=lambda: rates_shown),
                         {"form_key": new_form_key, "programme_options": lambda: _programme_options(programmes)})


def form_in_place_of(visit: Visit, target: str, done: str):
    """The sign-up form's page, with ``done`` said at its top, for htmx to put in place of ``target`` (the page the
    officer acted on: the visit's, its attendance saved) and show the form's address: the next step in the same
    answer, not a redirect and a second request (a round trip on 2G)."""
    return _empty_form(visit, clock.today(), None, fragment="signup_page", done=done, in_place_of=target)


def _show_consent_in_force(form: SignUpForm, today: date) -> None:
    """After a refused submit the form shows the consent text in force; a worker who agreed to another version is
    asked again (the box is cleared), everything else typed is kept."""
    in_force = consent_text_on(today).version
    if form.consent_version.data != in_force:
        form.consent_version.data = in_force
        form.consent.data = False


def _posted_nik(form: SignUpForm) -> dict | None:
    """After a refused submit: what a valid NIK says (an invalid one's messages are beside the field). Its registration
    is not looked up again: the submit itself refuses a NIK registered already, with what the officer may know."""
    if request.method != "POST" or not form.nik.data or form.nik.errors:
        return None
    check = check_nik(form.nik.data, form.sex.data if form.sex.data in ("L", "P") else None, form.birth_date.data)
    return _nik_context(check) if check.valid else None


def _nik_context(check: NikCheck, registration: Registration | None = None) -> dict:
    """What the NIK check shows: its errors, or what it says, mismatches, and any registration of it."""
    if not with_age_problem(check, clock.today()).valid:
        return {"check": check, "district": None, "registration": None}
    return {"check": check, "district": records.district_label(check.district_code), "registration": registration,
            "elsewhere": elsewhere_message(registration) if registration and registration.elsewhere else None}


def _form_value(name: str) -> str:
    """A short form value, or empty when missing, too long or holding control characters."""
    value = request.form.get(name, "")
    return "" if len(value) > QUERY_VALUE_MAX or CONTROL_CHARACTERS_IN_LINE.search(value) else value.strip()


def _nik_check_key() -> str:
    return f"nik-check:{current_user.get_id()}"


def _looked_up(_response) -> bool:
    # Only answers that looked a NIK up count towards the limit: typing a NIK digit by digit does not.
    return bool(g.get("nik_looked_up"))


def _throttled(_limit):
    """The NIK check's answer once an officer has looked up too many NIKs: a message where the answer goes."""
    response = _fragment("nik_check", nik=None, fill=None, throttled=True)
    response.status_code = 429
    return response


# POST, never GET: the NIK travels in the body, so that no address (an access log, a Referer, the history) holds it.
@bp.post("/nik-check", endpoint="check_nik")
@roles(Role.OFFICER)
@limiter.limit(lambda: current_app.config["NIK_CHECK_LIMIT"], key_func=_nik_check_key, deduct_when=_looked_up,
               on_breach=_throttled)
def nik_check():
    raw = _form_value("nik")
    sex = _form_value("sex") or None
    # Any real day: the NIK check says whether it is a likely birth date.
    birth_date = parse_day(_form_value("birth_date"), date.min, date.max)
    check = check_nik(raw, sex if sex in ("L", "P") else None, birth_date) if raw else None
    registration = None
    if check is not None and check.valid:
        g.nik_looked_up = True
        with committing():
            registration = look_up_nik(check.nik, current_user, now())
    nik = _nik_context(check, registration) if check is not None else None
    # Sex and birth date left empty are filled from the NIK (htmx swaps them in out of band).
    fill = SignUpForm(formdata=None)
    if check is not None and check.valid:
        fill.sex.data = sex or check.sex
        fill.birth_date.data = birth_date or check.birth_date
    return _fragment("nik_check", nik=nik, fill=fill if check is not None and check.valid and not (sex and birth_date)
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
    response = _fragment("preview", preview=_preview_context(
        income, bool(request.args.get("with_jht")), _arg("payer"), programme_id, programmes, error))
    # The same figures are asked for again when the income field loses focus (its change after its keyup): the
    # browser answers that from its own cache. Places left may lag by these seconds; the save checks the quota.
    response.cache_control.private = True
    response.cache_control.max_age = PREVIEW_CACHE_SECONDS
    return response
