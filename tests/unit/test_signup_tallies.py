"""The dashboards' sign-up tallies stay true through every change the services make, in the same transaction."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from campaign_app.extensions import db
from campaign_app.fieldwork.service import reopen_visit
from campaign_app.models import Occupation, Payer, SignUpStatus
from campaign_app.reports.metrics import figures
from campaign_app.reports.selection import Selection
from campaign_app.signups.activation import apply_activation_file
from campaign_app.signups.changes import correct_signup, void_signup
from campaign_app.signups.review import merge
from campaign_app.summaries import SignUpTally, tallies
from tests.factories import SIGNUP_NOW, in_progress_visit, make_signup, nik_for, user_named
from tests.reports_data import at, build_world, closed, sign

pytestmark = pytest.mark.usefixtures("app_context")


def tally(visit, officer, programme=None) -> SignUpTally | None:
    db.session.flush()
    return db.session.scalar(select(SignUpTally).where(
        SignUpTally.visit_id == visit.id, SignUpTally.officer_id == officer.id,
        SignUpTally.programme_key == (programme.id if programme else 0)).execution_options(populate_existing=True))


def no_drift():
    db.session.flush()
    return tallies.drift(db.session.connection()) == []


@pytest.fixture
def visit(app_context):
    return in_progress_visit()


def test_a_recorded_sign_up_is_counted_in_its_visits_tally(visit):
    officer = visit.officers[0]
    make_signup(visit, officer, nik_for(sex="P"), occupation=Occupation.FISHER)
    row = tally(visit, officer)
    assert (row.signups, row.activated, row.women, row.occupation_fisher, row.payer_self) == (1, 0, 1, 1, 1)
    assert (row.branch_id, row.campaign_id, row.village_code, row.visit_date, row.visit_done) == (
        visit.branch_id, visit.campaign_id, visit.village_code, visit.visit_date, False)


def test_sign_ups_of_one_officer_at_one_visit_share_a_tally(visit):
    officer = visit.officers[0]
    make_signup(visit, officer, nik_for(sex="P"))
    make_signup(visit, officer, nik_for(sex="L"), occupation=Occupation.TRADER)
    row = tally(visit, officer)
    assert (row.signups, row.women, row.occupation_farmer, row.occupation_trader) == (2, 1, 1, 1)
    assert db.session.query(SignUpTally).filter_by(visit_id=visit.id).count() == 1


def test_a_subsidised_sign_up_is_tallied_under_its_programme():
    world = build_world()
    row = tally(world.visits["V1"], world.budi, world.programme)
    assert (row.signups, row.payer_subsidy, row.occupation_trader) == (1, 1, 1)


def test_a_voided_sign_up_leaves_the_tally_and_an_emptied_tally_goes(visit):
    officer = visit.officers[0]
    signup = make_signup(visit, officer, nik_for())
    void_signup(signup, officer, "NIK salah ketik", visit.visit_date, SIGNUP_NOW)
    assert tally(visit, officer) is None
    assert no_drift()


def test_a_corrected_occupation_moves_the_count(visit):
    officer = visit.officers[0]
    signup = make_signup(visit, officer, nik_for(), occupation=Occupation.FARMER)
    correct_signup(signup, officer, full_name=signup.full_name, phone=signup.phone, occupation=Occupation.TRADER,
                   sector=signup.sector, with_jht=False, declared_income=signup.declared_income,
                   today=visit.visit_date, now=SIGNUP_NOW)
    row = tally(visit, officer)
    assert (row.signups, row.occupation_farmer, row.occupation_trader) == (1, 0, 1)


def test_an_activation_upload_counts_the_activated(visit):
    officer = visit.officers[0]
    nik = nik_for()
    make_signup(visit, officer, nik)
    make_signup(visit, officer, nik_for(sex="L"))
    apply_activation_file(f"nik;status;tanggal_bayar_pertama\n{nik};aktif;2026-11-02\n".encode(), None,
                          user_named("admin"), SIGNUP_NOW)
    row = tally(visit, officer)
    assert (row.signups, row.activated, row.occupation_farmer_activated, row.payer_self_activated) == (2, 1, 1, 1)
    assert no_drift()


def test_a_merged_near_duplicate_is_no_longer_counted(visit):
    officer = visit.officers[0]
    first = make_signup(visit, officer, nik_for(sex="P"), full_name="Siti Aminah")
    second = make_signup(visit, officer, nik_for(sex="P"), full_name="Siti Aminah")
    assert tally(visit, officer).signups == 2
    merge(second, first, user_named("koordinator"), SIGNUP_NOW)
    assert second.status == SignUpStatus.VOID
    assert tally(visit, officer).signups == 1
    assert no_drift()


def test_closing_and_reopening_a_visit_marks_its_tallies(visit):
    officer = visit.officers[0]
    make_signup(visit, officer, nik_for())
    closed(visit, 3, 2)
    assert tally(visit, officer).visit_done is True
    reopen_visit(visit, user_named("koordinator"), "Absensi salah", at(visit.visit_date) + timedelta(hours=2))
    assert tally(visit, officer).visit_done is False


def test_the_tallies_kept_up_to_date_equal_a_fresh_count():
    world = build_world()
    sign(world.visits["V4"], world.citra, "P", Occupation.TRADER, Payer.EMPLOYER, activated=True)
    assert no_drift()


def test_a_rebuild_counts_every_live_sign_up_again():
    world = build_world()
    db.session.flush()
    kept = db.session.query(SignUpTally).count()
    db.session.execute(delete(SignUpTally))
    assert figures(Selection(branch_ids={world.branch.id}), rolled_up=False).signups == 0
    assert tallies.rebuild(db.session.connection()) == kept
    # The world's branch: 4 live sign-ups at V1, 2 at V2, 2 at V3, 1 at V4 (tests/reports_data.py).
    assert figures(Selection(branch_ids={world.branch.id}), rolled_up=False).signups == 9
    assert no_drift()


def test_drift_is_found_when_a_tally_is_wrong(visit):
    officer = visit.officers[0]
    make_signup(visit, officer, nik_for())
    tally(visit, officer).signups = 5
    assert not no_drift()
