"""Benchmarks of the real `tandem` command.

    python -m bench.run [NAME...] [--postgres postgres://USER@HOST:PORT/DBNAME] [--data DIR]

Each benchmark runs `tandem` as a child process against a fresh database
(an SQLite file under bench/out/, or, with --postgres, the named PostgreSQL
database, dropped and created for the run and dropped afterwards) and
measures the child's wall time and peak resident memory (from wait4's
rusage). Results are printed as Markdown table rows.

Benchmarks are registered in ``BENCHMARKS`` (name -> function taking a
``Target`` and returning ``Measurement``s); add one with ``@register("name")``.
The data come from bench/generate.py (generated on first use). A benchmark
that needs data not every checkout has (``online-retail``: the full file in
shared/data beside the repository) is skipped with one line on stderr when
it is missing, or ends the command with that line and exit status 1 when it
was asked for by name.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import generate

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out"
TANDEM = str(Path(sys.executable).parent / "tandem")


@dataclass
class Target:
    """The database a benchmark runs against."""

    vendor: str  # "sqlite" or "postgresql"
    url: str
    data: Path
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Measurement:
    benchmark: str
    vendor: str
    step: str
    wall_s: float
    peak_mb: float
    note: str = ""

    def row(self) -> str:
        return (
            f"| {self.benchmark} | {self.vendor} | {self.step} | {self.wall_s:.1f} "
            f"| {self.peak_mb:.0f} | {self.note} |"
        )


HEADER = (
    "| benchmark | database | step | wall (s) | peak RSS (MB) | result |\n"
    "|-----------|----------|------|---------:|--------------:|--------|"
)

BENCHMARKS: dict[str, Callable[[Target], list[Measurement]]] = {}


# Benchmarks that bring their own data (the generated set is not made for them).
OWN_DATA: set[str] = set()

# name -> why the benchmark cannot run on this machine (None when it can),
# asked before its database is made.
UNAVAILABLE: dict[str, Callable[[], str | None]] = {}


def register(name: str, *, own_data: bool = False, unavailable: Callable[[], str | None] | None = None):
    def wrap(fn: Callable[[Target], list[Measurement]]):
        BENCHMARKS[name] = fn
        if own_data:
            OWN_DATA.add(name)
        if unavailable is not None:
            UNAVAILABLE[name] = unavailable
        return fn

    return wrap


def measure(args: list[str], env: dict[str, str], *, cwd: Path | None = None) -> tuple[float, float, str, str, int]:
    """Run a child; (wall seconds, peak RSS in MB, stdout, stderr, exit code)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    # Threads drain the pipes; wait4 then reaps the child and gives its own
    # rusage (RUSAGE_CHILDREN would give the largest of all earlier children).
    out, err = _drain(child)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, out, err, child.returncode


def _drain(child: subprocess.Popen) -> tuple[str, str]:
    import threading

    chunks: dict[str, str] = {}

    def read(name: str, stream) -> None:
        chunks[name] = stream.read()

    threads = [
        threading.Thread(target=read, args=("out", child.stdout)),
        threading.Thread(target=read, args=("err", child.stderr)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return chunks.get("out", ""), chunks.get("err", "")


def tandem(target: Target, benchmark: str, step: str, *args: str, check: bool = True) -> Measurement:
    """Run `tandem ARGS` against the target and measure it."""
    wall, peak, out, err, code = measure([TANDEM, *args], target.env)
    if check and code != 0:
        raise SystemExit(f"{benchmark}/{step}: tandem {' '.join(args)} failed ({code}):\n{err}")
    note = out.strip().splitlines()[-1] if out.strip() else ""
    note = note.replace(f"{target.data}{os.sep}", "")
    return Measurement(benchmark, target.vendor, step, wall, peak, note)


def prepare_schema(target: Target) -> None:
    """Create the schema before timing anything (commands migrate on first
    use; that is not what a benchmark measures)."""
    code = "from tandem.core import bootstrap; bootstrap.setup()"
    subprocess.run([sys.executable, "-c", code], env=target.env, check=True)


def _env(url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "TANDEM_TESTING", "TANDEM_TEST_DATABASE_URL")
    }
    env["TANDEM_DATABASE_URL"] = url
    env["TANDEM_VAR_DIR"] = str(OUT / "var")
    env.setdefault("TANDEM_LANGUAGE", "en")
    return env


@contextmanager
def fresh_target(name: str, postgres: str | None, data: Path) -> Iterator[Target]:
    """A new, empty database for one benchmark."""
    OUT.mkdir(parents=True, exist_ok=True)
    if postgres is None:
        path = OUT / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        target = Target("sqlite", url, data, _env(url))
        prepare_schema(target)
        yield target
        return
    import psycopg

    parts = urlsplit(postgres)
    dbname = parts.path.lstrip("/") or "tandem_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    url = urlunsplit(parts._replace(path=f"/{dbname}"))
    target = Target("postgresql", url, data, _env(url))
    try:
        prepare_schema(target)
        yield target
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def data_files(target: Target) -> list[str]:
    return [str(target.data / name) for name in generate.FILES]


# --------------------------------------------------------------------------- #
# Benchmarks
# --------------------------------------------------------------------------- #


@register("import")
def bench_import(target: Target) -> list[Measurement]:
    """First import of the generated files into an empty database, then the
    same files again (must change nothing)."""
    files = data_files(target)
    first = tandem(target, "import", "first import", "import", *files)
    again = tandem(target, "import", "re-import (no change)", "import", *files)
    return [first, again]

import bench.commissions  # noqa: E402,F401  (registers run-full, run-incremental, preview, export, late-data, startup)
import bench.online_retail  # noqa: E402,F401  (registers online-retail)
import bench.pages  # noqa: E402,F401  (registers pages)
import bench.service_desk  # noqa: E402,F401  (registers service-desk)

# --------------------------------------------------------------------------- #


def machine() -> str:
    cpus = os.cpu_count()
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        nproc = str(cpus)
    try:
        mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    except (OSError, IndexError):
        mem = "?"
    import sqlite3

    return (
        f"{nproc} cores (nproc), {mem} RAM (free -h), {platform.platform()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run Tandem's benchmarks.")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})")
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database (dropped and created)")
    parser.add_argument("--data", type=Path, default=generate.DEFAULT_OUT, help="generated data (default bench/data)")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    unavailable = {name: UNAVAILABLE[name]() for name in names if name in UNAVAILABLE}
    for name, reason in unavailable.items():
        if reason is None:
            continue
        if args.names:
            # Asked for by name: not running it is a failure.
            raise SystemExit(f"bench.run: cannot run {name}: {reason}")
        print(f"bench.run: skipping {name}: {reason}", file=sys.stderr)
    names = [n for n in names if unavailable.get(n) is None]
    needs_data = any(name not in OWN_DATA for name in names)
    if needs_data and not all((args.data / name).exists() for name in generate.FILES):
        print(f"generating the data set into {args.data} ...", file=sys.stderr)
        generate.generate(args.data)
    print(f"Machine: {machine()}")
    print()
    print(HEADER)
    for name in names:
        with fresh_target(name, args.postgres, args.data) as target:
            for measurement in BENCHMARKS[name](target):
                print(measurement.row(), flush=True)
    shutil.rmtree(OUT / "var", ignore_errors=True)


if __name__ == "__main__":
    main()
