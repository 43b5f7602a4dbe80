"""The server's NIK check answers every case of tests/nik_cases.json as the table says; the phone's check
(static/js/nik.js) is held to the same table in tests/browser/test_offline.py."""

import json
from pathlib import Path

import pytest

from campaign_app.i18n import force_locale
from campaign_app.signups.nik import check_nik

CASES = json.loads((Path(__file__).parents[1] / "nik_cases.json").read_text(encoding="utf-8"))["cases"]


def reasons(errors: list[str]) -> list[str]:
    """The table's names for the check's messages (read in English)."""
    kinds = {"A NIK has exactly": "format", "The region code": "district", "The birth date": "birth_date"}
    return [next(kind for start, kind in kinds.items() if message.startswith(start)) for message in errors]


def server_answer(nik: str) -> dict:
    """What the server's check says of ``nik``, in the table's terms."""
    with force_locale("en"):
        check = check_nik(nik)
        answer = {"errors": reasons([str(e) for e in check.errors])}
    if check.valid:
        answer.update(sex=check.sex, birth_date=check.birth_date.isoformat() if check.birth_date else None)
    return answer


def expected(case: dict) -> dict:
    answer = {"errors": case["errors"]}
    if not case["errors"]:
        answer.update(sex=case["sex"], birth_date=case["birth_date"])
    return answer


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_the_server_reads_each_nik_as_the_table_says(app_context, case):
    assert server_answer(case["nik"]) == expected(case)
