"""The orders file (sales and refunds, up to millions of rows): rows
checked by `tandem.sales.rules`, then together with the stored orders by
`tandem.sales.bulk.orders_check_bulk`, written by `orders_write_bulk`.

A million rows are read with plain dicts and sets: a row passes when the
fast test below finds nothing wrong, which is the same test as the rules'
(`rules.order_violations`, `rules.check_amount`, a date); only a row it
stops is taken through the rules for its reasons."""

from __future__ import annotations

import logging
import time

from django.utils.translation import gettext as _

from tandem.core.rules import MAX_ID
from tandem.customers.bulk import customer_ids
from tandem.sales.bulk import orders_check_bulk, orders_stored, orders_write_bulk
from tandem.sales.rules import (
    AMOUNT_MATCH,
    MAX_CATEGORY,
    check_amount,
    order_violations,
    unknown_order,
)

from .. import messages as m
from ..readers import CUSTOMERS, Source
from .rows import (
    Context,
    FileResult,
    Problems,
    RowErrors,
    parse_date,
    reject_repeats,
    rows_with_progress,
)

log = logging.getLogger(__name__)


def _row_errors(values: tuple[str, ...], extra: int, customers: dict[str, str], ctx: Context) -> RowErrors:
    """Why a row the fast test stopped is refused."""
    order_id, customer_id, order_date, amount, category, refund_of = values
    errors = RowErrors()
    errors.extra(extra)
    errors.extend(
        order_violations(order_id=order_id, customer_id=customer_id, category=category, refund_of=refund_of)
    )
    if customer_id and len(customer_id) <= MAX_ID and customer_id not in customers:
        errors.add("customer_id", ctx.reference_problem(CUSTOMERS, customer_id))
    errors.date("order_date", order_date)
    violation = check_amount(amount)
    if violation is not None:
        errors.add(violation.field, violation.reason)
    return errors


def import_orders(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    started = time.perf_counter()
    columns = source.columns
    customers: dict[str, str] = {c: c for c in customer_ids()}
    dates: dict[str, str] = {}  # valid date text -> the one shared string
    bad_dates: set[str] = set()
    categories: dict[str, str] = {}
    rows: dict[str, tuple] = {}  # id -> (customer_id, date, cents, category, refund_of, line)
    conflicts: dict[str, list[int]] = {}
    repeats: dict[str, list[int]] = {}
    rejected_ids: dict[str, int] = {}
    read = 0
    amount_match = AMOUNT_MATCH
    cget = customers.get
    dget = dates.get
    for line, values, extra in rows_with_progress(source, ctx):
        read += 1
        order_id, customer_id, order_date, amount, category, refund_of = values
        customer = cget(customer_id)
        date = dget(order_date)
        if date is None and order_date not in bad_dates:
            if parse_date(order_date) is not None:
                date = dates[order_date] = order_date
            else:
                bad_dates.add(order_date)
        cents = 0
        if amount_match(amount):
            whole, _sep, frac = amount.partition(".")
            cents = int(whole) * 100
            if frac:
                cents += int(frac) * (10 if len(frac) == 1 else 1)
        if (
            extra
            or customer is None
            or date is None
            or cents <= 0
            or not order_id
            or len(order_id) > MAX_ID
            or len(category) > MAX_CATEGORY
            or len(refund_of) > MAX_ID
        ):
            _row_errors(values, extra, customers, ctx).report(problems, line, columns)
            if order_id:
                rejected_ids.setdefault(order_id, line)
            continue
        category = categories.setdefault(category, category)
        record = (customer, date, cents, category, refund_of or None, line)
        prev = rows.get(order_id)
        if prev is None:
            rows[order_id] = record
        elif prev[:5] == record[:5]:
            repeats.setdefault(order_id, [prev[5]]).append(line)
        else:
            conflicts.setdefault(order_id, [prev[5]]).append(line)
    result.read += read
    for order_id, lines in conflicts.items():
        reason = m.duplicate_id(order_id, lines)
        for line in lines:
            problems.add(line, "order_id", reason)
        del rows[order_id]
        rejected_ids.setdefault(order_id, lines[0])
    log.info("orders: read %d rows in %.2fs", read, time.perf_counter() - started)

    stored = orders_stored(rows, customers=customers, dates=dates)
    log.info("orders: %d in the database, loaded at %.2fs", stored.count, time.perf_counter() - started)

    def missing(order_id: str) -> str:
        where = rejected_ids.get(order_id)
        return unknown_order(order_id) if where is None else m.rejected_order(order_id, f"{source.path}:{where}")

    for order_id, row, violation in orders_check_bulk(rows, stored, missing=missing):
        problems.add(row[5], violation.field, violation.reason)
        rejected_ids.setdefault(order_id, row[5])
    reject_repeats(repeats, rows, problems)
    log.info("orders: validated at %.2fs", time.perf_counter() - started)
    if problems and not ctx.skip_invalid:
        return  # the command will roll back; nothing after this file needs the rows
    created, updated = orders_write_bulk(
        rows, stored, progress=ctx.progress, description=_("写入 %(file)s") % {"file": source.path}
    )
    result.created += created
    result.updated += updated
    log.info("orders: written at %.2fs", time.perf_counter() - started)
