"""NIKs at rest: encrypted (Fernet), with a keyed blind index (HMAC-SHA256) for uniqueness and look-up.

Every key is derived from the one DATA_KEY secret with HKDF, under its own label, so an index cannot be
used to decrypt and a leaked database alone reveals no NIK. The NIK's district and birth date are kept
only as a keyed index too (``birth_index``), for the near-duplicate rule: in clear, with the last four
digits a masked NIK shows, they would be every digit of the NIK.
"""

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _derive(secret: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret.encode())


# migrations/versions/0010_nik_privacy.py derives the birth index's key under this label too (frozen there).
BIRTH_INDEX_LABEL = b"jangkau nik birth index"


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[Fernet, bytes, bytes]:
    encryption = Fernet(base64.urlsafe_b64encode(_derive(secret, b"jangkau nik encryption")))
    return encryption, _derive(secret, b"jangkau nik blind index"), _derive(secret, BIRTH_INDEX_LABEL)


def data_key_check_value(secret: str) -> str:
    """A value that tells whether two DATA_KEYs are the same and nothing else of them: the HMAC of a constant under a
    key derived for this alone (campaign_app/signups/key_check.py stores it)."""
    return hmac.new(_derive(secret, b"jangkau data key check"), b"jangkau data key check value",
                    hashlib.sha256).hexdigest()


def reads_nik(secret: str, ciphertext: bytes) -> bool:
    """Whether the DATA_KEY ``secret`` decrypts ``ciphertext``, a NIK encrypted by ``encrypt_nik``."""
    try:
        _keys(secret)[0].decrypt(bytes(ciphertext))
    except InvalidToken:
        return False
    return True


def _current_keys() -> tuple[Fernet, bytes, bytes]:
    return _keys(current_app.config["DATA_KEY"])


def encrypt_nik(nik: str) -> bytes:
    """The NIK encrypted with the app's data key."""
    return _current_keys()[0].encrypt(nik.encode())


def decrypt_nik(ciphertext: bytes) -> str:
    """The NIK back from ``encrypt_nik``; raises ``cryptography.fernet.InvalidToken`` under another key."""
    return _current_keys()[0].decrypt(bytes(ciphertext)).decode()


def nik_index(nik: str) -> str:
    """The keyed blind index of a NIK: equal NIKs give equal indexes, and nothing else can be read from it."""
    return nik_indexer()(nik)


def nik_indexer() -> Callable[[str], str]:
    """``nik_index`` with the app's key looked up once, for a file of a million NIKs (the look-up through
    ``current_app`` cost more than the HMAC itself): HMAC-SHA256 by OpenSSL's one-shot ``hmac.digest``."""
    key = _current_keys()[1]
    digest = hmac.digest

    def index(nik: str) -> str:
        return digest(key, nik.encode(), "sha256").hex()

    return index


def birth_index(district_code: str, birth_date: date) -> str:
    """The keyed index of a NIK's district (``72.71.01``) and birth date: equal for equal pairs, unreadable
    without the key. What the near-duplicate rule compares instead of the two in clear."""
    message = f"{district_code}|{birth_date.isoformat()}".encode()
    return hmac.new(_current_keys()[2], message, hashlib.sha256).hexdigest()


def mask_nik(nik: str) -> str:
    """``7271014508950001`` → ``************0001``."""
    return "*" * (len(nik) - 4) + nik[-4:]


@lru_cache(maxsize=4)
def _payload_key(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(secret, b"jangkau synced record encryption")))


def encrypt_payload(text: str) -> bytes:
    """A synced record's data (JSON that may hold a NIK, a name, a phone) encrypted with a key of its own, derived
    from the DATA_KEY like the NIKs'."""
    return _payload_key(current_app.config["DATA_KEY"]).encrypt(text.encode())


def decrypt_payload(ciphertext: bytes) -> str:
    """The text back from ``encrypt_payload``; raises ``cryptography.fernet.InvalidToken`` under another key."""
    return _payload_key(current_app.config["DATA_KEY"]).decrypt(bytes(ciphertext)).decode()
