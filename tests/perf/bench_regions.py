"""Benchmark: load every region of Indonesia (83,762 villages), then load again (idempotent pass).

    .venv/bin/python -m tests.perf.bench_regions                  # SQLite in a temporary file
    .venv/bin/python -m tests.perf.bench_regions postgresql://root@127.0.0.1:5432/test

Not a test: it prints seconds for the README's benchmark table.
"""

import sys
import tempfile
import time
import uuid

from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from campaign_app.config import normalise_database_url
from campaign_app.extensions import db
from campaign_app.regions.load import available_province_codes, load_regions
from tests.conftest import make_app


def timed_load(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade()
        codes = available_province_codes()
        for attempt in ("first load", "second load (nothing changes)"):
            started = time.perf_counter()
            report = load_regions(codes)
            db.session.commit()
            print(f"{db.engine.dialect.name:<10} {attempt:<30} {time.perf_counter() - started:6.2f} s  "
                  f"{report.villages:,} villages")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    if len(sys.argv) > 1:
        server = make_url(normalise_database_url(sys.argv[1]))
        name = f"jangkau_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            timed_load(server.set(database=name).render_as_string(hide_password=False))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    else:
        with tempfile.TemporaryDirectory() as folder:
            timed_load(f"sqlite:///{folder}/bench.sqlite3")


if __name__ == "__main__":
    main()
