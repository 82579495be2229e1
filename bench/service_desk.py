"""Benchmarks of the service desk, registered in bench.run's registry.

    python -m bench.run service-desk [--postgres URL]
    python -m bench.service_desk generate [--data bench/data]   (the files only)

On the benchmark company (bench/generate.py: 1M orders, 20,000 customers),
the service desk's history as exchange files (spec/service-desk.md),
deterministic: 200,000 callbacks, 20,000 complaints and 50,000 survey
answers over 2023-01-01..2025-12-31, written into ``<data>/service-desk/``
on first use. Each callback is made by the customer's service owner of
the day when it has one (else by a service person working that day).

Steps (after importing the company and loading the default plan, reported
as "setup: ..."):

- import the three files in one command, then again (nothing changes);
- ``tandem scorecards export`` for one month (2025-06), every person;
- ``tandem scorecards export`` for the 12 months 2025-01..2025-12.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import random
import sys
from collections import defaultdict
from pathlib import Path

START = dt.date(2023, 1, 1)
END = dt.date(2025, 12, 31)
CALLBACKS = 200_000
COMPLAINTS = 20_000
SURVEYS = 50_000
FILES = ("callbacks.csv", "complaints.csv", "surveys.csv")
SUBDIR = "service-desk"
MONTH = "2025-06"
YEAR = ("2025-01", "2025-12")

NOTES = ["对交期满意", "希望价格再优惠", "安装指导很及时", "包装有破损", "客服回复慢", "", "", ""]
COMPLAINT_NOTES = ["发货延迟", "产品有瑕疵", "发票开错", "客服态度", "安装问题", "退款慢"]
COMMENTS = ["服务很好", "一般", "希望改进售后", "", ""]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _d(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class _Company:
    """What the generator needs of the company's files."""

    def __init__(self, data: Path) -> None:
        self.staff: dict[str, tuple[dt.date | None, dt.date | None]] = {}
        service: list[str] = []
        for row in _read(data / "staff.csv"):
            self.staff[row["staff_id"]] = (_d(row["hired_on"]), _d(row["left_on"]))
            if row["role"] == "service":
                service.append(row["staff_id"])
        self.service = service
        self.customers = [(row["customer_id"], _d(row["acquired_on"])) for row in _read(data / "customers.csv")]
        rows: dict[str, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
        for row in _read(data / "assignments.csv"):
            if row["role"] == "service":
                valid_from = _d(row["valid_from"])
                assert valid_from is not None
                rows[row["customer_id"]].append((valid_from, _d(row["valid_to"]), row["staff_id"]))
        for spans in rows.values():
            spans.sort(key=lambda span: span[0])
        self.rows = rows

    def active(self, staff_id: str, day: dt.date) -> bool:
        hired, left = self.staff[staff_id]
        return (hired is None or hired <= day) and (left is None or day < left)

    def caller(self, rnd: random.Random, customer_id: str, day: dt.date) -> str:
        spans = self.rows.get(customer_id, [])
        i = bisect.bisect_right(spans, day, key=lambda span: span[0])
        if i:
            valid_from, valid_to, staff_id = spans[i - 1]
            if (valid_to is None or day < valid_to) and self.active(staff_id, day):
                return staff_id
        while True:
            staff_id = rnd.choice(self.service)
            if self.active(staff_id, day):
                return staff_id


def _day(rnd: random.Random, low: dt.date) -> dt.date:
    low = max(low, START)
    return low + dt.timedelta(days=rnd.randrange((END - low).days + 1))


def generate(data: Path, *, seed: int = 7) -> Path:
    """Write the three files under ``data/service-desk``; returns that folder."""
    rnd = random.Random(seed)
    company = _Company(data)
    out = data / SUBDIR
    out.mkdir(parents=True, exist_ok=True)
    customers = [(cid, acquired) for cid, acquired in company.customers if acquired is not None and acquired <= END]

    with (out / "callbacks.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["callback_id", "customer_id", "staff_id", "called_on", "outcome", "score", "note"])
        for i in range(CALLBACKS):
            customer_id, acquired = rnd.choice(customers)
            day = _day(rnd, acquired)
            outcome = rnd.choices(
                ["satisfied", "neutral", "dissatisfied", "unreachable"], weights=[70, 15, 7, 8]
            )[0]
            score = "" if outcome == "unreachable" or rnd.random() < 0.3 else str(
                {"satisfied": rnd.choice([4, 5]), "neutral": 3, "dissatisfied": rnd.choice([1, 2])}[outcome]
            )
            w.writerow([f"HF{i + 1:07d}", customer_id, company.caller(rnd, customer_id, day), day.isoformat(),
                        outcome, score, rnd.choice(NOTES)])

    with (out / "complaints.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["complaint_id", "customer_id", "opened_on", "severity", "escalated", "channel",
                    "resolved_on", "note"])
        for i in range(COMPLAINTS):
            customer_id, acquired = rnd.choice(customers)
            opened = _day(rnd, acquired)
            severity = rnd.choices(["low", "normal", "high"], weights=[30, 55, 15])[0]
            escalated = rnd.random() < 0.05
            channel = "management" if escalated else rnd.choice(["call", "message", "email", "visit", "other", ""])
            resolved = "" if rnd.random() < 0.04 else (opened + dt.timedelta(days=rnd.choice([0, 1, 1, 2, 3, 5, 8, 12]))).isoformat()
            w.writerow([f"TS{i + 1:06d}", customer_id, opened.isoformat(), severity, "yes" if escalated else "no",
                        channel, resolved, rnd.choice(COMPLAINT_NOTES)])

    with (out / "surveys.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["survey_id", "customer_id", "answered_on", "answer", "score", "comment"])
        for i in range(SURVEYS):
            customer_id, acquired = rnd.choice(customers)
            day = _day(rnd, acquired)
            answer = rnd.choices(["satisfied", "neutral", "dissatisfied"], weights=[72, 20, 8])[0]
            score = "" if rnd.random() < 0.2 else str({"satisfied": rnd.choice([4, 5]), "neutral": 3,
                                                        "dissatisfied": rnd.choice([1, 2])}[answer])
            w.writerow([f"DC{i + 1:06d}", customer_id, day.isoformat(), answer, score, rnd.choice(COMMENTS)])
    return out


def ensure(data: Path) -> Path:
    out = data / SUBDIR
    if not all((out / name).exists() for name in FILES):
        generate(data)
    return out


def _register() -> None:
    # `python -m bench.run` runs bench/run.py as __main__; registering into a
    # second copy imported as `bench.run` would be lost, so use __main__ itself.
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None) == "bench.run":
        sys.modules.setdefault("bench.run", main)  # type: ignore[arg-type]
    from bench.run import OUT, Measurement, Target, data_files, register

    @register("service-desk")
    def bench_service_desk(target: Target) -> list[Measurement]:
        # bench.commissions imports bench.run, which imports this module.
        from bench.commissions import DEFAULT_PLAN, run_tandem

        folder = ensure(target.data)
        files = [str(folder / name) for name in FILES]
        results = [
            run_tandem(target, "service-desk", "setup: import", "import", *data_files(target)),
            run_tandem(target, "service-desk", "setup: plans load", "plans", "load", str(DEFAULT_PLAN)),
        ]
        rows = f"{CALLBACKS:,} callbacks, {COMPLAINTS:,} complaints, {SURVEYS:,} survey answers"
        results.append(run_tandem(target, "service-desk", f"import {rows}", "import", *files))
        results.append(run_tandem(target, "service-desk", "re-import (no change)", "import", *files))
        OUT.mkdir(parents=True, exist_ok=True)
        for step, args in (
            (f"scorecards export --period {MONTH}", ["--period", MONTH]),
            (f"scorecards export --period {YEAR[0]} --to {YEAR[1]}", ["--period", YEAR[0], "--to", YEAR[1]]),
        ):
            path = OUT / "scorecards.csv"
            path.unlink(missing_ok=True)
            m = run_tandem(target, "service-desk", step, "scorecards", "export", *args, "--output", str(path))
            with path.open(encoding="utf-8-sig") as fh:
                m.note = f"{sum(1 for _ in fh) - 1} rows; {m.note}"
            path.unlink()
            results.append(m)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description="The service desk's benchmark data.")
    parser.add_argument("command", choices=["generate"])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent / "data")
    args = parser.parse_args()
    print(generate(args.data))


if __name__ == "__main__":
    main()
else:
    _register()
