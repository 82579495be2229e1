"""Comparing the lines a customer should have with the lines stored.

Pure Python (no Django): the engine's lines become storage rows (`Row`,
made by `RowMaker`), open months get the truth and locked months the
adjustments that bring them to it (`wanted_rows`), and `diff_batch` says,
for a batch of customers, which stored lines to delete and which rows to
insert so that only what differs is rewritten."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import fields
from datetime import date
from decimal import Decimal
from fractions import Fraction
from operator import attrgetter

from . import engine
from .adjustments import ADJUSTMENT, Amount, adjustments_for

# The line table's columns, in the order of a Row.
LINE_COLUMNS = (
    "period",
    "order_id",
    "customer_id",
    "staff_id",
    "role",
    "scenario",
    "kind",
    "line_date",
    "amount_cents",
    "plan_from",
    "pool_cents",
    "weight",
    "refund_id",
    "adjusts_period",
)

# A stored or computed line as the run compares and writes it; dates as ISO
# strings so rows read from any database compare equal to computed ones.
Row = tuple[str, str, str, str, str, str, str, str, int, str | None, int, str, str, str]

# What computing a batch gives: stored line ids to delete, rows to insert,
# and the counts of orders, adjustments and exceptions.
Outcome = tuple[list[int], list[Row], int, int, list[dict]]


def weight_text(weight: Fraction) -> str:
    """A weight as stored and exported: '0.7' when it is a finite decimal,
    else the exact fraction ('7/15')."""
    den = weight.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den != 1:
        return f"{weight.numerator}/{weight.denominator}"
    text = format(Decimal(weight.numerator) / Decimal(weight.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class RowMaker:
    """Engine lines to rows, with the per-day and per-weight text cached: a
    full run makes two million rows from about a thousand days and a handful
    of weights."""

    def __init__(self) -> None:
        self.days: dict[date, tuple[str, str]] = {}
        self.weights: dict[int, tuple[object, str]] = {}  # id -> (weight kept alive, text)

    def day(self, d: date) -> tuple[str, str]:
        text = self.days.get(d)
        if text is None:
            text = self.days[d] = (f"{d.year:04d}-{d.month:02d}", d.isoformat())
        return text

    def make(
        self, order_id, customer_id, staff_id, role, scenario, kind, line_date, amount_cents,
        order_date, plan_name, plan_from, rate, rate_source, category, order_amount_cents,
        pool_cents, weight, nominal_weight, split_weights, absent_roles, refund_id,
        refunded_before_cents, refunded_after_cents, net_before_cents, net_after_cents,
        referrer_id, developer_id, developer_left_on,
    ) -> Row:  # fmt: skip
        """The row of a line, from the Line's fields in order: what
        `engine.compute_customer_as` calls instead of building a Line.
        Equal to `self(Line(...))` (tests/commissions/test_runs.py)."""
        days = self.days
        period, iso = days.get(line_date) or self.day(line_date)
        plan_from_iso = (days.get(plan_from) or self.day(plan_from))[1]
        cached = self.weights.get(id(weight))
        if cached is None or cached[0] is not weight:
            cached = self.weights[id(weight)] = (weight, weight_text(weight))
        return (
            period, order_id, customer_id, staff_id, role, scenario, kind, iso, amount_cents,
            plan_from_iso, pool_cents, cached[1], refund_id or "", "",
        )  # fmt: skip

    def __call__(self, line: engine.Line) -> Row:
        """The row of a Line (the same as `make` on its fields)."""
        return self.make(*_LINE_FIELDS(line))


_LINE_FIELDS = attrgetter(*(f.name for f in fields(engine.Line)))


def adjustment_row(adj, customer_id: str) -> Row:
    year, month = int(adj.period[:4]), int(adj.period[5:7])
    return (
        adj.period,
        adj.order_id,
        customer_id,
        adj.staff_id,
        adj.role,
        adj.scenario,
        ADJUSTMENT,
        date(year, month, 1).isoformat(),
        adj.amount_cents,
        None,
        0,
        "",
        "",
        adj.adjusts_period,
    )


def _as_amount(row: Row) -> Amount:
    return Amount(
        period=row[0],
        order_id=row[1],
        staff_id=row[3],
        role=row[4],
        scenario=row[5],
        kind=row[6],
        amount_cents=row[8],
        adjusts_period=row[13],
    )


def wanted_rows(
    rows: list[Row],
    customer_id: str,
    held: list[Row],
    locked: frozenset[str],
) -> list[Row]:
    """What a customer's open months should hold (given the rows of all its
    lines): the truth for open months, plus the adjustments that bring its
    locked months to the truth."""
    if not locked:
        return rows
    wanted = [r for r in rows if r[0] not in locked]
    if locked and (held or len(wanted) != len(rows)):
        truth = [_as_amount(r) for r in rows if r[0] in locked]
        adjustments = adjustments_for(truth=truth, held=[_as_amount(r) for r in held], locked=locked)
        wanted.extend(adjustment_row(a, customer_id) for a in adjustments)
    return wanted


def windows_for(
    batch: Sequence[str], since: Mapping[str, date | None] | None, locked: frozenset[str]
) -> dict[str, str]:
    """customer -> the first month whose lines are compared, for customers
    whose change has a `since` day after every locked month.

    A line depends only on what happened on or before its date (an order's
    lines on its date, a refund's on the refund's date), so the months
    before `since` hold the truth already. The locked months, all earlier,
    keep their truth too, so the adjustments already posted for them stand
    and are left out of the comparison. A customer without a window is
    compared whole."""
    if not since:
        return {}
    latest_lock = max(locked) if locked else ""
    found: dict[str, str] = {}
    for cid in batch:
        day = since.get(cid)
        if day is None:
            continue
        first_period = f"{day.year:04d}-{day.month:02d}"
        if first_period > latest_lock:
            found[cid] = first_period
    return found


def compared_orders(history: engine.CustomerHistory, named: Collection[str]) -> frozenset[str]:
    """The orders whose lines can differ when only the `named` orders of a
    customer changed: those, and, for a referred customer, its first order
    now and its first order among the others (the referral is credited on
    the first order, which a named order may have taken over or given up)."""
    compared = set(named)
    if history.referred_by and history.referred_by != history.customer_id and history.orders:
        key = _first_order_key
        compared.add(min(history.orders, key=key).order_id)
        others = [o for o in history.orders if o.order_id not in compared]
        if others:
            compared.add(min(others, key=key).order_id)
    return frozenset(compared)


def _first_order_key(order: engine.Order) -> tuple[date, str]:
    return order.order_date, order.order_id


def diff_batch(
    histories: Sequence[engine.CustomerHistory],
    lookups: engine.Lookups,
    stored: Mapping[str, Sequence[tuple[int, Row]]],
    locked: frozenset[str],
    period: str,
    line_row: RowMaker,
    windows: Mapping[str, str] | None = None,
    compared: Mapping[str, Collection[str]] | None = None,
) -> Outcome:
    """Compute a batch of customers: the stored line ids to delete and the
    rows to insert for the customers whose open months differ, with counts.

    `stored`: customer -> its stored lines (id, row), only those from its
    window on when it has one (`windows_for`), and only those of its
    `compared` orders when it has them (`compared_orders`: a customer with a window
    whose changes named their orders); `period`: only that month is
    compared."""
    inserts: list[Row] = []
    deletes: list[int] = []
    orders = adjustments = 0
    exceptions: list[dict] = []
    for history in histories:
        cid = history.customer_id
        first_period = windows.get(cid) if windows else None
        # Only the months from the window on, adjustments aside (`windows_for`).
        start = date(int(first_period[:4]), int(first_period[5:7]), 1) if first_period else None
        only = compared.get(cid) if compared and start is not None else None
        rows, excs = engine.compute_customer_as(history, lookups, line_row.make, start, only)
        orders += len(history.orders)
        exceptions.extend(
            {
                "order_id": exc.order_id,
                "customer_id": exc.customer_id,
                "order_date": exc.order_date.isoformat(),
                "reason": exc.reason_code,
            }
            for exc in excs
        )
        mine = stored.get(cid, ())
        if start is not None:
            start_iso = start.isoformat()
            wanted = [r for r in rows if r[7] >= start_iso]
            current = list(mine)
        else:
            held = [row for _, row in mine if row[0] in locked]
            wanted = wanted_rows(rows, cid, held, locked)
            current = [(i, row) for i, row in mine if row[0] not in locked]
        if period:
            wanted = [r for r in wanted if r[0] == period]
            current = [(i, r) for i, r in current if r[0] == period]
        # Rows are unique (one per order, staff, role, kind, date, refund and
        # adjusted month), so sets compare them.
        if not current:
            inserts.extend(wanted)
            adjustments += sum(1 for r in wanted if r[6] == ADJUSTMENT)
        elif wanted or current:
            # Rewrite only the lines that differ.
            want = set(wanted)
            have = {r for _, r in current}
            if want != have:
                deletes.extend(i for i, r in current if r not in want)
                new_rows = [r for r in wanted if r not in have]
                inserts.extend(new_rows)
                adjustments += sum(1 for r in new_rows if r[6] == ADJUSTMENT)
    # Customers that no longer exist keep no open lines.
    gone = set(stored) - {h.customer_id for h in histories}
    for cid in gone:
        deletes.extend(
            i for i, row in stored[cid] if row[0] not in locked and (not period or row[0] == period)
        )
    return deletes, inserts, orders, adjustments, exceptions
