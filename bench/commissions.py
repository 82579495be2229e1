"""Benchmarks of the commission engine, registered in bench.run's registry.

    python -m bench.run run-full run-incremental preview export late-data startup [--postgres URL]

Every benchmark starts from a fresh database, imports the generated files
(bench/generate.py) and loads the shipped default plan
(src/tandem/commissions/default_plan.toml); the benchmarks after `run-full`
also run `tandem commissions run --full` once before what they time. Those
setup steps are measured too and reported with their step named "setup: ...".

- run-full: `tandem commissions run --full`, then the same again (nothing
  changed: must write nothing).
- run-incremental: import 900 new orders and 100 refunds (a file made here,
  deterministic, valid per the exchange rules), then `tandem commissions run`.
- preview: a child Python process (`python -m bench.commissions preview`)
  records 50 new orders with `commissions.services.order_record_previewed`, one call each,
  and reports the median and p95 of a call and of the live preview inside it
  (`commissions.services.customer_preview`).
- export: `tandem commissions export --period 2024-06` to CSV and to XLSX.
- late-data: an ERP back-fill after a full run: import 900 late orders and
  100 refunds dated over the last two years (one orders file), and new
  service owners of 100 customers from past days (one assignments file),
  then `tandem commissions run`; a full run afterwards must change nothing.
- startup: `tandem --help`, 10 times, median (no data, no database).

Memory. A full run computes in worker processes (multiprocessing, spawn)
while the `tandem` process writes, so one number cannot say it all:

- the peak column is the `tandem` process alone: its VmHWM (peak resident
  size since exec), read from /proc/self/status by a small wrapper
  (`python -c`, running the `tandem` entry point in-process) as it exits;
- "N child processes, largest M MB": the workers (and multiprocessing's
  resource tracker), each one's VmHWM as last sampled by the bench;
- "tree T MB": the largest sum of resident sizes over the whole tree (tandem
  + workers) seen by the bench's sampler, every 0.2 s from /proc.

Not ru_maxrss (wait4, RUSAGE_CHILDREN): on Linux a child's ru_maxrss starts
from its parent's peak at fork, so it carries the parent's size, and
RUSAGE_CHILDREN is the largest child, not a sum. The PostgreSQL server's own
memory is in none of these.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

# `python -m bench.run` runs bench/run.py as __main__; registering into a
# second copy imported as `bench.run` would be lost, so use __main__ itself.
_main = sys.modules.get("__main__")
if getattr(getattr(_main, "__spec__", None), "name", None) == "bench.run":
    sys.modules.setdefault("bench.run", _main)  # type: ignore[arg-type]

from bench.run import OUT, TANDEM, Measurement, Target, data_files, register  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PLAN = REPO / "src" / "tandem" / "commissions" / "default_plan.toml"
EXPORT_PERIOD = "2024-06"  # the middle of 2023-01 .. 2025-12
PREVIEW_ORDERS = 50
INCREMENT = (900, 100)  # new orders, refunds
BACKFILL = (900, 100)  # late orders and refunds, dated over the last two years
OWNER_CHANGES = 100  # customers given a new service owner from a past day
STARTUP_RUNS = 10  # `tandem --help` timed this many times
SAMPLE_EVERY = 0.2  # seconds between samples of the process tree's memory

# Runs `tandem ARGS` in this process and, when it ends, writes the process's
# peak resident size to the file in argv[1]: VmHWM, the high-water mark of
# this process's own memory since exec. (Not ru_maxrss: on Linux a child's
# ru_maxrss starts from its parent's peak at fork, so it would carry the
# bench's own size; and RUSAGE_CHILDREN has the same floor for the workers.)
# `-c`, not a file: spawned workers would import a file __main__ again.
WRAPPER = r"""
import json, sys
report, sys.argv = sys.argv[1], ["tandem", *sys.argv[2:]]
from tandem.cli import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
finally:
    with open("/proc/self/status") as fh:
        hwm = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
    with open(report, "w") as fh:
        json.dump({"hwm_kb": hwm}, fh)
