"""Sample values for URL arguments, so that the access tests can call every endpoint.

``tests/web/test_access_rules.py`` builds a URL for every rule in ``app.url_map``. Each URL argument
is looked up here by its name; an argument without a provider fails that test with a message pointing
to this file, so a new endpoint is never skipped silently.

A provider runs inside an app context on a fresh copy of the seeded demo database and returns
``Samples``:

- ``own``: a record of the demo users' branch (Kantor Cabang Palu);
- ``foreign``: the same kind of record in another branch (Kantor Cabang Luwuk), or None for an
  argument that names no branch's record (a page number, a report period, ...).

Each ``Sample`` says which branch owns its record. A role allowed on the endpoint whose visible branches
(``campaign_app.access.visible_branch_ids``) do not include that branch must get a 404.

When one URL has several arguments, the test uses every ``own`` sample together, then every ``foreign``
sample together, so related samples must agree: the Luwuk ``visit_id`` must belong to the Luwuk
``campaign_id``. Pick records that no POST with an empty form can make unusable for the demo logins
(never a demo user itself, for instance).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from campaign_app.demo.seed import DEMO_LOGINS, PALU_BRANCH
from campaign_app.extensions import db
from campaign_app.models import (
    Branch,
    Campaign,
    CampaignStatus,
    District,
    OfficerLeave,
    Payer,
    RateTable,
    Role,
    SignUp,
    SignUpStatus,
    SubsidyProgramme,
    SyncKind,
    User,
    Village,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.signups.consent import consent_text_on
from campaign_app.signups.service import record_signup
from campaign_app.validation import Refused
from campaign_app.visits.assignments import record_leave
from campaign_app.visits.service import schedule_visit

FOREIGN_BRANCH = "Kantor Cabang Luwuk"


@dataclass(frozen=True)
class Sample:
    value: Any
    # The branch that owns the record; None when the value names no branch's record.
    branch_id: int | None = None


@dataclass(frozen=True)
class Samples:
    own: Sample
    foreign: Sample | None = None


PROVIDERS: dict[str, Callable[[], Samples]] = {}


def provides(*names: str):
    """Register the decorated function as the sample provider for the URL arguments ``names``."""

    def register(provider: Callable[[], Samples]) -> Callable[[], Samples]:
        for name in names:
            PROVIDERS[name] = provider
        return provider

    return register


def missing_provider_message(name: str, endpoint: str) -> str:
    return (f"URL argument {name!r} of endpoint {endpoint!r} has no sample value: add a provider for it to "
            f"tests/samples.py (@provides({name!r}), one record in {PALU_BRANCH} and one in {FOREIGN_BRANCH})")


def _branch(name: str) -> Branch:
    branch = db.session.scalar(select(Branch).where(Branch.name == name))
    assert branch is not None, f"the demo seed has no branch {name!r}"
    return branch


def _home_regency_code(branch: Branch) -> str:
    return branch.home_regency_code or branch.regencies[0].code


# --- branches and people -------------------------------------------------------------------------

@provides("branch_id")
def branch_id() -> Samples:
    palu, luwuk = _branch(PALU_BRANCH), _branch(FOREIGN_BRANCH)
    return Samples(Sample(palu.id, palu.id), Sample(luwuk.id, luwuk.id))


@provides("user_id")
def user_id() -> Samples:
    demo_usernames = [username for username, _role in DEMO_LOGINS]

    def staff_member(branch: Branch) -> Sample:
        # Not a demo login: a POST that deactivates or resets the sample must not lock the tests out.
        user = db.session.scalar(
            select(User).where(User.branch_id == branch.id, User.username.not_in(demo_usernames))
            .order_by(User.id).limit(1)
        )
        assert user is not None, f"the demo seed has no staff in {branch.name}"
        return Sample(user.id, branch.id)

    return Samples(staff_member(_branch(PALU_BRANCH)), staff_member(_branch(FOREIGN_BRANCH)))


# --- regions: a regency, district or village is a branch's through the regencies it covers --------

@provides("regency_code")
def regency_code() -> Samples:
    palu, luwuk = _branch(PALU_BRANCH), _branch(FOREIGN_BRANCH)
    return Samples(Sample(_home_regency_code(palu), palu.id), Sample(_home_regency_code(luwuk), luwuk.id))


def _first_district(branch: Branch) -> District:
    return db.session.scalar(
        select(District).where(District.regency_code == _home_regency_code(branch)).order_by(District.code).limit(1)
    )


@provides("district_code")
def district_code() -> Samples:
    palu, luwuk = _branch(PALU_BRANCH), _branch(FOREIGN_BRANCH)
    return Samples(Sample(_first_district(palu).code, palu.id), Sample(_first_district(luwuk).code, luwuk.id))


@provides("village_code")
def village_code() -> Samples:
    def first_village(branch: Branch) -> Sample:
        village = db.session.scalar(
            select(Village).where(Village.district_code == _first_district(branch).code)
            .order_by(Village.code).limit(1)
        )
        return Sample(village.code, branch.id)

    return Samples(first_village(_branch(PALU_BRANCH)), first_village(_branch(FOREIGN_BRANCH)))


# --- campaigns, visits and officers --------------------------------------------------------------

@provides("campaign_id")
def campaign_id() -> Samples:
    def open_campaign(branch: Branch) -> Sample:
        campaign = db.session.scalar(
            select(Campaign).where(Campaign.branch_id == branch.id, Campaign.status == CampaignStatus.OPEN)
            .order_by(Campaign.id).limit(1)
        )
        assert campaign is not None, f"the demo seed has no open campaign in {branch.name}"
        return Sample(campaign.id, branch.id)

    return Samples(open_campaign(_branch(PALU_BRANCH)), open_campaign(_branch(FOREIGN_BRANCH)))


@provides("visit_id")
def visit_id() -> Samples:
    """A planned visit; in Palu one the demo officer is assigned to, so that officer may open it."""
    officer = db.session.scalar(select(User).where(User.username == "petugas"))

    def planned_visit(branch: Branch, officer_id: int | None) -> Sample:
        query = select(Visit).where(Visit.branch_id == branch.id, Visit.status == VisitStatus.PLANNED)
        if officer_id is not None:
            query = query.join(VisitOfficer).where(VisitOfficer.officer_id == officer_id)
        visit = db.session.scalar(query.order_by(Visit.visit_date, Visit.id).limit(1))
        assert visit is not None, f"the demo seed has no planned visit in {branch.name}"
        return Sample(visit.id, branch.id)

    return Samples(planned_visit(_branch(PALU_BRANCH), officer.id), planned_visit(_branch(FOREIGN_BRANCH), None))


@provides("officer_id")
def officer_id() -> Samples:
    def officer(branch: Branch) -> Sample:
        user = db.session.scalar(
            select(User).where(User.branch_id == branch.id, User.role == Role.OFFICER,
                               User.username != "petugas").order_by(User.id).limit(1)
        )
        return Sample(user.id, branch.id)

    return Samples(officer(_branch(PALU_BRANCH)), officer(_branch(FOREIGN_BRANCH)))


@provides("leave_id")
def leave_id() -> Samples:
    def leave(branch: Branch) -> Sample:
        record = db.session.scalar(
            select(OfficerLeave).join(User, User.id == OfficerLeave.officer_id)
            .where(User.branch_id == branch.id).order_by(OfficerLeave.id).limit(1)
        )
        if record is None:  # the demo gives Luwuk no leave: record one for the foreign sample
            officer = db.session.scalar(select(User).where(User.branch_id == branch.id, User.role == Role.OFFICER))
            record = record_leave(officer, date(2027, 1, 4), date(2027, 1, 5), "Pelatihan")
            db.session.commit()
        return Sample(record.id, branch.id)

    return Samples(leave(_branch(PALU_BRANCH)), leave(_branch(FOREIGN_BRANCH)))


# --- sign-ups, rates and subsidy programmes --------------------------------------------------------

def _started_visit(branch: Branch, officer: User) -> Visit:
    """A visit of the branch's open campaign on a day ``officer`` is free, with them assigned, in progress."""
    samples = campaign_id()
    campaign = db.session.get(Campaign, (samples.own if branch.name == PALU_BRANCH else samples.foreign).value)
    village = db.session.scalar(
        select(Village).where(Village.district_code == _first_district(branch).code).order_by(Village.code).limit(1)
    )
    day = campaign.ends_on
    while True:
        try:
            with db.session.begin_nested():
                visit = schedule_visit(campaign=campaign, village_code=village.code, visit_date=day,
                                       officer_ids=[officer.id], created_by=None, today=campaign.starts_on,
                                       start_time=None, planned_activity="Sosialisasi", planned_cost=0)
            break
        except Refused:
            day -= timedelta(days=1)
            assert day >= campaign.starts_on, f"no free day for {officer.username} in {campaign.name}"
    visit.status = VisitStatus.IN_PROGRESS
    db.session.flush()
    return visit


