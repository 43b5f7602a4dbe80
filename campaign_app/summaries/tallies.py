"""The sign-up tallies: live sign-ups counted per visit × recording officer × subsidy programme.

Ten million sign-ups cannot be counted per page view; their tallies (about one row per visit) can. A tally is
never rebuilt at night: every change to a sign-up (recorded, corrected, voided, merged, activated) or to a
visit (its date, status, place, campaign or branch) reaches it in the same transaction. A flush adds what each
changed sign-up took away and brought (``TallyChanges``, from ``keeping``); a bulk change recounts the tallies
of the visits it touched (``recount``, from ``bulk``); ``rebuild`` counts them all again. The same changes keep
each subsidy programme's total of live sign-ups (``programme_totals``), rebuilt and checked with the tallies.

Counts are columns, not rows: one row per visit and officer holds the mix of occupations and payers, which
keeps the table about as long as the visits table instead of ten times longer.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    Table,
    bindparam,
    case,
    exists,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped

from campaign_app.extensions import Model, db
from campaign_app.models.signups import Occupation, Payer, SignUp, SignUpStatus
from campaign_app.models.visits import Visit, VisitStatus
from campaign_app.summaries import counting, programme_totals
from campaign_app.summaries.programme_totals import programme_totals as programme_totals_table

WOMEN = "P"  # perempuan, as on the KTP


def occupation_column(occupation: str, activated: bool = False) -> str:
    """The name of the count column of sign-ups (or activated sign-ups) with this occupation."""
    return f"occupation_{occupation}" + ("_activated" if activated else "")


def payer_column(payer: str, activated: bool = False) -> str:
    """The name of the count column of sign-ups (or activated sign-ups) paid for by this payer."""
    return f"payer_{payer}" + ("_activated" if activated else "")


COUNT_COLUMNS = (
    "signups", "activated", "women",
    *(occupation_column(o, activated) for o in Occupation for activated in (False, True)),
    *(payer_column(p, activated) for p in Payer for activated in (False, True)),
)
# The visit's columns copied onto its tallies, so that no dashboard statement joins sign-ups to visits.
VISIT_COLUMNS = ("branch_id", "campaign_id", "village_code", "visit_date", "visit_done")
# The visit's attributes they are copied from (``visit_done`` is whether its status is done).
COPIED_FROM_VISIT = ("branch_id", "campaign_id", "village_code", "visit_date", "status")
KEY_COLUMNS = ("visit_id", "officer_id", "programme_key")

signup_tallies = Table(
    "signup_tallies", db.metadata,
    Column("id", Integer, primary_key=True),
    Column("visit_id", ForeignKey("visits.id"), nullable=False),
    # The officer who recorded the sign-ups (not necessarily assigned to the visit).
    Column("officer_id", ForeignKey("users.id"), nullable=False),
    # The subsidy programme paying for them, 0 for none: a plain integer so that the unique key has no NULL.
    Column("programme_key", Integer, nullable=False),
    Column("branch_id", ForeignKey("branches.id"), nullable=False),
    Column("campaign_id", ForeignKey("campaigns.id"), nullable=False),
    Column("village_code", ForeignKey("villages.code"), nullable=False),
    Column("visit_date", Date, nullable=False),
    Column("visit_done", Boolean, nullable=False),
    *(Column(name, Integer, nullable=False, server_default="0") for name in COUNT_COLUMNS),
    Index("uq_signup_tallies_key", *KEY_COLUMNS, unique=True),
    Index("ix_signup_tallies_branch_date", "branch_id", "visit_date"),
    # A roll-up recount reads a campaign's tallies of one month.
    Index("ix_signup_tallies_campaign_date", "campaign_id", "visit_date"),
    Index("ix_signup_tallies_village", "village_code"),
    Index("ix_signup_tallies_officer", "officer_id"),
    Index("ix_signup_tallies_programme", "programme_key"),
)


class SignUpTally(Model):
    """One visit × recording officer × subsidy programme: its live sign-ups, counted every way a dashboard asks."""

    __table__ = signup_tallies

    # The columns named in code, typed: the mapping takes them from ``signup_tallies`` (annotations alone map
    # nothing new); the occupation and payer counts are read by name, through ``signup_tallies.c``.
    id: Mapped[int]
    visit_id: Mapped[int]
    officer_id: Mapped[int]
    programme_key: Mapped[int]
    branch_id: Mapped[int]
    campaign_id: Mapped[int]
    village_code: Mapped[str]
    visit_date: Mapped[date]
    visit_done: Mapped[bool]
    signups: Mapped[int]
    activated: Mapped[int]
    women: Mapped[int]


@dataclass(frozen=True)
class TalliedFacts:
    """What a sign-up contributes to the tallies: where it counts, and what it counts as."""

    visit_id: int
    officer_id: int
    subsidy_programme_id: int | None
    status: str
    sex: str
    occupation: str
    payer: str

    @property
    def key(self) -> tuple[int, int, int]:
        return self.visit_id, self.officer_id, self.subsidy_programme_id or 0

    def counts(self) -> Counter:
        """+1 in every column this sign-up counts in; nothing for a void one."""
        if self.status == SignUpStatus.VOID:
            return Counter()
        activated = self.status == SignUpStatus.ACTIVATED
        counts = Counter(signups=1, activated=int(activated), women=int(self.sex == WOMEN))
        for name, known in ((occupation_column(self.occupation), self.occupation in set(Occupation)),
                            (payer_column(self.payer), self.payer in set(Payer))):
            if known:
                counts[name] += 1
                counts[name + "_activated"] += int(activated)
        return counts


# The sign-up's attributes the tallies count: a change to any other leaves them as they are.
TALLIED_ATTRIBUTES = tuple(TalliedFacts.__dataclass_fields__)


class TallyChanges:
    """Count changes gathered per tally key, applied in one go (``apply``) in key order, so that two transactions
    touching the same tallies lock them in the same order."""

    def __init__(self):
        self._changes: dict[tuple[int, int, int], Counter] = {}
        self._only_added = True

    def __bool__(self) -> bool:
        return bool(self._changes)

    @property
    def visits_and_officers(self) -> set[tuple[int, int]]:
        """The (visit, officer) pairs whose tallies these changes touch."""
        return {(visit_id, officer_id) for visit_id, officer_id, _programme in self._changes}

    def increments(self) -> dict[tuple[int, int, int], Counter] | None:
        """The counts each key gains, when every change is a sign-up added (None otherwise): what
        ``increments.add`` may add to the roll-ups as they are."""
        return {key: Counter(counts) for key, counts in self._changes.items()} if self._only_added else None

    def move(self, before: TalliedFacts | None, after: TalliedFacts | None) -> None:
        """A sign-up went from ``before`` (None: it did not exist) to ``after`` (None: it is gone)."""
        if before is not None:
            self._only_added = False
            self._changes.setdefault(before.key, Counter()).subtract(before.counts())
        if after is not None:
            self._changes.setdefault(after.key, Counter()).update(after.counts())

    def apply(self, connection: Connection) -> None:
        """Add the gathered changes to the tallies (one upsert per key changed) and drop tallies left empty; then
        add each programme's change of live sign-ups to its total (``programme_totals``). On PostgreSQL one
        subsidised tally that gained sign-ups, and nothing else, is written with its total in one statement."""
        changed = [key for key in self._changes if any(self._changes[key].values())]
        if len(changed) == 1 and connection.dialect.name == "postgresql" and changed[0][2] \
                and self._changes[changed[0]]["signups"] > 0:
            # One subsidised tally gained (an officer's sign-up): its programme's total in the same statement.
            [key] = changed
            _upsert_with_total(connection, key, {name: value for name, value in self._changes[key].items() if value})
            self._changes.clear()
            return
        emptied = []
        programmes: Counter = Counter()
        for key in sorted(self._changes):
            counts = {name: value for name, value in self._changes[key].items() if value}
            if not counts:
                continue
            _upsert(connection, key, counts)
            if key[2]:
                programmes[key[2]] += counts.get("signups", 0)
            if counts.get("signups", 0) < 0:
                emptied.append(key)
        for visit_id, officer_id, programme_key in emptied:
            connection.execute(signup_tallies.delete().where(
                signup_tallies.c.visit_id == visit_id, signup_tallies.c.officer_id == officer_id,
                signup_tallies.c.programme_key == programme_key, signup_tallies.c.signups <= 0))
        programme_totals.add(connection, programmes)
        self._changes.clear()


def _upsert(connection: Connection, key: tuple[int, int, int], counts: dict[str, int]) -> None:
    """INSERT the tally of ``key`` with ``counts``, its visit's columns read from the visit, or, when it exists,
    add ``counts`` to it."""
    names = tuple(sorted(counts))
    connection.execute(_upsert_statement(connection.dialect.name, names), _upsert_parameters(key, counts, names))


def _upsert_parameters(key: tuple[int, int, int], counts: dict[str, int], names: tuple[str, ...]) -> dict:
    parameters = {f"key_{name}": value for name, value in zip(KEY_COLUMNS, key, strict=True)}
    parameters.update((f"add_{name}", counts[name]) for name in names)
    return parameters


def _upsert_with_total(connection: Connection, key: tuple[int, int, int], counts: dict[str, int]) -> None:
    """PostgreSQL: ``_upsert`` the tally of ``key``, a subsidy programme's, and add its sign-ups to the programme's
    total, in one statement (one round trip less on a subsidised sign-up)."""
    names = tuple(sorted(counts))
    connection.execute(_upsert_with_total_statement(names), _upsert_parameters(key, counts, names))


@lru_cache(maxsize=64)
def _upsert_with_total_statement(names: tuple[str, ...]):
    """The tally's upsert, then the programme total's, which reads the tally's answer: so the tally's row is taken
    before the total's, in the order of two statements (PostgreSQL runs a statement's parts in no set order)."""
    tally = _upsert_statement("postgresql", names).returning(literal(1)).cte("tally")
    return programme_totals.adding(postgresql.insert(programme_totals_table).from_select(
        ["programme_id", "signups"],
        select(bindparam("key_programme_key", type_=Integer), bindparam("add_signups", type_=Integer))
        .where(exists(select(tally.c[0])))))


@lru_cache(maxsize=256)
def _upsert_statement(dialect: str, names: tuple[str, ...]):
    """The upsert adding to the count columns ``names``, built once per dialect and set of names, with the key and
    the counts bound: building it afresh (its ``excluded`` columns above all) took a tenth of a sign-up POST."""
    key = {name: bindparam(f"key_{name}", type_=Integer) for name in KEY_COLUMNS}
    rows = select(*key.values(), Visit.branch_id, Visit.campaign_id, Visit.village_code, Visit.visit_date,
                  Visit.status == VisitStatus.DONE, *(bindparam(f"add_{name}", type_=Integer) for name in names)
                  ).where(Visit.id == key["visit_id"])
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(signup_tallies)
    statement = insert.from_select([*KEY_COLUMNS, *VISIT_COLUMNS, *names], rows)
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS), set_={name: signup_tallies.c[name] + excluded[name] for name in names})


def copy_visit_columns(connection: Connection, visit: Visit) -> None:
    """Copy the visit's columns (``VISIT_COLUMNS``) onto its tallies, after the visit changed."""
    connection.execute(update(signup_tallies).where(signup_tallies.c.visit_id == visit.id).values(
        branch_id=visit.branch_id, campaign_id=visit.campaign_id, village_code=visit.village_code,
        visit_date=visit.visit_date, visit_done=visit.status == VisitStatus.DONE))


