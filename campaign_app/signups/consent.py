"""The consent text a worker agrees to, in versions: each sign-up records the version it was shown (UU PDP 27/2022).

A version is never edited once a sign-up may have shown it: a new wording is a new version, added at the end with
the day it takes effect. The text lives here in both languages, not in the translation catalogue, so that what a
version said stays exactly what the worker read, whatever later becomes of the catalogue.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale


@dataclass(frozen=True)
class ConsentText:
    """One version of the consent text: its number, a short label, the first day it is shown, and its wording."""

    version: int
    label: str
    effective_from: date
    text_id: str
    text_en: str

    def text(self, language: str) -> str:
        """The wording in ``language`` ("en"), else in Indonesian, the language the form is read in."""
        return self.text_en if language == "en" else self.text_id

    def text_for_reader(self) -> str:
        """The wording in the reader's language."""
        return self.text(str(get_locale()))


CONSENT_TEXTS: tuple[ConsentText, ...] = (
    # In force since before the first sign-up, like the first rate table: every sign-up stored before versions
    # were recorded was shown this text.
    ConsentText(
        version=1, label="2026-1", effective_from=date(2000, 1, 1),
        text_id=("Saya setuju bahwa BPJS Ketenagakerjaan dan petugasnya memproses data pribadi saya (NIK, nama, "
                 "jenis kelamin, tanggal lahir, telepon, pekerjaan, dan penghasilan) untuk mendaftarkan saya dan "
                 "mengelola kepesertaan saya, serta bahwa data tersebut disimpan dengan aman dan tidak diberikan "
                 "kepada pihak lain kecuali sebagaimana diwajibkan oleh peraturan perundang-undangan."),
        text_en=("I agree that BPJS Ketenagakerjaan and its officers process my personal data (NIK, name, sex, "
                 "birth date, phone, work and income) to register me and run my membership, and that it is kept "
                 "safe and not given to others except as the law requires."),
    ),
)


def consent_text_on(day: date) -> ConsentText:
    """The version in force on ``day``: the latest whose ``effective_from`` is not after it (the first before any)."""
    in_force = [text for text in CONSENT_TEXTS if text.effective_from <= day]
    return max(in_force, key=lambda text: text.effective_from) if in_force else CONSENT_TEXTS[0]


def consent_text(version: int | None) -> ConsentText | None:
    """The version numbered ``version``, or None when there is no such version."""
    return next((text for text in CONSENT_TEXTS if text.version == version), None)