@provides("signup_id")
def signup_id() -> Samples:
    """A registered sign-up; in Palu one the demo officer recorded, so that officer may open it."""
    petugas = db.session.scalar(select(User).where(User.username == "petugas"))

    def signup(branch: Branch, officer: User | None) -> Sample:
        query = select(SignUp).where(SignUp.branch_id == branch.id, SignUp.status == SignUpStatus.REGISTERED)
        if officer is not None:
            query = query.where(SignUp.officer_id == officer.id)
        found = db.session.scalar(query.order_by(SignUp.id).limit(1))
        if found is None:  # recorded here through the service when the demo has none
            officer = officer or db.session.scalar(
                select(User).where(User.branch_id == branch.id, User.role == Role.OFFICER).order_by(User.id).limit(1)
            )
            visit = _started_visit(branch, officer)
            district = visit.village_code[:8].replace(".", "")
            found = record_signup(
                visit=visit, officer=officer, form_key=f"sample-{branch.id}", nik=f"{district}450890{branch.id:04d}",
                full_name="Sampel Pekerja", sex=None, birth_date=None, phone=None, occupation="farmer",
                sector="bpu", with_jht=False, declared_income=1_500_000, payer=Payer.SELF, subsidy_programme_id=None,
                consent=True, consent_version=consent_text_on(visit.visit_date).version, today=visit.visit_date,
                now=datetime.combine(visit.visit_date, time(2, 0), tzinfo=UTC),
            ).signup
            db.session.commit()
        return Sample(found.id, branch.id)

    return Samples(signup(_branch(PALU_BRANCH), petugas), signup(_branch(FOREIGN_BRANCH), None))


