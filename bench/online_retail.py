"""The Online Retail invoices (a real UK gift-ware retailer, 2010-12-01 to
2011-12-09) as Tandem exchange files, and a benchmark on them.

    python -m bench.online_retail --out DIR [--source PATH] [--seed N]

Writes staff.csv, customers.csv, assignments.csv and orders.csv into DIR and
prints what was converted and what was skipped. Every choice is described in
docs/online-retail.md; in short:

- one order per invoice that has a CustomerID, ``order_id`` = InvoiceNo,
  amount = sum of Quantity x UnitPrice over its lines (Decimal), rounded half
  up to cents once per invoice; category ``giftware``; invoices whose total is
  not above 0.00 are skipped;
- a cancellation (InvoiceNo ``C...``) line is matched to the most recent
  earlier invoice of the same customer that still has that StockCode left to
  cancel, then to older ones for whatever quantity is left; the matched value
  (quantity x the cancellation's price) becomes a refund of that invoice,
  dated the cancellation's date, one refund row per (cancellation, invoice),
  capped at what the earlier refunds left of the invoice;
- lines of ``A`` (bad debt) invoices, stock adjustments (negative quantity
  outside a cancellation), lines without CustomerID and lines with a zero
  price are skipped and counted;
- staff and owners are made up, deterministically from ``--seed``: 8
  salespeople and 6 service staff; customers dealt round-robin by country and
  revenue; the first salesperson of the seed's order leaves on 2011-07-01 and
  the second takes over their customers.

The benchmark ``online-retail`` (registered with bench.run) converts the file,
loads the default plan, imports the four files, imports them again, runs the
commissions in full and exports 2011-11.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import gzip
import io
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from tandem.core.money import format_cents, to_cents

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "online-retail" / "online_retail.csv.gz"
DEFAULT_PLAN = REPO / "src" / "tandem" / "commissions" / "default_plan.toml"
FILES = ("staff.csv", "customers.csv", "assignments.csv", "orders.csv")

CATEGORY = "giftware"
N_SALES = 8
N_SERVICE = 6
HIRED_ON = dt.date(2010, 11, 1)  # a month before the first invoice
DEPARTURE = dt.date(2011, 7, 1)  # the leaving salesperson's left_on
KEY_SHARE = 0.05  # the top 5% of customers by net revenue are `key`

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"

COLUMNS = (
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
)

# Why a source line was not used, in the order the reasons are tested.
SKIP_REASONS = {
    "bad_debt": "'A' bad-debt adjustment invoice",
    "stock_adjustment": "negative quantity outside a cancellation (stock adjustment)",
    "no_customer": "no CustomerID",
    "zero_price": "UnitPrice 0",
    "negative_price": "negative UnitPrice",
    "zero_quantity": "Quantity 0",
    "positive_cancellation": "positive quantity on a cancellation",
    "unknown_invoice": "InvoiceNo neither a number nor C/A-prefixed",
}


# --------------------------------------------------------------------------- #
# Reading
# --------------------------------------------------------------------------- #


@dataclass
class Invoice:
    """A sale invoice of one customer (its usable lines only)."""

    number: str
    customer: str
    when: str  # earliest InvoiceDate of its lines, "YYYY-MM-DD HH:MM:SS"
    country: str
    total: Decimal = Decimal(0)
    quantity: Counter = field(default_factory=Counter)  # StockCode -> units

    @property
    def key(self) -> tuple[str, int]:
        """Date order; within the same minute, the invoice number's."""
        return (self.when, int(self.number))


@dataclass
class Cancellation:
    number: str
    customer: str
    when: str
    lines: list[tuple[str, int, Decimal]] = field(
        default_factory=list
    )  # (StockCode, units > 0, price)

    @property
    def key(self) -> tuple[str, int]:
        """Comparable with Invoice.key: C541512 comes after 541511 and
        before 541513 when all three share a minute."""
        digits = self.number[1:]
        return (self.when, int(digits) if digits.isdigit() else 0)


