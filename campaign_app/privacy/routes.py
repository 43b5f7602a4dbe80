"""Data-subject requests, for administrators: find a person by a posted NIK, export their data, erase them."""

import json
from datetime import UTC, datetime

from flask import Response, abort, request, url_for
from flask_login import current_user

from campaign_app import clock
from campaign_app.access import roles
from campaign_app.answers import REFUSED, committing, saving, success
from campaign_app.i18n import gettext as _
from campaign_app.i18n import ngettext
from campaign_app.models import Role
from campaign_app.privacy import bp, service
from campaign_app.privacy.forms import ErasureForm, PersonSearchForm
from campaign_app.rendering import render
from campaign_app.signups.forms import csrf_refused
from campaign_app.validation import Refused

PERSON = "/people/<id:signup_id>"


def now() -> datetime:
    """The moment of a request; tests replace it."""
    return datetime.now(UTC)


def _page(*, status: int = 200, search: PersonSearchForm | None = None, person: service.Person | None = None,
          searched: bool = False, erasure: ErasureForm | None = None):
    response = render("privacy/requests.html", fragment="results", status=status,
                      search=search or PersonSearchForm(formdata=None), person=person, searched=searched,
                      erasure=erasure or ErasureForm(formdata=None), is_erased=service.is_erased,
                      confirmation_word=service.CONFIRMATION)
    # A person's data must not stay in a browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _person(signup_id: int) -> service.Person:
    person = service.person_of(signup_id)
    if person is None:
        abort(404)
    return person


# The NIK is posted: it never becomes part of an address, an access log line or a Referer.
@bp.route("/requests", methods=["GET", "POST"])
@roles(Role.ADMIN)
def requests():
    if request.method == "GET":
        return _page()
    form = PersonSearchForm()
    read = form.validate()
    with saving(form) as done:
        if not read:
            raise Refused({})
        person = service.find_person(form.nik.data, current_user, now())
    if not done:
        if csrf_refused(form):
            form.form_errors.append(_("This form has expired; check it and send it again."))
        return _page(status=REFUSED, search=form)
    return _page(search=form, person=person, searched=True)


@bp.post(f"{PERSON}/export")
@roles(Role.ADMIN)
def export(signup_id: int):
    person = _person(signup_id)
    # Committed before the file is sent: the export is recorded even if the download is cut short.
    with committing():
        data = service.export_person(person, current_user, now())
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    filename = f"jangkau-data-subject-{signup_id}-{clock.today().isoformat()}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post(f"{PERSON}/erase")
@roles(Role.ADMIN)
def erase(signup_id: int):
    person = _person(signup_id)
    form = ErasureForm()
    read = form.validate()
    with saving(form) as done:
        if not read:
            raise Refused({})
        erased = service.erase_person(person, current_user, confirmation=form.confirmation.data,
                                      reason=form.reason.data, now=now())
    if done:
        return success(url_for("privacy.requests"),
                       ngettext("The person's data was erased from %(num)d sign-up; it still counts.",
                                "The person's data was erased from %(num)d sign-ups; they still count.", erased),
                       reload=True)
    if csrf_refused(form):
        form.form_errors.append(_("This form has expired; check it and send it again."))
    return _page(status=REFUSED, person=_person(signup_id), searched=True, erasure=form)
