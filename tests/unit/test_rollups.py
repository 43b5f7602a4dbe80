"""The monthly and daily roll-ups stay true through every change the services make, and the dashboards read the
same numbers from them as from the visits and tallies (tests/reports_data.py's world: visits on 7 and 14 Sep,
5 and 6 Oct, a cancelled one on 16 Sep and a planned one on 1 Dec 2026)."""

from dataclasses import asdict
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from campaign_app.branches.service import save_branch
from campaign_app.extensions import db
from campaign_app.fieldwork.service import reopen_visit
from campaign_app.models import Occupation, Payer, VisitStatus
from campaign_app.reports.breakdowns import all_rows, breakdown
from campaign_app.reports.metrics import figures
from campaign_app.reports.selection import Selection
from campaign_app.reports.sources import whole_months
from campaign_app.signups.activation import apply_activation_file
from campaign_app.signups.changes import correct_signup, void_signup
from campaign_app.signups.review import merge
from campaign_app.summaries import DailyResult, MonthlyResult, OfficerResult, VillageResult, rollups
from campaign_app.visits.assignments import assign_officer, unassign_officer
from campaign_app.visits.service import change_status, reschedule_visit
from tests.factories import SIGNUP_NOW, make_officer, make_signup, nik_for, user_named
from tests.reports_data import (
    KOMBO,
    PINAMULA,
    SONI,
    TAMPIALA,
    add_copies,
    at,
    closed,
    load_world,
    sign,
    started,
    visit_on,
)

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def world(app_context, world_keys):
    return load_world(world_keys)


def no_drift() -> bool:
    db.session.flush()
    return rollups.drift(db.session.connection()) == []


def monthly_row(campaign, month: date, done: bool, programme_key: int = 0) -> MonthlyResult | None:
    db.session.flush()
    return db.session.scalar(select(MonthlyResult).where(
        MonthlyResult.campaign_id == campaign.id, MonthlyResult.month == month, MonthlyResult.visit_done == done,
        MonthlyResult.programme_key == programme_key).execution_options(populate_existing=True))


def daily_row(branch, day: date) -> DailyResult | None:
    db.session.flush()
    return db.session.scalar(select(DailyResult).where(DailyResult.branch_id == branch.id, DailyResult.day == day)
                             .execution_options(populate_existing=True))


def test_a_month_of_a_campaign_sums_its_done_visits_and_their_sign_ups(world):
    # Toli-Toli in September: V1 (20 attending, 500,000) and V2 (10, 300,000) done; V5 cancelled is not a visit.
    row = monthly_row(world.toli_toli, date(2026, 9, 1), done=True)
    assert (row.regency_code, row.visits, row.attendance_women, row.attendance_men, row.cost) == (
        "72.04", 2, 17, 13, 800_000)
    # 4 live sign-ups there without a programme (2 by Ani at V1, 1 fisher, 1 by employer at V2).
    assert (row.signups, row.activated, row.women, row.occupation_fisher, row.payer_employer) == (4, 2, 2, 1, 1)
    subsidised = monthly_row(world.toli_toli, date(2026, 9, 1), done=True, programme_key=world.programme.id)
    assert (subsidised.visits, subsidised.signups, subsidised.payer_subsidy) == (0, 2, 2)


def test_a_day_of_a_branch_sums_done_visits_officer_days_and_sign_ups(world):
    row = daily_row(world.branch, date(2026, 9, 7))
    assert (row.visits_done, row.attendance, row.officer_days, row.signups, row.activated) == (1, 20, 2, 4, 1)


def test_a_visit_not_done_counts_in_its_month_but_not_its_day(world):
    # V4 on 6 Oct is still in progress, with one sign-up.
    assert (monthly_row(world.buol, date(2026, 10, 1), done=False).visits,
            monthly_row(world.buol, date(2026, 10, 1), done=False).signups) == (1, 1)
    row = daily_row(world.branch, date(2026, 10, 6))
    assert (row.visits_done, row.officer_days, row.signups) == (0, 0, 1)