@dataclass
class Stats:
    """What a conversion read, wrote and skipped."""

    lines: int = 0
    invoices: int = 0  # distinct InvoiceNo in the source
    sale_invoices: int = 0  # numeric InvoiceNo
    cancellation_invoices: int = 0
    bad_debt_invoices: int = 0
    sale_invoices_with_customer: int = 0
    orders: int = 0
    invoices_not_positive: int = 0
    cancellations_with_customer: int = 0
    cancellation_lines: int = 0  # usable lines of cancellations with a customer
    lines_matched: int = 0  # whole quantity matched
    lines_partly_matched: int = 0
    lines_unmatched: int = 0
    lines_unmatched_no_sale: int = 0  # of those: no earlier sale of that StockCode to that customer
    units_unmatched: int = 0
    value_unmatched: Decimal = Decimal(0)
    refunds: int = 0
    refunds_capped: list[str] = field(default_factory=list)  # "C123 -> 456: 12.00 capped at 10.00"
    refunds_zero: int = 0  # matched value rounds to 0.00 (or nothing left to refund)
    cancellations_split: int = 0  # cancellations written as several refund rows
    orders_cents: int = 0
    refunds_cents: int = 0
    customers: int = 0
    key_customers: int = 0
    staff: int = 0
    assignments: int = 0
    handed_over: int = 0
    skipped: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        lines = [
            f"source lines          {self.lines:>9,}",
            f"invoices              {self.invoices:>9,}  (sales {self.sale_invoices:,}, "
            f"cancellations {self.cancellation_invoices:,}, bad debt {self.bad_debt_invoices:,})",
            f"sale invoices with a customer {self.sale_invoices_with_customer:,}: "
            f"orders written {self.orders:,}, skipped (total <= 0.00) {self.invoices_not_positive:,}",
            f"cancellations with a customer {self.cancellations_with_customer:,}, "
            f"their lines {self.cancellation_lines:,}: matched {self.lines_matched:,}, "
            f"partly matched {self.lines_partly_matched:,}, unmatched {self.lines_unmatched:,} "
            f"(never sold before {self.lines_unmatched_no_sale:,}, "
            f"earlier sales already cancelled {self.lines_unmatched - self.lines_unmatched_no_sale:,})",
            f"not imported: {self.units_unmatched:,} cancelled units worth "
            f"{format_cents(to_cents(self.value_unmatched))} GBP (unmatched and partly matched lines)",
            f"refunds written       {self.refunds:>9,}  (cancellations split over several invoices "
            f"{self.cancellations_split:,}, capped at what was left {len(self.refunds_capped):,}, "
            f"dropped at 0.00 {self.refunds_zero:,})",
            f"orders total {format_cents(self.orders_cents)} GBP, "
            f"refunds total {format_cents(self.refunds_cents)} GBP",
            f"customers {self.customers:,} (key {self.key_customers:,}), staff {self.staff}, "
            f"assignment rows {self.assignments:,} (customers handed over {self.handed_over:,})",
            "skipped lines:",
        ]
        for reason, label in SKIP_REASONS.items():
            if self.skipped[reason]:
                lines.append(f"  {self.skipped[reason]:>9,}  {label}")
        lines.append(f"  {sum(self.skipped.values()):>9,}  in all")
        return "\n".join(lines)


def _open_source(source: Path) -> io.TextIOBase:
    if source.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(source, "rb"), encoding="utf-8-sig", newline="")
    return source.open(encoding="utf-8-sig", newline="")


def read_source(
    rows: Iterable[list[str]], stats: Stats
) -> tuple[dict[str, Invoice], dict[str, Cancellation]]:
    """Sale invoices and cancellations (with a customer) from the source rows
    (header first); every line not used is counted in ``stats.skipped``."""
    it = iter(rows)
    header = next(it)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValueError(f"source: missing columns {', '.join(missing)}")
    ix = [header.index(c) for c in COLUMNS]
    i_inv, i_stock, _i_desc, i_qty, i_date, i_price, i_cust, i_country = ix

    invoices: dict[str, Invoice] = {}
    cancels: dict[str, Cancellation] = {}
    numbers: set[str] = set()
    prices: dict[str, Decimal] = {}
    with_customer: set[str] = set()  # sale invoices with a customer (any usable-looking line)
    skipped = stats.skipped
    for lineno, row in enumerate(it, start=2):
        stats.lines += 1
        number = row[i_inv].strip()
        if number not in numbers:
            numbers.add(number)
            if number[:1] == "C":
                stats.cancellation_invoices += 1
            elif number[:1] == "A":
                stats.bad_debt_invoices += 1
            elif number.isdigit():
                stats.sale_invoices += 1
        try:
            quantity = int(row[i_qty])
            text = row[i_price].strip()
            price = prices.get(text)
            if price is None:
                price = prices[text] = Decimal(text)
        except (ValueError, ArithmeticError) as exc:
            raise ValueError(f"source line {lineno}: bad Quantity or UnitPrice: {row}") from exc
        customer = row[i_cust].strip()
        cancel = number[:1] == "C"
        reason = _skip_reason(number, cancel, customer, quantity, price)
        if (
            not cancel
            and customer
            and reason not in ("bad_debt", "unknown_invoice", "stock_adjustment")
        ):
            with_customer.add(number)
        if reason:
            skipped[reason] += 1
        elif cancel:
            c = cancels.get(number)
            when = row[i_date].strip()
            if c is None:
                c = cancels[number] = Cancellation(number, customer, when)
            c.when = min(c.when, when)
            c.lines.append((row[i_stock].strip(), -quantity, price))
        else:
            inv = invoices.get(number)
            when = row[i_date].strip()
            if inv is None:
                inv = invoices[number] = Invoice(number, customer, when, row[i_country].strip())
            inv.when = min(inv.when, when)
            inv.total += quantity * price
            inv.quantity[row[i_stock].strip()] += quantity
    stats.invoices = len(numbers)
    stats.sale_invoices_with_customer = len(with_customer)
    return invoices, cancels


