"""The near-duplicate review queue: a coordinator keeps both sign-ups or merges them into one.

A sign-up is flagged (``review`` pending) when it was saved with the name, birth date and district of
another live sign-up under another NIK (``service.record_signup``). The queue lists the flagged sign-ups
of the user's branches, each with the live sign-ups it resembles. Keeping both closes the review;
merging voids one of the two (never an activated one) and points it at the one kept. Every decision
is audited; repeating one that is already done changes nothing and writes no second entry.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, select, update
from sqlalchemy.orm import aliased

from campaign_app.audit.service import record
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import AuditAction, Branch, Review, SignUp, SignUpStatus, User, Village
from campaign_app.paging import Page, paginate
from campaign_app.validation import Refused

BranchIds = set[int] | None


@dataclass
class Entry:
    """A sign-up as the queue shows it: the record (NIK masked through ``masked_nik``), village and branch."""

    signup: SignUp
    village: str
    branch: str
    # Whether the user may act on it: a sign-up of a branch they do not see is shown, never changed.
    visible: bool = True


@dataclass
class ReviewItem:
    """A flagged sign-up and the live sign-ups it resembles (empty when those were voided since)."""

    flagged: Entry
    resembles: list[Entry] = field(default_factory=list)


def _in_branches(statement: Select, column, branch_ids: BranchIds) -> Select:
    return statement if branch_ids is None else statement.where(column.in_(branch_ids))


def _live():
    return SignUp.status != SignUpStatus.VOID


def pending_reviews(branch_ids: BranchIds, page: int = 1, per_page: int = 20) -> Page:
    """Page ``page`` of the flagged sign-ups of ``branch_ids`` (None: every branch), oldest first.

    Each item (``ReviewItem``) carries the live sign-ups of any branch that the flagged one resembles
    (same district of registration and birth date, through their keyed index, and name key, another NIK). Three
    statements, whatever the number of items: the count, the page, and the resembling sign-ups of the whole page.
    """
    statement = _in_branches(
        select(SignUp, Village.name, Branch.name)
        .join(Village, Village.code == SignUp.village_code)
        .join(Branch, Branch.id == SignUp.branch_id)
        .where(SignUp.review == Review.PENDING, _live())
        .order_by(SignUp.created_at, SignUp.id),
        SignUp.branch_id, branch_ids,
    )
    result = paginate(statement, page, per_page)
    items = [ReviewItem(Entry(signup, village, branch)) for signup, village, branch in result.items]
    by_id = {item.flagged.signup.id: item for item in items}
    if by_id:
        flagged = aliased(SignUp)
        rows = db.session.execute(
            select(flagged.id, SignUp, Village.name, Branch.name)
            .join(SignUp, and_(SignUp.birth_index == flagged.birth_index, SignUp.name_key == flagged.name_key,
                               SignUp.nik_index != flagged.nik_index, _live()))
            .join(Village, Village.code == SignUp.village_code)
            .join(Branch, Branch.id == SignUp.branch_id)
            .where(flagged.id.in_(by_id))
            .order_by(flagged.id, SignUp.created_at, SignUp.id)
        )
        for flagged_id, signup, village, branch in rows:
            visible = branch_ids is None or signup.branch_id in branch_ids
            by_id[flagged_id].resembles.append(Entry(signup, village, branch, visible))
    return Page(items=items, page=result.page, per_page=result.per_page, total=result.total)


def review_item(signup: SignUp, branch_ids: BranchIds) -> ReviewItem | None:
    """The queue's item of ``signup`` as it stands now, or None when it no longer waits for review."""
    if signup.review != Review.PENDING or signup.status == SignUpStatus.VOID:
        return None
    names = db.session.execute(
        select(Village.name, Branch.name).select_from(SignUp)
        .join(Village, Village.code == SignUp.village_code).join(Branch, Branch.id == SignUp.branch_id)
        .where(SignUp.id == signup.id)
    ).one()
    item = ReviewItem(Entry(signup, *names))
    rows = db.session.execute(
        select(SignUp, Village.name, Branch.name)
        .join(Village, Village.code == SignUp.village_code)
        .join(Branch, Branch.id == SignUp.branch_id)
        .where(*_resembling(signup))
        .order_by(SignUp.created_at, SignUp.id)
    )
    item.resembles = [Entry(other, village, branch, branch_ids is None or other.branch_id in branch_ids)
                      for other, village, branch in rows]
    return item


def _resembling(signup: SignUp) -> tuple:
    """Conditions for the live sign-ups ``signup`` resembles."""
    return (SignUp.birth_index == signup.birth_index, SignUp.name_key == signup.name_key,
            SignUp.nik_index != signup.nik_index, _live(),
            SignUp.id != signup.id)


