"""Grow a province benchmark database to the national volume of what the officer's hot path reads: the subsidy
programmes and the sign-ups they pay for (the national preset: 309 programmes, 636,242 subsidised sign-ups).

Loading the whole national preset takes four minutes and 7 GB; the form and the sign-up read none of its other
rows beyond an index look-up. The programmes added are shaped like the national preset's (``bench.staff``): one a
year for each of about a hundred made-up regencies, a quota of 5,000 to 20,000. Each programme's sign-ups are
spread like the national preset's over about 470 visits of its year (a regency's visits in a year), a few at a
visit, recorded by the visit's own officers, so its tallies (one per visit, officer and programme) number about
as many as a national programme's. Those visits belong to branches other than ``spared_branch_id``, whose
roll-up cells the benchmark's own sign-ups recount: those cells keep their province size.

Rows are written in bulk (``bench.bulk``), then the tallies, programme totals and roll-ups are counted again from
every sign-up (``summaries.rebuild``), as ``flask bench seed`` does after its own load.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from campaign_app.bench import workers
from campaign_app.bench.bulk import BulkWriter, analyse, day_text, stamp
from campaign_app.models import (
    Payer,
    SignUp,
    SignUpStatus,
    SubsidyProgramme,
    Village,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.signups.contributions import rate_table_on
from campaign_app.signups.personal_data import encrypt_nik
from campaign_app.summaries import MonthlyResult, SignUpTally, rebuild

# The national preset as loaded (docs/BENCHMARKS.md).
NATIONAL_PROGRAMMES = 309
NATIONAL_SUBSIDISED = 636_242
NATIONAL_SIGNUPS = 10_000_000
# A regency's visits in a year at national scale: 500,000 visits over two years in 534 regencies.
VISITS_PER_PROGRAMME = 470
PROGRAMME_COLUMNS = ("id", "name", "payer", "starts_on", "ends_on", "quota", "created_at")


@dataclass(frozen=True)
class Volume:
    """What the hot path reads, counted in the database."""

    programmes: int
    running: int
    signups: int
    subsidised: int
    subsidised_live: int
    tallies: int
    programme_tallies: int
    running_tallies: int
    monthly_rows: int

    def describe(self) -> str:
        return (f"{self.programmes:,} subsidy programmes ({self.running:,} running today); "
                f"{self.signups:,} sign-ups, {self.subsidised:,} of them subsidised ({self.subsidised_live:,} not "
                f"void); {self.tallies:,} tallies, {self.programme_tallies:,} of them of a programme "
                f"({self.running_tallies:,} of the running ones); {self.monthly_rows:,} monthly roll-up rows")


def volume(session, today: date) -> Volume:
    """Count what the hot path reads (seven statements)."""
    running = (SubsidyProgramme.starts_on <= today) & (SubsidyProgramme.ends_on >= today)
    running_ids = select(SubsidyProgramme.id).where(running)

    def count(model, *conditions) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*conditions))

    subsidised = SignUp.subsidy_programme_id.is_not(None)
    return Volume(
        programmes=count(SubsidyProgramme), running=count(SubsidyProgramme, running), signups=count(SignUp),
        subsidised=count(SignUp, subsidised),
        subsidised_live=count(SignUp, subsidised, SignUp.status != SignUpStatus.VOID),
        tallies=count(SignUpTally), programme_tallies=count(SignUpTally, SignUpTally.programme_key != 0),
        running_tallies=count(SignUpTally, SignUpTally.programme_key.in_(running_ids)),
        monthly_rows=count(MonthlyResult))


def _visits_by_year(session, spared_branch_id: int, today: date) -> dict[int, list[tuple]]:
    """Done visits of the other branches, by year: (id, branch, village, district, ordinal day, check-in minute,
    officers)."""
    officers = defaultdict(list)
    for visit_id, officer_id in session.execute(
            select(VisitOfficer.visit_id, VisitOfficer.officer_id).join(Visit, Visit.id == VisitOfficer.visit_id)
            .where(Visit.branch_id != spared_branch_id, Visit.status == VisitStatus.DONE)
            .order_by(VisitOfficer.visit_id, VisitOfficer.officer_id)):
        officers[visit_id].append(officer_id)
    years = defaultdict(list)
    for visit_id, branch_id, village_code, district_code, day in session.execute(
            select(Visit.id, Visit.branch_id, Visit.village_code, Village.district_code, Visit.visit_date)
            .join(Village, Village.code == Visit.village_code)
            .where(Visit.branch_id != spared_branch_id, Visit.status == VisitStatus.DONE, Visit.visit_date <= today)
            .order_by(Visit.id)):
        if officers[visit_id]:
            years[day.year].append((visit_id, branch_id, village_code, district_code, day.toordinal(), 9 * 60,
                                    officers[visit_id]))
    return years


def _programme_rows(count: int, first_id: int, years: list[int], rng: random.Random) -> list[tuple]:
    rows = []
    for regency in range(1, count // len(years) + 2):
        for year in years:
            if len(rows) == count:
                return rows
            rows.append((first_id + len(rows), f"Subsidi Pekerja Rentan Uji Nasional {regency:03d} {year}",
                         f"Pemerintah Kabupaten Uji {regency:03d}", day_text(date(year, 1, 1).toordinal()),
                         day_text(date(year, 12, 31).toordinal()), rng.randrange(5_000, 20_001, 500),
                         f"{year - 1}-12-01 02:00:00.000000"))
    return rows


def _shares(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights``, summing exactly to ``total``."""
    whole = sum(weights)
    shares = [total * weight // whole for weight in weights]
    for index in range(total - sum(shares)):
        shares[index % len(shares)] += 1
    return shares


def grow_to_national(session, spared_branch_id: int, today: date, seed: int = 1) -> Volume:
    """Add programmes and subsidised sign-ups until there are as many as in the national preset; count the tallies
    and roll-ups again; commit. Returns the volume reached."""
    rng = random.Random(seed)
    before = volume(session, today)
    years_visits = _visits_by_year(session, spared_branch_id, today)
    years = sorted(years_visits)
    writer = BulkWriter(session.connection())
    programmes = _programme_rows(NATIONAL_PROGRAMMES - before.programmes, writer.next_id("subsidy_programmes"),
                                 years, rng)
    writer.insert("subsidy_programmes", PROGRAMME_COLUMNS, programmes)
    # A programme's share of the sign-ups follows the visits its year holds (the first year is a few weeks).
    year_of = {row[0]: int(row[3][:4]) for row in programmes}
    shares = _shares(NATIONAL_SUBSIDISED - before.subsidised,
                     [min(VISITS_PER_PROGRAMME, len(years_visits[year_of[row[0]]])) for row in programmes])
    rates = rate_table_on(today)
    pools = workers.profile_pools(rng, rates)
    subsidisable = [profile for pool in pools.values() for profile, _wage, fits in pool if fits]
    ciphertext = encrypt_nik(workers.SYNTHETIC_NIK)

    first_id = writer.next_id("signups")  # not inside the rows: PostgreSQL's COPY holds the connection

    def rows():
        signup_id = first_id
        for (programme_id, *_rest), share in zip(programmes, shares, strict=True):
            candidates = years_visits[year_of[programme_id]]
            visits = rng.sample(candidates, min(VISITS_PER_PROGRAMME, len(candidates)))
            for n in range(share):
                visit_id, branch_id, village_code, district_code, day, check_in, officers = visits[n % len(visits)]
                minute = check_in + 20 + 5 * (n // len(visits))
                roll = rng.random()
                paid_on = reason = updated = None
                if roll < workers.VOID_SHARE:
                    status, reason = SignUpStatus.VOID.value, workers.VOID_REASON
                    updated = stamp(day, minute + 30)
                elif roll < workers.VOID_SHARE + workers.REJECTED_SHARE:
                    status = SignUpStatus.REJECTED.value
                elif today.toordinal() - day >= 3 and rng.random() < workers.ACTIVATION_CHANCE[Payer.SUBSIDY]:
                    status = SignUpStatus.ACTIVATED.value
                    paid_on = day_text(day + rng.randrange(3, min(today.toordinal() - day, 35) + 1))
                else:
                    status = SignUpStatus.REGISTERED.value
                consent = stamp(day, minute)
                yield (signup_id, visit_id, branch_id, village_code, officers[(n // len(visits)) % len(officers)],
                       f"bench-{signup_id}", ciphertext, f"{signup_id:064x}", f"{signup_id % 9999 + 1:04d}",
                       *workers.synthetic_birth(district_code,
                                                day - workers.YOUNGEST - rng.randrange(workers.AGE_SPAN)),
                       *rng.choice(subsidisable), Payer.SUBSIDY.value, programme_id, consent, consent, status,
                       paid_on, reason, updated)
                signup_id += 1

    # Into the tables with their indexes: an index built again over rows updated since the province was timed is
    # not used while any older transaction of the server is open (PostgreSQL's indcheckxmin).
    writer.insert("signups", workers.SIGNUP_COLUMNS, rows())
    rebuild(writer.connection)
    for table in ("subsidy_programmes", "signups"):
        writer.reset_sequence(table)
    session.commit()
    analyse(session.get_bind(), ["subsidy_programmes", "signups", "signup_tallies", "monthly_results",
                                 "daily_results", "village_results", "officer_results"])
    return volume(session, today)
