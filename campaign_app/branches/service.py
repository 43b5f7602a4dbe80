"""Rules and queries for branches and the regencies they cover."""

from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import Branch, Regency


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
