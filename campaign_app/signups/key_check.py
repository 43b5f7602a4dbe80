"""The database remembers which DATA_KEY encrypts its NIKs (a key check value), and an app started with another
key refuses to start: it would see no NIK as registered already (their blind indexes differ) and could reveal none.

The first start after the migration records the value; if NIKs are stored already, it first checks that the key
reads one of them. An app whose database cannot be reached when it starts checks before its first request that
reaches it, and answers 503 meanwhile if the key is wrong.
"""

import hmac
import logging

from flask import Flask, abort
from sqlalchemy import Connection, insert, inspect, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from campaign_app.extensions import db
from campaign_app.models import DataKeyCheck, SignUp
from campaign_app.models.people import utcnow
from campaign_app.signups.personal_data import data_key_check_value, reads_nik

log = logging.getLogger("campaign_app.data_key")

WRONG_KEY = (
    "DATA_KEY is not the key that encrypts this database's personal data (its key check value differs). "
    "Start Jangkau with the DATA_KEY it was first started with: the DATA_KEY environment variable, or the file "
    "data_key in the instance folder. Jangkau does not start with another key, which would register NIKs twice "
    "and could reveal none."
)


class WrongDataKey(RuntimeError):
    """The app's DATA_KEY is not the one its database's NIKs are encrypted with."""

    def __init__(self) -> None:
        super().__init__(WRONG_KEY)


def verify_data_key(connection: Connection, secret: str) -> bool:
    """Check the DATA_KEY ``secret`` against the value stored in the database, recording it if there is none yet.

    Returns False when the database has no key check table yet (not migrated: nothing to check), True when the key
    is the database's; raises ``WrongDataKey`` when it is not, or, with no value recorded yet, when it cannot read
    a NIK stored already.
    """
    if not inspect(connection).has_table(DataKeyCheck.__tablename__):
        return False
    expected = data_key_check_value(secret)
    stored = connection.scalar(select(DataKeyCheck.value).where(DataKeyCheck.id == 1))
    if stored is None:
        sample = connection.scalar(select(SignUp.nik_ciphertext).limit(1))
        if sample is not None and not reads_nik(secret, sample):
            raise WrongDataKey()
        try:
            with connection.begin_nested():
                connection.execute(insert(DataKeyCheck).values(id=1, value=expected, recorded_at=utcnow()))
            log.info("data key check value recorded")
            return True
        except IntegrityError:
            # Another process starting at the same moment recorded its key first: the key must be that one.
            stored = connection.scalar(select(DataKeyCheck.value).where(DataKeyCheck.id == 1))
    if not hmac.compare_digest(stored or "", expected):
        raise WrongDataKey()
    return True


def init_app(app: Flask) -> None:
    """Check the app's DATA_KEY now; raises ``WrongDataKey`` (after logging why) when it is not the database's."""
    with app.app_context():
        engine = db.engine
    checked = False

    def check() -> None:
        nonlocal checked
        try:
            with engine.begin() as connection:
                checked = verify_data_key(connection, app.config["DATA_KEY"])
        except WrongDataKey:
            log.critical(WRONG_KEY)
            raise

    try:
        check()
    except SQLAlchemyError as error:
        log.warning("DATA_KEY not checked yet: the database cannot be reached (%s); checked before each request "
                    "until it can", type(getattr(error, "orig", None) or error).__name__)
    finally:
        # No connection outlives the start: a forking server's workers must not share one (nor a test harness
        # that sets its connections up its own way).
        engine.dispose()

    @app.before_request
    def check_data_key_until_checked():
        if checked:
            return
        try:
            check()
        except SQLAlchemyError:
            return  # the request meets the database's trouble itself; /readyz reports it
        except WrongDataKey:
            abort(503)
