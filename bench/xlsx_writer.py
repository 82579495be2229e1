"""The month export's XLSX writing alone: tandem.core.xlsx_writer against
openpyxl's write-only mode, on rows made here like a month's export.

    python -m bench.xlsx_writer [--rows N] [--repeat N] [--levels 1,3,6,9]

No database and no `tandem` process: only the writing that `tandem
commissions export --format xlsx` does once it has the rows (a list of
strings per line, the money columns as "123.45"). Each variant writes the
same rows to a file under bench/out/; the best wall time of `--repeat` runs
(time.perf_counter) and the file's size are printed as Markdown table rows,
then each file is read back with openpyxl (read-only) to check its row count.

The rows: the export's 14 columns (period, order_id, staff_id, role,
scenario, kind, amount, staff_name, customer_id, line_date, pool, weight,
refund_id, then, in place of the mostly empty adjusts_period, a Chinese
explanation of ~40 characters, so a little heavier than a real month).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from tandem.core.xlsx_writer import write_xlsx

OUT = Path(__file__).resolve().parent / "out"
ROWS = 55_940  # lines in the generated data's 2024-06 (bench.commissions' export month)
HEADER = [
    "period",
    "order_id",
    "staff_id",
    "role",
    "scenario",
    "kind",
    "amount",
    "staff_name",
    "customer_id",
    "line_date",
    "pool",
    "weight",
    "refund_id",
    "explanation",
]
MONEY = (HEADER.index("amount"), HEADER.index("pool"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"
CITIES = ("华东", "华南", "苏州", "无锡", "常州", "杭州", "宁波", "南京")
TRADES = ("机电", "精工", "五金", "贸易", "电子", "化工", "纺织", "包装")


def make_rows(count: int, seed: int = 20240615) -> list[list[str]]:
    """`count` export-like rows, the same for a given seed."""
    rnd = random.Random(seed)
    names = {
        f"S{n:03d}": rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
        for n in range(1, 121)
    }
    names |= {f"V{n:03d}": rnd.choice(SURNAMES) + rnd.choice(GIVEN) for n in range(1, 61)}
    sales = [s for s in names if s.startswith("S")]
    service = [s for s in names if s.startswith("V")]
    rows: list[list[str]] = []
    order = 123_000
    while len(rows) < count:
        order += rnd.randint(1, 3)
        customer = f"C{rnd.randint(1, 40_000):05d}"
        company = rnd.choice(CITIES) + rnd.choice(TRADES) + "有限公司"
        day = f"2024-06-{rnd.randint(1, 30):02d}"
        order_amount = Decimal(rnd.randint(5_000, 2_000_000)) / 100
        pool = (order_amount * Decimal("0.05")).quantize(Decimal("0.01"))
        scenario = rnd.choice(("standard", "standard", "standard", "inherited", "referral"))
        refund = f"R{order + 1:07d}" if rnd.random() < 0.03 else ""
        for role, staff, share in (
            ("sales", rnd.choice(sales), "0.7"),
            ("service", rnd.choice(service), "0.3"),
        ):
            amount = (pool * Decimal(share)).quantize(Decimal("0.01"))
            if refund:
                amount = -amount
            explanation = (
                f"订单金额{order_amount}元，客户{company}，提成池按5%计{pool}元，"
                f"{names[staff]}作为{'销售' if role == 'sales' else '客服'}占{share}"
            )
            rows.append(
                [
                    "2024-06",
                    f"O{order:07d}",
                    staff,
                    role,
                    scenario,
                    "base",
                    str(amount),
                    names[staff],
                    customer,
                    day,
                    str(pool),
                    share,
                    refund,
                    explanation,
                ]
            )
    return rows[:count]


def write_openpyxl(path: Path, rows: list[list[str]]) -> None:
    """What `_write_table` did before: openpyxl write-only, money as Decimal."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("2024-06")
    ws.append(HEADER)
    for row in rows:
        ws.append([Decimal(v) if i in MONEY and v else v for i, v in enumerate(row)])
    wb.save(path)


def best_of(repeat: int, write: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        write()
        times.append(time.perf_counter() - started)
    return min(times)


def read_back_rows(path: Path) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in wb.active.iter_rows(values_only=True))
    finally:
        wb.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time XLSX writing of a month's export rows.")
    parser.add_argument("--rows", type=int, default=ROWS, help=f"rows to write (default {ROWS})")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per variant; the best counts (default 3)"
    )
    parser.add_argument(
        "--levels", default="1,3,6,9", help="deflate levels for xlsx_writer (default 1,3,6,9)"
    )
    parser.add_argument("--skip-openpyxl", action="store_true", help="time only xlsx_writer")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    rows = make_rows(args.rows)
    cells = len(rows) * len(HEADER)
    print(
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}"
    )
    print(f"{len(rows)} rows x {len(HEADER)} columns ({cells:,} cells), best of {args.repeat}")
    print()
    print("| writer | wall (s) | us per cell | size (MB) | rows read back |")
    print("|--------|---------:|------------:|----------:|---------------:|")

    variants: list[tuple[str, Path, Callable[[Path], None]]] = []
    for level in (int(v) for v in args.levels.split(",")):

        def ours(path: Path, level: int = level) -> None:
            write_xlsx(path, "2024-06", HEADER, rows, MONEY, compresslevel=level)

        variants.append(
            (f"xlsx_writer, compresslevel {level}", OUT / f"xlsx_writer-{level}.xlsx", ours)
        )
    if not args.skip_openpyxl:
        variants.append(
            ("openpyxl write-only", OUT / "openpyxl.xlsx", lambda path: write_openpyxl(path, rows))
        )

    for label, path, write in variants:
        wall = best_of(args.repeat, lambda: write(path))  # noqa: B023 (called right here)
        size = path.stat().st_size / 1e6
        read = read_back_rows(path)
        print(
            f"| {label} | {wall:.2f} | {wall / cells * 1e6:.2f} | {size:.1f} | {read} |", flush=True
        )


if __name__ == "__main__":
    main()