def _resembling_ids(signup: SignUp) -> list[int]:
    return list(db.session.scalars(select(SignUp.id).where(*_resembling(signup)).order_by(SignUp.id)))


def _lock(*signups: SignUp) -> None:
    """Hold these rows until the commit, then read them again: two coordinators deciding at once queue here.

    A no-op write takes row locks on PostgreSQL and the database's write lock on SQLite alike, so the
    second decision sees the first (and never voids both sign-ups of a pair from opposite sides).
    """
    ids = sorted({signup.id for signup in signups})
    db.session.execute(update(SignUp).where(SignUp.id.in_(ids)).values(updated_at=SignUp.updated_at)
                       .execution_options(synchronize_session=False))
    db.session.execute(select(SignUp).where(SignUp.id.in_(ids)).execution_options(populate_existing=True)).all()


def keep_both(signup: SignUp, actor: User, now: datetime) -> bool:
    """Close the review of the flagged ``signup``: it is another person than those it resembles.

    Returns True when this call decided it, False when it was kept already (nothing written). Refuses
    (``Refused``) a sign-up that is not waiting for review (never flagged, merged, or void).
    """
    _lock(signup)
    if signup.review == Review.KEPT and signup.status != SignUpStatus.VOID:
        return False
    if signup.review != Review.PENDING or signup.status == SignUpStatus.VOID:
        raise Refused.on(None, _("This sign-up is not waiting for review."))
    others = _resembling_ids(signup)
    signup.review = Review.KEPT
    signup.updated_at = now
    db.session.flush()
    record(AuditAction.NEAR_DUPLICATE_KEPT, actor=actor, subject_type="signup", subject_id=signup.id,
           branch_id=signup.branch_id, details={"review": [Review.PENDING.value, Review.KEPT.value],
                                                "resembles": others}, now=now)
    return True


def _check_merge(drop: SignUp, keep: SignUp) -> None:
    if drop.id == keep.id:
        raise Refused.on("keep", _("Choose another sign-up to keep than the one merged into it."))
    if drop.status == SignUpStatus.VOID or keep.status == SignUpStatus.VOID:
        raise Refused.on(None, _("Only sign-ups that are not void can be merged."))
    if (drop.birth_index, drop.name_key) != (keep.birth_index, keep.name_key) \
            or drop.nik_index == keep.nik_index:
        raise Refused.on("keep", _("These sign-ups do not share name, birth date and district: they cannot be "
                                   "merged."))
    if drop.status == SignUpStatus.ACTIVATED:
        raise Refused.on(None, _("Sign-up #%(id)d is activated: keep it, and merge the other into it.", id=drop.id))


def merge(signup: SignUp, into: SignUp, actor: User, now: datetime) -> bool:
    """Decide that ``signup`` and ``into`` are one person: ``signup`` is voided and points at ``into``.

    ``into`` keeps its record; it takes ``signup``'s phone only when it has none. Both must be live
    near-duplicates of each other, and ``signup`` not activated
    (``Refused`` otherwise). A flagged ``into`` that resembles no other live sign-up afterwards leaves the
    queue too. Returns True when this call merged them, False when it was done already (nothing written).
    """
    _lock(signup, into)
    if signup.status == SignUpStatus.VOID and signup.merged_into_id == into.id and signup.review == Review.MERGED:
        return False
    _check_merge(signup, into)
    details: dict = {"status": [signup.status, SignUpStatus.VOID.value],
                     "review": [signup.review, Review.MERGED.value],
                     "merged_into_id": [signup.merged_into_id, into.id], "kept": into.id, "dropped": signup.id}
    signup.status = SignUpStatus.VOID
    signup.void_reason = f"merged into #{into.id}"
    signup.merged_into_id = into.id
    signup.review = Review.MERGED
    signup.updated_at = now
    if not into.phone and signup.phone:
        into.phone = signup.phone
        into.updated_at = now
        details["kept_phone"] = [None, "copied"]  # the number itself is personal data: not in the log
    db.session.flush()
    if into.review == Review.PENDING and not _resembling_ids(into):
        into.review = Review.MERGED
        into.updated_at = now
        details["kept_review"] = [Review.PENDING.value, Review.MERGED.value]
        db.session.flush()
    record(AuditAction.NEAR_DUPLICATE_MERGED, actor=actor, subject_type="signup", subject_id=signup.id,
           branch_id=signup.branch_id, details=details, now=now)
    return True