sys.exit(code)
"""


@dataclass
class Timed(Measurement):
    """A measurement shown with more decimals (sub-second steps)."""

    digits: int = 2

    def row(self) -> str:
        return (
            f"| {self.benchmark} | {self.vendor} | {self.step} | {self.wall_s:.{self.digits}f} "
            f"| {self.peak_mb:.0f} | {self.note} |"
        )


@dataclass
class TreeUsage:
    wall_s: float
    self_mb: float  # the child's own peak (VmHWM)
    workers_mb: float  # the largest descendant's peak, sampled (0 when none)
    descendants: int  # processes seen under the child
    tree_mb: float  # sampled peak of the sum of resident sizes over the tree
    out: str
    err: str
    code: int


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}"


def _status_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB; (0, 0) once it is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                    break
    except (OSError, ValueError):
        pass
    return rss, hwm


def _tree(root: int) -> list[int]:
    """`root` and its descendants, now."""
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return pids


class TreeSampler:
    """Samples a process tree every SAMPLE_EVERY seconds: the peak of the sum
    of resident sizes, and each process's high-water mark as last seen."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.tree_kb = 0
        self.hwm_kb: dict[int, int] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._done.is_set():
            total = 0
            for pid in _tree(self.root):
                rss, hwm = _status_kb(pid)
                total += rss
                if hwm:
                    self.hwm_kb[pid] = max(hwm, self.hwm_kb.get(pid, 0))
            self.tree_kb = max(self.tree_kb, total)
            self._done.wait(SAMPLE_EVERY)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def measure_tree(
    cmd: list[str], env: dict[str, str], *, cwd: Path | None = None, report: Path | None = None
) -> TreeUsage:
    """Run a child and sample its tree; its own peak comes from `report`
    (JSON with hwm_kb, written by the child as it ends) when given."""
    from bench.run import _drain

    started = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(child.pid)
    out, err = _drain(child)
    _pid, status, _usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    sampler.stop()
    child.returncode = code = os.waitstatus_to_exitcode(status)
    own = sampler.hwm_kb.pop(child.pid, 0)
    if report is not None:
        try:
            own = json.loads(report.read_text())["hwm_kb"]
        except (OSError, ValueError, KeyError):
            pass
    workers = max(sampler.hwm_kb.values(), default=0)
    return TreeUsage(wall, own / 1024, workers / 1024, len(sampler.hwm_kb), sampler.tree_kb / 1024, out, err, code)


def measure_tandem(args: list[str], env: dict[str, str]) -> TreeUsage:
    """Run `tandem ARGS` through the wrapper."""
    OUT.mkdir(parents=True, exist_ok=True)
    report = OUT / f"hwm-{os.getpid()}.json"
    report.unlink(missing_ok=True)
    usage = measure_tree([sys.executable, "-c", WRAPPER, str(report), *args], env, report=report)
    report.unlink(missing_ok=True)
    return usage


def _run_numbers(out: str) -> dict[str, int]:
    """The figures of `tandem commissions run`'s last line (any language)."""
    line = out.strip().splitlines()[-1] if out.strip() else ""
    numbers = [int(n) for n in re.findall(r"\d+", line)]
    keys = ("customers", "orders", "written", "deleted", "adjustments", "exceptions", "ms")
    return dict(zip(keys, numbers, strict=False)) if len(numbers) == len(keys) else {}


def run_tandem(target: Target, benchmark: str, step: str, *args: str, note: str = "") -> Timed:
    """Run `tandem ARGS` against the target; the peak column is the tandem
    process alone, the workers and the sampled tree go into the note."""
    load = _load()
    usage = measure_tandem(list(args), target.env)
    if usage.code != 0:
        raise SystemExit(f"{benchmark}/{step}: tandem {' '.join(args)} failed ({usage.code}):\n{usage.err}")
    parts = []
    if args[:2] == ("commissions", "run"):
        n = _run_numbers(usage.out)
        if n:
            parts.append(
                f"customers {n['customers']}, lines written {n['written']}, deleted {n['deleted']}, "
                f"exceptions {n['exceptions']}"
            )
        elif usage.out.strip():
            parts.append(usage.out.strip().splitlines()[-1])
    elif usage.out.strip():
        last = usage.out.strip().splitlines()[-1]
        parts.append(last.replace(f"{target.data}{os.sep}", "").replace(f"{REPO}{os.sep}", ""))
    if note:
        parts.append(note)
    if usage.descendants:
        parts.append(f"{usage.descendants} child processes, largest {usage.workers_mb:.0f} MB")
    parts.append(f"tree {usage.tree_mb:.0f} MB")
    parts.append(load)
    return Timed(benchmark, target.vendor, step, usage.wall_s, usage.self_mb, "; ".join(parts))


