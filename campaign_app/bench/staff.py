"""Benchmark branches and their people, subsidy programmes, and the villages' estimates, as rows to load.

Branches cover neighbouring regencies of one province (by code), named after the regency the office sits in.
Each branch has a manager, coordinators and officers; a regional manager per province sees its branches, a
national manager and an administrator see every branch. Everyone shares one password, hashed once (hashing ten
thousand would take minutes): ``BENCH_PASSWORD``.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from campaign_app.bench.bulk import day_text
from campaign_app.bench.presets import ADMIN_USERNAME, Preset
from campaign_app.demo.signups import FAMILY_NAMES, MEN, WOMEN
from campaign_app.extensions import db
from campaign_app.models import AccessClass, District, Regency, Role, Village

NATIONAL_MANAGER = "bench-nasional"
ACCESS_CLASSES = list(AccessClass)
ACCESS_WEIGHTS = [55, 25, 10, 10]

BRANCH_COLUMNS = ("id", "name", "home_regency_code")
BRANCH_REGENCY_COLUMNS = ("branch_id", "regency_code")
USER_COLUMNS = ("id", "username", "full_name", "password_hash", "role", "branch_id", "covers_all_branches",
                "language", "active", "created_at")
MANAGER_BRANCH_COLUMNS = ("user_id", "branch_id")
PROGRAMME_COLUMNS = ("id", "name", "payer", "starts_on", "ends_on", "quota", "created_at")
VILLAGE_ESTIMATE_COLUMNS = ("estimated_population", "estimated_informal_workers", "access_class", "travel_hours")


@dataclass
class RegencyInfo:
    code: str
    province_code: str
    name: str
    kind: str
    # (village code, district code), by code.
    villages: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class BranchPlan:
    id: int
    name: str
    regencies: list[RegencyInfo]
    # The villages its visits go to: (village code, district code).
    villages: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    officer_ids: list[int] = field(default_factory=list)
    coordinator_ids: list[int] = field(default_factory=list)
    manager_id: int = 0


@dataclass
class Staff:
    """The branches planned and the rows that store them and their people."""

    branches: list[BranchPlan]
    branch_rows: list[tuple]
    branch_regency_rows: list[tuple]
    user_rows: list[tuple]
    manager_branch_rows: list[tuple]
    admin_id: int


def read_regions(preset: Preset) -> list[RegencyInfo]:
    """The regencies of the preset's provinces with their villages, by code."""
    statement = select(Regency.code, Regency.province_code, Regency.name, Regency.kind).order_by(Regency.code)
    if preset.provinces is not None:
        statement = statement.where(Regency.province_code.in_(preset.provinces))
    regencies = {row.code: RegencyInfo(*row) for row in db.session.execute(statement)}
    villages = (select(Village.code, Village.district_code, District.regency_code)
                .join(District, District.code == Village.district_code).order_by(Village.code))
    for code, district_code, regency_code in db.session.execute(villages):
        if regency_code in regencies:
            regencies[regency_code].villages.append((code, district_code))
    return [regency for regency in regencies.values() if regency.villages]


def _short_name(regency: RegencyInfo) -> str:
    return regency.name.removeprefix("Kabupaten ")


def _person(rng: random.Random) -> str:
    given = rng.choice(WOMEN if rng.random() < 0.4 else MEN)
    return f"{given} {rng.choice(FAMILY_NAMES)}" if rng.random() < 0.6 else given


