#!/usr/bin/env python3
"""The commands: ``python3 dev.py serve`` runs Jangkau, ``python3 dev.py test`` checks it, ``python3 dev.py audit``
looks the pinned dependencies up in the vulnerability database (``test`` does it too).

Standard library only, so it runs with any Python 3.11+ before anything is installed. Both commands
first make sure that ``.venv`` exists, holds the pinned dependencies (skipped when setup.cfg and
constraints.txt have not changed since the last install) and that the translations are compiled.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".jangkau-installed"
# What decides the installed packages; a change to any of them reinstalls.
INSTALL_INPUTS = ("setup.cfg", "pyproject.toml", "constraints.txt")
TRANSLATIONS = ROOT / "campaign_app" / "translations"
# axe-core, which the browser tests inject into pages to check accessibility: installed by npm, never served.
BROWSER_TOOLS = ROOT / "tests" / "browser"
NO_TESTS_COLLECTED = 5  # pytest's exit code when it found no test: a failure here, never a pass
# Set to 1 where the vulnerability database must answer (a CI with the internet): an audit that could not run fails.
AUDIT_REQUIRED = "JANGKAU_REQUIRE_AUDIT"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def tool(name: str) -> str:
    """The path of an executable inside the virtual environment."""
    return str(BIN / (name + (".exe" if os.name == "nt" else "")))


def run(*command: str, env: dict | None = None) -> int:
    """Run a command from the repository root; returns its exit code."""
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def check(*command: str) -> None:
    """Run a setup command; stop with its exit code if it fails."""
    code = run(*command)
    if code != 0:
        say(f"failed ({code}): {' '.join(command)}")
        sys.exit(code)


def install_hash() -> str:
    digest = hashlib.sha256()
    for name in INSTALL_INPUTS:
        path = ROOT / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def ensure_venv() -> None:
    if not Path(tool("python")).exists():
        say(f"creating the virtual environment in {VENV.name}/")
        code = run(sys.executable, "-m", "venv", str(VENV))
        if code != 0:
            say("could not create it; on Debian or Ubuntu: apt-get install python3-venv, then run this again")
            sys.exit(code)


def ensure_packages() -> None:
    wanted = install_hash()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    say("installing the pinned dependencies (the first time takes a minute or two)")
    check(tool("python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
          "-c", "constraints.txt", "-e", ".[dev]")
    STAMP.write_text(wanted + "\n")


def ensure_translations() -> None:
    """Compile every .po into its .mo when the .mo is missing or older; fine when there is none yet."""
    catalogues = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")) if TRANSLATIONS.is_dir() else []
    stale = [po for po in catalogues
             if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    if stale:
        say(f"compiling {len(stale)} translation catalogue(s)")
        check(tool("pybabel"), "--quiet", "compile", "-d", str(TRANSLATIONS.relative_to(ROOT)))


def ensure_browser_tools() -> None:
    """``npm ci`` in tests/browser when its node_modules is missing or older than its lock file. Without npm the
    accessibility checks cannot run: say so (they then skip, or fail where REQUIRE_BROWSER=1)."""
    lock = BROWSER_TOOLS / "package-lock.json"
    stamp = BROWSER_TOOLS / "node_modules" / ".jangkau-installed"
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return
    npm = shutil.which("npm")
    if npm is None:
        say("npm is missing, so the browser tests cannot check accessibility; on Debian: apt-get install npm")
        return
    say("installing the browser tests' tools (npm ci in tests/browser)")
    check(npm, "ci", "--prefix", str(BROWSER_TOOLS.relative_to(ROOT)), "--no-audit", "--no-fund", "--loglevel=error")
    stamp.write_text(wanted + "\n")


def setup(for_tests: bool = False) -> float:
    """Make the environment ready (and the browser tests' tools ``for_tests``); returns the seconds it took."""
    started = time.perf_counter()
    ensure_venv()
    ensure_packages()
    ensure_translations()
    if for_tests:
        ensure_browser_tools()
    elapsed = time.perf_counter() - started
    if elapsed > 1:
        say(f"setup done in {elapsed:.0f} s")
    return elapsed


def flask(*args: str) -> list[str]:
    return [tool("flask"), "--app", "campaign_app", *args]


def serve(port: int) -> None:
    """Run the development server after ``flask demo up`` has migrated, loaded the regions and seeded the demo,
    each only when not done already, in the same process: a restart with nothing changed starts the app once."""
    command = flask("demo", "up", "--host", "127.0.0.1", "--port", str(port))
    os.chdir(ROOT)
    if os.name == "nt":
        sys.exit(run(*command))
    os.execv(command[0], command)


def audit_verdict(report: dict | None, required: bool) -> tuple[int, str]:
    """What pip-audit's JSON report on the pins means: an exit code and a message.

    A known vulnerability fails. pip-audit passes a dependency it could not look up (it only says so): when none
    could be, the database was out of reach and the audit is skipped, unless it is required; when some could not,
    those are unaudited pins, and that fails.
    """
    dependencies = (report or {}).get("dependencies", [])
    vulnerable = [f"{d['name']} {d['version']}: " + ", ".join(
        f"{v['id']} (fixed in {', '.join(v.get('fix_versions') or []) or 'no release yet'})" for v in d["vulns"])
        for d in dependencies if d.get("vulns")]
    if vulnerable:
        return 1, "known vulnerabilities in pinned dependencies:\n    " + "\n    ".join(vulnerable)
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if not dependencies or len(skipped) == len(dependencies):
        reason = skipped[0]["skip_reason"] if skipped else "pip-audit gave no report"
        message = f"the vulnerability database could not be reached, nothing was audited ({reason})"
        if required:
            return 1, f"{message}; {AUDIT_REQUIRED}=1 makes that a failure"
        return 0, f"SKIPPED: {message}; set {AUDIT_REQUIRED}=1 where it must run"
    if skipped:
        return 1, "pinned dependencies that could not be audited:\n    " + "\n    ".join(
            d["skip_reason"] for d in skipped)
    return 0, f"no known vulnerability in the {len(dependencies)} pinned dependencies"


def audit_result() -> tuple[int, str]:
    """pip-audit over constraints.txt (every pin, as installed, without resolving again): its exit code and what to
    say (audit_verdict)."""
    command = [tool("pip-audit"), "--requirement", "constraints.txt", "--no-deps", "--disable-pip",
               "--progress-spinner", "off", "--format", "json", "--desc", "off"]
    try:
        answer = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
        report = json.loads(answer.stdout) if answer.stdout.strip().startswith("{") else None
    except subprocess.TimeoutExpired:
        report = None
    return audit_verdict(report, os.environ.get(AUDIT_REQUIRED) == "1")


def audit() -> int:
    """pip-audit over constraints.txt; says what it found."""
    code, message = audit_result()
    say(f"pip-audit: {message}")
    return code


def audit_output() -> tuple[int, str]:
    """audit_result's exit code, and what it says as a line to print."""
    code, message = audit_result()
    return code, message + "\n"


def captured(*command: str) -> tuple[int, str]:
    """Run a command from the repository root with its output kept: its exit code and that output."""
    answer = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    return answer.returncode, answer.stdout + answer.stderr


def describe(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if at and ":" in credentials:
        credentials = credentials.split(":", 1)[0] + ":***"
    return f"{scheme}{sep}{credentials}{at}{host}"


def workers(pytest_args: list[str]) -> list[str]:
    """pytest-xdist's options for a run of the whole suite: a worker per core (JANGKAU_TEST_WORKERS overrides),
    each module kept on one worker so that its shared data is built once. A run of chosen tests stays in one
    process, where starting workers would cost more than it saves."""
    count = int(os.environ.get("JANGKAU_TEST_WORKERS") or os.cpu_count() or 1)
    if pytest_args or count < 2:
        return []
    return ["-n", str(count), "--dist", "loadscope"]


def test(pytest_args: list[str], setup_seconds: float = 0.0) -> int:
    """Lint, type-check, audit the pins, then the whole suite on SQLite, then again on PostgreSQL when
    TEST_DATABASE_URL is set."""
    results: list[tuple[str, int, float]] = [("setup", 0, setup_seconds)]
    began = time.perf_counter()

    def step(name: str, command: list[str], env: dict) -> None:
        say(name)
        started = time.perf_counter()
        code = run(*command, env=env)
        results.append((name, code, time.perf_counter() - started))

    def timed(check_: Callable[[], tuple[int, str]]) -> tuple[int, str, float]:
        started = time.perf_counter()
        code, output = check_()
        return code, output, time.perf_counter() - started

    base_env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    step("ruff check .", [tool("ruff"), "check", "."], base_env)
    # The type check (setup.cfg's [mypy] section) and the audit run beside the SQLite pass, whose workers leave a
    # third of the cores idle (browser round trips): their output is shown after it.
    say("mypy and pip-audit (constraints.txt), beside pytest on SQLite")
    with ThreadPoolExecutor(max_workers=2) as beside:
        checks = {"mypy": beside.submit(timed, lambda: captured(tool("mypy"))),
                  "pip-audit": beside.submit(timed, audit_output)}
        pytest = [tool("python"), "-m", "pytest", *workers(pytest_args), *pytest_args]
        step("pytest on SQLite", pytest, base_env)
        for name, future in checks.items():
            code, output, seconds = future.result()
            say(f"{name}:")
            print(output, end="" if output.endswith("\n") else "\n", flush=True)
            results.append((f"{name} (beside pytest on SQLite)", code, seconds))
    postgres = os.environ.get("TEST_DATABASE_URL")
    if postgres:
        step(f"pytest on PostgreSQL ({describe(postgres)})", pytest, {**base_env, "TEST_DATABASE_URL": postgres})
    else:
        say("TEST_DATABASE_URL is not set: the PostgreSQL run is skipped")

    print(flush=True)
    failed = False
    say(f"stages (total {setup_seconds + time.perf_counter() - began:.0f} s):")
    for name, code, seconds in results:
        if code == NO_TESTS_COLLECTED and name.startswith("pytest"):
            verdict = "FAILED (no tests collected)"
        else:
            verdict = "ok" if code == 0 else f"FAILED (exit code {code})"
        failed = failed or code != 0
        say(f"{name}: {verdict}, {seconds:.0f} s")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="dev.py", description=__doc__.splitlines()[0],
        epilog="python3 dev.py test [pytest arguments]: ruff, mypy, pip-audit, then pytest on SQLite, then on "
               "PostgreSQL when TEST_DATABASE_URL is set.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="set up, load the demo data and run on 127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=5000)
    commands.add_parser("test", help="lint and run the tests; extra arguments go to pytest")
    commands.add_parser("audit", help="look the pinned dependencies up in the vulnerability database")
    # dev.py runs on the system's Python, before the project's own Python requirement is checked.
    if sys.version_info < (3, 11):  # noqa: UP036
        parser.error("Jangkau needs Python 3.11 or newer")
    # Everything after "test" belongs to pytest, untouched by argparse.
    if argv[:1] == ["test"]:
        return test(argv[1:], setup(for_tests=True))
    args = parser.parse_args(argv)
    setup()
    if args.command == "audit":
        return audit()
    serve(args.port)
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
