"""Sign-ups: workers registered at a visit, the contribution rates they were charged, and subsidy payers."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign_app.extensions import Model
from campaign_app.models.people import User, utcnow
from campaign_app.models.visits import Visit


class Sector(enum.StrEnum):
    BPU = "bpu"  # bukan penerima upah: informal, self-employed
    PU = "pu"  # penerima upah: wage workers


class Occupation(enum.StrEnum):
    FARMER = "farmer"
    FISHER = "fisher"
    TRADER = "trader"
    OJEK_DRIVER = "ojek_driver"
    DAY_LABOURER = "day_labourer"
    LIVESTOCK_KEEPER = "livestock_keeper"
    CRAFTSPERSON = "craftsperson"
    OTHER = "other"


class Payer(enum.StrEnum):
    SELF = "self"
    EMPLOYER = "employer"
    SUBSIDY = "subsidy"


class SignUpStatus(enum.StrEnum):
    REGISTERED = "registered"
    ACTIVATED = "activated"
    REJECTED = "rejected"
    VOID = "void"


class Review(enum.StrEnum):
    """Where a flagged near-duplicate stands: waiting for a coordinator, kept as two people, or merged."""

    PENDING = "pending"
    KEPT = "kept"
    MERGED = "merged"


# BPU enrolment by default: from working age (15) to under 65, as the agency enrols informal workers.
ENROLMENT_MIN_AGE, ENROLMENT_AGE_LIMIT = 15, 65


class RateTable(Model):
    """Contribution rules in force from a date: data, not code, so a change never rewrites the past."""

    __tablename__ = "rate_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    # JKK: a share of declared income, bounded; JKM: flat; JHT: a share, optional for the worker.
    jkk_rate: Mapped[Decimal] = mapped_column(Numeric(6, 5))
    jkk_minimum: Mapped[int] = mapped_column(BigInteger)
    jkk_maximum: Mapped[int] = mapped_column(BigInteger)
    jkm_flat: Mapped[int] = mapped_column(BigInteger)
    jht_rate: Mapped[Decimal] = mapped_column(Numeric(6, 5))
    # Who may enrol while the table is in force: from this age, and younger than the limit (BPU: 15 to under 65).
    enrolment_min_age: Mapped[int] = mapped_column(Integer, default=ENROLMENT_MIN_AGE,
                                                   server_default=str(ENROLMENT_MIN_AGE))
    enrolment_age_limit: Mapped[int] = mapped_column(Integer, default=ENROLMENT_AGE_LIMIT,
                                                     server_default=str(ENROLMENT_AGE_LIMIT))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SubsidyProgramme(Model):
    """A payer (a local government, say) covering the contributions of a quota of workers for a period."""

    __tablename__ = "subsidy_programmes"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="period"),
                      CheckConstraint("quota >= 0", name="quota"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    payer: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    quota: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SignUp(Model):
    """One worker registered at a visit. The NIK is stored encrypted, with a keyed blind index."""

    __tablename__ = "signups"
    __table_args__ = (
        CheckConstraint("declared_income >= 0", name="declared_income"),
        Index("ix_signups_near_duplicate", "birth_index", "name_key"),
        # One live registration per person across the system; a voided one (a mistyped NIK) frees the NIK.
        Index("uq_signups_live_nik_index", "nik_index", unique=True,
              sqlite_where=text("status != 'void'"), postgresql_where=text("status != 'void'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    # Denormalised from the visit: every branch-scoped count filters on them.
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The form's one-time key: a retried or double-tapped submit returns this sign-up.
    form_key: Mapped[str] = mapped_column(String(64), unique=True)

    nik_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    # HMAC of the NIK: unique among live sign-ups, so one person is registered once across the system.
    nik_index: Mapped[str] = mapped_column(String(64))
    # What a masked NIK shows. Nothing else in clear may complete it: the NIK's district and birth date (its other
    # twelve digits, with the sex) are kept only as the keyed ``birth_index`` and the birth year.
    nik_last4: Mapped[str] = mapped_column(String(4))
    # HMAC of the NIK's district and birth date (personal_data.birth_index), for the near-duplicate rule.
    birth_index: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(120))
    # Lower-cased, spaces folded: what the near-duplicate rule compares.
    name_key: Mapped[str] = mapped_column(String(120))
    sex: Mapped[str] = mapped_column(String(1))  # "L" or "P", as on the KTP
    # From the NIK: the year alone (ages and age bands), never the day and month.
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    phone: Mapped[str | None] = mapped_column(String(20))
    occupation: Mapped[str] = mapped_column(String(20))
    sector: Mapped[str] = mapped_column(String(3))
    has_jht: Mapped[bool] = mapped_column(Boolean, default=False)
    declared_income: Mapped[int] = mapped_column(BigInteger)
    # What was charged, copied from the rate table in force: later rate changes never alter it.
    rate_table_id: Mapped[int] = mapped_column(ForeignKey("rate_tables.id"))
    jkk_contribution: Mapped[int] = mapped_column(BigInteger)
    jkm_contribution: Mapped[int] = mapped_column(BigInteger)
    jht_contribution: Mapped[int] = mapped_column(BigInteger)
    payer: Mapped[str] = mapped_column(String(10))
    subsidy_programme_id: Mapped[int | None] = mapped_column(ForeignKey("subsidy_programmes.id"), index=True)
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The version of the consent text shown (campaign_app/signups/consent.py); sign-ups stored before versions were
    # recorded were all shown version 1.
    consent_version: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    status: Mapped[str] = mapped_column(String(10), default=SignUpStatus.REGISTERED, index=True)
    first_payment_on: Mapped[date | None] = mapped_column(Date)
    # Set when the sign-up was saved as a near-duplicate of another (same name, birth date, district).
    review: Mapped[str | None] = mapped_column(String(8), index=True)
    # A merged near-duplicate is voided and points at the sign-up it was merged into.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("signups.id"))
    void_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    visit: Mapped[Visit] = relationship()
    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    rate_table: Mapped[RateTable] = relationship()
    subsidy_programme: Mapped[SubsidyProgramme | None] = relationship()

    @property
    def monthly_contribution(self) -> int:
        return self.jkk_contribution + self.jkm_contribution + self.jht_contribution

    @property
    def masked_nik(self) -> str:
        return "************" + self.nik_last4


class DataKeyCheck(Model):
    """The check value of the DATA_KEY that encrypts this database's NIKs: one row, recorded by the first start.

    An app started with another key refuses to start (campaign_app/signups/key_check.py): it could neither reveal
    the NIKs stored nor see that a NIK is registered already.
    """

    __tablename__ = "data_key_check"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1: one key per database
    value: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