def test_a_recorded_sign_up_is_counted_at_once(world):
    sign(world.visits["V4"], world.citra, "P", Occupation.TRADER, Payer.EMPLOYER, activated=True)
    assert monthly_row(world.buol, date(2026, 10, 1), done=False).signups == 2
    assert daily_row(world.branch, date(2026, 10, 6)).signups == 2
    assert no_drift()


def test_a_voided_sign_up_leaves_both_roll_ups(world):
    visit = world.visits["V4"]
    signup = make_signup(visit, world.citra, nik_for())
    void_signup(signup, user_named("admin"), "NIK salah ketik", visit.visit_date, SIGNUP_NOW)
    assert daily_row(world.branch, visit.visit_date).signups == 1
    assert no_drift()


def test_a_corrected_occupation_moves_the_count(world):
    visit = world.visits["V4"]
    signup = make_signup(visit, world.citra, nik_for(), occupation=Occupation.FARMER)
    correct_signup(signup, user_named("admin"), full_name=signup.full_name, phone=signup.phone,
                   occupation=Occupation.TRADER, sector=signup.sector, with_jht=False,
                   declared_income=signup.declared_income, today=visit.visit_date, now=SIGNUP_NOW)
    row = monthly_row(world.buol, date(2026, 10, 1), done=False)
    assert (row.occupation_farmer, row.occupation_trader) == (1, 1)
    assert no_drift()


def test_an_activation_upload_is_counted_in_both_roll_ups(world):
    visit = world.visits["V4"]
    nik = nik_for()
    make_signup(visit, world.citra, nik)
    apply_activation_file(f"nik;status;tanggal_bayar_pertama\n{nik};aktif;2026-11-02\n".encode(), None,
                          user_named("admin"), SIGNUP_NOW)
    assert monthly_row(world.buol, date(2026, 10, 1), done=False).activated == 1
    assert daily_row(world.branch, visit.visit_date).activated == 1
    assert no_drift()


def test_a_merged_near_duplicate_is_no_longer_counted(world):
    visit = world.visits["V4"]
    first = make_signup(visit, world.citra, nik_for(sex="P"), full_name="Siti Aminah")
    second = make_signup(visit, world.citra, nik_for(sex="P"), full_name="Siti Aminah")
    merge(second, first, user_named("koordinator"), SIGNUP_NOW)
    assert daily_row(world.branch, visit.visit_date).signups == 2
    assert no_drift()


def test_closing_a_visit_moves_it_to_the_done_row_and_counts_its_day(world):
    visit = world.visits["V4"]
    closed(visit, 4, 6)
    assert monthly_row(world.buol, date(2026, 10, 1), done=False) is None
    assert monthly_row(world.buol, date(2026, 10, 1), done=True).visits == 2
    row = daily_row(world.branch, visit.visit_date)
    assert (row.visits_done, row.attendance, row.officer_days) == (1, 10, 1)
    assert no_drift()


def test_reopening_a_visit_takes_it_out_of_the_done_figures(world):
    visit = world.visits["V3"]
    reopen_visit(visit, user_named("admin"), "Absensi salah", at(visit.visit_date) + timedelta(hours=2))
    assert daily_row(world.branch, visit.visit_date).visits_done == 0
    assert no_drift()


def test_a_rescheduled_visit_leaves_its_old_month_and_day(world):
    visit = world.visits["V6"]
    reschedule_visit(visit, visit_date=date(2026, 11, 3), start_time=None, today=date(2026, 11, 1))
    assert monthly_row(world.toli_toli, date(2026, 12, 1), done=False) is None
    assert monthly_row(world.toli_toli, date(2026, 11, 1), done=False).visits == 1
    assert no_drift()


def test_a_cancelled_visit_is_no_longer_a_visit(world):
    change_status(world.visits["V6"], VisitStatus.CANCELLED, "Banjir")
    assert monthly_row(world.toli_toli, date(2026, 12, 1), done=False) is None
    assert no_drift()


def test_an_officer_assigned_counts_in_the_officer_days_once_the_visit_is_done(world):
    visit = world.visits["V4"]
    assign_officer(visit, make_officer(world.branch, "Eko"))
    closed(visit, 4, 6)
    assert daily_row(world.branch, visit.visit_date).officer_days == 2
    assert no_drift()