def _setup(target: Target, benchmark: str, *, full_run: bool) -> list[Measurement]:
    """Import the generated data and the default plan (and run once in full)."""
    steps: list[Measurement] = [
        run_tandem(target, benchmark, "setup: import", "import", *data_files(target)),
        run_tandem(target, benchmark, "setup: plans load", "plans", "load", str(DEFAULT_PLAN)),
    ]
    if full_run:
        steps.append(run_tandem(target, benchmark, "setup: run --full", "commissions", "run", "--full"))
    return steps


# --------------------------------------------------------------------------- #
# Benchmarks
# --------------------------------------------------------------------------- #


@register("run-full")
def bench_run_full(target: Target) -> list[Measurement]:
    """A full run on the imported data, then a second one (no change)."""
    results = _setup(target, "run-full", full_run=False)
    results.append(run_tandem(target, "run-full", "run --full (first)", "commissions", "run", "--full"))
    again = run_tandem(target, "run-full", "run --full (no change)", "commissions", "run", "--full")
    results.append(again)
    if "lines written 0, deleted 0" not in again.note:
        raise SystemExit(f"run-full: the second full run changed something: {again.note}")
    return results


@register("run-incremental")
def bench_run_incremental(target: Target) -> list[Measurement]:
    """After a full run, import 900 new orders and 100 refunds, then run."""
    results = _setup(target, "run-incremental", full_run=True)
    increment = OUT / "increment.csv"
    orders, refunds = INCREMENT
    # In a child: reading orders.csv here would grow the bench process.
    subprocess.run(
        [sys.executable, "-m", "bench.commissions", "increment", "--data", str(target.data), "--out", str(increment),
         "--orders", str(orders), "--refunds", str(refunds)],
        cwd=REPO, check=True,
    )
    step = f"setup: import {orders + refunds:,} rows"
    results.append(run_tandem(target, "run-incremental", step, "import", str(increment)))
    results.append(run_tandem(target, "run-incremental", "run (incremental)", "commissions", "run"))
    results.append(run_tandem(target, "run-incremental", "run (incremental, no change)", "commissions", "run"))
    return results


@register("preview")
def bench_preview(target: Target) -> list[Measurement]:
    """Live preview: order_record of 50 new orders, one call each."""
    results = _setup(target, "preview", full_run=True)
    load = _load()
    report = OUT / f"preview-{os.getpid()}.json"
    report.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench.commissions", "preview", "--data", str(target.data),
           "--orders", str(PREVIEW_ORDERS), "--report", str(report)]
    usage = measure_tree(cmd, target.env, cwd=REPO, report=report)
    if usage.code != 0:
        raise SystemExit(f"preview failed ({usage.code}):\n{usage.err}")
    stats = json.loads(report.read_text())
    report.unlink()
    calls, previews = stats["order_record_ms"], stats["customer_preview_ms"]
    history = stats["history_orders"]
    results.append(
        Timed("preview", target.vendor, f"child: Django setup + {len(calls)} order_record calls",
              usage.wall_s, usage.self_mb,
              f"customers with {min(history)}..{max(history)} orders before (median "
              f"{statistics.median(history):.0f}); {load}")
    )
    for step, values in (("order_record, one new order (median)", calls),
                         ("customer_preview inside it (median)", previews)):
        results.append(
            Timed("preview", target.vendor, step, statistics.median(values) / 1000, usage.self_mb,
                  f"{_ms(values)} over {len(values)} calls", digits=3)
        )
    return results


