"""The demo's fieldwork (``flask demo seed``): sign-ups at the visits already done, as the test database has them."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from campaign_app.clock import today
from campaign_app.demo.seed import PALU_BRANCH, seed_demo
from campaign_app.demo.signups import PALU_PAYER, PALU_PROGRAMME, PALU_QUOTA, signups_per_visit
from campaign_app.extensions import db
from campaign_app.models import (
    Branch,
    Payer,
    Review,
    SignUp,
    SignUpStatus,
    SubsidyProgramme,
    User,
    Visit,
    VisitOfficer,
    VisitStatus,
)
from campaign_app.signups.nik import check_nik
from campaign_app.signups.personal_data import birth_index, decrypt_nik
from campaign_app.signups.service import remaining_quota

pytestmark = pytest.mark.usefixtures("app_context")


def demo_signups() -> list[SignUp]:
    return list(db.session.scalars(select(SignUp).options(joinedload(SignUp.visit)).order_by(SignUp.id)))


def palu() -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == PALU_BRANCH))


def test_the_demo_has_sign_ups_in_both_branches_it_seeds():
    branches = set(db.session.scalars(select(SignUp.branch_id).distinct()))
    assert palu().id in branches and len(branches) == 2


def test_every_demo_nik_is_valid_and_agrees_with_the_sign_up():
    for signup in demo_signups():
        nik = decrypt_nik(signup.nik_ciphertext)
        check = check_nik(nik, signup.sex)
        assert check.valid and not check.mismatches, (nik, check.errors, check.mismatches)
        assert (check.birth_date.year, nik[-4:]) == (signup.birth_year, signup.nik_last4)
        assert birth_index(check.district_code, check.birth_date) == signup.birth_index


def test_every_demo_nik_is_of_the_villages_district():
    assert all(check_nik(decrypt_nik(s.nik_ciphertext)).district_code == s.village_code[:8] for s in demo_signups())


def test_sign_ups_are_only_at_visits_done_before_today():
    for signup in demo_signups():
        assert signup.visit.status == VisitStatus.DONE and signup.visit.visit_date < today()
        assert signup.visit.checked_in_at <= signup.consent_at <= signup.visit.closed_at


def test_each_visit_done_has_its_channel_s_sign_ups_and_the_attendance_to_match():
    rows = db.session.execute(
        select(Visit, func.count(SignUp.id)).join(SignUp, SignUp.visit_id == Visit.id).group_by(Visit.id)
    ).all()
    assert rows
    for visit, signups in rows:
        fewest, most = signups_per_visit(visit.campaign.channel)
        assert fewest <= signups <= most + 1  # one more where a near-duplicate was recorded
        assert visit.attendance >= signups and visit.checked_in_at < visit.closed_at
    assert {signups_per_visit(visit.campaign.channel) for visit, _signups in rows} == {(5, 15), (8, 18)}


def test_incomes_are_whole_fifty_thousands_between_800_thousand_and_4_million():
    assert all(800_000 <= s.declared_income <= 4_000_000 and s.declared_income % 50_000 == 0
               for s in demo_signups())


def test_occupations_women_and_payers_are_mixed():
    signups = demo_signups()
    occupations = {s.occupation for s in signups}
    assert {"farmer", "fisher", "trader"} <= occupations
    women = sum(s.sex == "P" for s in signups)
    assert 0.2 < women / len(signups) < 0.6
    assert sum(s.payer == Payer.SELF for s in signups) > len(signups) / 2
    assert any(s.has_jht for s in signups) and not all(s.has_jht for s in signups)


def test_some_sign_ups_are_activated_after_their_visit():
    activated = [s for s in demo_signups() if s.status == SignUpStatus.ACTIVATED]
    assert activated
    assert all(s.visit.visit_date < s.first_payment_on <= today() for s in activated)


def test_the_palu_programme_runs_today_with_part_of_its_quota_used_in_kota_palu():
    programme = db.session.scalar(select(SubsidyProgramme).where(SubsidyProgramme.name == PALU_PROGRAMME))
    assert (programme.payer, programme.quota) == (PALU_PAYER, PALU_QUOTA)
    assert programme.starts_on <= today() <= programme.ends_on
    paid = [s for s in demo_signups() if s.subsidy_programme_id == programme.id]
    assert paid and all(s.village_code.startswith("72.71.") and s.payer == Payer.SUBSIDY for s in paid)
    assert 0 < remaining_quota(programme) < PALU_QUOTA


def test_near_duplicates_wait_for_review_in_palu():
    pending = [s for s in demo_signups() if s.review == Review.PENDING]
    assert 2 <= len(pending) <= 3
    for signup in pending:
        assert signup.branch_id == palu().id
        twin = db.session.scalar(select(SignUp).where(SignUp.id != signup.id, SignUp.name_key == signup.name_key,
                                                      SignUp.birth_index == signup.birth_index))
        assert twin is not None and twin.nik_index != signup.nik_index


def test_the_demo_officer_has_a_visit_planned_today_in_kota_palu():
    officer = db.session.scalar(select(User).where(User.username == "petugas"))
    visit = db.session.scalar(
        select(Visit).join(VisitOfficer).where(VisitOfficer.officer_id == officer.id, Visit.visit_date == today())
    )
    assert visit is not None and visit.status == VisitStatus.PLANNED and visit.village_code.startswith("72.71.")
    assert visit.checked_in_at is None


def test_seeding_again_records_nothing_more():
    before = db.session.scalar(select(func.count(SignUp.id)))
    seed_demo()
    db.session.flush()
    assert db.session.scalar(select(func.count(SignUp.id))) == before
