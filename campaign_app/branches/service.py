"""Rules and queries for branches and the regencies they cover."""

from collections.abc import Sequence
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Row, func, select
from sqlalchemy.exc import IntegrityError

from campaign_app.access import visible_branch_ids
from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import Branch, District, Province, Regency, Role, User, Village, branch_regencies
from campaign_app.paging import MAX_PAGE
from campaign_app.validation import Refused

DEFAULT_PROVINCE = "72"  # Sulawesi Tengah, where the first branches are
ROLE_ORDER = (Role.MANAGER, Role.COORDINATOR, Role.OFFICER, Role.ADMIN)


class BranchNameTaken(Refused):
    """Another branch already has this name."""

    def __init__(self, name: str):
        super().__init__({"name": [_("Another branch is already called %(name)s.", name=name)]})


class UnknownRegency(Refused):
    """A regency code that is not loaded, or not of the province shown."""

    def __init__(self, codes: str):
        super().__init__({"regencies": [_("Choose only regencies of the province shown.")]})
        self.codes = codes


class RegencyTaken(Refused):
    """Regencies already covered by another branch: ``conflicts`` holds (regency name, branch name)."""

    def __init__(self, conflicts: list[tuple[str, str]]):
        super().__init__({"regencies": [_("%(regency)s is already covered by %(branch)s.", regency=regency,
                                          branch=other) for regency, other in conflicts]})
        self.conflicts = conflicts


@dataclass
class BranchSummary:
    id: int
    name: str
    regencies: int
    villages: int
    staff: int


@dataclass
class RegencyOption:
    """A regency offered for coverage, and the other branch covering it, if any."""

    code: str
    name: str
    covered_by: str | None


def get_or_create_branch(name: str, regency_codes: list[str], home_regency_code: str | None = None) -> Branch:
    """The branch called ``name``, created if missing, covering at least ``regency_codes``."""
    branch = db.session.scalar(select(Branch).where(Branch.name == name))
    if branch is None:
        branch = Branch(name=name, home_regency_code=home_regency_code)
        db.session.add(branch)
    regencies = db.session.scalars(select(Regency).where(Regency.code.in_(regency_codes))).all()
    known = {r.code for r in branch.regencies}
    branch.regencies.extend(r for r in regencies if r.code not in known)
    db.session.flush()
    return branch


def branch_options() -> list[tuple[int, str]]:
    """Every branch as (id, name), by name, for selects."""
    return [(branch_id, name)
            for branch_id, name in db.session.execute(select(Branch.id, Branch.name).order_by(Branch.name))]


def _counts(ids: list[int]) -> tuple[dict, dict, dict]:
    regencies: dict[int, int] = dict(db.session.execute(
        select(branch_regencies.c.branch_id, func.count())
        .where(branch_regencies.c.branch_id.in_(ids)).group_by(branch_regencies.c.branch_id)
    ).all())
    villages: dict[int, int] = dict(db.session.execute(
        select(branch_regencies.c.branch_id, func.count(Village.code))
        .join(District, District.regency_code == branch_regencies.c.regency_code)
        .join(Village, Village.district_code == District.code)
        .where(branch_regencies.c.branch_id.in_(ids)).group_by(branch_regencies.c.branch_id)
    ).all())
    staff = dict(db.session.execute(
        select(User.branch_id, func.count()).where(User.branch_id.in_(ids), User.active)
        .group_by(User.branch_id)
    ).all())
    return regencies, villages, staff


def visible_branches(user: User, page: int = 1, per_page: int = 25) -> tuple[Pagination, list[BranchSummary]]:
    """One page of the branches ``user`` may see, each with its regency, village and active staff counts.

    Five statements whatever the page holds: count, page, and one aggregate per count.
    """
    statement = select(Branch).order_by(Branch.name)
    visible = visible_branch_ids(user)
    if visible is not None:
        statement = statement.where(Branch.id.in_(visible))
    page = min(max(page, 1), MAX_PAGE)
    pagination = db.paginate(statement, page=page, per_page=per_page, max_per_page=None, error_out=False)
    ids = [branch.id for branch in pagination.items]
    if not ids:
        return pagination, []
    regencies, villages, staff = _counts(ids)
    return pagination, [
        BranchSummary(b.id, b.name, regencies.get(b.id, 0), villages.get(b.id, 0), staff.get(b.id, 0))
        for b in pagination.items
    ]


def visible_branch(user: User, branch_id: int) -> Branch | None:
    """The branch, if it exists and ``user`` may see it; otherwise None (the page answers 404)."""
    visible = visible_branch_ids(user)
    if visible is not None and branch_id not in visible:
        return None
    return db.session.get(Branch, branch_id)


