"""Files that hold secrets or personal data are for the account that runs the app alone: the instance folder (0700;
the generated secrets in it are 0600) and an SQLite database file (0600), which SQLite would create readable by
every account (0644). SQLite gives a database's -wal and -shm files the mode of the database file itself.
"""

import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url


def _tighten(path: Path, mode: int) -> None:
    """Take away the permissions of ``path`` beyond ``mode``, if the running account owns it."""
    if os.name != "posix":
        return
    status = path.stat()
    current = stat.S_IMODE(status.st_mode)
    if status.st_uid == os.getuid() and current & ~mode:
        path.chmod(current & mode)


def private_folder(path: Path) -> None:
    """Create the folder ``path`` (0700) if it is missing; take group and other permissions from it if it is not."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(path, 0o700)


def private_sqlite_file(url: str, instance_path: str) -> None:
    """Create the database file of an SQLite ``url`` readable by its owner alone before SQLite creates it, and
    tighten an existing one (and its -wal and -shm files).

    The instance folder is created and made private when the file is in it; another folder is the operator's, left
    as it is and never created (a missing one is a database that cannot be reached).
    """
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).resolve()
    if path.parent == Path(instance_path).resolve():
        private_folder(path.parent)
    if not path.parent.is_dir():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        for suffix in ("", "-wal", "-shm"):
            companion = Path(f"{path}{suffix}")
            if companion.exists():
                _tighten(companion, 0o600)
