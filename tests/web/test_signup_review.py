"""The near-duplicate review queue's pages: the queue, keeping both, merging; who may, and bad input."""

import gzip
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from campaign_app.extensions import db
from campaign_app.models import AuditAction, AuditEntry, Review, SignUp, SignUpStatus
from tests.conftest import counting_statements
from tests.factories import branch_named, in_progress_visit, make_campaign, make_officer, make_signup, nik_for

HTMX = {"HX-Request": "true"}
FRAGMENT_BUDGET = 4 * 1024
PAGE_BUDGET = 14 * 1024
LUWUK = "Kantor Cabang Luwuk"
LUWUK_VILLAGE = "72.01.01.1009"
BORN = date(1995, 8, 5)


@dataclass
class Pair:
    first: int
    flagged: int
    first_nik: str


def twins(visit, name: str = "Siti Aminah") -> tuple[SignUp, SignUp, str]:
    nik = nik_for(BORN, "P")
    first = make_signup(visit, nik=nik, full_name=name)
    return first, make_signup(visit, nik=nik_for(BORN, "P"), full_name=name, phone="0812 3456 7890"), nik


@pytest.fixture
def pair(app) -> Pair:
    """Two sign-ups in Palu alike in name, birth date and district: the second one flagged."""
    with app.app_context():
        first, flagged, nik = twins(in_progress_visit())
        db.session.commit()
        return Pair(first.id, flagged.id, nik)


@pytest.fixture
def luwuk_pair(app) -> Pair:
    with app.app_context():
        luwuk = branch_named(LUWUK)
        first, flagged, nik = twins(in_progress_visit(make_officer(luwuk), campaign=make_campaign(luwuk),
                                                      village_code=LUWUK_VILLAGE), name="Ani Lestari")
        db.session.commit()
        return Pair(first.id, flagged.id, nik)


def text(response) -> str:
    return response.get_data(as_text=True)


def state(app, signup_id: int) -> tuple:
    with app.app_context():
        signup = db.session.get(SignUp, signup_id)
        return signup.status, signup.review, signup.merged_into_id


def audits(app, action) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


# --- who may --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["officer", "manager"])
@pytest.mark.parametrize(("method", "path"), [("get", "/signups/reviews"), ("post", "/signups/{id}/keep"),
                                              ("post", "/signups/{id}/merge")])