def branch_regency_rows(branch_id: int) -> Sequence[Row]:
    """The regencies a branch covers, with their province, district and village counts (one query)."""
    districts = (
        select(District.regency_code, func.count(func.distinct(District.code)).label("districts"),
               func.count(Village.code).label("villages"))
        .outerjoin(Village, Village.district_code == District.code)
        .group_by(District.regency_code).subquery()
    )
    return db.session.execute(
        select(Regency.code, Regency.name, Province.name.label("province"),
               func.coalesce(districts.c.districts, 0).label("districts"),
               func.coalesce(districts.c.villages, 0).label("villages"))
        .join(branch_regencies, branch_regencies.c.regency_code == Regency.code)
        .join(Province, Province.code == Regency.province_code)
        .outerjoin(districts, districts.c.regency_code == Regency.code)
        .where(branch_regencies.c.branch_id == branch_id)
        .order_by(Regency.code)
    ).all()


def branch_staff(branch_id: int) -> dict[str, list]:
    """The branch's active staff as rows (id, full_name, username) grouped by role, in ``ROLE_ORDER``."""
    rows = db.session.execute(
        select(User.id, User.full_name, User.username, User.role)
        .where(User.branch_id == branch_id, User.active)
        .order_by(func.lower(User.full_name), User.id)
    ).all()
    staff: dict[str, list] = {role.value: [] for role in ROLE_ORDER}
    for row in rows:
        staff.setdefault(row.role, []).append(row)
    return {role: people for role, people in staff.items() if people}


def province_options() -> list[tuple[str, str]]:
    """Every loaded province as (code, name), by code."""
    return [(code, name)
            for code, name in db.session.execute(select(Province.code, Province.name).order_by(Province.code))]


def branch_province(branch: Branch | None) -> str:
    """The province to show first when editing ``branch``: its office's, else its first regency's."""
    if branch is not None:
        if branch.home_regency is not None:
            return branch.home_regency.province_code
        if branch.regencies:
            return branch.regencies[0].province_code
    return DEFAULT_PROVINCE


def regency_options(province_code: str, branch_id: int | None = None) -> list[RegencyOption]:
    """The province's regencies, each with the name of another branch that covers it (one query)."""
    others = (
        select(branch_regencies.c.regency_code, Branch.name)
        .join(Branch, Branch.id == branch_regencies.c.branch_id)
    )
    if branch_id is not None:
        others = others.where(branch_regencies.c.branch_id != branch_id)
    covering = others.subquery()
    rows = db.session.execute(
        select(Regency.code, Regency.name, covering.c.name)
        .outerjoin(covering, covering.c.regency_code == Regency.code)
        .where(Regency.province_code == province_code)
        .order_by(Regency.code)
    ).all()
    return [RegencyOption(code, name, covered_by) for code, name, covered_by in rows]


def branch_name_taken(name: str, except_branch_id: int | None = None) -> bool:
    """Whether another branch has this name (case-insensitive)."""
    query = select(Branch.id).where(func.lower(Branch.name) == name.strip().lower())
    if except_branch_id is not None:
        query = query.where(Branch.id != except_branch_id)
    return db.session.scalar(query.limit(1)) is not None


def save_branch(
    branch: Branch | None,
    *,
    name: str,
    home_regency_code: str,
    province_code: str,
    regency_codes: Sequence[str],
) -> Branch:
    """Create a branch (``branch`` None) or change one: its name, office regency and coverage.

    Coverage is replaced only within ``province_code``, the province the form showed; regencies the
    branch covers in other provinces are kept. Raises, before changing anything, ``BranchNameTaken``,
    ``UnknownRegency`` (a code not loaded, or not in the province) or ``RegencyTaken`` (a regency
    another branch covers).
    """
    name = name.strip()
    branch_id = branch.id if branch is not None else None
    if branch_name_taken(name, except_branch_id=branch_id):
        raise BranchNameTaken(name)
    home = db.session.get(Regency, home_regency_code)
    if home is None:
        raise UnknownRegency(home_regency_code)
    codes = sorted(set(regency_codes))
    chosen = list(db.session.scalars(
        select(Regency).where(Regency.code.in_(codes), Regency.province_code == province_code)
    )) if codes else []
    if len(chosen) != len(codes):
        raise UnknownRegency(", ".join(sorted(set(codes) - {r.code for r in chosen})))
    taken = select(Regency.name, Branch.name).join(
        branch_regencies, branch_regencies.c.regency_code == Regency.code
    ).join(Branch, Branch.id == branch_regencies.c.branch_id).where(Regency.code.in_(codes))
    if branch_id is not None:
        taken = taken.where(Branch.id != branch_id)
    conflicts = ([(regency, branch_name) for regency, branch_name in db.session.execute(taken.order_by(Regency.code))]
                 if codes else [])
    if conflicts:
        raise RegencyTaken(conflicts)

    if branch is None:
        branch = Branch()
        kept = []
    else:
        kept = [r for r in branch.regencies if r.province_code != province_code]
    branch.name = name
    branch.home_regency = home
    branch.regencies = kept + chosen
    try:
        # A savepoint, so that losing a race for the name leaves the session usable.
        with db.session.begin_nested():
            db.session.add(branch)
            db.session.flush()
    except IntegrityError:
        raise BranchNameTaken(name) from None
    return branch
