"""Reads of orders that pages share: a page of the order list, a customer's
orders with their totals, and the quick search by order id."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Count, Func, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from tandem.core.money import from_cents
from tandem.core.paging import Page

from .models import Order


class Cents(Func):
    """An amount column as exact integer cents (SQLite keeps decimals as
    floating point: summed as such they would drift)."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(ROUND(%(expressions)s * 100) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s * 100 AS BIGINT)", **extra)


ORDER_SORTS = {
    "-date": ("-order_date", "-order_id"),
    "date": ("order_date", "order_id"),
    "-amount": ("-amount", "-order_id"),
    "-id": ("-order_id",),
}


def orders_filtered(
    orders: QuerySet[Order],
    *,
    q: str = "",
    kind: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Order]:
    """Filters of the order list: an order or customer id starting with `q`,
    sales or refunds only, a date range (both ends included)."""
    if q:
        orders = orders.filter(Q(order_id__startswith=q) | Q(customer_id=q))
    if kind == "sale":
        orders = orders.filter(refund_of__isnull=True)
    elif kind == "refund":
        orders = orders.filter(refund_of__isnull=False)
    if since:
        orders = orders.filter(order_date__gte=since)
    if until:
        orders = orders.filter(order_date__lte=until)
    return orders


def order_page(
    orders: QuerySet[Order], *, sort: str, offset: int, limit: int, narrow: bool = False
) -> Page:
    """One page of orders with their customers; one row more than the page
    tells whether there is a next page (no count over a million orders).

    `narrow`: the orders are those of a few customers (a salesperson's). Then
    the date is sorted as an expression, which no index provides: the
    database reads those customers' orders off their index and sorts them,
    instead of walking the whole date index newest first looking for them
    (PostgreSQL chose that: 1.2 s for a service person on 1M orders)."""
    ordering: list[Any] = list(ORDER_SORTS.get(sort, ORDER_SORTS["-date"]))
    if narrow and sort in ("-date", "date"):
        by_date = Coalesce("order_date", "order_date")
        ordering = [by_date.desc() if sort == "-date" else by_date.asc(), *ordering[1:]]
    found = list(orders.select_related("customer").order_by(*ordering)[offset : offset + limit + 1])
    return Page(rows=found[:limit], offset=offset, limit=limit, has_next=len(found) > limit)


@dataclass
class CustomerOrders:
    orders: list[Order]
    refunds: list[Order]
    sales_count: int
    sales_total_cents: int
    refunds_count: int
    refunds_total_cents: int

    @property
    def sales_total(self) -> Decimal:
        return from_cents(self.sales_total_cents)

    @property
    def refunds_total(self) -> Decimal:
        return from_cents(self.refunds_total_cents)


def customer_orders(customer_id: str, *, limit: int) -> CustomerOrders:
    """A customer's latest sales and refunds, and the totals of all of them
    (from the customer's covering index)."""
    rows = Order.objects.filter(customer_id=customer_id)
    totals = rows.aggregate(
        sales_count=Count("order_id", filter=Q(refund_of__isnull=True)),
        sales_total=Sum(Cents("amount"), filter=Q(refund_of__isnull=True)),
        refunds_count=Count("order_id", filter=Q(refund_of__isnull=False)),
        refunds_total=Sum(Cents("amount"), filter=Q(refund_of__isnull=False)),
    )
    newest = ("-order_date", "-order_id")
    return CustomerOrders(
        orders=list(rows.filter(refund_of__isnull=True).order_by(*newest)[:limit]),
        refunds=list(rows.filter(refund_of__isnull=False).order_by(*newest)[:limit]),
        sales_count=totals["sales_count"],
        sales_total_cents=totals["sales_total"] or 0,
        refunds_count=totals["refunds_count"],
        refunds_total_cents=totals["refunds_total"] or 0,
    )


def orders_search(orders: QuerySet[Order], q: str, *, limit: int) -> list[Order]:
    return list(orders.filter(order_id__startswith=q).select_related("customer").order_by("order_id")[:limit])
