"""Writes of many orders and refunds at once (the importer's): the bulk
variant of `services.order_record`/`refund_record`, checked by the same
`rules`, for up to millions of rows.

Rows are plain tuples, id -> ``(customer_id, ISO date, cents, category,
refund_of or None, *anything)``: the first five are the order, a caller
may append its own (the importer appends the row's line). In three steps,
which read the table once:

1. `orders_stored(rows)` reads the table, keeping only what the rows need
   (a stored sale identical to its row is just noted as such);
2. `orders_check_bulk(rows, stored)` applies the refund rules to the rows
   together with the stored ones, and removes and returns the refused;
3. `orders_write_bulk(rows, stored)` writes what differs (``COPY`` on
   PostgreSQL, ``executemany`` on SQLite; a large load rebuilds the
   table's indexes once) and records from which day each customer's orders
   changed.

Each step runs in the caller's transaction (in one of its own when there
is none), without a savepoint: a million rows go or stay with the
caller's."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import cast

from django.db import connection, transaction
from django.utils.translation import gettext as _

from tandem.core.changes import orders_changed, orders_changed_by_id
from tandem.core.db import LOAD_BATCH, load_rows, load_without_indexes, update_rows
from tandem.core.money import format_cents
from tandem.core.progress import Progress
from tandem.core.rules import Violation

from .models import Order
from .rules import RefundFacts, order_change_violation, refund_violation, unknown_order

log = logging.getLogger(__name__)

# A load of at least this many new rows, and at least a quarter of the
# table, drops the secondary indexes and builds them again afterwards.
REBUILD_INDEXES_FROM = 100_000
# From this many rows written, the write draws progress.
PROGRESS_FROM = 50_000
# Up to this many changed orders, the change facts name each one (the next
# commission run compares only their lines); past it, one fact per customer
# keeps the fact table small (a first import of a million orders: 20,000).
NAMED_FACTS_MAX = 20_000

_COLUMNS = ("order_id", "customer_id", "order_date", "amount", "category", "refund_of_id")


@dataclass
class StoredOrders:
    """The orders table as far as a bulk write needs it: ``same`` holds the
    ids of the rows' sales whose stored row is identical (no need to keep
    those); ``rows`` every other stored row as (customer_id, ISO date,
    cents, category, refund_of); ``refunds`` refund ids by the order they
    refund; ``count`` the table's rows."""

    rows: dict[str, tuple] = field(default_factory=dict)
    refunds: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    same: set[str] = field(default_factory=set)
    count: int = 0


def orders_stored(
    rows: Mapping[str, tuple],
    *,
    customers: Mapping[str, str] | None = None,
    dates: dict[str, str] | None = None,
) -> StoredOrders:
    """Read the orders table once, comparing it with ``rows`` on the way.
    ``customers`` and ``dates`` map texts to one shared string each: the
    stored rows use them too (a million rows repeat 20,000 customers)."""
    table = Order._meta.db_table
    stored = StoredOrders()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
        if cursor.fetchone() is None:
            return stored
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT order_id, customer_id, to_char(order_date, 'YYYY-MM-DD'), "
            f"(amount * 100)::bigint, category, refund_of_id FROM {table}"
        )
        raw = connection.connection.cursor(name="tandem_orders_stored")
        raw.itersize = LOAD_BATCH
    else:
        # Expressions, so that Django's SQLite date converter stays out.
        sql = (
            f"SELECT order_id, customer_id, order_date || '', "
            f"CAST(ROUND(amount * 100) AS INTEGER), category, refund_of_id FROM {table}"
        )
        raw = connection.connection.cursor()
    db = stored.rows
    refunds = stored.refunds
    same = stored.same
    count = 0
    cget = (customers or {}).get
    dset = (dates if dates is not None else {}).setdefault
    fget = rows.get
    try:
        raw.execute(sql)
        while True:
            chunk = raw.fetchmany(LOAD_BATCH)
            if not chunk:
                break
            count += len(chunk)
            for order_id, customer_id, date, cents, category, refund_of in chunk:
                if refund_of is None:
                    record = fget(order_id)
                    if (
                        record is not None
                        and record[2] == cents
                        and record[1] == date
                        and record[0] == customer_id
                        and record[3] == category
                        and record[4] is None
                    ):
                        same.add(order_id)
                        continue
                else:
                    refunds[refund_of].append(order_id)
                db[order_id] = (cget(customer_id, customer_id), dset(date, date), cents, category, refund_of)
    finally:
        raw.close()
    stored.count = count
    return stored


