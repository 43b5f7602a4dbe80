"""Password hashes: scrypt unless the settings name another method (tests, which sign in thousands of times)."""

from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

DEFAULT_METHOD = "scrypt"


def _method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", DEFAULT_METHOD)


def hash_password(password: str) -> str:
    """A salted hash of ``password`` by the configured method (scrypt in production)."""
    return generate_password_hash(password, method=_method())


def password_matches(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from (the hash names its own method)."""
    return check_password_hash(password_hash, password)


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not a real password", method=method)


def spend_a_check(password: str) -> None:
    """Check ``password`` against a hash of nobody's, so that an unknown name costs as long as a wrong password."""
    check_password_hash(_dummy_hash(_method()), password)