def _skip_reason(number: str, cancel: bool, customer: str, quantity: int, price: Decimal) -> str:
    """Why a source line is not used ("" when it is), the first that applies
    in the order of SKIP_REASONS."""
    if number[:1] == "A":
        return "bad_debt"
    if not cancel and not number.isdigit():
        return "unknown_invoice"
    if not cancel and quantity < 0:
        return "stock_adjustment"
    if not customer:
        return "no_customer"
    if price == 0:
        return "zero_price"
    if price < 0:
        return "negative_price"
    if quantity == 0:
        return "zero_quantity"
    if cancel and quantity > 0:
        return "positive_cancellation"
    return ""


# --------------------------------------------------------------------------- #
# Converting
# --------------------------------------------------------------------------- #


@dataclass
class Converted:
    """The four exchange files as rows (header first), and the counts."""

    staff: list[list[str]]
    customers: list[list[str]]
    assignments: list[list[str]]
    orders: list[list[str]]
    stats: Stats


def _names(rnd: random.Random, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        given = "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
        name = rnd.choice(SURNAMES) + given
        if name not in names:
            names.append(name)
    return names


def convert_rows(rows: Iterable[list[str]], *, seed: int = 1) -> Converted:
    stats = Stats()
    invoices, cancels = read_source(rows, stats)

    # Orders: one per invoice whose total is above 0.00.
    order_cents: dict[str, int] = {}
    for number, inv in invoices.items():
        cents = to_cents(inv.total)
        if cents <= 0:
            continue
        order_cents[number] = cents
    orders = sorted((invoices[n] for n in order_cents), key=lambda inv: inv.key)
    stats.orders = len(orders)
    stats.invoices_not_positive = stats.sale_invoices_with_customer - stats.orders

    # Where each (customer, StockCode) was sold: invoice keys in date order,
    # and the units of it each invoice has left to cancel.
    sold: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    left: dict[tuple[str, str], int] = {}
    number_of = {inv.key: inv.number for inv in orders}
    for inv in orders:
        for stock, units in inv.quantity.items():
            if units > 0:
                sold[(inv.customer, stock)].append(inv.key)
                left[(inv.number, stock)] = units

    refunded: dict[str, int] = defaultdict(int)
    refund_rows: list[list[str]] = []
    for c in sorted(cancels.values(), key=lambda c: c.key):
        stats.cancellations_with_customer += 1
        value: dict[tuple[str, int], Decimal] = defaultdict(Decimal)  # invoice key -> matched value
        for stock, units, price in c.lines:
            stats.cancellation_lines += 1
            wanted = units
            keys = sold.get((c.customer, stock), [])
            earlier = keys[: bisect.bisect_left(keys, c.key)]
            # Invoices before the cancellation, most recent first.
            for key in reversed(earlier):
                have = left[(number_of[key], stock)]
                if have <= 0:
                    continue
                take = min(have, wanted)
                left[(number_of[key], stock)] = have - take
                value[key] += take * price
                wanted -= take
                if wanted == 0:
                    break
            if wanted == 0:
                stats.lines_matched += 1
            else:
                if wanted == units:
                    stats.lines_unmatched += 1
                    stats.lines_unmatched_no_sale += not earlier
                else:
                    stats.lines_partly_matched += 1
                stats.units_unmatched += wanted
                stats.value_unmatched += wanted * price
        rows_of_c: list[tuple[str, int]] = []
        for key in sorted(value):
            number = number_of[key]
            cents = to_cents(value[key])
            room = order_cents[number] - refunded[number]
            if cents > room:
                stats.refunds_capped.append(
                    f"{c.number} -> {number}: {format_cents(cents)} capped at {format_cents(room)}"
                )
                cents = room
            if cents <= 0:
                stats.refunds_zero += 1
                continue
            refunded[number] += cents
            rows_of_c.append((number, cents))
        if len(rows_of_c) > 1:
            stats.cancellations_split += 1
        for k, (number, cents) in enumerate(rows_of_c, start=1):
            refund_id = c.number if len(rows_of_c) == 1 else f"{c.number}-{k}"
            refund_rows.append(
                [refund_id, c.customer, c.when[:10], format_cents(cents), CATEGORY, number]
            )
            stats.refunds_cents += cents
    stats.refunds = len(refund_rows)

    order_rows = [["order_id", "customer_id", "order_date", "amount", "category", "refund_of"]]
    for inv in orders:
        cents = order_cents[inv.number]
        order_rows.append(
            [inv.number, inv.customer, inv.when[:10], format_cents(cents), CATEGORY, ""]
        )
        stats.orders_cents += cents
    order_rows.extend(refund_rows)

    # Customers: those with at least one order; country and acquired_on from
    # the first; net revenue (orders less refunds) for the tier and the deal.
    first: dict[str, Invoice] = {}
    net: dict[str, int] = defaultdict(int)
    for inv in orders:
        first.setdefault(inv.customer, inv)
        net[inv.customer] += order_cents[inv.number] - refunded[inv.number]
    customers = sorted(first)
    stats.customers = len(customers)
    n_key = max(1, round(len(customers) * KEY_SHARE)) if customers else 0
    key_tier = set(sorted(customers, key=lambda c: (-net[c], c))[:n_key])
    stats.key_customers = len(key_tier)

    # Staff, deterministic from the seed.
    rnd = random.Random(seed)
    names = _names(rnd, N_SALES + N_SERVICE)
    sales = [f"S{i:02d}" for i in range(1, N_SALES + 1)]
    service = [f"V{i:02d}" for i in range(1, N_SERVICE + 1)]
    sales_order = sales[:]
    rnd.shuffle(sales_order)
    service_order = service[:]
    rnd.shuffle(service_order)
    leaver, successor = sales_order[0], sales_order[1]
    staff_rows = [["staff_id", "name", "role", "hired_on", "left_on"]]
    for staff_id, name in zip(sales + service, names, strict=True):
        role = "sales" if staff_id in sales else "service"
        left_on = DEPARTURE.isoformat() if staff_id == leaver else ""
        staff_rows.append([staff_id, name, role, HIRED_ON.isoformat(), left_on])
    stats.staff = len(staff_rows) - 1

    # Owners: customers sorted by country, then net revenue (largest first),
    # dealt to the salespeople and to the service staff in the seed's order;
    # nobody is dealt to the leaver from the departure date on.
    deal = sorted(customers, key=lambda c: (first[c].country, -net[c], c))
    owner: dict[str, tuple[str, str]] = {}
    s_turn = v_turn = 0
    for cust in deal:
        acquired = dt.date.fromisoformat(first[cust].when[:10])
        while True:
            s = sales_order[s_turn % N_SALES]
            s_turn += 1
            if not (s == leaver and acquired >= DEPARTURE):
                break
        owner[cust] = (s, service_order[v_turn % N_SERVICE])
        v_turn += 1

    customer_rows = [["customer_id", "name", "tier", "acquired_on", "acquired_by", "referred_by"]]
    assignment_rows = [["customer_id", "role", "staff_id", "valid_from", "valid_to"]]
    for cust in customers:
        inv = first[cust]
        acquired_on = inv.when[:10]
        s, v = owner[cust]
        tier = "key" if cust in key_tier else "standard"
        customer_rows.append([cust, f"Customer {cust} ({inv.country})", tier, acquired_on, s, ""])
        if s == leaver:
            assignment_rows.append([cust, "sales", s, acquired_on, DEPARTURE.isoformat()])
            assignment_rows.append([cust, "sales", successor, DEPARTURE.isoformat(), ""])
            stats.handed_over += 1
        else:
            assignment_rows.append([cust, "sales", s, acquired_on, ""])
        assignment_rows.append([cust, "service", v, acquired_on, ""])
    stats.assignments = len(assignment_rows) - 1

    return Converted(staff_rows, customer_rows, assignment_rows, order_rows, stats)


def read_csv(source: Path) -> Iterator[list[str]]:
    with _open_source(source) as fh:
        yield from csv.reader(fh)


def write_files(converted: Converted, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tables = (converted.staff, converted.customers, converted.assignments, converted.orders)
    for name, rows in zip(FILES, tables, strict=True):
        tmp = out / f"{name}.part"
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
        tmp.replace(out / name)


def convert(source: Path, out: Path, *, seed: int = 1) -> Stats:
    """Convert the source file (CSV, or gzip CSV if it ends in .gz) into the
    four exchange files in ``out``."""
    converted = convert_rows(read_csv(source), seed=seed)
    write_files(converted, out)
    return converted.stats


def missing_source(source: Path) -> str:
    """The one line said when the source file is not there."""
    return f"bench.online_retail: source not found: {source}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Convert the Online Retail invoices into Tandem exchange files."
    )
    parser.add_argument("--out", type=Path, required=True, help="directory for the four CSV files")
    parser.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE, help=f"default {DEFAULT_SOURCE}"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="chooses staff names and who owns whom (default 1)"
    )
    args = parser.parse_args(argv)
    if not args.source.is_file():
        raise SystemExit(missing_source(args.source))
    started = time.perf_counter()
    stats = convert(args.source, args.out, seed=args.seed)
    print(stats.summary())
    print(f"wrote {', '.join(FILES)} into {args.out} in {time.perf_counter() - started:.1f} s")


