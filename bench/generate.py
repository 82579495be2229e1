"""Generate the benchmark company as exchange files (deterministic).

    python -m bench.generate [--out bench/data] [--seed 1] [--orders 1000000]
                             [--customers 20000] [--staff 300]

The demo company (tandem.demo.company) at benchmark size: the same teams,
departures, handovers and releases, referrals, seasons and refunds, with
`--staff` people (repeating the demo's sales and service teams), `--customers`
customers and exactly `--orders` sale orders over 2023-01-01..2025-12-31,
plus about 3% refunds. Writes staff.csv, customers.csv, assignments.csv and
orders.csv with the columns `tandem import` reads; orders.csv holds each
month's orders then that month's refunds. Order ids are numbered in date
order, O0000001…, refunds R0000001… (bench.commissions numbers its new
orders on from the largest). The releases are written into assignments.csv
as they end (the giver's row closed on the release day, the colleague's row
from that day).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from tandem.demo.company import build_company, iter_orders, write_files

DEFAULT_OUT = Path(__file__).resolve().parent / "data"
TODAY = dt.date(2025, 12, 31)  # the last order day
MONTHS = 35  # whole months before TODAY's: the window starts on 2023-01-01
FILES = ("staff.csv", "customers.csv", "assignments.csv", "orders.csv")


def generate(out: Path, *, seed: int = 1, orders: int = 1_000_000, customers: int = 20_000,
             staff: int = 300) -> dict[str, int]:
    """Write the four files into `out`; returns the rows written per file
    (orders and refunds apart)."""
    company = build_company(seed=seed, today=TODAY, customers=customers, staff=staff, orders=orders,
                            months=MONTHS, order_ids="numbered")
    # The ledger as it ends, releases included: the benchmark has no later
    # step that would write them.
    _paths, counts = write_files(company, out, assignments=company.assignments,
                                 orders=iter_orders(company))
    return counts


def ensure(out: Path = DEFAULT_OUT, *, seed: int = 1) -> Path:
    """Generate the default data set unless it is already there."""
    if not all((out / name).exists() for name in FILES):
        generate(out, seed=seed)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--staff", type=int, default=300)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = generate(args.out, seed=args.seed, orders=args.orders, customers=args.customers,
                      staff=args.staff)
    took = time.perf_counter() - started
    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"{args.out}: {summary} ({took:.1f} s)")


if __name__ == "__main__":
    main()