def _counted(*conditions):
    """A SELECT of tally rows (``KEY_COLUMNS``, ``VISIT_COLUMNS``, ``COUNT_COLUMNS``) counted from the live sign-ups
    meeting the conditions."""
    activated = SignUp.status == SignUpStatus.ACTIVATED
    counts = {"signups": func.count(), "activated": func.sum(case((activated, 1), else_=0)),
              "women": func.sum(case((SignUp.sex == WOMEN, 1), else_=0))}
    for column, values in ((SignUp.occupation, Occupation), (SignUp.payer, Payer)):
        name_of = occupation_column if column is SignUp.occupation else payer_column
        for value in values:
            counts[name_of(value)] = func.sum(case((column == value, 1), else_=0))
            counts[name_of(value, True)] = func.sum(case(((column == value) & activated, 1), else_=0))
    programme_key = func.coalesce(SignUp.subsidy_programme_id, 0)
    return (select(SignUp.visit_id.label("visit_id"), SignUp.officer_id.label("officer_id"),
                   programme_key.label("programme_key"), Visit.branch_id, Visit.campaign_id, Visit.village_code,
                   Visit.visit_date, (Visit.status == VisitStatus.DONE).label("visit_done"),
                   *(value.label(name) for name, value in counts.items()))
            .join(Visit, Visit.id == SignUp.visit_id)
            .where(SignUp.status != SignUpStatus.VOID, *conditions)
            .group_by(SignUp.visit_id, SignUp.officer_id, programme_key, Visit.branch_id, Visit.campaign_id,
                      Visit.village_code, Visit.visit_date, Visit.status))