@register("export")
def bench_export(target: Target) -> list[Measurement]:
    """Export a month in the middle of the data to CSV and to XLSX."""
    results = _setup(target, "export", full_run=True)
    for fmt in ("csv", "xlsx"):
        path = OUT / f"export-{EXPORT_PERIOD}.{fmt}"
        path.unlink(missing_ok=True)
        step = f"export --period {EXPORT_PERIOD} --format {fmt}"
        m = run_tandem(target, "export", step, "commissions", "export", "--period", EXPORT_PERIOD,
                       "--format", fmt, "--output", str(path))
        rows = ""
        if fmt == "csv":
            with path.open(encoding="utf-8-sig") as fh:
                rows = f"{sum(1 for _ in fh) - 1} lines, "
        m.note = f"{rows}{path.stat().st_size / 1e6:.1f} MB; {m.note}"
        results.append(m)
        path.unlink()
    return results


@register("late-data")
def bench_late_data(target: Target) -> list[Measurement]:
    """After a full run, a back-fill: late orders and refunds dated over the
    last two years (one orders file), and new service owners of some
    customers from past days (one assignments file), then an incremental
    run; a full run afterwards must find nothing left to change."""
    results = _setup(target, "late-data", full_run=True)
    orders_file, owners_file = OUT / "backfill-orders.csv", OUT / "backfill-assignments.csv"
    orders, refunds = BACKFILL
    subprocess.run(
        [sys.executable, "-m", "bench.commissions", "backfill", "--data", str(target.data),
         "--orders-out", str(orders_file), "--assignments-out", str(owners_file),
         "--orders", str(orders), "--refunds", str(refunds), "--owners", str(OWNER_CHANGES)],
        cwd=REPO, check=True,
    )
    results.append(
        run_tandem(target, "late-data", f"setup: import {orders + refunds:,} late rows", "import", str(orders_file))
    )
    results.append(
        run_tandem(target, "late-data", f"setup: import {OWNER_CHANGES} new service owners", "import", str(owners_file))
    )
    results.append(run_tandem(target, "late-data", "run (incremental)", "commissions", "run"))
    results.append(run_tandem(target, "late-data", "run (incremental, no change)", "commissions", "run"))
    check = run_tandem(target, "late-data", "check: run --full", "commissions", "run", "--full")
    results.append(check)
    if "lines written 0, deleted 0" not in check.note:
        raise SystemExit(f"late-data: the incremental run left lines a full run changes: {check.note}")
    return results


