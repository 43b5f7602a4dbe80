"""What the officer's phone stores before leaving for the villages: the offline pack, and the app shell the service
worker keeps. The server stays the source of truth; the pack is a copy for the phone's own checks."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from campaign_app.extensions import db
from campaign_app.home.service import officer_day
from campaign_app.models import District, User, Visit
from campaign_app.signups.consent import consent_text_on
from campaign_app.signups.phone_rates import phone_rates
from campaign_app.signups.records import running_programmes

# Today's and tomorrow's visits (and any still open): a day in the field, prepared the evening before or that morning.
PREPARE_DAYS = 2
# What the app shell is made of: cached by the service worker when it installs, each at its fingerprinted URL.
SHELL_FILES = ("css/app.css", "vendor/htmx-2.0.11/htmx.min.js", "js/failures.js", "js/phone.js", "js/outbox.js",
               "js/nik.js", "js/signup.js", "icons/jangkau-192.png")


def visits_to_prepare(officer: User, today: date) -> list[Visit]:
    """The officer's visits still open from earlier days, and those of today and the next day."""
    day = officer_day(officer, today)
    last = today + timedelta(days=PREPARE_DAYS - 1)
    return [*day.unfinished, *day.today, *(v for v in day.upcoming if v.visit_date <= last)]


def district_codes() -> dict[str, str]:
    """Every known district, as the phone checks a NIK's region code: ``{"7271": "010203"}`` (regency, then its
    districts' two digits run together), a fraction of the size of the codes listed whole."""
    codes: dict[str, list[str]] = {}
    for code in db.session.scalars(select(District.code).order_by(District.code)):
        province, regency, district = code.split(".")
        codes.setdefault(province + regency, []).append(district)
    return {regency: "".join(districts) for regency, districts in codes.items()}


def offline_pack(officer: User, today: date, now: datetime, visit_pages) -> dict:
    """The pack for ``officer``'s coming visits: the visits and their villages, the rate table and enrolment ages in
    force, the subsidy programmes running with their places left, the consent text in force in both languages, and
    the districts a NIK may name. ``visit_pages(visit)`` gives the addresses of a visit's pages to store."""
    consent = consent_text_on(today)
    return {
        "prepared_at": now.isoformat(),
        "day": today.isoformat(),
        "officer": officer.id,
        "visits": [{
            "id": v.id, "code": v.village_code, "village": v.village.name, "date": v.visit_date.isoformat(),
            "status": v.status, "campaign": v.campaign.name, "pages": visit_pages(v),
        } for v in visits_to_prepare(officer, today)],
        "rates": phone_rates(today),
        "programmes": [{"id": p.id, "name": p.name, "remaining": p.remaining} for p in running_programmes(today)],
        "consent": {"version": consent.version, "label": consent.label, "text_id": consent.text_id,
                    "text_en": consent.text_en},
        "districts": district_codes(),
    }
