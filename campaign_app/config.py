"""Settings read from the environment, with safe defaults for a laptop.

Secrets that are not given are generated once into the instance folder (never committed)
so that a fresh install works and a restart keeps sessions and encrypted data readable.
"""

import os
import secrets
from pathlib import Path

from campaign_app.private_files import private_folder


def _secret_from_instance(instance_path: str, name: str) -> str:
    """Read a secret from ``instance/<name>``, creating it on first use."""
    path = Path(instance_path) / name
    # 0700, and tightened if an older release made it readable by others.
    private_folder(path.parent)
    if not path.exists():
        # 0600: readable only by the account that runs the app.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "jangkau.sqlite3")


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(instance_path: str) -> dict:
    """Build the configuration mapping from the environment."""
    env = os.environ
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _secret_from_instance(instance_path, "secret_key"),
        # Will encrypt personal data (NIKs); kept apart from SECRET_KEY so either can rotate.
        "DATA_KEY": env.get("DATA_KEY") or _secret_from_instance(instance_path, "data_key"),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            env.get("DATABASE_URL") or _sqlite_url(instance_path)
        ),
        # How new passwords are hashed; check_password reads the method from each stored hash.
        "PASSWORD_HASH_METHOD": "scrypt",
        # A connection is checked out once a request (a request commits once, and nothing is read after it), so the
        # ping costs one round trip a request (PostgreSQL: an empty query, about 0.06 ms here). Without it the first
        # request on each connection that a restart, a fail-over or an idle timeout dropped would fail with a 500
        # (SQLAlchemy discards the pool only after that error): an officer's sign-up would end on an error page.
        # hide_parameters: a database error's message would otherwise quote the statement's values (a worker's
        # name and phone) into the log with its traceback.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # Redis (redis://host:6379/0) keeps the sign-in limits' counts for every process; memory:// (the default)
        # means the database keeps them (auth/throttle.py), never one process's memory.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Failed sign-ins allowed before a pause (auth/throttle.py): from one address to one account; to one account
        # from anywhere (guessing spread over many addresses); and from one address to any account, a backstop set
        # high, so that an office behind one address is not locked out by a few mistyped or made-up names.
        "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": env.get("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("LOGIN_LIMIT_PER_ACCOUNT", "20 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": env.get("LOGIN_LIMIT_PER_ADDRESS", "500 per hour"),
        # Look-ups of a registered NIK by one user (the NIK check while typing): enough for a busy visit, too few
        # to probe a branch's workers.
        "NIK_CHECK_LIMIT": env.get("NIK_CHECK_LIMIT", "12 per minute;200 per day"),
        # Requests one phone may make to the sync endpoints (campaign_app/sync): a day's records (a few hundred) sent
        # as fast as a good signal allows, yet a runaway script is stopped.
        "SYNC_LIMIT": env.get("SYNC_LIMIT", "120 per minute;5000 per day"),
        # Days a voided sign-up is kept before ``flask signups purge-voided`` deletes it (UU PDP 27/2022: personal
        # data kept no longer than its purpose needs). A year: a void can be questioned until the next annual audit.
        "VOIDED_RETENTION_DAYS": int(env.get("VOIDED_RETENTION_DAYS", "365")),
        "BABEL_DEFAULT_LOCALE": env.get("DEFAULT_LANGUAGE", "id"),
        "BABEL_DEFAULT_TIMEZONE": "Asia/Makassar",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Forced on by env; otherwise set per request when the request itself came over HTTPS.
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        # The cookie is sent when its content changes, not with every answer: the server ends a session that is
        # idle or too old (auth/user_sessions.py), whatever the cookie's own expiry says (campaign_app/sessions.py).
        "SESSION_REFRESH_EACH_REQUEST": False,
        # A session unused this long is over (auth/user_sessions.py). Two hours: an officer's village meeting has long
        # pauses between sign-ups, and being signed out mid-visit costs more than a shared office PC left open.
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "120")),
        # A session's last use is written at most this often, not on every page.
        "SESSION_TOUCH_SECONDS": 60,
        # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # The monthly payment status file alone may be larger: a million rows of CSV are about 30 MB.
        "PAYMENT_FILE_MAX_BYTES": int(env.get("PAYMENT_FILE_MAX_BYTES", str(48 * 1024 * 1024))),
        # Who applies an uploaded payment status file (signups/payment_imports.py): "thread", a thread the upload
        # starts in its own process; "worker", a separate process running `flask payments work --watch`;
        # "request", the upload's own request (the tests).
        "PAYMENT_IMPORT_RUNNER": env.get("PAYMENT_IMPORT_RUNNER", "thread"),
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "COMPRESS_MIMETYPES": [
            "text/html", "text/css", "text/javascript", "application/javascript",
            "application/json", "image/svg+xml", "text/csv",
        ],
        "COMPRESS_MIN_SIZE": 500,
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "PAGE_SIZE": 25,
        # The app's log lines (campaign_app.*) at this level and above go to stderr; DEBUG adds the health probes.
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
    }


SUPPORTED_LANGUAGES = ("id", "en")


def normalise_database_url(url: str) -> str:
    """Let ``postgres://`` and ``postgresql://`` URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
