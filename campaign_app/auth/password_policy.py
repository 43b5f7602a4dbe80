"""Which new passwords are refused: too short or long, one of the most common, the username, or one character over
and over.

The common passwords are zxcvbn's list (MIT licence; the 30,000 most frequent in leaked-password corpora, kept by
the zxcvbn project), with a few that people here would try first. Only those at least ``MIN_PASSWORD_LENGTH`` long
matter: shorter ones are refused anyway.
"""

from functools import cache

from campaign_app.i18n import gettext as _

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

# Local favourites that a list made from other countries' leaks does not hold.
LOCAL_COMMON = ("bpjsketenagakerjaan", "ketenagakerjaan", "katasandi123", "sulawesitengah", "indonesia123",
                "jangkau123", "bismillah123", "merdeka1945", "indonesia1945", "palu123456")


@cache
def common_passwords() -> frozenset[str]:
    """The common passwords long enough to pass the length rule, lower-cased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = (*FREQUENCY_LISTS["passwords"], *LOCAL_COMMON)
    return frozenset(word.lower() for word in words if len(word) >= MIN_PASSWORD_LENGTH)


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be chosen by the user ``username``, in the user's language; None when it may."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        return _("Between %(min)d and %(max)d characters.", min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    if len(set(lowered)) == 1:
        return _("Not one character repeated: choose something harder to guess.")
    name = username.strip().lower()
    if name and name in lowered:
        return _("The password may not contain the username.")
    if lowered in common_passwords():
        return _("This is one of the most common passwords: choose something harder to guess.")
    return None
