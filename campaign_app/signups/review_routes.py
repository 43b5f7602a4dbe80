"""The near-duplicate review queue: coordinators (and admins) keep both sign-ups or merge them."""

from datetime import UTC, datetime

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign_app.access import roles, visible_branch_ids
from campaign_app.extensions import db
from campaign_app.models import Role, SignUp
from campaign_app.rendering import render, wants_fragment
from campaign_app.signups import bp, review
from campaign_app.validation import Refused

SIGNUP_ID = "<int(max=2147483647):signup_id>"
# Managers compare results; deciding who is one person is the branch coordinators' work.
REVIEWERS = (Role.ADMIN, Role.COORDINATOR)
ID_MAX = 2_147_483_647
# Flagged sign-ups per page, each with the ones it resembles: within the page budget.
PER_PAGE = 20


def _visible(signup_id: int | None) -> SignUp | None:
    """The sign-up ``signup_id`` when it is of a branch the user sees, else None."""
    if signup_id is None or not 0 < signup_id <= ID_MAX:
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


def _queue_page(status: int = 200, error: str | None = None):
    queue = review.pending_reviews(visible_branch_ids(current_user), page=request.args.get("page", 1, type=int),
                                   per_page=PER_PAGE)
    return render("signups/reviews.html", fragment="queue", status=status, queue=queue, error=error)


@bp.get("/reviews")
@roles(*REVIEWERS)
def reviews():
    return _queue_page()


def _answer(flagged: SignUp, notice: str | None = None, error: str | None = None):
    """After a decision: for htmx, the queue's row of ``flagged`` as it stands now; else back to the queue."""
    if wants_fragment():
        # htmx swaps only successful answers: a refusal comes back as 200 so that its message is shown.
        item = review.review_item(flagged, visible_branch_ids(current_user))
        return render("signups/reviews.html", fragment="item", item=item, row_id=flagged.id, notice=notice,
                      error=error)
    if error:
        return _queue_page(status=400, error=error)
    flash(notice, "success")
    return redirect(url_for("signups.reviews"), code=303)


def _refused(flagged: SignUp, refused: Refused):
    db.session.rollback()
    return _answer(flagged, error=" ".join(message for messages in refused.errors.values() for message in messages))


@bp.post(f"/{SIGNUP_ID}/keep")
@roles(*REVIEWERS)
def keep(signup_id: int):
    signup = _load(signup_id)
    try:
        done = review.keep_both(signup, current_user, datetime.now(UTC))
    except Refused as refused:
        return _refused(signup, refused)
    db.session.commit()
    message = _("Kept both: sign-up #%(id)d is another person.", id=signup.id) if done \
        else _("Sign-up #%(id)d was kept already.", id=signup.id)
    return _answer(signup, notice=message)


def _form_id(name: str) -> int | None:
    return request.form.get(name, type=int)


@bp.post(f"/{SIGNUP_ID}/merge")
@roles(*REVIEWERS)
def merge(signup_id: int):
    """Form fields: ``keep``, the sign-up kept; ``drop``, the one voided (this one when left out)."""
    flagged = _load(signup_id)
    keep_id, drop_id = _form_id("keep"), _form_id("drop") or flagged.id
    kept, dropped = _visible(keep_id), _visible(drop_id)
    if kept is None or dropped is None or flagged.id not in (kept.id, dropped.id):
        return _answer(flagged, error=_("Choose one of the sign-ups listed to keep."))
    try:
        done = review.merge(dropped, kept, current_user, datetime.now(UTC))
    except Refused as refused:
        return _refused(flagged, refused)
    db.session.commit()
    message = _("Merged: sign-up #%(dropped)d is void, #%(kept)d is kept.", dropped=dropped.id, kept=kept.id) \
        if done else _("Sign-up #%(dropped)d was merged into #%(kept)d already.", dropped=dropped.id, kept=kept.id)
    return _answer(flagged, notice=message)