def test_officers_and_managers_may_not_review(auth, client, pair, role, method, path):
    auth.login_as(role)
    assert getattr(client, method)(path.format(id=pair.flagged)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get("/signups/reviews").status_code == 302


@pytest.mark.parametrize("action", ["keep", "merge"])
def test_another_branchs_sign_up_is_not_found(app, coordinator, luwuk_pair, action):
    response = coordinator.post(f"/signups/{luwuk_pair.flagged}/{action}", data={"keep": luwuk_pair.first})
    assert response.status_code == 404
    assert state(app, luwuk_pair.flagged)[1] == Review.PENDING


@pytest.mark.parametrize("signup_id", ["0", "2147483648", "99999999999999999999", "-1"])
def test_an_impossible_id_is_not_found(coordinator, signup_id):
    assert coordinator.post(f"/signups/{signup_id}/keep").status_code == 404


# --- the queue ------------------------------------------------------------------------------------

def test_the_queue_lists_the_pair_with_masked_niks(coordinator, pair):
    response = coordinator.get("/signups/reviews")
    body = text(response)
    assert response.status_code == 200 and "<html" in body
    assert f'id="review-{pair.flagged}"' in body and f"#{pair.first}" in body
    assert pair.first_nik not in body and f"************{pair.first_nik[-4:]}" in body
    assert "Two people: keep both" in body and f"One person: keep #{pair.first}" in body
    assert "…7890" in body and "0812 3456 7890" not in body and "+6281234567890" not in body


def test_the_queue_through_htmx_is_the_list_only(coordinator, pair):
    response = coordinator.get("/signups/reviews", headers=HTMX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body and f'id="review-{pair.flagged}"' in body
    assert "HX-Request" in response.headers["Vary"]


def test_a_coordinator_sees_only_their_branchs_queue(coordinator, pair, luwuk_pair):
    body = text(coordinator.get("/signups/reviews"))
    assert f'id="review-{pair.flagged}"' in body and f'id="review-{luwuk_pair.flagged}"' not in body


def test_an_administrator_sees_every_branchs_queue(admin, pair, luwuk_pair):
    body = text(admin.get("/signups/reviews"))
    assert f'id="review-{pair.flagged}"' in body and f'id="review-{luwuk_pair.flagged}"' in body


@pytest.fixture
def across_branches(app) -> Pair:
    """A sign-up in Palu, and one alike in Luwuk (flagged) under a NIK of Palu."""
    with app.app_context():
        luwuk = branch_named(LUWUK)
        palu = make_signup(in_progress_visit(), nik=nik_for(BORN, "P"), full_name="Dewi Sartika")
        flagged = make_signup(in_progress_visit(make_officer(luwuk), campaign=make_campaign(luwuk),
                                                village_code=LUWUK_VILLAGE), nik=nik_for(BORN, "P"),
                              full_name="Dewi Sartika")
        db.session.commit()
        return Pair(palu.id, flagged.id, "")


def test_an_administrator_may_merge_across_branches(admin, across_branches):
    assert f"One person: keep #{across_branches.first}" in text(admin.get("/signups/reviews"))


def test_a_coordinator_cannot_reach_another_branchs_flagged_sign_up(coordinator, across_branches):
    response = coordinator.post(f"/signups/{across_branches.flagged}/merge", data={"keep": across_branches.first})
    assert response.status_code == 404


def test_an_empty_queue_says_so(coordinator):
    body = text(coordinator.get("/signups/reviews"))
    assert "wait for review" in body or "waits for review" in body


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999", "2", "\x00", "x" * 5000, "%",
                                  "' OR 1=1 --", "\ud800"])
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_any_page_number_answers(coordinator, pair, page, headers):
    query = urlencode({"page": page}, errors="surrogatepass")
    assert coordinator.get(f"/signups/reviews?{query}", headers=headers).status_code == 200


def test_the_queue_page_fits_the_budget_and_its_statements_do_not_grow(app, coordinator):
    def grow(names):
        with app.app_context():
            visit = in_progress_visit()
            for name in names:
                twins(visit, name)
            db.session.commit()

    grow(["Siti Aminah", "Budi Santoso"])
    with counting_statements(app) as few:
        coordinator.get("/signups/reviews")
    grow([f"Pekerja Kembar {n}" for n in range(18)])
    with counting_statements(app) as many:
        response = coordinator.get("/signups/reviews")
    assert len(many) == len(few)
    assert len(gzip.compress(response.data, 6)) <= PAGE_BUDGET


# --- keeping both ---------------------------------------------------------------------------------

def test_keeping_both_without_javascript_goes_back_to_the_queue(app, coordinator, pair):
    response = coordinator.post(f"/signups/{pair.flagged}/keep")
    assert response.status_code == 303 and response.location.endswith("/signups/reviews")
    assert state(app, pair.flagged)[1] == Review.KEPT
    body = text(coordinator.get(response.location))
    assert f"Kept both: sign-up #{pair.flagged} is another person." in body
    assert f'id="review-{pair.flagged}"' not in body


