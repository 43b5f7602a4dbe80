"""No NIK can be rebuilt from what is stored in clear, nor from what a manager or a coordinator sees unrevealed.

A NIK is its district (6 digits), its holder's birth date (DDMMYY, a woman's day + 40) and a serial (4 digits). The
village a sign-up was made in gives the district away (the demo's NIKs are of the visit's district, as most are), and
the sex is one bit: so a NIK counts as rebuilt wherever its birth date (day, month and year) and its serial are both
found, or the NIK itself or its first twelve digits. The real NIKs come from the demo's records, decrypted.
"""

import html
import re
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from babel.dates import format_date
from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.models import SignUp
from campaign_app.signups.nik import check_nik
from campaign_app.signups.personal_data import decrypt_nik
from tests.conftest import Auth

# Keyed or encrypted: unreadable without the app's DATA_KEY.
KEYED_COLUMNS = {("signups", "nik_ciphertext"), ("signups", "nik_index"), ("signups", "birth_index")}
ROLES = ("manager", "coordinator")
# Sign-up pages fetched beyond the crawl's few of each endpoint: every this many sign-ups.
SIGNUP_PAGE_STEP = 15
DIGIT_RUN = re.compile(r"\d(?:[\d .-]*\d)?")
FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")


@dataclass(frozen=True)
class Nik:
    """A real NIK and the ways its parts may be written."""

    signup_id: int
    nik: str
    # The birth date as a page or a column may write it (both languages, every format the app uses).
    birth_date_texts: frozenset[str]

    @property
    def serial(self) -> str:
        return self.nik[-4:]

    @classmethod
    def of(cls, signup_id: int, nik: str) -> "Nik":
        day = check_nik(nik).birth_date
        texts = {day.isoformat(), f"{day:%d/%m/%Y}", f"{day:%d-%m-%Y}", f"{day.day}/{day.month}/{day.year}", nik[6:12]}
        for locale in ("id", "en"):
            for form in ("short", "medium", "long", "full"):
                texts.add(format_date(day, form, locale=locale))
        return cls(signup_id, nik, frozenset(text.lower() for text in texts))


@pytest.fixture(scope="module")
def real_niks(demo_site) -> dict[str, Nik]:
    with demo_site.app_context():
        niks = {}
        for id_, ciphertext in db.session.execute(select(SignUp.id, SignUp.nik_ciphertext)):
            nik = decrypt_nik(ciphertext)
            niks[nik] = Nik.of(id_, nik)
        db.session.remove()
    assert len(niks) > 100
    return niks


def rebuilt_from(text: str, niks: dict[str, Nik]) -> set[str]:
    """The NIKs that ``text`` gives back: whole, by their first twelve digits, or by birth date and serial."""
    text = html.unescape(text).lower()
    found = set()
    prefixes = {nik[:12]: nik for nik in niks}
    for run in DIGIT_RUN.findall(text):
        digits = re.sub(r"\D", "", run)
        if digits in niks:
            found.add(digits)
        elif digits[:12] in prefixes and len(digits) >= 12:
            found.add(prefixes[digits[:12]])
    serials = set(FOUR_DIGITS.findall(text))
    for nik in niks.values():
        if nik.serial in serials and any(written in text for written in nik.birth_date_texts):
            found.add(nik.nik)
    return found


def _shown(value) -> str:
    if isinstance(value, datetime | date):
        return f"{value.isoformat()} {value:%d/%m/%Y}"
    if isinstance(value, bytes | memoryview):
        return ""
    return str(value)


def test_no_nik_is_rebuilt_from_the_columns_stored_in_clear(demo_site, real_niks):
    by_id = {nik.signup_id: nik for nik in real_niks.values()}
    rebuilt = set()
    with demo_site.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in KEYED_COLUMNS]
            for row in db.session.execute(select(*columns)).mappings():
                values = " | ".join(_shown(value) for value in row.values() if value is not None)
                if table.name == "signups":
                    # The district is known from the village: does anything else in the row complete the NIK?
                    nik = by_id[row["id"]]
                    rebuilt |= rebuilt_from(values, {nik.nik: nik})
                else:
                    rebuilt |= {nik for nik in real_niks if nik in values or nik[:12] in values}
        db.session.remove()
    assert not rebuilt, f"{len(rebuilt)} of {len(real_niks)} NIKs rebuilt from plaintext columns"


@pytest.mark.parametrize("role", ROLES)
def test_no_nik_is_rebuilt_from_the_pages_a_role_sees(demo_site, demo_crawls, real_niks, role):
    # Pages, fragments and text downloads (CSV exports) alike.
    pages = [(r.url, r.body) for r in demo_crawls[role].responses if r.content_type.startswith("text/")]
    # The crawl opens a few sign-ups' pages: a spread of others too.
    client = demo_site.test_client()
    Auth(client).login_as(role)
    for id_ in sorted(nik.signup_id for nik in real_niks.values())[::SIGNUP_PAGE_STEP]:
        response = client.get(f"/signups/{id_}")
        if response.status_code == 200:
            pages.append((f"/signups/{id_}", response.get_data()))
    assert sum(url.startswith("/signups/") for url, _body in pages) > 20
    rebuilt = {}
    for url, body in pages:
        for nik in rebuilt_from(body.decode(), real_niks):
            rebuilt.setdefault(nik, url)
    assert not rebuilt, f"{len(rebuilt)} NIKs rebuilt by the {role}, e.g. on {next(iter(rebuilt.values()))}"
