"""Branches: who sees which, what they cover, and the rules for changing their coverage."""

import pytest
from sqlalchemy import func, select

from campaign_app.branches import service
from campaign_app.extensions import db
from campaign_app.models import Branch, District, Province, Regency, User, Village

pytestmark = pytest.mark.usefixtures("app_context")


def branch_named(name: str) -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == name))


def user_named(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def add_province_73() -> None:
    """A second province with two regencies, enough to switch provinces."""
    db.session.add(Province(code="73", name="Sulawesi Selatan"))
    db.session.add_all([Regency(code="73.71", province_code="73", name="Kota Makassar", kind="kota"),
                        Regency(code="73.72", province_code="73", name="Kota Parepare", kind="kota")])
    db.session.flush()


def names(summaries) -> list[str]:
    return [s.name for s in summaries]


def test_admin_sees_every_branch():
    _, branches = service.visible_branches(user_named("admin"))
    assert names(branches) == ["Kantor Cabang Luwuk", "Kantor Cabang Palu", "Kantor Cabang Poso"]


def test_coordinator_sees_only_their_branch():
    _, branches = service.visible_branches(user_named("koordinator"))
    assert names(branches) == ["Kantor Cabang Palu"]


def test_manager_sees_their_branch_and_those_they_cover():
    _, branches = service.visible_branches(user_named("manajer"))
    assert len(branches) == 3


def test_branch_summary_counts_regencies_villages_and_active_staff():
    _, branches = service.visible_branches(user_named("koordinator"))
    palu = branches[0]
    villages = db.session.scalar(
        select(func.count(Village.code)).join(District).where(District.regency_code.in_(
            ["72.71", "72.10", "72.03", "72.08"])))
    assert (palu.regencies, palu.villages, palu.staff) == (4, villages, 11)


def test_branches_are_paged():
    page, branches = service.visible_branches(user_named("admin"), page=2, per_page=2)
    assert page.pages == 2
    assert names(branches) == ["Kantor Cabang Poso"]


def test_another_branch_is_invisible_to_a_coordinator():
    assert service.visible_branch(user_named("koordinator"), branch_named("Kantor Cabang Luwuk").id) is None


def test_own_branch_is_visible_to_a_coordinator():
    palu = branch_named("Kantor Cabang Palu")
    assert service.visible_branch(user_named("koordinator"), palu.id) is palu


def test_regency_rows_count_districts_and_villages_of_each_regency():
    rows = service.branch_regency_rows(branch_named("Kantor Cabang Palu").id)
    palu_city = next(row for row in rows if row.code == "72.71")
    assert palu_city.districts == db.session.scalar(
        select(func.count()).select_from(District).where(District.regency_code == "72.71"))
    assert palu_city.villages == db.session.scalar(
        select(func.count(Village.code)).join(District).where(District.regency_code == "72.71"))
    assert [row.code for row in rows] == ["72.03", "72.08", "72.10", "72.71"]


def test_staff_are_grouped_by_role_with_their_names():
    staff = service.branch_staff(branch_named("Kantor Cabang Palu").id)
    assert list(staff) == ["manager", "coordinator", "officer", "admin"]
    assert len(staff["officer"]) == 7
    assert user_named("petugas").full_name in [p.full_name for p in staff["officer"]]


def test_inactive_staff_are_left_out():
    user_named("petugas").active = False
    db.session.flush()
    staff = service.branch_staff(branch_named("Kantor Cabang Palu").id)
    assert "petugas" not in [p.username for p in staff["officer"]]


def test_regency_options_name_the_other_branch_covering_each():
    options = {o.code: o.covered_by for o in service.regency_options("72", branch_named("Kantor Cabang Palu").id)}
    assert options["72.01"] == "Kantor Cabang Luwuk"
    assert options["72.71"] is None  # Palu's own
    assert options["72.04"] is None  # nobody's
    assert len(options) == 13


def test_save_branch_creates_one_with_its_office_and_regencies():
    branch = service.save_branch(None, name=" Kantor Cabang Tolitoli ", home_regency_code="72.04",
                                 province_code="72", regency_codes=["72.04", "72.05"])
    assert branch.name == "Kantor Cabang Tolitoli"
    assert branch.home_regency_code == "72.04"
    assert [r.code for r in branch.regencies] == ["72.04", "72.05"]


def test_save_branch_refuses_a_name_taken_in_another_case():
    with pytest.raises(service.BranchNameTaken):
        service.save_branch(None, name="kantor cabang palu", home_regency_code="72.04", province_code="72",
                            regency_codes=[])


def test_save_branch_refuses_a_regency_of_another_branch_and_names_it():
    with pytest.raises(service.RegencyTaken) as refused:
        service.save_branch(None, name="Kantor Cabang Baru", home_regency_code="72.04", province_code="72",
                            regency_codes=["72.04", "72.01"])
    assert refused.value.conflicts == [("Kabupaten Banggai", "Kantor Cabang Luwuk")]
    assert branch_named("Kantor Cabang Baru") is None


def test_save_branch_refuses_a_regency_outside_the_province_shown():
    add_province_73()
    with pytest.raises(service.UnknownRegency):
        service.save_branch(None, name="Kantor Cabang Baru", home_regency_code="72.04", province_code="72",
                            regency_codes=["73.71"])


def test_save_branch_keeps_its_own_regencies_when_renamed():
    palu = branch_named("Kantor Cabang Palu")
    service.save_branch(palu, name="KC Palu", home_regency_code="72.71", province_code="72",
                        regency_codes=["72.71", "72.10", "72.03", "72.08"])
    assert palu.name == "KC Palu"
    assert len(palu.regencies) == 4


def test_save_branch_replaces_coverage_only_in_the_province_shown():
    add_province_73()
    palu = branch_named("Kantor Cabang Palu")
    service.save_branch(palu, name=palu.name, home_regency_code="72.71", province_code="73",
                        regency_codes=["73.71"])
    assert [r.code for r in palu.regencies] == ["72.03", "72.08", "72.10", "72.71", "73.71"]


def test_branch_province_is_that_of_the_office():
    add_province_73()
    palu = branch_named("Kantor Cabang Palu")
    assert service.branch_province(palu) == "72"
    palu.home_regency_code = "73.71"
    db.session.flush()
    db.session.expire(palu)
    assert service.branch_province(palu) == "73"
    assert service.branch_province(None) == service.DEFAULT_PROVINCE