def test_keeping_both_through_htmx_swaps_the_row_for_a_notice(app, coordinator, pair):
    response = coordinator.post(f"/signups/{pair.flagged}/keep", headers=HTMX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.strip().startswith(f'<article class="card review" id="review-{pair.flagged}"')
    assert "Kept both" in body and "Two people: keep both" not in body
    assert len(gzip.compress(response.data, 6)) <= FRAGMENT_BUDGET


def test_keeping_both_twice_is_audited_once(app, coordinator, pair):
    coordinator.post(f"/signups/{pair.flagged}/keep", headers=HTMX)
    again = coordinator.post(f"/signups/{pair.flagged}/keep", headers=HTMX)
    assert again.status_code == 200 and "was kept already" in text(again)
    assert audits(app, AuditAction.NEAR_DUPLICATE_KEPT) == 1


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_keeping_a_sign_up_not_in_review_is_refused(app, coordinator, pair, headers):
    response = coordinator.post(f"/signups/{pair.first}/keep", headers=headers)
    assert response.status_code == 422
    assert "not waiting for review" in text(response)
    assert state(app, pair.first)[1] is None and audits(app, AuditAction.NEAR_DUPLICATE_KEPT) == 0


# --- merging --------------------------------------------------------------------------------------

def test_merging_the_flagged_one_into_the_other(app, coordinator, pair):
    response = coordinator.post(f"/signups/{pair.flagged}/merge", data={"keep": pair.first})
    assert response.status_code == 303
    assert state(app, pair.flagged) == (SignUpStatus.VOID, Review.MERGED, pair.first)
    assert state(app, pair.first)[0] == SignUpStatus.REGISTERED
    assert f"sign-up #{pair.flagged} is void, #{pair.first} is kept" in text(coordinator.get(response.location))


def test_merging_the_other_into_the_flagged_one_through_htmx(app, coordinator, pair):
    response = coordinator.post(f"/signups/{pair.flagged}/merge", data={"keep": pair.flagged, "drop": pair.first},
                                headers=HTMX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body and f'id="review-{pair.flagged}"' in body
    assert f"sign-up #{pair.first} is void" in body and "One person" not in body
    assert state(app, pair.first) == (SignUpStatus.VOID, Review.MERGED, pair.flagged)
    assert state(app, pair.flagged)[:2] == (SignUpStatus.REGISTERED, Review.MERGED)


def test_merging_twice_is_audited_once(app, coordinator, pair):
    coordinator.post(f"/signups/{pair.flagged}/merge", data={"keep": pair.first})
    again = coordinator.post(f"/signups/{pair.flagged}/merge", data={"keep": pair.first}, headers=HTMX)
    assert again.status_code == 200 and "already" in text(again)
    assert audits(app, AuditAction.NEAR_DUPLICATE_MERGED) == 1


def test_an_activated_sign_up_offers_no_merge_that_drops_it_and_refuses_one(app, coordinator, pair):
    with app.app_context():
        first = db.session.get(SignUp, pair.first)
        first.status, first.first_payment_on = SignUpStatus.ACTIVATED, date(2026, 10, 1)
        db.session.commit()
    body = text(coordinator.get("/signups/reviews"))
    assert f"One person: keep #{pair.first}" in body and f"One person: keep #{pair.flagged}" not in body
    response = coordinator.post(f"/signups/{pair.flagged}/merge", data={"keep": pair.flagged, "drop": pair.first})
    assert response.status_code == 422 and "is activated" in text(response)
    assert state(app, pair.first)[0] == SignUpStatus.ACTIVATED


@pytest.mark.parametrize("headers", [{}, HTMX])
@pytest.mark.parametrize("form", [{}, {"keep": "abc"}, {"keep": "99999999999999999999"}, {"keep": "-5"},
                                  {"keep": "{flagged}"}, {"keep": "{first}", "drop": "{first}"},
                                  {"keep": "{other}"}, {"keep": "{first}", "drop": "{other}"}, {"keep": "\x00"}])
def test_a_bad_merge_form_is_refused_and_nothing_changes(app, coordinator, pair, headers, form):
    with app.app_context():
        other = make_signup(in_progress_visit(), full_name="Orang Lain").id
        db.session.commit()
    values = {"flagged": pair.flagged, "first": pair.first, "other": other}
    data = {name: value.format(**values) for name, value in form.items()}
    response = coordinator.post(f"/signups/{pair.flagged}/merge", data=data, headers=headers)
    assert response.status_code == 422
    assert 'role="alert"' in text(response)
    assert state(app, pair.flagged) == (SignUpStatus.REGISTERED, Review.PENDING, None)
    assert audits(app, AuditAction.NEAR_DUPLICATE_MERGED) == 0
