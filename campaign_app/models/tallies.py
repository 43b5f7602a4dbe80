"""The sign-up summary the dashboards read: live sign-ups counted per visit × recording officer × subsidy programme.

Ten million sign-ups cannot be counted per page view; their tallies (about one row per visit) can. A tally is
never rebuilt at night: every change to a sign-up (recorded, corrected, voided, merged, activated) or to a
visit (its date, status, place, campaign or branch) updates it in the same transaction, so the dashboard is
never wrong. ORM changes are caught after each flush (``keep_tallies``, called by ``summaries``); a bulk UPDATE
that goes around the ORM passes its changes to ``summaries.record_bulk_changes`` itself (the activation upload
does). The same changes keep each subsidy programme's total of live sign-ups (``programme_totals``).

Counts are columns, not rows: one row per visit and officer holds the mix of occupations and payers, which
keeps the table about as long as the visits table instead of ten times longer.
"""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Table,
    case,
    func,
    inspect,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from campaign_app.extensions import db
from campaign_app.models.programme_totals import add_to_programmes, programmes_drift, rebuild_programmes
from campaign_app.models.signups import Occupation, Payer, SignUp, SignUpStatus
from campaign_app.models.visits import Visit, VisitStatus

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


class SignUpTally(db.Model):
    """One visit × recording officer × subsidy programme: its live sign-ups, counted every way a dashboard asks."""

    __table__ = signup_tallies


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


TALLIED_ATTRIBUTES = tuple(TalliedFacts.__dataclass_fields__)


class TallyChanges:
    """Count changes gathered per tally key, applied in one go (``apply``) in key order, so that two transactions
    touching the same tallies lock them in the same order."""

    def __init__(self):
        self._changes: dict[tuple[int, int, int], Counter] = {}

    def __bool__(self) -> bool:
        return bool(self._changes)

    @property
    def visits_and_officers(self) -> set[tuple[int, int]]:
        """The (visit, officer) pairs whose tallies these changes touch."""
        return {(visit_id, officer_id) for visit_id, officer_id, _programme in self._changes}

    def move(self, before: TalliedFacts | None, after: TalliedFacts | None) -> None:
        """A sign-up went from ``before`` (None: it did not exist) to ``after`` (None: it is gone)."""
        if before is not None:
            self._changes.setdefault(before.key, Counter()).subtract(before.counts())
        if after is not None:
            self._changes.setdefault(after.key, Counter()).update(after.counts())

    def apply(self, connection) -> None:
        """Add the gathered changes to the tallies (one upsert per key changed) and drop tallies left empty; then
        add each programme's change of live sign-ups to its total (``programme_totals``)."""
        emptied = []
        programmes = Counter()
        for key in sorted(self._changes):
            counts = {name: value for name, value in self._changes[key].items() if value}
            if not counts:
                continue
            connection.execute(_upsert(connection.dialect.name, key, counts))
            if key[2]:
                programmes[key[2]] += counts.get("signups", 0)
            if counts.get("signups", 0) < 0:
                emptied.append(key)
        for visit_id, officer_id, programme_key in emptied:
            connection.execute(signup_tallies.delete().where(
                signup_tallies.c.visit_id == visit_id, signup_tallies.c.officer_id == officer_id,
                signup_tallies.c.programme_key == programme_key, signup_tallies.c.signups <= 0))
        add_to_programmes(connection, programmes)
        self._changes.clear()


def _upsert(dialect: str, key: tuple[int, int, int], counts: dict[str, int]):
    """INSERT the tally of ``key`` with ``counts``, its visit's columns read from the visit, or, when it exists,
    add ``counts`` to it."""
    names = [*KEY_COLUMNS, *VISIT_COLUMNS, *counts]
    rows = select(*(literal(value) for value in key), Visit.branch_id, Visit.campaign_id, Visit.village_code,
                  Visit.visit_date, Visit.status == VisitStatus.DONE,
                  *(literal(value) for value in counts.values())).where(Visit.id == key[0])
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(signup_tallies)
    statement = insert.from_select(names, rows)
    return statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={name: signup_tallies.c[name] + statement.excluded[name] for name in counts})


def add_to_tallies(connection, moves: list[tuple[TalliedFacts | None, TalliedFacts | None]]) -> set[tuple[int, int]]:
    """Apply sign-up changes made around the ORM (a bulk UPDATE): each (before, after) pair as ``TallyChanges.move``.
    Returns the (visit, officer) pairs whose tallies changed."""
    changes = TallyChanges()
    for before, after in moves:
        changes.move(before, after)
    touched = changes.visits_and_officers
    changes.apply(connection)
    return touched