def orders_check_bulk(
    rows: dict[str, tuple],
    stored: StoredOrders,
    *,
    missing: Callable[[str], str] = unknown_order,
) -> list[tuple[str, tuple, Violation]]:
    """The rules of `rules` between orders and refunds, for ``rows`` taken
    together with the stored orders: a changed order must still fit the
    refunds that stay; a refund, in date order, names a stored order or one
    of ``rows`` and fits it. Refused rows are removed from ``rows`` (a
    refund of a refused changed order is checked against the stored
    version) and returned as (id, row, violation). ``missing(order_id)``
    says why an order that is nowhere cannot be refunded."""
    db, db_refunds, same = stored.rows, stored.refunds, stored.same
    refused: list[tuple[str, tuple, Violation]] = []

    def refuse(order_id: str, violation: Violation) -> None:
        refused.append((order_id, rows.pop(order_id), violation))

    # 1. Changed orders must still fit the refunds already stored.
    for target, refund_list in db_refunds.items():
        new = rows.get(target)
        if new is None or target in same or new[:5] == db.get(target):
            continue
        staying = [RefundFacts(r, *db[r][:3]) for r in refund_list if r not in rows]
        violation = order_change_violation(
            customer_id=new[0], order_date=new[1], cents=new[2], becomes_refund=new[4] is not None, refunds=staying
        )
        if violation is not None:
            refuse(target, violation)

    # 2. Refunds, in date order, counting what was refunded before.
    refund_ids = [r for r, row in rows.items() if row[4] is not None]
    refund_ids.sort(key=lambda r: (rows[r][1], r))
    refunded_so_far: dict[str, int] = {}
    for refund_id in refund_ids:
        record = rows[refund_id]
        target_id = cast(str, record[4])
        order = rows.get(target_id) or db.get(target_id)
        if order is None:
            refuse(refund_id, Violation.of("refund_of", missing(target_id)))
            continue
        before = refunded_so_far.get(target_id)
        if before is None:
            before = sum(db[r][2] for r in db_refunds.get(target_id, ()) if r not in rows)
        violation = refund_violation(
            refund_id=refund_id,
            refund_date=record[1],
            customer_id=record[0],
            cents=record[2],
            order_id=target_id,
            order_date=order[1],
            order_customer_id=order[0],
            order_cents=order[2],
            order_is_refund=order[4] is not None,
            refunded_before=before,
        )
        if violation is not None:
            refuse(refund_id, violation)
            continue
        refunded_so_far[target_id] = before + record[2]
    return refused


def orders_write_bulk(
    rows: Mapping[str, tuple],
    stored: StoredOrders,
    *,
    progress: Progress | None = None,
    description: str = "",
) -> tuple[int, int]:
    """Write the rows that differ from ``stored`` (checked rows: see
    `orders_check_bulk`) and record from which day each customer's orders
    changed: a new order from its date, a changed one from the earlier of
    its old and new dates, for its old and new customer. Up to
    NAMED_FACTS_MAX changes, each fact names the order whose lines change
    (a refund's: the refunded order). ``stored`` is emptied on the way (a
    million rows). Returns (created, updated)."""
    new_ids: list[str] = []
    changed_ids: list[str] = []
    # customer -> the earliest day (ISO) whose lines the change can affect
    dirty: dict[str, str] = {}
    # (customer, order whose lines change, day), for each customer concerned
    named: set[tuple[str, str, str]] = set()
    earliest = dirty.get
    if stored.count:
        db, same = stored.rows, stored.same
        dbget = db.get
        for order_id, record in rows.items():
            if order_id in same:
                continue
            old = dbget(order_id)
            days: tuple[tuple[str, str, str], ...]
            if old is None:
                new_ids.append(order_id)
                days = ((record[0], record[1], record[4] or order_id),)
            elif old != record[:5]:
                changed_ids.append(order_id)
                day = min(record[1], old[1])
                days = ((record[0], day, record[4] or order_id), (old[0], day, old[4] or order_id))
            else:
                continue
            for customer_id, day, lines_of in days:
                known = earliest(customer_id)
                if known is None or day < known:
                    dirty[customer_id] = day
                named.add((customer_id, lines_of, day))
    else:
        new_ids = list(rows)
        # A million rows on a first load: the look-up is inlined.
        for record in rows.values():
            customer_id, day = record[0], record[1]
            known = earliest(customer_id)
            if known is None or day < known:
                dirty[customer_id] = day
    existing = stored.count
    stored.rows.clear()
    stored.refunds.clear()
    stored.same.clear()
    with transaction.atomic(savepoint=False):
        _write(rows, new_ids, changed_ids, existing, progress, description)
        if named and len(named) <= NAMED_FACTS_MAX:
            orders_changed_by_id((cid, order_id, dt.date.fromisoformat(day)) for cid, order_id, day in named)
        else:
            orders_changed({cid: dt.date.fromisoformat(day) for cid, day in dirty.items()})
    return len(new_ids), len(changed_ids)


def _params(rows: Mapping[str, tuple], ids: Iterable[str]) -> Iterator[tuple]:
    for order_id in ids:
        row = rows[order_id]  # indexed, not sliced: a million rows
        yield (order_id, row[0], row[1], format_cents(row[2]), row[3], row[4])


def _write(
    rows: Mapping[str, tuple],
    new_ids: list[str],
    changed_ids: list[str],
    existing: int,
    progress: Progress | None,
    description: str,
) -> None:
    table = Order._meta.db_table
    total = len(new_ids) + len(changed_ids)
    if total < PROGRESS_FROM:
        progress = None
    if progress is not None:
        progress.start(description, total)
    done = 0

    def advance(count: int) -> None:
        if progress is not None:
            progress.update(done + count)

    if changed_ids:
        params = ((*p[1:], p[0]) for p in _params(rows, changed_ids))
        done += update_rows(table, "order_id", _COLUMNS[1:], params, progress=advance)
    # Building an index once is much faster than updating it a million
    # times: for a large load, drop the secondary indexes and build them
    # again afterwards.
    rebuild = len(new_ids) >= REBUILD_INDEXES_FROM and len(new_ids) * 4 >= existing
    with load_without_indexes(table) if rebuild else nullcontext():
        if new_ids:
            done += load_rows(table, _COLUMNS, _params(rows, new_ids), progress=advance)
            log.info("orders: %d new rows inserted", len(new_ids))
        if progress is not None and rebuild:
            progress.finish()
            progress.start(_("建立索引"), 1)
    if progress is not None:
        progress.finish()