@register("startup", own_data=True)
def bench_startup(target: Target) -> list[Measurement]:
    """`tandem --help`, STARTUP_RUNS times one after the other: the median
    and the spread of the command's start-up (Python, the command line's
    imports; no Django set-up, no database)."""
    load = _load()
    walls = []
    for _ in range(STARTUP_RUNS):
        started = time.perf_counter()
        subprocess.run([TANDEM, "--help"], env=target.env, check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
    return [
        Timed("startup", target.vendor, "tandem --help (median)", statistics.median(walls), 0,
              f"{_ms([w * 1000 for w in walls])} over {len(walls)} runs; {load}", digits=3)
    ]


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"


# --------------------------------------------------------------------------- #
# Data for the incremental run
# --------------------------------------------------------------------------- #


def _read_generated(data: Path):
    with (data / "customers.csv").open(encoding="utf-8", newline="") as fh:
        acquired = {row["customer_id"]: row["acquired_on"] for row in csv.DictReader(fh)}
    sales: dict[str, tuple[str, str, int]] = {}  # order_id -> (customer, date, cents)
    refunded: dict[str, int] = {}
    last_order = last_refund = 0
    with (data / "orders.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for order_id, customer_id, day, amount, _category, refund_of in reader:
            whole, _, frac = amount.partition(".")
            cents = int(whole) * 100 + int((frac + "00")[:2])
            if refund_of:
                refunded[refund_of] = refunded.get(refund_of, 0) + cents
                last_refund = max(last_refund, int(order_id[1:]))
            else:
                sales[order_id] = (customer_id, day, cents)
                last_order = max(last_order, int(order_id[1:]))
    return acquired, sales, refunded, last_order, last_refund


def increment_file(data: Path, path: Path, *, orders: int = 900, refunds: int = 100, seed: int = 2) -> Path:
    """A file of `orders` new orders for existing customers, dated in the last
    month of the data, and `refunds` refunds of existing orders of the last
    two months (dated on or after the order, never more than is left of it).
    Deterministic."""
    rnd = random.Random(seed)
    acquired, sales, refunded, last_order, last_refund = _read_generated(data)
    last_day = dt.date.fromisoformat(max(day for _, day, _ in sales.values()))
    month_start = last_day.replace(day=1)
    days = [month_start + dt.timedelta(days=d) for d in range((last_day - month_start).days + 1)]
    customer_ids = sorted(acquired)
    rows = []
    for n in range(1, orders + 1):
        day = rnd.choice(days)
        customer = rnd.choice(customer_ids)
        while acquired[customer] > day.isoformat():  # not before it was acquired
            customer = rnd.choice(customer_ids)
        cents = rnd.randrange(10_000, 5_000_000)
        category = rnd.choice(["equipment", "parts", "consumables", "service", "software", ""])
        rows.append((f"O{last_order + n:07d}", customer, day.isoformat(), _amount(cents), category, ""))
    since = (month_start - dt.timedelta(days=1)).replace(day=1).isoformat()
    candidates = sorted(
        oid for oid, (_c, day, cents) in sales.items() if day >= since and refunded.get(oid, 0) < cents
    )
    for n, order_id in enumerate(rnd.sample(candidates, refunds), start=1):
        customer, day, cents = sales[order_id]
        left = cents - refunded.get(order_id, 0)
        first = max(dt.date.fromisoformat(day), month_start)
        refund_day = first + dt.timedelta(days=rnd.randrange((last_day - first).days + 1))
        refund_cents = left if rnd.random() < 0.5 else rnd.randrange(1, left + 1)
        rows.append((f"R{last_refund + n:07d}", customer, refund_day.isoformat(), _amount(refund_cents), "", order_id))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["order_id", "customer_id", "order_date", "amount", "category", "refund_of"])
        writer.writerows(rows)
    tmp.replace(path)
    return path


def backfill_files(
    data: Path,
    orders_path: Path,
    assignments_path: Path,
    *,
    orders: int = 900,
    refunds: int = 100,
    owners: int = 100,
    seed: int = 4,
) -> tuple[Path, Path]:
    """An ERP back-fill (deterministic): `orders` new orders for existing
    customers (acquired on or before the day) and `refunds` refunds of
    existing orders, all dated over the two years up to the data's last
    order day (a refund on or after its order, within 90 days, never more
    than is left of it); and an assignments file giving `owners` customers
    a new service owner (a service employee employed that day) from a day
    in those two years, closing the current service row on that day."""
    rnd = random.Random(seed)
    acquired, sales, refunded, last_order, last_refund = _read_generated(data)
    last_day = dt.date.fromisoformat(max(day for _, day, _ in sales.values()))
    first_day = last_day.replace(year=last_day.year - 2) + dt.timedelta(days=1)
    span = (last_day - first_day).days + 1
    customer_ids = sorted(acquired)
    rows = []
    for n in range(1, orders + 1):
        day = first_day + dt.timedelta(days=rnd.randrange(span))
        customer = rnd.choice(customer_ids)
        while acquired[customer] > day.isoformat():  # not before it was acquired
            customer = rnd.choice(customer_ids)
        cents = rnd.randrange(10_000, 5_000_000)
        category = rnd.choice(["equipment", "parts", "consumables", "service", "software", ""])
        rows.append((f"O{last_order + n:07d}", customer, day.isoformat(), _amount(cents), category, ""))
    candidates = sorted(
        oid for oid, (_c, day, cents) in sales.items() if day >= first_day.isoformat() and refunded.get(oid, 0) < cents
    )
    for n, order_id in enumerate(rnd.sample(candidates, refunds), start=1):
        customer, day, cents = sales[order_id]
        left = cents - refunded.get(order_id, 0)
        order_day = dt.date.fromisoformat(day)
        refund_day = min(last_day, order_day + dt.timedelta(days=rnd.randrange(91)))
        refund_cents = left if rnd.random() < 0.5 else rnd.randrange(1, left + 1)
        rows.append((f"R{last_refund + n:07d}", customer, refund_day.isoformat(), _amount(refund_cents), "", order_id))
    _write_csv(orders_path, ["order_id", "customer_id", "order_date", "amount", "category", "refund_of"], rows)

    with (data / "staff.csv").open(encoding="utf-8", newline="") as fh:
        service_staff = [
            (row["staff_id"], row["hired_on"], row["left_on"])
            for row in csv.DictReader(fh)
            if row["role"] == "service"
        ]
    with (data / "assignments.csv").open(encoding="utf-8", newline="") as fh:
        open_service = {
            row["customer_id"]: (row["staff_id"], row["valid_from"])
            for row in csv.DictReader(fh)
            if row["role"] == "service" and not row["valid_to"]
        }
    owner_rows = []
    changed = 0
    for customer in rnd.sample(sorted(open_service), len(open_service)):
        if changed == owners:
            break
        staff_id, valid_from = open_service[customer]
        earliest = max(first_day, dt.date.fromisoformat(valid_from) + dt.timedelta(days=1))
        if earliest > last_day:
            continue
        day = earliest + dt.timedelta(days=rnd.randrange((last_day - earliest).days + 1))
        iso = day.isoformat()
        employed = [s for s, hired, left in service_staff if s != staff_id and hired <= iso and (not left or left > iso)]
        if not employed:
            continue
        owner_rows.append((customer, "service", staff_id, valid_from, iso))
        owner_rows.append((customer, "service", rnd.choice(employed), iso, ""))
        changed += 1
    _write_csv(assignments_path, ["customer_id", "role", "staff_id", "valid_from", "valid_to"], owner_rows)
    return orders_path, assignments_path


def _write_csv(path: Path, header: list[str], rows: list[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    tmp.replace(path)


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


# --------------------------------------------------------------------------- #
# The preview child: `python -m bench.commissions preview`
# --------------------------------------------------------------------------- #


def preview_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.commissions preview")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--orders", type=int, default=PREVIEW_ORDERS)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)

    from tandem.core import bootstrap

    bootstrap.setup()
    from tandem.commissions import services as commission_services
    from tandem.sales.models import Order

    rnd = random.Random(args.seed)
    with (args.data / "customers.csv").open(encoding="utf-8", newline="") as fh:
        acquired = {row["customer_id"]: row["acquired_on"] for row in csv.DictReader(fh)}
    last = Order.objects.order_by("-order_date").values_list("order_date", flat=True).first()
    day = last or dt.date(2025, 12, 31)
    customers = sorted(c for c, on in acquired.items() if on <= day.isoformat())

    # Time the preview inside order_record_previewed, which looks the
    # function up on its module at each call.
    original = commission_services.customer_preview
    preview_ms: list[float] = []

    def timed_preview(*, customer_id: str) -> None:
        started = time.perf_counter()
        original(customer_id=customer_id)
        preview_ms.append((time.perf_counter() - started) * 1000)

    commission_services.customer_preview = timed_preview  # type: ignore[assignment]
    calls_ms: list[float] = []
    history: list[int] = []
    for n in range(1, args.orders + 1):
        customer = rnd.choice(customers)
        history.append(Order.objects.filter(customer_id=customer, refund_of__isnull=True).count())
        amount = Decimal(rnd.randrange(10_000, 5_000_000)) / 100
        started = time.perf_counter()
        commission_services.order_record_previewed(
            order_id=f"P{n:07d}", customer=customer, order_date=day, amount=amount, category="parts"
        )
        calls_ms.append((time.perf_counter() - started) * 1000)
    commission_services.customer_preview = original  # type: ignore[assignment]
    with open("/proc/self/status") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    args.report.write_text(
        json.dumps({"order_record_ms": calls_ms, "customer_preview_ms": preview_ms, "history_orders": history,
                    "hwm_kb": hwm})
    )


def increment_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.commissions increment")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--orders", type=int, default=INCREMENT[0])
    parser.add_argument("--refunds", type=int, default=INCREMENT[1])
    args = parser.parse_args(argv)
    increment_file(args.data, args.out, orders=args.orders, refunds=args.refunds)


