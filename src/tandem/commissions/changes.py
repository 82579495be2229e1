"""What the writers' change facts mean for commission: which customers the
next incremental run recomputes, and from which day.

The one place that knows how customers depend on each other. A customer's
lines depend on its own orders, refunds, record and ownership rows, on the
plans, on whether the staff involved were employed on the day, and on the
service owner of the customer that referred it (credited on its first
orders). So:

    orders of C from d            C from d
    order O of C from d           C from d, only O's lines and those of C's
                                  first orders (O can take the referral
                                  from the first order, or give it up),
                                  unless another fact reaches C
    record of C                   C, whole
    ownership of C from d         C from d; a service row: also every
                                  customer C referred, from d
    dates of staff S              every customer S owns or owned (any role)
                                  or developed, and every customer referred
                                  by one S serves or served, whole
    plans from d                  every customer with an order or refund
                                  on or after d, from d
    month P unlocked              every customer with a line of P or an
                                  adjustment of P, whole

"From d": the lines dated before d hold the truth already (a line depends
only on what happened on or before its own date), so a run compares only
the months from d on. A customer reached twice keeps the earlier day; a
whole customer beats any day. When all that reaches a customer names its
orders, only those orders' lines can differ (`recompute_scope`): a
back-fill of one order dated two years ago compares that order's lines,
not two years of the customer's lines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection

from tandem.core.changes import Fact, Subject

IN_CHUNK = 500

Marks = dict[str, date | None]


def _earliest(marks: Marks, cid: str, day: date | None) -> None:
    if cid not in marks:
        marks[cid] = day
        return
    known = marks[cid]
    marks[cid] = None if known is None or day is None else min(known, day)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), IN_CHUNK):
        yield items[start : start + IN_CHUNK]


def _in(n: int) -> str:
    return ",".join(["%s"] * n)


def _column(sql: str, params: Sequence[str]) -> list:
    with connection.cursor() as cur:
        cur.execute(sql, list(params))
        return [r[0] for r in cur.fetchall()]


def _referred_by(referrers: Marks, marks: Marks) -> None:
    """Customers referred by these (whose service owner changed from the day
    given) are credited differently from that day on."""
    ids = sorted(referrers)
    with connection.cursor() as cur:
        for chunk in _chunks(ids):
            cur.execute(
                f"SELECT customer_id, referred_by_id FROM customers_customer WHERE referred_by_id IN ({_in(len(chunk))})",
                list(chunk),
            )
            for cid, referrer in cur.fetchall():
                _earliest(marks, cid, referrers[referrer])


def _staff_customers(staff_ids: Sequence[str], marks: Marks) -> None:
    served: Marks = {}
    with connection.cursor() as cur:
        for chunk in _chunks(staff_ids):
            cur.execute(
                f"SELECT customer_id, role FROM customers_assignment WHERE staff_id IN ({_in(len(chunk))})",
                list(chunk),
            )
            for cid, role in cur.fetchall():
                _earliest(marks, cid, None)
                if role == "service":
                    served[cid] = None
            cur.execute(
                f"SELECT customer_id FROM customers_customer WHERE acquired_by_id IN ({_in(len(chunk))})",
                list(chunk),
            )
            for (cid,) in cur.fetchall():
                _earliest(marks, cid, None)
    _referred_by(served, marks)


def customers_to_recompute(facts: Iterable[Fact]) -> Marks:
    """customer -> the earliest day its lines can differ (None: any day)."""
    marks: Marks = {}
    referrers: Marks = {}
    staff: set[str] = set()
    plans_from: list[date | None] = []
    periods: set[str] = set()
    for fact in facts:
        if fact.subject == Subject.ORDERS:
            _earliest(marks, fact.ident, fact.since)
        elif fact.subject == Subject.CUSTOMER:
            _earliest(marks, fact.ident, None)
        elif fact.subject == Subject.OWNERSHIP:
            _earliest(marks, fact.ident, fact.since)
            if fact.role == "service":
                _earliest(referrers, fact.ident, fact.since)
        elif fact.subject == Subject.STAFF:
            staff.add(fact.ident)
        elif fact.subject == Subject.PLANS:
            plans_from.append(fact.since)
        elif fact.subject == Subject.PERIOD:
            periods.add(fact.ident)
    if referrers:
        _referred_by(referrers, marks)
    if staff:
        _staff_customers(sorted(staff), marks)
    if plans_from:
        first = None if None in plans_from else min(d for d in plans_from if d is not None)
        if first is None:
            ids = _column("SELECT customer_id FROM customers_customer", [])
        else:
            ids = _column(
                "SELECT DISTINCT customer_id FROM sales_order WHERE order_date >= %s", [first.isoformat()]
            )
        for cid in ids:
            _earliest(marks, cid, first)
    if periods:
        chosen = sorted(periods)
        ids = _column(
            f"SELECT DISTINCT customer_id FROM commissions_commissionline "
            f"WHERE period IN ({_in(len(chosen))}) OR adjusts_period IN ({_in(len(chosen))})",
            chosen + chosen,
        )
        for cid in ids:
            _earliest(marks, cid, None)
    return marks


@dataclass(frozen=True)
class Scope:
    """What an incremental run recomputes: customer -> the earliest day its
    lines can differ (None: any day), and, for the customers reached only by
    facts that name their orders, those orders."""

    since: Marks
    orders: dict[str, frozenset[str]]


def recompute_scope(facts: Iterable[Fact]) -> Scope:
    """`customers_to_recompute`, and the orders named for the customers that
    nothing else reaches."""
    named: list[Fact] = []
    others: list[Fact] = []
    for fact in facts:
        (named if fact.subject == Subject.ORDERS and fact.item else others).append(fact)
    since = customers_to_recompute(others)
    orders: dict[str, set[str]] = {}
    for fact in named:
        if fact.ident not in since:
            orders.setdefault(fact.ident, set()).add(fact.item)
    for fact in named:
        _earliest(since, fact.ident, fact.since)
    return Scope(since, {cid: frozenset(ids) for cid, ids in orders.items()})