def _facts(signup: SignUp, before: bool) -> TalliedFacts:
    """The sign-up's facts now, or as they were before the flush (``before``)."""
    values = {}
    state = inspect(signup)
    for name in TALLIED_ATTRIBUTES:
        value = getattr(signup, name)
        if before:
            history = state.attrs[name].history
            if history.deleted:
                value = history.deleted[0]
        values[name] = value
    return TalliedFacts(**values)


def _changed(instance, names) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in names)


def _visit_values(visit: Visit) -> dict:
    return {"branch_id": visit.branch_id, "campaign_id": visit.campaign_id, "village_code": visit.village_code,
            "visit_date": visit.visit_date, "visit_done": visit.status == VisitStatus.DONE}


_VISIT_SOURCES = ("branch_id", "campaign_id", "village_code", "visit_date", "status")


def keep_tallies(session: Session) -> set[tuple[int, int]]:
    """After a flush, count the sign-ups that were added, changed or deleted, and copy changed visit columns.
    Returns the (visit, officer) pairs whose sign-ups changed (``campaign_app.models.summaries`` calls it after
    each flush)."""
    changes = TallyChanges()
    moved_visits = []
    for instance in session.new:
        if isinstance(instance, SignUp):
            changes.move(None, _facts(instance, before=False))
    for instance in session.dirty:
        if isinstance(instance, SignUp) and _changed(instance, TALLIED_ATTRIBUTES):
            changes.move(_facts(instance, before=True), _facts(instance, before=False))
        elif isinstance(instance, Visit) and _changed(instance, _VISIT_SOURCES):
            moved_visits.append(instance)
    for instance in session.deleted:
        if isinstance(instance, SignUp):
            changes.move(_facts(instance, before=True), None)
    if not (changes or moved_visits):
        return set()
    connection = session.connection()
    for visit in moved_visits:
        connection.execute(update(signup_tallies).where(signup_tallies.c.visit_id == visit.id)
                           .values(**_visit_values(visit)))
    touched = changes.visits_and_officers
    changes.apply(connection)
    return touched


def rebuild_tallies(connection) -> int:
    """Count every live sign-up again into empty tallies and programme totals (after a bulk load, or to repair): a
    DELETE and an INSERT ... SELECT each. Returns the number of tallies written."""
    rebuild_programmes(connection)
    connection.execute(signup_tallies.delete())
    activated = SignUp.status == SignUpStatus.ACTIVATED
    counts = {"signups": func.count(), "activated": func.sum(case((activated, 1), else_=0)),
              "women": func.sum(case((SignUp.sex == WOMEN, 1), else_=0))}
    for column, values in ((SignUp.occupation, Occupation), (SignUp.payer, Payer)):
        name_of = occupation_column if column is SignUp.occupation else payer_column
        for value in values:
            counts[name_of(value)] = func.sum(case((column == value, 1), else_=0))
            counts[name_of(value, True)] = func.sum(case(((column == value) & activated, 1), else_=0))
    programme_key = func.coalesce(SignUp.subsidy_programme_id, 0)
    rows = (select(SignUp.visit_id, SignUp.officer_id, programme_key, Visit.branch_id, Visit.campaign_id,
                   Visit.village_code, Visit.visit_date, Visit.status == VisitStatus.DONE, *counts.values())
            .join(Visit, Visit.id == SignUp.visit_id)
            .where(SignUp.status != SignUpStatus.VOID)
            .group_by(SignUp.visit_id, SignUp.officer_id, programme_key, Visit.branch_id, Visit.campaign_id,
                      Visit.village_code, Visit.visit_date, Visit.status))
    connection.execute(signup_tallies.insert().from_select([*KEY_COLUMNS, *VISIT_COLUMNS, *counts], rows))
    return connection.execute(select(func.count()).select_from(signup_tallies)).scalar_one()


def tallies_drift(connection) -> list[tuple]:
    """Tally rows that differ from a fresh count of the sign-ups (empty when the tallies are true): what a test or
    an operator checks. Compares every count column of every key, and the copied visit columns; then the
    programme totals (``programme_totals.programmes_drift``)."""
    columns = [*KEY_COLUMNS, *VISIT_COLUMNS, *COUNT_COLUMNS]
    stored = {tuple(row[:3]): tuple(row) for row in connection.execute(
        select(*(signup_tallies.c[name] for name in columns)).where(signup_tallies.c.signups != 0))}
    savepoint = connection.begin_nested()
    try:
        rebuild_tallies(connection)
        fresh = {tuple(row[:3]): tuple(row) for row in connection.execute(
            select(*(signup_tallies.c[name] for name in columns)))}
    finally:
        savepoint.rollback()
    return sorted(set(stored.values()) ^ set(fresh.values()), key=repr) + programmes_drift(connection)


