"""A subsidy programme's places: its live sign-ups counted in its row of the programme totals, kept in the same
transaction as every change, and read by the sign-up form, the quota checks and the programme list alike."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from campaign_app.extensions import db
from campaign_app.models import Payer, SignUp, SignUpStatus, SubsidyProgramme
from campaign_app.signups.changes import void_signup
from campaign_app.signups.records import running_programmes
from campaign_app.signups.service import remaining_quota
from campaign_app.subsidies.service import list_programmes, used_quota
from campaign_app.summaries import ProgrammeTotal, bulk_execute, tallies
from tests.factories import SIGNUP_NOW, TODAY, in_progress_visit, make_signup, nik_for

pytestmark = pytest.mark.usefixtures("app_context")


def programme_paying(quota: int, name: str = "Iuran Warga Rentan Uji") -> SubsidyProgramme:
    programme = SubsidyProgramme(name=name, payer="Pemerintah Kota Palu", starts_on=TODAY - timedelta(days=30),
                                 ends_on=TODAY + timedelta(days=300), quota=quota)
    db.session.add(programme)
    db.session.flush()
    return programme


def paid_by(programme: SubsidyProgramme) -> dict:
    return {"payer": Payer.SUBSIDY, "subsidy_programme_id": programme.id}


def places_left(programme: SubsidyProgramme) -> int:
    """The places the officer's form offers."""
    db.session.flush()
    [option] = [option for option in running_programmes(TODAY) if option.id == programme.id]
    return option.remaining


def no_drift() -> bool:
    db.session.flush()
    return tallies.drift(db.session.connection()) == []


@pytest.fixture
def visit():
    return in_progress_visit()


def test_a_new_programme_offers_its_whole_quota(visit):
    programme = programme_paying(quota=5)
    assert places_left(programme) == 5 == remaining_quota(programme)
    assert used_quota(programme) == 0


def test_each_sign_up_takes_a_place_and_each_void_gives_it_back(visit):
    programme = programme_paying(quota=5)
    officer = visit.officers[0]
    first, second, _third = (make_signup(visit, officer, nik_for(), **paid_by(programme)) for _ in range(3))
    assert places_left(programme) == 2
    void_signup(first, officer, "NIK salah ketik", TODAY, SIGNUP_NOW)
    void_signup(second, officer, "Didaftarkan dua kali", TODAY, SIGNUP_NOW)
    assert places_left(programme) == 4 == remaining_quota(programme)
    assert no_drift()


def test_the_form_the_quota_check_and_the_programme_list_read_the_same_use(visit):
    programme = programme_paying(quota=3)
    for _ in range(2):
        make_signup(visit, nik=nik_for(), **paid_by(programme))
    [row] = [row for row in list_programmes(TODAY, per_page=100).items if row.programme.id == programme.id]
    assert (places_left(programme), remaining_quota(programme), row.remaining, row.used) == (1, 1, 1, 2)


def test_sign_ups_at_other_visits_and_by_other_officers_count_in_one_total():
    programme = programme_paying(quota=10)
    for _ in range(3):
        make_signup(in_progress_visit(), nik=nik_for(), **paid_by(programme))
    assert used_quota(programme) == 3
    assert db.session.get(ProgrammeTotal, programme.id).signups == 3


def test_places_left_never_fall_below_none(visit):
    programme = programme_paying(quota=1)
    make_signup(visit, nik=nik_for(), **paid_by(programme))
    programme.quota = 0  # lowered around the service, which refuses it
    assert places_left(programme) == 0 == remaining_quota(programme)


def test_a_sign_up_moved_to_another_programme_moves_its_place(visit):
    palu, sigi = programme_paying(quota=4, name="Iuran Palu"), programme_paying(quota=4, name="Iuran Sigi")
    signup = make_signup(visit, nik=nik_for(), **paid_by(palu))
    signup.subsidy_programme_id = sigi.id
    assert (places_left(palu), places_left(sigi)) == (4, 3)
    signup.payer, signup.subsidy_programme_id = Payer.SELF, None
    assert (places_left(palu), places_left(sigi)) == (4, 4)
    assert no_drift()


def test_a_bulk_change_through_the_summaries_keeps_the_total(visit):
    programme = programme_paying(quota=4)
    signup = make_signup(visit, nik=nik_for(), **paid_by(programme))
    db.session.flush()
    bulk_execute(db.session, update(SignUp).where(SignUp.id == signup.id).values(status=SignUpStatus.VOID))
    assert places_left(programme) == 4
    assert no_drift()


def test_drift_is_found_when_a_programme_total_is_wrong(visit):
    programme = programme_paying(quota=4)
    make_signup(visit, nik=nik_for(), **paid_by(programme))
    db.session.flush()
    db.session.execute(update(ProgrammeTotal).where(ProgrammeTotal.programme_id == programme.id).values(signups=3))
    assert ("programme_totals", (programme.id, 3)) in tallies.drift(db.session.connection())