def split(total: int, parts: int) -> list[int]:
    """``total`` shared out as evenly as whole numbers allow."""
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def plan_staff(preset: Preset, regencies: list[RegencyInfo], rng: random.Random, password_hash: str,
               first_branch_id: int, first_user_id: int, created: datetime) -> Staff:
    """Branches over the regencies (``regencies_per_branch`` neighbours of one province each) and their staff."""
    groups: list[list[RegencyInfo]] = []
    by_province: dict[str, list[RegencyInfo]] = {}
    for regency in regencies:
        by_province.setdefault(regency.province_code, []).append(regency)
    for members in by_province.values():
        step = preset.regencies_per_branch
        groups += [members[n:n + step] for n in range(0, len(members), step)]
    groups = groups[:preset.max_branches] if preset.max_branches else groups

    branches = []
    for index, group in enumerate(groups):
        branch = BranchPlan(id=first_branch_id + index, name=f"Kantor Cabang {_short_name(group[0])}",
                            regencies=group)
        for regency in group:
            chosen = regency.villages
            if preset.villages_per_branch is not None:
                share = max(1, preset.villages_per_branch // len(group))
                chosen = sorted(rng.sample(regency.villages, min(share, len(regency.villages))))
            branch.villages[regency.code] = chosen
        branches.append(branch)

    created_text = f"{created:%Y-%m-%d %H:%M:%S}.000000"
    users: list[tuple] = []
    next_id = first_user_id

    def add(username: str, role: Role, branch_id: int, covers_all: bool = False) -> int:
        nonlocal next_id
        users.append((next_id, username, _person(rng), password_hash, role.value, branch_id, covers_all, "id", True,
                      created_text))
        next_id += 1
        return next_id - 1

    admin_id = add(ADMIN_USERNAME, Role.ADMIN, branches[0].id)
    add(NATIONAL_MANAGER, Role.MANAGER, branches[0].id, covers_all=True)
    for branch, officers in zip(branches, split(preset.officers, len(branches)), strict=True):
        prefix = f"kc{branch.id:03d}"
        branch.manager_id = add(f"{prefix}-manajer", Role.MANAGER, branch.id)
        branch.coordinator_ids = [add(f"{prefix}-koordinator{n + 1}", Role.COORDINATOR, branch.id)
                                  for n in range(preset.coordinators_per_branch)]
        branch.officer_ids = [add(f"{prefix}-petugas{n + 1:03d}", Role.OFFICER, branch.id) for n in range(officers)]
    manager_branches = []
    by_province_branches: dict[str, list[BranchPlan]] = {}
    for branch in branches:
        by_province_branches.setdefault(branch.regencies[0].province_code, []).append(branch)
    for province, members in by_province_branches.items():
        if len(members) > 1:
            regional = add(f"wilayah{province}-manajer", Role.MANAGER, members[0].id)
            manager_branches += [(regional, branch.id) for branch in members[1:]]
    return Staff(
        branches=branches,
        branch_rows=[(b.id, b.name, b.regencies[0].code) for b in branches],
        branch_regency_rows=[(b.id, r.code) for b in branches for r in b.regencies],
        user_rows=users, manager_branch_rows=manager_branches, admin_id=admin_id)


def plan_programmes(preset: Preset, branches: list[BranchPlan], rng: random.Random, first: date, last: date,
                    first_id: int) -> tuple[list[tuple], dict[tuple[str, int], int]]:
    """A subsidy programme a year for a share of the regencies (at least one): the rows, and each programme's id
    by (regency code, year)."""
    regencies = [regency for branch in branches for regency in branch.regencies]
    chosen = rng.sample(regencies, max(1, round(preset.subsidised_regencies * len(regencies))))
    rows, ids = [], {}
    for regency in sorted(chosen, key=lambda r: r.code):
        for year in range(first.year, last.year + 1):
            programme_id = first_id + len(rows)
            rows.append((programme_id, f"Subsidi Pekerja Rentan {_short_name(regency)} {year}",
                         f"Pemerintah {regency.name}", day_text(date(year, 1, 1).toordinal()),
                         day_text(date(year, 12, 31).toordinal()), rng.randrange(5_000, 20_001, 500),
                         f"{year - 1}-12-01 02:00:00.000000"))
            ids[(regency.code, year)] = programme_id
    return rows, ids


def village_estimates(branches: list[BranchPlan], rng: random.Random) -> list[tuple]:
    """(code, population, informal workers, access class, travel hours) for most villages the branches cover:
    about one in ten has no estimate yet."""
    rows = []
    for branch in branches:
        for regency in branch.regencies:
            for code, _district in regency.villages:
                if rng.random() < 0.1:
                    continue
                population = rng.randrange(700, 7000, 10)
                rows.append((code, population, int(population * rng.uniform(0.22, 0.42)),
                             rng.choices(ACCESS_CLASSES, ACCESS_WEIGHTS)[0].value, f"{rng.uniform(0.2, 9.0):.1f}"))
    return rows
