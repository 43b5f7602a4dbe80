"""A coordinator (or an administrator) accepts or discards a record from a phone that waits for review; the queue
itself is shown on the review page of the sign-ups (``/signups/reviews``)."""

from datetime import UTC, datetime

from flask import abort, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign_app.access import roles, visible_branch_ids
from campaign_app.answers import REFUSED, saving, success
from campaign_app.extensions import db
from campaign_app.models import Role, SyncRecord

# The module, not its names: it imports this package's review service while this package loads.
from campaign_app.signups import review_routes as signup_reviews
from campaign_app.sync import bp, review
from campaign_app.sync.forms import DiscardForm

RECORD_ID = "<id:record_id>"
# As for the near-duplicates beside them: the branch's coordinators decide, and administrators.
REVIEWERS = (Role.ADMIN, Role.COORDINATOR)


def now() -> datetime:
    return datetime.now(UTC)


def _load(record_id: int) -> SyncRecord:
    # Another branch's record is "not found", not "forbidden".
    record = db.session.get(SyncRecord, record_id)
    branch_ids = visible_branch_ids(current_user)
    if record is None or (branch_ids is not None and record.branch_id not in branch_ids):
        abort(404)
    return record


def _back(message: str):
    return success(url_for("signups.reviews") + "#synced", message)


@bp.post(f"/sync/records/{RECORD_ID}/accept")
@roles(*REVIEWERS)
def accept(record_id: int):
    record = _load(record_id)
    with saving() as done:
        accepted = review.accept(record, current_user, now())
    if not done:
        return signup_reviews.review_page(status=REFUSED, synced_error=" ".join(str(m) for m in done.messages))
    return _back(_("Accepted: the record from the phone is recorded.") if accepted
                 else _("This record was accepted already."))


@bp.post(f"/sync/records/{RECORD_ID}/discard")
@roles(*REVIEWERS)
def discard(record_id: int):
    record = _load(record_id)
    form = DiscardForm()
    if not form.validate_on_submit():
        messages = [str(message) for field in form for message in field.errors]
        return signup_reviews.review_page(status=REFUSED, synced_error=" ".join(messages))
    with saving() as done:
        discarded = review.discard(record, current_user, form.reason.data, now())
    if not done:
        return signup_reviews.review_page(status=REFUSED, synced_error=" ".join(str(m) for m in done.messages))
    return _back(_("Discarded: the record from the phone is kept, not recorded.") if discarded
                 else _("This record was discarded already."))