@provides("rate_table_id")
def rate_table_id() -> Samples:
    """Rate tables are the whole agency's: no branch owns one."""
    return Samples(Sample(db.session.scalar(select(RateTable.id).order_by(RateTable.id).limit(1))))


@provides("programme_id")
def programme_id() -> Samples:
    """Subsidy programmes are the whole agency's: no branch owns one."""
    programme = db.session.scalar(select(SubsidyProgramme).order_by(SubsidyProgramme.id).limit(1))
    if programme is None:  # the demo has one once sign-ups are seeded; until then, one is made here
        programme = SubsidyProgramme(name="Sampel Subsidi", payer="Pemerintah Kota Palu", starts_on=date(2026, 1, 1),
                                     ends_on=date(2027, 12, 31), quota=100)
        db.session.add(programme)
        db.session.commit()
    return Samples(Sample(programme.id))


# --- phones -----------------------------------------------------------------------------------------

@provides("device_id")
def device_id() -> Samples:
    """A phone of an officer of each branch (not the demo officer: a revoke must not lock a test's phone out)."""
    from campaign_app.sync.devices import issue_device

    def device(branch: Branch) -> Sample:
        officer = db.session.scalar(
            select(User).where(User.branch_id == branch.id, User.role == Role.OFFICER, User.username != "petugas")
            .order_by(User.id).limit(1))
        issued = issue_device(officer, "Sampel", None, datetime(2026, 11, 2, tzinfo=UTC))
        db.session.commit()
        return Sample(issued.device.id, branch.id)

    return Samples(device(_branch(PALU_BRANCH)), device(_branch(FOREIGN_BRANCH)))


@provides("record_id")
def record_id() -> Samples:
    """A record from a phone that waits for review: an officer's, for a visit of the branch they are not assigned to."""
    from campaign_app.sync.devices import issue_device
    from campaign_app.sync.records import Envelope, store

    def waiting(branch: Branch) -> Sample:
        officer = db.session.scalar(
            select(User).where(User.branch_id == branch.id, User.role == Role.OFFICER, User.username != "petugas")
            .order_by(User.id.desc()).limit(1))
        visit = db.session.scalar(
            select(Visit).where(Visit.branch_id == branch.id, ~Visit.assignments.any(VisitOfficer.officer_id
                                                                                      == officer.id))
            .order_by(Visit.id).limit(1))
        moment = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
        device = issue_device(officer, "Sampel", None, moment).device
        record = store(device, officer, Envelope(f"sample-record-{branch.id:08d}", SyncKind.VISIT_CLOSED, visit.id,
                                                 moment, {}), moment)
        db.session.commit()
        return Sample(record.id, branch.id)

    return Samples(waiting(_branch(PALU_BRANCH)), waiting(_branch(FOREIGN_BRANCH)))


# --- values that name no branch's record -----------------------------------------------------------

@provides("page")
def page() -> Samples:
    return Samples(Sample(2))


@provides("import_id")
def import_id() -> Samples:
    """A payment status import that ended (the administrators', of no branch): a POST cannot start it again."""
    from campaign_app.models import ImportState, PaymentImport

    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id).limit(1))
    job = PaymentImport(upload_key="sample-import-key-0001", month=date(2026, 10, 1), file_name="status.csv",
                        stored_name="0" * 32, size_bytes=40, digest="0" * 64, language="id", state=ImportState.DONE,
                        attempts=1, bytes_read=40, rows_read=1, matched=1, unchanged=0, not_paid=0, unknown_count=0,
                        invalid_count=0, listed={"invalid": [], "unknown": []}, created_by_id=admin.id)
    db.session.add(job)
    db.session.commit()
    return Samples(Sample(job.id))