def test_an_officer_removed_from_a_visit_keeps_the_roll_ups_true(world):
    visit = world.visits["V6"]
    extra = make_officer(world.branch, "Eko")
    assign_officer(visit, extra)
    unassign_officer(visit, extra)
    assert no_drift()


def test_a_new_visit_is_counted_in_its_month(world):
    visit_on(world.toli_toli, KOMBO, date(2026, 12, 2), [world.budi], 50_000)
    assert monthly_row(world.toli_toli, date(2026, 12, 1), done=False).visits == 2
    assert no_drift()


def test_visits_of_several_campaigns_and_months_changed_in_one_flush_are_all_counted_again(world):
    # The first campaign's visit is in the latest month: each campaign's month is counted again all the same.
    world.visits["V6"].planned_cost = 450_000
    world.visits["V3"].attendance_women += 5
    assert monthly_row(world.buol, date(2026, 10, 1), done=True).attendance_women == 15
    assert no_drift()


def officer_totals(officer) -> tuple | None:
    db.session.flush()
    row = db.session.scalar(select(OfficerResult).where(OfficerResult.officer_id == officer.id,
                                                        OfficerResult.branch_id == officer.branch_id)
                            .execution_options(populate_existing=True))
    return row and (row.visits, row.visits_done, row.attendance, row.cost, row.signups, row.signups_at_done_visits,
                    row.activated)


def village_totals(code: str, every_branch: bool = False) -> tuple | None:
    db.session.flush()
    branch = VillageResult.branch_id.is_(None) if every_branch else VillageResult.branch_id.is_not(None)
    row = db.session.scalar(select(VillageResult).where(VillageResult.village_code == code, branch)
                            .execution_options(populate_existing=True))
    return row and (row.visits, row.visits_done, row.attendance, row.cost, row.signups, row.signups_at_done_visits,
                    row.activated)


def test_an_officer_s_totals_count_the_visits_they_were_on_and_the_sign_ups_they_recorded(world):
    # Ani: V1 and V2 done (20 + 10 attending, 500,000 + 300,000); 3 + 2 live sign-ups there, 2 activated.
    assert officer_totals(world.ani) == (2, 2, 30, 800_000, 5, 5, 2)
    # Budi: V1 done, V6 planned (V5 cancelled is not a visit); one sign-up at V1.
    assert officer_totals(world.budi) == (2, 1, 20, 500_000, 1, 1, 0)


def test_a_village_s_totals_count_its_visits_and_sign_ups(world):
    assert village_totals(KOMBO) == village_totals(KOMBO, every_branch=True) == (1, 1, 20, 500_000, 4, 4, 1)
    # Soni's only visit was cancelled.
    assert village_totals(SONI) is None


def test_an_officer_taken_off_a_visit_keeps_the_sign_ups_they_recorded_there(world):
    # V4 at Pinamula is in progress: a visit, not yet a done one.
    visit, eko = world.visits["V4"], make_officer(world.branch, "Eko")
    assign_officer(visit, eko)
    sign(visit, eko, "P", Occupation.TRADER, Payer.SELF, activated=True)
    assert officer_totals(eko) == (1, 0, 0, 0, 1, 0, 1)
    unassign_officer(visit, eko)
    assert officer_totals(eko) == (0, 0, 0, 0, 1, 0, 1)
    assert village_totals(PINAMULA) == (1, 0, 0, 0, 2, 0, 1)
    assert no_drift()


def test_a_cancelled_visit_leaves_its_village_and_officers_totals(world):
    change_status(world.visits["V6"], VisitStatus.CANCELLED, "Banjir")
    assert village_totals(TAMPIALA) is None
    assert officer_totals(world.budi) == (1, 1, 20, 500_000, 1, 1, 0)
    assert no_drift()


