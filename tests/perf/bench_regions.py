"""Benchmark: load every region of Indonesia (83,762 villages), then load again (idempotent pass).

    .venv/bin/python -m tests.perf.bench_regions                  # SQLite in a temporary file
    .venv/bin/python -m tests.perf.bench_regions postgresql://root@127.0.0.1:5432/test

Not a test: it prints seconds for the README's benchmark table.
"""

import sys
import time

from flask_migrate import upgrade

from campaign_app.extensions import db
from campaign_app.regions.load import available_province_codes, load_regions
from tests.conftest import make_app
from tests.perf.scratch import scratch_database


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
    with scratch_database(sys.argv[1] if len(sys.argv) > 1 else None) as url:
        timed_load(url)


if __name__ == "__main__":
    main()
