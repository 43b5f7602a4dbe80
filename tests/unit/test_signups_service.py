"""Recording a sign-up: what is stored, what is refused, duplicates, quotas, and repeated forms."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from campaign_app.demo.seed import PALU_BRANCH
from campaign_app.extensions import db
from campaign_app.models import RateTable, SignUp, SignUpStatus, SubsidyProgramme, VisitStatus
from campaign_app.signups import service
from campaign_app.signups.contributions import rate_table_on
from campaign_app.signups.personal_data import birth_index, decrypt_nik
from campaign_app.signups.service import (
    INCOME_MAX,
    NAME_MAX,
    DuplicateNik,
    SignUpOutcome,
    find_by_nik,
    record_signup,
    remaining_quota,
)
from campaign_app.summaries import bulk_execute
from campaign_app.validation import Refused
from tests.factories import (
    NEAR_VILLAGE,
    TODAY,
    in_progress_visit,
    make_officer,
    make_signup,
    make_visit,
    nik_for,
    signup_form,
)

WOMAN_1995 = "7271014508950001"  # Palu Timur, Kota Palu; born 5 Aug 1995 (day + 40: a woman)
MAN_1988 = "7271011203880002"  # Palu Timur; born 12 Mar 1988
SIGI_WOMAN_1995 = "7210014508950003"  # Sigi Biromaru, Sigi; born 5 Aug 1995


@pytest.fixture(autouse=True)
def no_demo_signups(app_context):
    """The demo's sign-ups removed, so that the counts here are of each test's own."""
    bulk_execute(db.session, delete(SignUp))


@pytest.fixture
def visit(app_context):
    return in_progress_visit()


def signup_count() -> int:
    return db.session.scalar(select(func.count()).select_from(SignUp))


def submit(visit, officer=None, **fields) -> SignUpOutcome:
    return record_signup(visit=visit, officer=officer or visit.officers[0], **signup_form(**fields))


def first_nik(signup: SignUp) -> str:
    return decrypt_nik(signup.nik_ciphertext)


def refusal(**fields) -> Refused:
    with pytest.raises(Refused) as refused:
        make_signup(**fields)
    return refused.value


def make_programme(quota: int = 2, starts_on: date = TODAY - timedelta(days=30),
                   ends_on: date = TODAY + timedelta(days=300), name: str = "Iuran warga rentan Kota Palu"):
    programme = SubsidyProgramme(name=name, payer="Pemerintah Kota Palu", starts_on=starts_on, ends_on=ends_on,
                                 quota=quota)
    db.session.add(programme)
    db.session.flush()
    return programme


def subsidised(programme: SubsidyProgramme) -> dict:
    return {"payer": "subsidy", "subsidy_programme_id": programme.id}


# --- what is stored -------------------------------------------------------------------------------

def test_a_sign_up_stores_the_worker_as_read_from_the_nik_and_the_visit(visit):
    signup = make_signup(visit, nik=WOMAN_1995, full_name="  Siti   Aminah ", occupation="fisher", sector="bpu")
    assert (signup.visit_id, signup.branch_id, signup.village_code) == (visit.id, visit.branch_id, NEAR_VILLAGE)
    assert signup.officer_id == visit.officers[0].id
    assert (signup.full_name, signup.name_key) == ("Siti Aminah", "siti aminah")
    assert (signup.sex, signup.birth_year) == ("P", 1995)
    assert signup.birth_index == birth_index("72.71.01", date(1995, 8, 5))
    assert (signup.occupation, signup.sector, signup.payer) == ("fisher", "bpu", "self")
    assert signup.status == SignUpStatus.REGISTERED
    assert signup.consent_at is not None


def test_the_nik_is_stored_encrypted_with_its_last_four_digits_and_found_by_its_index(visit):
    signup = make_signup(visit, nik=WOMAN_1995)
    assert decrypt_nik(signup.nik_ciphertext) == WOMAN_1995
    assert signup.nik_last4 == "0001"
    assert signup.masked_nik == "************0001"
    assert find_by_nik("7271 0145 0895 0001") == signup
    assert find_by_nik(MAN_1988) is None


def test_the_nik_in_clear_appears_in_no_column(visit):
    signup = make_signup(visit, nik=WOMAN_1995)
    db.session.flush()
    row = db.session.execute(text("SELECT * FROM signups WHERE id = :id"), {"id": signup.id}).one()
    for value in row:
        stored = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        assert WOMAN_1995.encode() not in stored


def test_the_stated_sex_and_birth_date_are_accepted_when_they_agree_with_the_nik(visit):
    signup = make_signup(visit, nik=MAN_1988, sex="L", birth_date=date(1988, 3, 12))
    assert (signup.sex, signup.birth_year) == ("L", 1988)


def test_the_contribution_of_the_rate_table_in_force_is_copied_into_the_sign_up(visit):
    signup = make_signup(visit, declared_income=3_000_000, with_jht=True)
    assert signup.rate_table_id == rate_table_on(TODAY).id
    assert (signup.jkk_contribution, signup.jkm_contribution, signup.jht_contribution) == (30_000, 6_800, 60_000)
    assert signup.has_jht


def test_the_lowest_bracket_without_jht_costs_rp16_800_a_month(visit):
    assert make_signup(visit, declared_income=1_000_000).monthly_contribution == 16_800


def test_a_later_rate_table_leaves_an_earlier_sign_up_as_recorded(visit):
    signup = make_signup(visit, declared_income=3_000_000)
    db.session.add(RateTable(effective_from=TODAY + timedelta(days=1), jkk_rate=Decimal("0.02"), jkk_minimum=20_000,
                             jkk_maximum=400_000, jkm_flat=9_000, jht_rate=Decimal("0.03")))
    db.session.flush()
    db.session.expire_all()
    assert (signup.jkk_contribution, signup.jkm_contribution) == (30_000, 6_800)


@pytest.mark.parametrize(("typed", "stored"), [
    ("0812-3456-7890", "+6281234567890"),
    ("+62 812 3456 7890", "+6281234567890"),
    ("(0451) 421234", "+62451421234"),
    ("", None),
    (None, None),
])
def test_phone_numbers_are_stored_normalised(visit, typed, stored):
    assert make_signup(visit, phone=typed).phone == stored


# --- repeated forms -------------------------------------------------------------------------------

def test_a_repeated_form_key_returns_the_first_sign_up_and_stores_nothing(visit):
    first = make_signup(visit, nik=WOMAN_1995, form_key="one-time-key")
    again = submit(visit, form_key="one-time-key", nik=WOMAN_1995, full_name="Typed Again Differently")
    assert again.repeated and not again.created
    assert again.signup == first
    assert signup_count() == 1


def test_a_repeated_form_key_with_another_workers_nik_is_refused(visit):
    make_signup(visit, nik=WOMAN_1995, form_key="one-time-key")
    with pytest.raises(Refused) as refused:
        submit(visit, form_key="one-time-key", nik=MAN_1988, full_name="Someone Else")
    assert "sudah disimpan untuk pekerja lain" in refused.value.errors[None][0]
    assert signup_count() == 1


def test_a_repeated_form_is_answered_even_after_the_visit_is_closed(visit):
    first = make_signup(visit, nik=WOMAN_1995, form_key="one-time-key")
    visit.status = VisitStatus.DONE
    assert make_signup(visit, nik=WOMAN_1995, form_key="one-time-key") == first
    assert signup_count() == 1


def test_a_form_key_used_by_another_officer_is_refused(visit):
    other = make_officer()
    make_signup(visit, form_key="one-time-key")
    second_visit = in_progress_visit(other)
    refused = refusal(visit=second_visit, officer=other, form_key="one-time-key")
    assert None in refused.errors


@pytest.mark.parametrize("form_key", ["", "   ", "k" * 65, "key\x00"])
def test_a_missing_or_malformed_form_key_is_refused(visit, form_key):
    assert None in refusal(visit=visit, form_key=form_key).errors
    assert signup_count() == 0


def unseen_once(monkeypatch) -> None:
    """The sign-up's first look-up sees neither its form key nor its NIK, as when a concurrent request has not
    committed yet: the insert then meets the unique keys, and the sign-up is settled from what they hold."""
    real = service._read_context
    calls = []

    def first_unseen(*args):
        context = real(*args)
        calls.append(context)
        return context._replace(saved_with_key=None, registered=None) if len(calls) == 1 else context

    monkeypatch.setattr(service, "_read_context", first_unseen)


def test_a_form_that_loses_the_race_to_its_twin_returns_the_twin_s_sign_up(visit, monkeypatch):
    first = make_signup(visit, form_key="one-time-key")
    unseen_once(monkeypatch)
    again = submit(visit, form_key="one-time-key", nik=first_nik(first))
    assert again.repeated and again.signup == first
    assert signup_count() == 1


def test_a_form_that_loses_the_race_to_another_form_of_the_same_nik_is_refused_as_a_duplicate(visit, monkeypatch):
    first = make_signup(visit, nik=WOMAN_1995)
    unseen_once(monkeypatch)
    with pytest.raises(DuplicateNik) as refused:
        submit(visit, nik=WOMAN_1995)
    assert refused.value.existing_id == first.id
    assert signup_count() == 1


def test_losing_a_race_undoes_only_the_sign_up_not_the_work_flushed_before_it(visit, monkeypatch):
    make_signup(visit, nik=WOMAN_1995)
    visit.planned_activity = "Sosialisasi di pasar"
    db.session.flush()
    unseen_once(monkeypatch)
    with pytest.raises(DuplicateNik):
        submit(visit, nik=WOMAN_1995)
    db.session.expire_all()
    assert visit.planned_activity == "Sosialisasi di pasar"
    assert signup_count() == 1


# --- duplicates -----------------------------------------------------------------------------------

def test_a_nik_registered_before_is_refused_with_a_masked_summary(visit):
    first = make_signup(visit, nik=WOMAN_1995)
    with pytest.raises(DuplicateNik) as refused:
        make_signup(in_progress_visit(), nik="7271 0145 0895 0001")
    [message] = refused.value.errors["nik"]
    assert "************0001" in message
    assert WOMAN_1995 not in message
    assert "Besusu Barat" in message and PALU_BRANCH in message
    assert "2026" in message
    assert refused.value.existing_id == first.id
    assert signup_count() == 1


def test_a_near_duplicate_is_saved_and_names_the_sign_up_it_resembles(visit):
    first = make_signup(visit, nik=WOMAN_1995, full_name="Siti Aminah")
    other_nik = nik_for(date(1995, 8, 5), "P", serial=77)
    outcome = submit(visit, nik=other_nik, full_name="SITI  aminah")
    assert outcome.created
    assert outcome.near_duplicate_of == (first.id,)
    assert signup_count() == 2


def test_every_near_duplicate_is_named_in_the_order_they_were_saved(visit):
    first = make_signup(visit, nik=WOMAN_1995, full_name="Siti Aminah")
    second = make_signup(visit, nik=nik_for(date(1995, 8, 5), "P", serial=78), full_name="Siti Aminah")
    outcome = submit(visit, nik=nik_for(date(1995, 8, 5), "P", serial=77), full_name="siti aminah")
    assert outcome.created and outcome.near_duplicate_of == (first.id, second.id)


def test_the_same_name_and_birth_year_on_another_day_is_no_near_duplicate(visit):
    make_signup(visit, nik=WOMAN_1995, full_name="Siti Aminah")
    outcome = submit(visit, nik=nik_for(date(1995, 8, 6), "P", serial=77), full_name="Siti Aminah")
    assert outcome.created and outcome.near_duplicate_of == ()


def test_the_same_name_and_birth_date_in_another_district_is_no_near_duplicate(visit):
    make_signup(visit, nik=WOMAN_1995, full_name="Siti Aminah")
    outcome = submit(visit, nik=SIGI_WOMAN_1995, full_name="Siti Aminah")
    assert outcome.created and outcome.near_duplicate_of == ()


# --- subsidy programmes ---------------------------------------------------------------------------

def test_a_subsidised_sign_up_takes_a_place_of_the_programme_s_quota(visit):
    programme = make_programme(quota=2)
    signup = make_signup(visit, **subsidised(programme))
    assert signup.subsidy_programme_id == programme.id
    assert remaining_quota(programme) == 1


def test_a_void_sign_up_gives_its_place_back(visit):
    programme = make_programme(quota=1)
    make_signup(visit, **subsidised(programme)).status = SignUpStatus.VOID
    db.session.flush()
    assert remaining_quota(programme) == 1


def test_a_used_up_quota_is_refused(visit):
    programme = make_programme(quota=1)
    make_signup(visit, **subsidised(programme))
    refused = refusal(visit=visit, **subsidised(programme))
    assert "subsidy_programme" in refused.errors
    assert signup_count() == 1


def test_a_quota_lowered_while_the_form_is_checked_is_enforced_when_saving(visit):
    programme = make_programme(quota=2)
    make_signup(visit, **subsidised(programme))
    # An administrator lowers the quota behind this session's back: the loaded programme still says 2.
    db.session.execute(update(SubsidyProgramme).where(SubsidyProgramme.id == programme.id).values(quota=1),
                       execution_options={"synchronize_session": False})
    assert "subsidy_programme" in refusal(visit=visit, **subsidised(programme)).errors
    assert signup_count() == 1


@pytest.mark.parametrize(("starts", "ends"), [(1, 30), (-30, -1)])
def test_a_programme_outside_its_period_is_refused(visit, starts, ends):
    programme = make_programme(starts_on=TODAY + timedelta(days=starts), ends_on=TODAY + timedelta(days=ends))
    assert "subsidy_programme" in refusal(visit=visit, **subsidised(programme)).errors


@pytest.mark.parametrize("programme_id", [None, 999_999, 2**63, -1])
def test_a_subsidy_without_a_known_programme_is_refused(visit, programme_id):
    assert "subsidy_programme" in refusal(visit=visit, payer="subsidy", subsidy_programme_id=programme_id).errors


def test_a_programme_named_for_a_worker_who_pays_is_refused(visit):
    programme = make_programme()
    assert "subsidy_programme" in refusal(visit=visit, payer="self", subsidy_programme_id=programme.id).errors


# --- the visit and the officer --------------------------------------------------------------------

@pytest.mark.parametrize("status", [VisitStatus.PLANNED, VisitStatus.DONE, VisitStatus.CANCELLED])
def test_a_visit_that_is_not_in_progress_is_refused(visit, status):
    visit.status = status
    assert None in refusal(visit=visit).errors
    assert signup_count() == 0


def test_an_officer_not_assigned_to_the_visit_is_refused(visit):
    assert None in refusal(visit=visit, officer=make_officer()).errors


def test_another_visit_s_officer_is_refused(app_context):
    mine = in_progress_visit()
    theirs = make_visit(officers=[make_officer()], on=TODAY)
    assert None in refusal(visit=mine, officer=theirs.officers[0]).errors


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("consent", [False, None])
def test_a_sign_up_without_consent_is_refused(visit, consent):
    assert "consent" in refusal(visit=visit, consent=consent).errors
    assert signup_count() == 0


@pytest.mark.parametrize("nik", [
    "727101450895000",  # 15 digits
    "72710145089500011",  # 17 digits
    "72710145O8950001",  # a letter O
    "7299014508950001",  # no such district
    "7271013102950001",  # 31 February
    "7271019908950001",  # day 99
    "",
    "7271014508950001\x00",
])
def test_a_bad_nik_is_refused(visit, nik):
    assert "nik" in refusal(visit=visit, nik=nik).errors
    assert signup_count() == 0


def test_a_nik_of_a_woman_stated_as_a_man_is_refused_beside_the_sex(visit):
    refused = refusal(visit=visit, nik=WOMAN_1995, sex="L")
    assert set(refused.errors) == {"sex"}


def test_a_nik_of_another_birth_date_is_refused_beside_the_birth_date(visit):
    refused = refusal(visit=visit, nik=WOMAN_1995, birth_date=date(1995, 8, 6))
    assert set(refused.errors) == {"birth_date"}


def test_both_mismatches_are_shown_each_beside_its_field(visit):
    refused = refusal(visit=visit, nik=WOMAN_1995, sex="L", birth_date=date(1996, 8, 5))
    assert set(refused.errors) == {"sex", "birth_date"}


def test_a_sex_other_than_female_or_male_is_refused(visit):
    assert "sex" in refusal(visit=visit, sex="X").errors


@pytest.mark.parametrize("income", [0, -1, INCOME_MAX + 1, 2**63, None])
def test_an_impossible_income_is_refused(visit, income):
    assert "declared_income" in refusal(visit=visit, declared_income=income).errors


@pytest.mark.parametrize("income", [1, INCOME_MAX])
def test_incomes_at_the_bounds_are_accepted_when_confirmed(visit, income):
    assert make_signup(visit, declared_income=income, income_confirmed=True).declared_income == income


def test_an_income_below_the_lowest_bracket_is_refused_unless_confirmed(visit):
    message = refusal(visit=visit, declared_income=999_999).errors["declared_income"][0]
    assert "di bawah batas upah terendah, Rp1.000.000" in message
    assert make_signup(visit, declared_income=1_000_000).declared_income == 1_000_000


@pytest.mark.parametrize("full_name", ["", "   ", "a" * (NAME_MAX + 1), "Siti\x00Aminah", "Siti\nAminah"])
def test_a_missing_over_long_or_control_character_name_is_refused(visit, full_name):
    assert "full_name" in refusal(visit=visit, full_name=full_name).errors


@pytest.mark.parametrize("phone", ["12345", "0812", "+1 202 555 0100", "0812\x0034567890", "0" * 500])
def test_a_phone_that_is_not_indonesian_is_refused(visit, phone):
    assert "phone" in refusal(visit=visit, phone=phone).errors


@pytest.mark.parametrize(("field", "value"), [
    ("occupation", "astronaut"), ("sector", "xyz"), ("payer", "bank"), ("occupation", None),
])
def test_a_choice_outside_the_lists_is_refused(visit, field, value):
    assert field in refusal(visit=visit, **{field: value}).errors


def test_every_bad_field_is_reported_at_once(visit):
    refused = refusal(visit=visit, nik="123", full_name="", declared_income=0, consent=False)
    assert {"nik", "full_name", "declared_income", "consent"} <= set(refused.errors)


def test_a_voided_sign_up_frees_its_nik_for_the_real_holder(app_context):
    nik = nik_for(date(1990, 1, 2), "L", serial=77)
    mistaken = make_signup(nik=nik)
    mistaken.status = SignUpStatus.VOID
    db.session.flush()
    again = make_signup(nik=nik)
    assert again.id != mistaken.id
    assert service.find_by_nik(nik) == again


def test_a_live_nik_is_unique_in_the_database_itself(app_context):
    nik = nik_for(date(1990, 1, 3), "L", serial=78)
    first = make_signup(nik=nik)
    twin = SignUp(**{column.key: getattr(first, column.key) for column in SignUp.__table__.columns
                     if column.key not in ("id", "form_key")}, form_key="another-form")
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()


# --- who may enrol --------------------------------------------------------------------------------

@pytest.mark.parametrize(("born", "message"), [
    (TODAY + timedelta(days=30), "belum terjadi"),
    (TODAY.replace(year=TODAY.year - 1), "berusia 1 tahun"),
    (TODAY.replace(year=TODAY.year - 15) + timedelta(days=1), "berusia 14 tahun"),
    (TODAY.replace(year=TODAY.year - 65), "berusia 65 tahun"),
])
def test_a_worker_born_outside_the_enrolment_ages_is_refused(visit, born, message):
    errors = refusal(visit=visit, nik=nik_for(birth_date=born)).errors
    assert message in errors["nik"][-1]
    assert signup_count() == 0


@pytest.mark.parametrize("born", [TODAY.replace(year=TODAY.year - 15), TODAY.replace(year=TODAY.year - 65)
                                  + timedelta(days=1)])
def test_workers_at_the_ends_of_the_enrolment_ages_may_enrol(visit, born):
    assert make_signup(visit, nik=nik_for(birth_date=born)).birth_year == born.year


def test_the_enrolment_ages_are_those_of_the_rate_table_in_force(visit):
    table = rate_table_on(TODAY)
    table.enrolment_min_age, table.enrolment_age_limit = 18, 60
    db.session.flush()
    seventeen = TODAY.replace(year=TODAY.year - 17)
    assert "berusia 18 sampai 59 tahun" in refusal(visit=visit, nik=nik_for(birth_date=seventeen)).errors[
        "nik"][-1]


@pytest.mark.parametrize("full_name", ["-1", "NaN", "[]", "\u202e", "12345", "null"])
def test_a_name_without_letters_is_refused(visit, full_name):
    assert refusal(visit=visit, full_name=full_name).errors["full_name"] == ["Masukkan nama pekerja dengan huruf."]
