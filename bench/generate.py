"""Generate a large, realistic company as exchange files (deterministic).

    python -m bench.generate [--out bench/data] [--seed 1] [--orders 1000000]
                             [--customers 20000] [--staff 300]

Writes staff.csv (sales, service, managers and a few others; about 15% of
the salespeople have left), customers.csv (some referred by an older
customer, each developed by a salesperson), assignments.csv (a sales and a
service row per customer; a handover to another salesperson when the
developer left, except for some customers that were never handed over) and
orders.csv (orders over 2023-01-01..2025-12-31 with ids O0000001…, then about
3% refunds R0000001…, some partial, dated after their order).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import time
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "data"
START = dt.date(2023, 1, 1)
END = dt.date(2025, 12, 31)
CATEGORIES = ["equipment", "parts", "consumables", "service", "software", ""]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
CITIES = ["上海", "苏州", "无锡", "常州", "杭州", "宁波", "南京", "合肥", "温州", "嘉兴"]
TRADES = ["机电", "精工", "五金", "贸易", "电子", "自动化", "材料", "科技", "物流", "包装"]
FILES = ("staff.csv", "customers.csv", "assignments.csv", "orders.csv")


def _writer(path: Path):
    fh = path.open("w", encoding="utf-8", newline="")
    return fh, csv.writer(fh, lineterminator="\n")


def generate(out: Path, *, seed: int = 1, orders: int = 1_000_000, customers: int = 20_000,
             staff: int = 300) -> dict[str, int]:
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    # Staff: half sales, ~40% service, the rest managers, finance, admin.
    n_sales = staff // 2
    n_service = staff * 2 // 5
    people = []
    left_on: dict[str, dt.date | None] = {}
    sales_ids: list[str] = []
    service_ids: list[str] = []
    for i in range(staff):
        staff_id = f"E{i + 1:04d}"
        if i < n_sales:
            role = "sales"
        elif i < n_sales + n_service:
            role = "service"
        else:
            role = ("manager", "manager", "finance", "admin")[i % 4]
        hired = dt.date(2015, 1, 1) + dt.timedelta(days=rnd.randrange(0, 365 * 7))
        left = None
        if role == "sales" and rnd.random() < 0.15:
            left = START + dt.timedelta(days=rnd.randrange(30, (END - START).days))
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
        people.append((staff_id, name, role, hired.isoformat(), left.isoformat() if left else ""))
        left_on[staff_id] = left
        if role == "sales":
            sales_ids.append(staff_id)
        elif role == "service":
            service_ids.append(staff_id)
    fh, w = _writer(out / "staff.csv")
    w.writerow(["staff_id", "name", "role", "hired_on", "left_on"])
    w.writerows(people)
    fh.close()
    counts["staff"] = len(people)

    # Customers, acquired 2020..2025; about 10% referred by an older one.
    acquired: list[dt.date] = sorted(
        dt.date(2020, 1, 1) + dt.timedelta(days=rnd.randrange(0, 365 * 6)) for _ in range(customers)
    )
    rows = []
    developer: list[str] = []
    for i in range(customers):
        customer_id = f"C{i + 1:06d}"
        on = acquired[i]
        # The developer was working when the customer was won.
        candidates = [s for s in sales_ids if left_on[s] is None or left_on[s] > on]
        by = rnd.choice(candidates)
        developer.append(by)
        referred = f"C{rnd.randrange(1, i + 1):06d}" if i > 0 and rnd.random() < 0.10 else ""
        tier = "key" if rnd.random() < 0.08 else "standard"
        name = rnd.choice(CITIES) + rnd.choice(CITIES)[0] + rnd.choice(TRADES) + f"{i + 1}号有限公司"
        rows.append((customer_id, name, tier, on.isoformat(), by, referred))
    fh, w = _writer(out / "customers.csv")
    w.writerow(["customer_id", "name", "tier", "acquired_on", "acquired_by", "referred_by"])
    w.writerows(rows)
    fh.close()
    counts["customers"] = customers

    # Assignments: sales from acquired_on by the developer; when the
    # developer left, 80% are handed over on the departure day; service from
    # acquired_on, and 10% changed service owner once.
    fh, w = _writer(out / "assignments.csv")
    w.writerow(["customer_id", "role", "staff_id", "valid_from", "valid_to"])
    n_assign = 0
    for i in range(customers):
        customer_id = f"C{i + 1:06d}"
        on = acquired[i]
        by = developer[i]
        left = left_on[by]
        if left is not None and rnd.random() < 0.8:
            successor = rnd.choice([s for s in sales_ids if s != by and left_on[s] is None])
            w.writerow((customer_id, "sales", by, on.isoformat(), left.isoformat()))
            w.writerow((customer_id, "sales", successor, left.isoformat(), ""))
            n_assign += 2
        else:
            w.writerow((customer_id, "sales", by, on.isoformat(), ""))
            n_assign += 1
        service = rnd.choice(service_ids)
        if rnd.random() < 0.10:
            change = max(on + dt.timedelta(days=1), START) + dt.timedelta(days=rnd.randrange(0, 900))
            other = rnd.choice([s for s in service_ids if s != service])
            w.writerow((customer_id, "service", service, on.isoformat(), change.isoformat()))
            w.writerow((customer_id, "service", other, change.isoformat(), ""))
            n_assign += 2
        else:
            w.writerow((customer_id, "service", service, on.isoformat(), ""))
            n_assign += 1
    fh.close()
    counts["assignments"] = n_assign

    # Orders: dates sorted so ids follow time; each order is dated on or
    # after its customer was acquired.
    span = (END - START).days + 1
    days = sorted(rnd.randrange(span) for _ in range(orders))
    all_dates = [(START + dt.timedelta(days=d)) for d in range(span)]
    date_text = [d.isoformat() for d in all_dates]
    # customers acquired on or before each day (acquired is sorted)
    import bisect

    upto = [bisect.bisect_right(acquired, d) for d in all_dates]
    fh, w = _writer(out / "orders.csv")
    w.writerow(["order_id", "customer_id", "order_date", "amount", "category", "refund_of"])
    refunds_of: list[tuple[int, int, int, int]] = []  # (order no, customer no, day, cents)
    rand = rnd.random
    randrange = rnd.randrange
    batch = []
    for n, day in enumerate(days, start=1):
        limit = upto[day] or 1
        customer = randrange(limit)
        cents = randrange(10_000, 5_000_000)
        category = CATEGORIES[randrange(len(CATEGORIES))]
        batch.append(
            (f"O{n:07d}", f"C{customer + 1:06d}", date_text[day],
             f"{cents // 100}.{cents % 100:02d}", category, "")
        )
        if rand() < 0.03:
            refunds_of.append((n, customer, day, cents))
        if len(batch) >= 50_000:
            w.writerows(batch)
            batch.clear()
    w.writerows(batch)
    batch.clear()
    for r, (n, customer, day, cents) in enumerate(refunds_of, start=1):
        refund_cents = cents if rand() < 0.5 else randrange(1, cents)
        refund_day = START + dt.timedelta(days=day + randrange(1, 60))
        batch.append(
            (f"R{r:07d}", f"C{customer + 1:06d}", refund_day.isoformat(),
             f"{refund_cents // 100}.{refund_cents % 100:02d}", "", f"O{n:07d}")
        )
    w.writerows(batch)
    fh.close()
    counts["orders"] = orders
    counts["refunds"] = len(refunds_of)
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
