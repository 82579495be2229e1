"""Change facts: how a writer tells the rest of Tandem what it changed,
without knowing who cares.

Every writer (a domain's services and their bulk variants, which the admin,
the importer, the command line and the pages all go through) records, in its
own transaction, facts about its own records only:

    orders_changed({customer_id: first_day})    the orders or refunds of C, from that day
    orders_changed_by_id([(customer_id, order_id, first_day), ...])
                                                the same, naming the one order of C whose
                                                record or refunds changed
    customers_changed([customer_id, ...])       C's own record (tier, developer, referrer)
    ownership_changed([(customer_id, role, first_day), ...])
    staff_changed([staff_id, ...])              hired or left dates
    plans_changed(first_day)                    the plans in force from that day
    period_reopened("YYYY-MM")                  a locked month was unlocked

A day of None means "any day". The facts are rows of one table
(`ChangeFact`), so a rolled-back writer leaves none, and a bulk path (the
importer's, which bypasses model signals) records them the same way.

Commissions alone decides what a fact means (which customers to recompute,
from which day, including the customers a changed service owner referred):
`tandem.commissions.changes`. A later reader (insights, say) can read the
same facts without any writer knowing about it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection

from .models import ChangeFact, Subject

__all__ = [
    "Fact",
    "Subject",
    "customers_changed",
    "facts_discard",
    "facts_pending",
    "orders_changed",
    "orders_changed_by_id",
    "ownership_changed",
    "period_reopened",
    "plans_changed",
    "staff_changed",
]

_TABLE = ChangeFact._meta.db_table
_INSERT = f"INSERT INTO {_TABLE} (subject, ident, role, since, item) VALUES (%s, %s, %s, %s, %s)"
_CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class Fact:
    id: int
    subject: str
    ident: str
    role: str
    since: date | None
    item: str = ""


def _record(rows: Iterable[tuple[str, str, str, date | None]], items: Iterable[str] | None = None) -> int:
    # Dates as ISO text: SQLite keeps dates as text, and PostgreSQL casts an
    # untyped parameter to the column's date type. executemany, not the ORM:
    # a first import records a fact for each of 100,000 customers.
    if items is None:
        params = [(s, k, r, None if d is None else d.isoformat(), "") for s, k, r, d in rows]
    else:
        params = [
            (s, k, r, None if d is None else d.isoformat(), item)
            for (s, k, r, d), item in zip(rows, items, strict=True)
        ]
    if not params:
        return 0
    with connection.cursor() as cursor:
        for start in range(0, len(params), _CHUNK):
            cursor.executemany(_INSERT, params[start : start + _CHUNK])
    return len(params)


def orders_changed(since: Mapping[str, date | None]) -> int:
    """The orders or refunds of these customers changed; each one's lines
    can differ from its day on (a new order: its date)."""
    return _record((Subject.ORDERS, cid, "", day) for cid, day in sorted(since.items()))


def orders_changed_by_id(changes: Iterable[tuple[str, str, date | None]]) -> int:
    """These orders changed: (customer_id, order_id, first day). An order's
    record (created, edited, moved to or from the customer, removed) or its
    refunds; the day is the earliest its lines can differ from (an order:
    its date, the old one too when it moved; a refund: the refund's date).
    Said of the refunded order for a refund, and of each customer an order
    moved between. More precise than `orders_changed`: the other orders of
    the customer did not change."""
    ordered = sorted(set(changes), key=_by_key)
    return _record(
        ((Subject.ORDERS, cid, "", day) for cid, _order, day in ordered),
        [order for _cid, order, _day in ordered],
    )


def customers_changed(customer_ids: Iterable[str]) -> int:
    """These customers' own records changed (created, developer, referrer,
    tier), or they were removed."""
    return _record((Subject.CUSTOMER, cid, "", None) for cid in sorted(set(customer_ids)))


def ownership_changed(changes: Iterable[tuple[str, str, date | None]]) -> int:
    """Ownership rows changed: (customer_id, role, first day it matters)."""
    return _record((Subject.OWNERSHIP, cid, role, day) for cid, role, day in sorted(set(changes), key=_by_key))


def staff_changed(staff_ids: Iterable[str]) -> int:
    """These staff members' hired or left dates changed."""
    return _record((Subject.STAFF, sid, "", None) for sid in sorted(set(staff_ids)))


def plans_changed(since: date | None) -> int:
    """Plans in force from `since` on were added or changed."""
    return _record([(Subject.PLANS, "", "", since)])


def period_reopened(period: str) -> int:
    """A locked month was unlocked: its lines may be rewritten again."""
    return _record([(Subject.PERIOD, period, "", None)])


def _by_key(change: tuple[str, str, date | None]) -> tuple[str, str, str]:
    cid, role, day = change
    return cid, role, "" if day is None else day.isoformat()


def facts_pending() -> list[Fact]:
    """Every fact recorded and committed so far, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, subject, ident, role, CAST(since AS TEXT), item FROM {_TABLE} ORDER BY id")
        return [
            Fact(i, subject, ident, role, None if since is None else date.fromisoformat(since), item)
            for i, subject, ident, role, since, item in cursor.fetchall()
        ]


def facts_discard(facts: Sequence[Fact]) -> None:
    """Delete these facts (and only these: one recorded meanwhile stays)."""
    ids = [f.id for f in facts]
    if not ids:
        return
    lo, hi = min(ids), max(ids)
    with connection.cursor() as cursor:
        if hi - lo + 1 == len(ids):
            # The usual case: every fact up to the newest read was read.
            cursor.execute(f"DELETE FROM {_TABLE} WHERE id BETWEEN %s AND %s", [lo, hi])
            return
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(f"DELETE FROM {_TABLE} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk)
