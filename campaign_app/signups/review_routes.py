"""The near-duplicate review queue: coordinators (and admins) keep both sign-ups or merge them."""

from collections.abc import Callable
from datetime import UTC, datetime

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign_app.access import roles, visible_branch_ids
from campaign_app.answers import REFUSED, saving, success
from campaign_app.extensions import db
from campaign_app.ids import parse_id
from campaign_app.models import Role, SignUp
from campaign_app.rendering import render
from campaign_app.signups import bp, review
from campaign_app.sync import review as synced

SIGNUP_ID = "<id:signup_id>"
# Managers compare results; deciding who is one person is the branch coordinators' work.
REVIEWERS = (Role.ADMIN, Role.COORDINATOR)
# Flagged sign-ups per page, each with the ones it resembles: within the page budget.
PER_PAGE = 20


def _visible(signup_id: int | None) -> SignUp | None:
    """The sign-up ``signup_id`` when it is of a branch the user sees, else None."""
    if signup_id is None:
        return None
    signup = db.session.get(SignUp, signup_id)
    branch_ids = visible_branch_ids(current_user)
    if signup is None or (branch_ids is not None and signup.branch_id not in branch_ids):
        return None
    return signup


def _load(signup_id: int) -> SignUp:
    # Another branch's sign-up is "not found", not "forbidden".
    signup = _visible(signup_id)
    if signup is None:
        abort(404)
    return signup


def _queue():
    return review.pending_reviews(visible_branch_ids(current_user), page=request.args.get("page", 1, type=int),
                                  per_page=PER_PAGE)


def _synced(error: str | None = None) -> dict:
    """The records from phones waiting for review, shown on the same page below the near-duplicates."""
    return {"synced": synced.waiting_records(visible_branch_ids(current_user)), "synced_error": error}


def review_page(*, status: int = 200, synced_error: str | None = None):
    """The whole review page; ``synced_error`` above the records from phones (a decision on one refused)."""
    return render("signups/reviews.html", status=status, queue=_queue(), error=None, **_synced(synced_error))


@bp.get("/reviews")
@roles(*REVIEWERS)
def reviews():
    return render("signups/reviews.html", fragment="queue", queue=_queue(), error=None, page_context=_synced)


def _row(flagged: SignUp, *, status: int = 200, notice: str | None = None, error: str | None = None):
    """The queue's row of ``flagged`` as it stands now (htmx swaps it in place), or the whole queue with ``error``
    above it."""
    return render("signups/reviews.html", fragment="item", status=status,
                  fragment_context=lambda: {"item": review.review_item(flagged, visible_branch_ids(current_user)),
                                            "row_id": flagged.id, "notice": notice, "error": error},
                  page_context=lambda: {"queue": _queue(), "error": error, **_synced()})


def _refused(flagged: SignUp, error: str):
    return _row(flagged, status=REFUSED, error=error)


def _answer(flagged: SignUp, done, notice: Callable[[], str]):
    """After a decision: the refusal; or for htmx the row of ``flagged`` with ``notice()``, else back to the queue."""
    if not done:
        return _refused(flagged, " ".join(done.messages))
    message = notice()
    return success(url_for("signups.reviews"), message, swap=lambda: _row(flagged, notice=message))


@bp.post(f"/{SIGNUP_ID}/keep")
@roles(*REVIEWERS)
def keep(signup_id: int):
    signup = _load(signup_id)
    with saving() as done:
        changed = review.keep_both(signup, current_user, datetime.now(UTC))
    return _answer(signup, done, lambda: _("Kept both: sign-up #%(id)d is another person.", id=signup.id) if changed
                   else _("Sign-up #%(id)d was kept already.", id=signup.id))


def _form_id(name: str) -> int | None:
    return parse_id(request.form.get(name))


@bp.post(f"/{SIGNUP_ID}/merge")
@roles(*REVIEWERS)
def merge(signup_id: int):
    """Form fields: ``keep``, the sign-up kept; ``drop``, the one voided (this one when left out)."""
    flagged = _load(signup_id)
    keep_id, drop_id = _form_id("keep"), _form_id("drop") or flagged.id
    kept, dropped = _visible(keep_id), _visible(drop_id)
    if kept is None or dropped is None or flagged.id not in (kept.id, dropped.id):
        return _refused(flagged, _("Choose one of the sign-ups listed to keep."))
    with saving() as done:
        changed = review.merge(dropped, kept, current_user, datetime.now(UTC))
    return _answer(flagged, done, lambda: _("Merged: sign-up #%(dropped)d is void, #%(kept)d is kept.",
                                            dropped=dropped.id, kept=kept.id) if changed
                   else _("Sign-up #%(dropped)d was merged into #%(kept)d already.", dropped=dropped.id, kept=kept.id))
