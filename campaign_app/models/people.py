"""Branches and the people who work in them."""

import enum
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign_app.extensions import Model, db
from campaign_app.passwords import hash_password, password_matches


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    OFFICER = "officer"
    MANAGER = "manager"


branch_regencies = Table(
    "branch_regencies",
    db.metadata,
    Column("branch_id", Integer, ForeignKey("branches.id", ondelete="CASCADE"), primary_key=True),
    Column("regency_code", String(5), ForeignKey("regencies.code"), primary_key=True),
    # A regency is served by one branch at most.
    UniqueConstraint("regency_code"),
)

# The branches a manager covers beyond their own; ``User.covers_all_branches`` means every branch.
manager_branches = Table(
    "manager_branches",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("branch_id", Integer, ForeignKey("branches.id", ondelete="CASCADE"), primary_key=True),
)


class Branch(Model):
    """A kantor cabang and the regencies it covers."""

    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The regency the office sits in; travel times are measured from here.
    home_regency_code: Mapped[str | None] = mapped_column(ForeignKey("regencies.code"))

    regencies = relationship("Regency", secondary=branch_regencies, order_by="Regency.code")
    home_regency = relationship("Regency", foreign_keys=[home_regency_code])


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    covers_all_branches: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(2), default="id")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    branch: Mapped[Branch] = relationship(foreign_keys=[branch_id])
    covered_branches = relationship("Branch", secondary=manager_branches, order_by="Branch.name")

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def attach_session(self, token: str) -> None:
        """Remember, on this object only, the token of the session it was loaded for (or that just started).

        Never stored with the user: the database keeps only the token's digest (``UserSession.token_digest``).
        """
        self._session_token: str | None = token

    def get_id(self) -> str | None:  # what Flask-Login keeps in the session cookie
        return getattr(self, "_session_token", None)
