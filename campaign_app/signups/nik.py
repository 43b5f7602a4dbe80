"""NIK rules: 16 digits, a region code that exists, a real birth date; sex and birth date read from it."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from lokal import parse_nik

from campaign_app.extensions import db
from campaign_app.i18n import gettext as _
from campaign_app.models import District


@dataclass
class NikCheck:
    """What a NIK says, and what is wrong with it (messages in the user's language)."""

    nik: str
    errors: list[str] = field(default_factory=list)
    # Differences from what the form states (sex, birth date): flagged, the officer decides.
    mismatches: list[str] = field(default_factory=list)
    district_code: str | None = None
    sex: str | None = None  # "L" or "P", as on the KTP
    birth_date: date | None = None

    @property
    def valid(self) -> bool:
        return not self.errors


def _cleaned(raw: str | None) -> str:
    # A NIK may be typed with spaces, dots or dashes.
    return "".join(ch for ch in (raw or "") if not ch.isspace() and ch not in ".-")


def nik_facts(raw: str | None) -> tuple[str, date] | None:
    """The district code and birth date a NIK as typed names, when it is 16 digits with a real date (whether that
    district exists is not looked up); else None."""
    nik = _cleaned(raw)
    if not nik.isdigit() or len(nik) != 16:
        return None
    born = parse_nik(nik).birth_date
    return (f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}", date.fromisoformat(born)) if born is not None else None


def check_nik(raw: str, stated_sex: str | None = None, stated_birth_date: date | None = None, *,
              district_known: bool | None = None) -> NikCheck:
    """Validate a NIK as typed (spaces and dots allowed) and compare it with the stated sex and birth date.
    ``district_known``: whether its district exists, when the caller has looked it up already (None: looked up
    here)."""
    nik = _cleaned(raw)
    check = NikCheck(nik=nik)
    if not nik.isdigit() or len(nik) != 16:
        check.errors.append(_("A NIK has exactly 16 digits."))
        return check
    info = parse_nik(nik)
    district_code = f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}"
    if district_known is None:
        district_known = db.session.get(District, district_code) is not None
    if not district_known:
        check.errors.append(_("The region code %(code)s of this NIK is not a known district.", code=district_code))
    if info.birth_date is None:
        check.errors.append(_("The birth date in this NIK is not a real date."))
    if check.errors:
        return check
    check.district_code = district_code
    check.sex = info.gender
    check.birth_date = date.fromisoformat(info.birth_date)
    if stated_sex and stated_sex != check.sex:
        check.mismatches.append(_("The NIK says the holder is %(sex)s.",
                                  sex=_("female") if check.sex == "P" else _("male")))
    if stated_birth_date and stated_birth_date != check.birth_date:
        check.mismatches.append(_("The NIK says the birth date is %(date)s.", date=format_date(check.birth_date)))
    return check