# --------------------------------------------------------------------------- #
# Benchmark
# --------------------------------------------------------------------------- #

# `python -m bench.run` runs bench/run.py as __main__; registering into a
# second copy imported as `bench.run` would be lost, so use __main__ itself.
_main = sys.modules.get("__main__")
if getattr(getattr(_main, "__spec__", None), "name", None) == "bench.run":
    sys.modules.setdefault("bench.run", _main)  # type: ignore[arg-type]

from bench.run import OUT, TANDEM, Measurement, Target, measure, register, tandem  # noqa: E402

BENCH = "online-retail"


def _count_changes(stdout: str) -> list[str]:
    """Summary lines of an import that created or updated anything."""
    return [
        line
        for line in stdout.splitlines()
        if ", created 0, updated 0," not in line or not line.rstrip().endswith("rejected 0")
    ]


def _unavailable() -> str | None:
    """Why the benchmark cannot run here: the full file is not beside the
    repository (a clone alone has only the tests' sample)."""
    if DEFAULT_SOURCE.is_file():
        return None
    return f"source not found: {DEFAULT_SOURCE} (shared/data/online-retail beside the repository)"


@register(BENCH, own_data=True, unavailable=_unavailable)
def bench_online_retail(target: Target) -> list[Measurement]:
    """Convert the real invoices, load the default plan, import, import again
    (must change nothing), run the commissions in full, export 2011-11."""
    data = OUT / "online-retail-data"
    wall, peak, out, err, code = measure(
        [sys.executable, "-m", "bench.online_retail", "--out", str(data)], target.env, cwd=REPO
    )
    if code != 0:
        raise SystemExit(f"{BENCH}/convert failed ({code}):\n{err}")
    orders = next((line for line in out.splitlines() if line.startswith("sale invoices")), "")
    refunds = next((line for line in out.splitlines() if line.startswith("refunds written")), "")
    note = f"{orders.split(': ', 1)[-1]}; refunds {refunds.split()[2] if refunds else '?'}"
    results = [Measurement(BENCH, target.vendor, "convert (python)", wall, peak, note)]

    def run(step: str, *args: str) -> Measurement:
        m = tandem(target, BENCH, step, "--lang", "en", *args)
        m.note = m.note.replace(f"{data}/", "").replace(f"{DEFAULT_PLAN.parent}/", "")
        results.append(m)
        return m

    files = [str(data / name) for name in FILES]
    run("plans load (default plan)", "plans", "load", str(DEFAULT_PLAN))
    run("first import", "import", *files)
    wall, peak, out, err, code = measure([TANDEM, "--lang", "en", "import", *files], target.env)
    if code != 0 or _count_changes(out):
        raise SystemExit(f"{BENCH}/re-import changed something or failed ({code}):\n{out}{err}")
    note = out.strip().splitlines()[-1].replace(f"{data}/", "")
    results.append(Measurement(BENCH, target.vendor, "re-import (no change)", wall, peak, note))
    run("commissions run --full", "commissions", "run", "--full")
    export = data / "export-2011-11.csv"
    m = run(
        "export --period 2011-11",
        "commissions",
        "export",
        "--period",
        "2011-11",
        "--output",
        str(export),
    )
    with export.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.DictReader(fh))
    total = sum(to_cents(Decimal(row["amount"])) for row in lines)
    m.note = f"{len(lines):,} lines, sum {format_cents(total)}"
    return results


if __name__ == "__main__":
    main()
