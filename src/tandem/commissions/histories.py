"""Reading what the engine needs: customers' histories (orders, refunds,
ownership rows), the plans, the staff's dates and the locked months.

Raw SQL over the domain tables, in batches of customers: a full run reads a
million orders, so rows come back as plain tuples and dates as text through a
cache (`Dates`), never as model instances."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from django.db import connection

from . import engine, rules
from .models import PeriodLock, Plan

IN_CHUNK = 500  # ids per IN (...) clause


class Dates:
    """ISO date strings (SQLite) or dates (PostgreSQL) to dates, cached: a
    run sees about a thousand distinct days for a million orders. One per
    run (or per worker); `cache` is read directly in the hot loop."""

    def __init__(self) -> None:
        self.cache: dict[object, date] = {}

    def __call__(self, value: object) -> date:
        d = self.cache.get(value)
        if d is None:
            d = value if isinstance(value, date) else date.fromisoformat(str(value))
            self.cache[value] = d
        return d

    def optional(self, value: object) -> date | None:
        return None if value is None or value == "" else self(value)


def date_sql(column: str) -> str:
    """A date column as the run reads it: on SQLite as text (a bare date
    column goes through Django's date converter, a million parse_date calls;
    as text it comes back raw and `Dates` caches it), on PostgreSQL as is."""
    return column if connection.vendor == "postgresql" else f"CAST({column} AS TEXT)"


def _amount_cents_sql() -> str:
    # Orders keep Decimal(14,2); read them as exact integer cents.
    if connection.vendor == "postgresql":
        return "CAST(o.amount * 100 AS BIGINT)"
    return "CAST(ROUND(o.amount * 100) AS INTEGER)"


def chunks(items: Sequence[str], size: int = IN_CHUNK) -> Iterable[Sequence[str]]:
    """`items` in slices of at most `size`, for IN (...) lists."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def placeholders(n: int) -> str:
    """`%s,%s,...` for an IN (...) list of n parameters."""
    return ",".join(["%s"] * n)


def load_plans() -> rules.PlanBook:
    plans = [
        rules.Plan(
            name=p.name,
            effective_from=p.effective_from,
            pool_rate=Decimal(p.pool_rate).normalize(),
            category_rates={k: Decimal(str(v)) for k, v in (p.category_rates or {}).items()},
            splits={
                scenario: {role: Decimal(str(w)) for role, w in weights.items()}
                for scenario, weights in (p.splits or {}).items()
            },
        )
        for p in Plan.objects.order_by("effective_from")
    ]
    return rules.PlanBook(plans)


def load_staff(dates: Dates) -> dict[str, rules.StaffActivity]:
    with connection.cursor() as cur:
        cur.execute("SELECT staff_id, hired_on, left_on FROM staff_staff")
        return {
            sid: rules.StaffActivity(hired_on=dates.optional(h), left_on=dates.optional(left))
            for sid, h, left in cur.fetchall()
        }


def locked_periods() -> frozenset[str]:
    return frozenset(PeriodLock.objects.values_list("period", flat=True))


def _assignments_of(ids: Sequence[str], dates: Dates, role: str | None = None):
    rows: dict[str, list[rules.Assignment]] = defaultdict(list)
    with connection.cursor() as cur:
        for chunk in chunks(ids):
            sql = (
                f"SELECT customer_id, role, staff_id, {date_sql('valid_from')}, {date_sql('valid_to')} "
                "FROM customers_assignment "
                f"WHERE customer_id IN ({placeholders(len(chunk))})"
            )
            params: list[str] = list(chunk)
            if role:
                sql += " AND role = %s"
                params.append(role)
            cur.execute(sql, params)
            for cid, r, sid, vf, vt in cur.fetchall():
                rows[cid].append(rules.Assignment(r, sid, dates(vf), dates.optional(vt)))
    for value in rows.values():
        value.sort(key=lambda a: a.valid_from)
    return rows


def read_histories(
    customer_ids: Sequence[str],
    dates: Dates,
    only: Mapping[str, Collection[str]] | None = None,
) -> tuple[list[engine.CustomerHistory], dict[str, list[rules.Assignment]]]:
    """Histories of these customers (those that exist, by id), and the
    service rows of their referrers.

    `only`: customer -> the orders the caller needs (an incremental run
    told which orders changed): of a customer here that no one referred,
    the history holds only those orders and their refunds. A referred
    customer's history stays whole: the referral goes to its first order,
    wherever that is."""
    customers: dict[str, tuple[str | None, str | None]] = {}
    orders: dict[str, list[engine.Order]] = defaultdict(list)
    refunds: dict[str, list[engine.Refund]] = defaultdict(list)
    only = only or {}
    columns = f"o.order_id, o.customer_id, {date_sql('o.order_date')}, {_amount_cents_sql()}, o.category, o.refund_of_id"
    with connection.cursor() as cur:
        for chunk in chunks(customer_ids):
            cur.execute(
                "SELECT customer_id, acquired_by_id, referred_by_id FROM customers_customer "
                f"WHERE customer_id IN ({placeholders(len(chunk))})",
                list(chunk),
            )
            whole: list[str] = []
            named: list[str] = []
            for cid, dev, ref in cur.fetchall():
                customers[cid] = (dev, ref)
                (named if cid in only and not ref else whole).append(cid)
            queries = []
            if whole:
                queries.append(
                    (f"SELECT {columns} FROM sales_order o WHERE o.customer_id IN ({placeholders(len(whole))})", whole)
                )
            if named:
                order_ids = sorted({oid for cid in named for oid in only[cid]})
                marks = placeholders(len(order_ids))
                # The covering index answers from the customer's entries.
                queries.append((
                    f"SELECT {columns} FROM sales_order o WHERE o.customer_id IN ({placeholders(len(named))}) "
                    f"AND (o.order_id IN ({marks}) OR o.refund_of_id IN ({marks}))",
                    [*named, *order_ids, *order_ids],
                ))
            for sql, params in queries:
                cur.execute(sql, params)
                # Both drivers return the cents as int; the day cache is read
                # inline (a method call per order costs more than the look-up).
                cached_day = dates.cache.get
                new_order, new_refund = engine.new_order, engine.new_refund
                for oid, cid, day, cents, category, refund_of in cur.fetchall():
                    d = cached_day(day) or dates(day)
                    if refund_of:
                        refunds[cid].append(new_refund(oid, refund_of, d, cents))
                    else:
                        orders[cid].append(new_order(oid, d, cents, category or None))
    assignments = _assignments_of(list(customers), dates)
    referrers = sorted({ref for _, ref in customers.values() if ref})
    referrer_service = _assignments_of(referrers, dates, role="service") if referrers else {}
    histories = [
        engine.CustomerHistory(
            customer_id=cid,
            acquired_by=dev,
            referred_by=ref,
            orders=orders.get(cid, ()),
            refunds=refunds.get(cid, ()),
            assignments=assignments.get(cid, ()),
        )
        for cid, (dev, ref) in sorted(customers.items())
    ]
    return histories, referrer_service
