"""Benchmark: write 100,000 and 1,000,000 rows through the export's CSV and XLSX writers; time and peak memory.

    .venv/bin/python -m tests.perf.bench_export              # both writers, 100,000 and 1,000,000 rows
    .venv/bin/python -m tests.perf.bench_export xlsx 1000000 # one writer, one size (what each run does)

Not a test: it prints seconds, megabytes written and the peak resident memory of each run, after the imports
and after writing. Each run is a fresh process, so its peak (``ru_maxrss``) is its own: the same peak for
100,000 and 1,000,000 rows shows that memory does not grow with the rows. The rows are synthetic, shaped like
``breakdown_table``'s (a village code, names, six counts, two ``Percent`` rates, a cost and a note on some
rows): they test the writers, not the database (the route reads the breakdown through
``breakdowns.all_rows``, chunk by chunk).
"""

import resource
import subprocess
import sys
import time
from collections.abc import Iterator

from campaign_app.reports.exports import Percent, Table, csv_chunks, xlsx_chunks

HEADER = ["Code", "Name", "District", "Visits done", "Attendance", "Cost (Rp)", "Sign-ups",
          "Sign-ups at done visits", "Activated", "Conversion", "Activation", "Cost per sign-up (Rp)", "Note"]
SIZES = (100_000, 1_000_000)


def synthetic_rows(count: int) -> Iterator[list]:
    """``count`` rows like a village breakdown's, made as they are read."""
    for n in range(count):
        attendance = 10 + n % 90
        signups = n % 37
        done = signups - n % 3 if signups >= 3 else signups
        yield [f"72.{n % 99:02d}.{n % 97:02d}.{2000 + n % 9999}", f"Desa Uji {n}", f"Kecamatan {n % 500}",
               1 + n % 4, attendance, 250_000 * (1 + n % 4), signups, done, signups // 3,
               Percent(done / attendance), Percent(signups // 3 / signups) if signups else None,
               round(250_000 * (1 + n % 4) / done) if done else None,
               "not comparable, fewer than 30 cases: conversion" if attendance < 30 else None]


def _peak_megabytes() -> float:
    # Linux gives ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(kind: str, count: int) -> None:
    table = Table(HEADER, synthetic_rows(count))
    before = _peak_megabytes()
    started = time.perf_counter()
    written = 0
    for chunk in (csv_chunks(table) if kind == "csv" else xlsx_chunks(table, title="village")):
        written += len(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
    seconds = time.perf_counter() - started
    print(f"{kind:<5} {count:>10,} rows  {seconds:7.1f} s  {written / 2**20:8.1f} MB written  "
          f"peak RSS {before:6.1f} MB after imports, {_peak_megabytes():6.1f} MB after writing", flush=True)


def main() -> None:
    if len(sys.argv) == 3:
        run(sys.argv[1], int(sys.argv[2]))
        return
    for kind in ("csv", "xlsx"):
        for count in SIZES:
            subprocess.run([sys.executable, "-m", "tests.perf.bench_export", kind, str(count)], check=True)


if __name__ == "__main__":
    main()