def backfill_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.commissions backfill")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--orders-out", type=Path, required=True)
    parser.add_argument("--assignments-out", type=Path, required=True)
    parser.add_argument("--orders", type=int, default=BACKFILL[0])
    parser.add_argument("--refunds", type=int, default=BACKFILL[1])
    parser.add_argument("--owners", type=int, default=OWNER_CHANGES)
    args = parser.parse_args(argv)
    backfill_files(
        args.data, args.orders_out, args.assignments_out,
        orders=args.orders, refunds=args.refunds, owners=args.owners,
    )


# --------------------------------------------------------------------------- #
# Where a run's time goes: `python -m bench.commissions phases [--full]`
# --------------------------------------------------------------------------- #


def phases_main(argv: list[str]) -> None:
    """Run the commissions in-process (TANDEM_RUN_WORKERS=0) on the database
    of TANDEM_DATABASE_URL, with a timer around each phase; prints the split.
    Writes to that database like `tandem commissions run` does."""
    parser = argparse.ArgumentParser(prog="python -m bench.commissions phases")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    os.environ["TANDEM_RUN_WORKERS"] = "0"

    from collections import defaultdict

    from tandem.core import bootstrap

    bootstrap.setup()
    from django.db import connection

    from tandem.commissions import changes, compare, engine, histories, linestore, runs

    spent: dict[str, float] = defaultdict(float)

    def timed(module, name: str, label: str) -> None:
        """Time `module.name` wherever it is called from: every tandem
        module that imported it by name gets the timed version too."""
        inner = getattr(module, name)

        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return inner(*a, **k)
            finally:
                spent[label] += time.perf_counter() - started

        for loaded in list(sys.modules.values()):
            if getattr(loaded, "__name__", "").startswith("tandem.") and getattr(loaded, name, None) is inner:
                setattr(loaded, name, wrapper)

    timed(linestore, "all_customer_ids", "customer ids")
    timed(changes, "recompute_scope", "customer ids")
    timed(histories, "read_histories", "read histories (orders, refunds, assignments)")
    timed(linestore, "stored_lines", "read stored lines")
    timed(engine, "compute_customer_as", "engine.compute_customer_as (lines as rows)")
    timed(compare, "wanted_rows", "open months and adjustments")
    timed(compare, "diff_batch", "(compute batch: engine + rows + compare)")
    timed(linestore, "delete_lines", "delete lines")
    timed(linestore, "insert_lines", "insert lines")
    started = time.perf_counter()
    result = runs.run_commissions(full=args.full)
    total = time.perf_counter() - started
    print(
        f"{connection.vendor}: {result.mode} run, customers {result.customers}, lines written "
        f"{result.lines_written}, deleted {result.lines_deleted}: {total:.2f} s in run_commissions "
        f"(its own duration_ms {result.duration_ms})"
    )
    for label, seconds in spent.items():
        print(f"  {label:48s} {seconds:6.2f} s")
    nested = ("engine.compute_customer_as (lines as rows)", "open months and adjustments")  # inside "compute batch"
    other = total - sum(v for k, v in spent.items() if k not in nested)
    print(f"  {'other (dirty marks, run record, commit, ...)':48s} {other:6.2f} s")


if __name__ == "__main__":
    commands = {"preview": preview_main, "increment": increment_main, "backfill": backfill_main, "phases": phases_main}
    if sys.argv[1:2] and sys.argv[1] in commands:
        commands[sys.argv[1]](sys.argv[2:])
    else:
        sys.exit(
            "usage: python -m bench.commissions preview --data DIR --report FILE [--orders N]\n"
            "       python -m bench.commissions increment --data DIR --out FILE [--orders N] [--refunds N]\n"
            "       python -m bench.commissions backfill --data DIR --orders-out FILE --assignments-out FILE\n"
            "                                            [--orders N] [--refunds N] [--owners N]\n"
            "       python -m bench.commissions phases [--full]   (on TANDEM_DATABASE_URL; writes to it)"
        )