def kombo_visited_by_luwuk_too(world) -> None:
    """Toli-Toli moves to the Luwuk branch, which visits Kombo in its turn; the first branch's visits stay its own."""
    save_branch(world.branch, name=world.branch.name, home_regency_code="72.05", province_code="72",
                regency_codes=["72.05"])
    save_branch(world.luwuk, name=world.luwuk.name, home_regency_code=world.luwuk.home_regency_code,
                province_code="72", regency_codes=[*(r.code for r in world.luwuk.regencies), "72.04"])
    officer = make_officer(world.luwuk, "Fajar")
    closed(started(visit_on(world.luwuk_campaign, KOMBO, date(2026, 9, 21), [officer], 100_000)), 3, 2)


def test_a_village_visited_by_two_branches_has_a_row_for_each_and_one_for_both(world):
    kombo_visited_by_luwuk_too(world)
    luwuk = db.session.scalar(select(VillageResult).where(VillageResult.village_code == KOMBO,
                                                          VillageResult.branch_id == world.luwuk.id))
    assert (luwuk.visits_done, luwuk.attendance, luwuk.cost) == (1, 5, 100_000)
    assert village_totals(KOMBO, every_branch=True)[:4] == (2, 2, 25, 600_000)
    for branch_ids in ({world.branch.id}, {world.luwuk.id}, None):
        selection = Selection(branch_ids=branch_ids)
        assert breakdown(selection, "village") == breakdown(selection, "village", rolled_up=False)
    assert no_drift()


@pytest.mark.parametrize("branches", ["first", "both", "every"])
def test_villages_visited_from_their_totals_count_a_village_of_two_branches_once(world, branches):
    kombo_visited_by_luwuk_too(world)
    branch_ids = {"first": {world.branch.id}, "both": {world.branch.id, world.luwuk.id}, "every": None}[branches]
    selection = Selection(branch_ids=branch_ids)
    assert asdict(figures(selection)) == asdict(figures(selection, rolled_up=False))


@pytest.mark.parametrize("by", ["district", "village", "officer"])
def test_every_branch_s_places_from_their_totals_equal_those_from_the_visits(world, by):
    add_copies(world, 3, day=date(2026, 9, 29))
    sign(world.visits["V4"], world.citra, "L", Occupation.OTHER, Payer.SELF)
    selection = Selection(branch_ids=None)
    assert breakdown(selection, by) == breakdown(selection, by, rolled_up=False)


def test_a_rebuild_counts_every_roll_up_again(world):
    db.session.flush()
    tables = (MonthlyResult, DailyResult, VillageResult, OfficerResult)
    kept = tuple(db.session.scalar(select(func.count()).select_from(table)) for table in tables)
    for table in tables:
        db.session.execute(delete(table))
    assert not no_drift()
    assert rollups.rebuild(db.session.connection()) == kept
    assert no_drift()


def test_drift_is_found_when_a_roll_up_row_is_wrong(world):
    daily_row(world.branch, date(2026, 9, 7)).officer_days = 5
    assert not no_drift()


@pytest.mark.parametrize(("date_from", "date_to", "months"), [
    (None, None, (None, None)),
    (date(2026, 9, 1), date(2026, 10, 31), (date(2026, 9, 1), date(2026, 11, 1))),
    (date(2026, 9, 10), None, (date(2026, 10, 1), None)),
    (None, date(2026, 10, 5), (None, date(2026, 10, 1))),
    (date(2026, 12, 2), date(2027, 1, 31), (date(2027, 1, 1), date(2027, 2, 1))),
    (date(2026, 9, 10), date(2026, 10, 5), None),
    (date(2026, 9, 2), date(2026, 9, 30), None),
])
def test_whole_months_of_a_period(date_from, date_to, months):
    assert whole_months(Selection(branch_ids=None, date_from=date_from, date_to=date_to)) == months


def test_an_export_reads_every_row_from_the_roll_up(world):
    selection = Selection(branch_ids={world.branch.id})
    assert list(all_rows(selection, "regency", chunk=1)) == breakdown(selection, "regency", rolled_up=False).rows


def test_every_branch_figures_agree_after_changes(world):
    sign(world.visits["V4"], world.citra, "L", Occupation.OTHER, Payer.SELF)
    change_status(world.visits["V6"], VisitStatus.POSTPONED, "Hujan")
    selection = Selection(branch_ids=None)
    assert asdict(figures(selection)) == asdict(figures(selection, rolled_up=False))
