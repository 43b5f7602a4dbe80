"""Benchmark sign-ups as rows to load, ten million of them if asked: a fast generator, no ORM objects.

Workers are drawn from pools of a few thousand made-up profiles per kind of regency (a city's traders and ojek
drivers, the coast's fishers, the hills' farmers), built with the demo's names, occupations, incomes and
contribution rules; the birth date, payer and status are drawn for each sign-up. Sign-ups are dated by their
visit: consent a few minutes apart from the check-in on. About half are activated a few days to five weeks later
(more of those a subsidy programme pays for), some are rejected, a few voided.
"""

import hashlib
import random
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from campaign_app.bench.bulk import day_text, stamp
from campaign_app.bench.fieldwork import PlannedVisit
from campaign_app.bench.staff import RegencyInfo
from campaign_app.demo.signups import (
    CITY_OCCUPATIONS,
    COASTAL_OCCUPATIONS,
    FAMILY_NAMES,
    INLAND_OCCUPATIONS,
    MEN,
    PHONE_PREFIXES,
    RURAL_OCCUPATIONS,
    WAGE_WORKER_OCCUPATIONS,
    WITH_FAMILY_NAME,
    WOMEN,
    WOMEN_SHARE,
)
from campaign_app.models import Payer, RateTable, Sector, SignUpStatus

SIGNUP_COLUMNS = (
    "id", "visit_id", "branch_id", "village_code", "officer_id", "form_key", "nik_ciphertext", "nik_index",
    "nik_last4", "birth_index", "birth_year",
    # From the worker's profile:
    "full_name", "name_key", "sex", "phone", "occupation", "sector", "has_jht", "declared_income", "rate_table_id",
    "jkk_contribution", "jkm_contribution", "jht_contribution",
    "payer", "subsidy_programme_id", "consent_at", "created_at", "status", "first_payment_on", "void_reason",
    "updated_at",
)
# Encrypting ten million NIKs would take longer than loading them: every sign-up carries the same valid token,
# of this made-up NIK, which a reveal shows (the blind index, which must be unique, is a counter instead).
SYNTHETIC_NIK = "7201014101900001"
POOL_BITS = 12
KINDS = {"city": CITY_OCCUPATIONS, "coastal": COASTAL_OCCUPATIONS, "rural": RURAL_OCCUPATIONS,
         "inland": INLAND_OCCUPATIONS}
VOID_SHARE, REJECTED_SHARE = 0.015, 0.01
ACTIVATION_CHANCE = {Payer.SUBSIDY: 0.7, Payer.SELF: 0.5, Payer.EMPLOYER: 0.5}
VOID_REASON = "NIK salah ketik; didaftarkan ulang dengan NIK yang benar."
# Ages 18 to 60 on the day of the visit, in days.
YOUNGEST, AGE_SPAN = 18 * 365 + 5, 42 * 365


def synthetic_birth(district_code: str, born: int) -> tuple[str, int]:
    """(birth index, birth year) of a made-up worker of ``district_code`` born on the day ``born`` (an ordinal).

    An unkeyed hash stands in for the keyed one: these NIKs are made up, and equal district and day still give
    equal indexes, so the near-duplicate rule reads bench data as it reads real data.
    """
    day = date.fromordinal(born)
    return hashlib.blake2b(f"{district_code}|{day.isoformat()}".encode(), digest_size=32).hexdigest(), day.year


def regency_kind(regency: RegencyInfo) -> str:
    """Cities have their own mix; other regencies are coastal, rural or inland (fixed by the code)."""
    if regency.kind == "kota":
        return "city"
    return ("coastal", "rural", "inland")[zlib.crc32(regency.code.encode()) % 3]