def recount(connection: Connection, visit_ids: Iterable[int]) -> None:
    """Count the tallies of these visits again from their live sign-ups: what a bulk change does for the visits
    it touched (two statements per ten thousand visits)."""
    for ids in counting.chunks(visit_ids):
        connection.execute(signup_tallies.delete().where(signup_tallies.c.visit_id.in_(ids)))
        connection.execute(counting.counted_into(signup_tallies, _counted(SignUp.visit_id.in_(ids))))


def rebuild(connection: Connection) -> int:
    """Count every live sign-up again into empty tallies and programme totals (after a bulk load, or to repair): a
    DELETE and an INSERT ... SELECT each. Returns the number of tallies written."""
    programme_totals.rebuild(connection)
    connection.execute(signup_tallies.delete())
    connection.execute(counting.counted_into(signup_tallies, _counted()))
    return counting.row_count(connection, signup_tallies)


def drift(connection: Connection) -> list[tuple]:
    """Tally rows that differ from a fresh count of the sign-ups (empty when the tallies are true): what a test or
    an operator checks. Compares every count column of every key, and the copied visit columns, and the programme
    totals; a stored row counting no sign-up is no drift."""
    return counting.drift(connection, {signup_tallies: [signup_tallies.c.signups != 0],
                                       programme_totals_table: [programme_totals_table.c.signups != 0]}, rebuild)