def _rupiah(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _profile(rng: random.Random, weights: dict, rates: RateTable) -> tuple[tuple, bool, bool]:
    """(the profile's column values, a wage worker?, may a subsidy pay?)."""
    occupation = rng.choices(list(weights), weights=list(weights.values()))[0]
    sex = "P" if rng.random() < WOMEN_SHARE[occupation] else "L"
    given = rng.choice(WOMEN if sex == "P" else MEN)
    name = f"{given} {rng.choice(FAMILY_NAMES)}" if rng.random() < WITH_FAMILY_NAME else given
    phone = None
    if rng.random() >= 0.25:
        phone = rng.choice(PHONE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(rng.choice((7, 8))))
    wage_worker = occupation in WAGE_WORKER_OCCUPATIONS and rng.random() < 0.15
    income = int(round(rng.triangular(800_000, 4_000_000, 1_500_000) / 50_000)) * 50_000
    with_jht = rng.random() < (0.35 if income >= 2_500_000 else 0.15)
    jkk = min(max(_rupiah(Decimal(income) * rates.jkk_rate), rates.jkk_minimum), rates.jkk_maximum)
    jht = _rupiah(Decimal(income) * rates.jht_rate) if with_jht else 0
    values = (name, " ".join(name.lower().split()), sex, phone, occupation.value,
              (Sector.PU if wage_worker else Sector.BPU).value, with_jht, income, rates.id, jkk, rates.jkm_flat, jht)
    return values, wage_worker, not wage_worker and income <= 2_500_000


def profile_pools(rng: random.Random, rates: RateTable) -> dict[str, list[tuple[tuple, bool, bool]]]:
    """2**POOL_BITS worker profiles for each kind of regency."""
    return {kind: [_profile(rng, weights, rates) for _ in range(2 ** POOL_BITS)] for kind, weights in KINDS.items()}


def signup_rows(visits: list[PlannedVisit], kinds: dict[str, str], pools: dict, programmes: dict[tuple[str, int], int],
                ciphertext: bytes, today: date, rng: random.Random, first_id: int,
                statuses: Counter) -> Iterator[tuple]:
    """The sign-ups of each visit (``visit.signups`` of them), in ``SIGNUP_COLUMNS`` order; ``statuses`` counts
    the rows made per status."""
    today_ordinal = today.toordinal()
    bits, draw, randrange = rng.getrandbits, rng.random, rng.randrange
    void, rejected, activated, registered = (SignUpStatus.VOID.value, SignUpStatus.REJECTED.value,
                                             SignUpStatus.ACTIVATED.value, SignUpStatus.REGISTERED.value)
    self_pays, employer, subsidy = Payer.SELF.value, Payer.EMPLOYER.value, Payer.SUBSIDY.value
    signup_id = first_id
    for visit in visits:
        if not visit.signups:
            continue
        pool = pools[kinds[visit.regency_code]]
        programme = programmes.get((visit.regency_code, date.fromordinal(visit.day).year))
        since = today_ordinal - visit.day
        officers, crew = visit.officers, len(visit.officers)
        minute = visit.check_in + 20  # after the opening talk
        head = (visit.id, visit.branch_id, visit.village_code)
        for n in range(visit.signups):
            profile, wage_worker, subsidisable = pool[bits(POOL_BITS)]
            minute += 5 + bits(3)
            consent = stamp(visit.day, minute)
            if wage_worker and draw() < 0.6:
                payer, programme_id = employer, None
            elif programme is not None and subsidisable and draw() < 0.45:
                payer, programme_id = subsidy, programme
            else:
                payer, programme_id = self_pays, None
            paid_on = reason = updated = None
            roll = draw()
            if roll < VOID_SHARE:
                status, reason, updated = void, VOID_REASON, stamp(visit.day, minute + 30)
            elif roll < VOID_SHARE + REJECTED_SHARE:
                status = rejected
            elif since >= 3 and draw() < ACTIVATION_CHANCE[payer]:
                status = activated
                paid_on = day_text(visit.day + randrange(3, min(since, 35) + 1))
            else:
                status = registered
            statuses[status] += 1
            yield (signup_id, *head, officers[n % crew], f"bench-{signup_id}", ciphertext, f"{signup_id:064x}",
                   f"{signup_id % 9999 + 1:04d}",
                   *synthetic_birth(visit.district_code, visit.day - YOUNGEST - randrange(AGE_SPAN)), *profile,
                   payer, programme_id, consent, consent, status, paid_on, reason, updated)
            signup_id += 1
