"""Reads of customers that pages share: a page of a list with the current
owners, a customer's ownership timeline, and the quick search. The caller
passes the customers the user may see (`permissions.visible_customers`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from tandem.core.paging import Page

from .models import Assignment, Customer, OwnerRole
from .permissions import assignments_covering

CUSTOMER_SORTS = {
    "id": ("customer_id",),
    "-id": ("-customer_id",),
    "name": ("name", "customer_id"),
    "-name": ("-name", "-customer_id"),
    "acquired": ("acquired_on", "customer_id"),
    "-acquired": ("-acquired_on", "-customer_id"),
}


@dataclass
class CustomerRow:
    customer: Customer
    sales: list = field(default_factory=list)
    service: list = field(default_factory=list)


def customers_filtered(
    customers: QuerySet[Customer],
    *,
    today: dt.date,
    q: str = "",
    tier: str = "",
    holder: str = "",
    without_sales: bool = False,
) -> QuerySet[Customer]:
    """Filters of the customer list: id or name containing `q`, tier, the
    staff member holding a role today, customers with no salesperson today
    (released to the pool or whose salesperson's row ended)."""
    if q:
        customers = customers.filter(Q(customer_id__icontains=q) | Q(name__icontains=q))
    if tier:
        customers = customers.filter(tier=tier)
    if holder:
        customers = customers.filter(
            pk__in=assignments_covering(today).filter(staff_id=holder).values("customer_id")
        )
    if without_sales:
        customers = customers.exclude(
            pk__in=assignments_covering(today).filter(role=OwnerRole.SALES).values("customer_id")
        )
    return customers


def customer_page(
    customers: QuerySet[Customer], *, today: dt.date, sort: str, offset: int, limit: int
) -> Page:
    """One page of customers with today's owners. No count of the whole
    list: one row more than the page says whether a next page exists."""
    owners = assignments_covering(today).select_related("staff").order_by("role", "valid_from")
    found = list(
        customers.select_related(None)
        .order_by(*CUSTOMER_SORTS.get(sort, CUSTOMER_SORTS["id"]))
        .prefetch_related(Prefetch("assignments", queryset=owners, to_attr="current_rows"))[
            offset : offset + limit + 1
        ]
    )
    rows = [
        CustomerRow(
            customer=c,
            sales=[a.staff for a in c.current_rows if a.role == OwnerRole.SALES],
            service=[a.staff for a in c.current_rows if a.role == OwnerRole.SERVICE],
        )
        for c in found[:limit]
    ]
    return Page(rows=rows, offset=offset, limit=limit, has_next=len(found) > limit)


def customer_detail(customers: QuerySet[Customer], customer_id: str) -> Customer | None:
    """The customer (with its developer and referrer) if it is among `customers`."""
    return (
        customers.select_related("acquired_by", "referred_by")
        .prefetch_related("contacts")
        .filter(pk=customer_id)
        .first()
    )


def ownership_timeline(customer_id: str) -> list[Assignment]:
    """Every ledger row of the customer, oldest first, with the holder."""
    return list(
        Assignment.objects.filter(customer_id=customer_id)
        .select_related("staff")
        .order_by("valid_from", "role")
    )


def customers_search(customers: QuerySet[Customer], q: str, *, limit: int) -> list[Customer]:
    """Customers whose id starts with `q` or whose name contains it."""
    return list(
        customers.filter(Q(customer_id__istartswith=q) | Q(name__icontains=q)).order_by("customer_id")[
            :limit
        ]
    )


def inherited_customers(customers: QuerySet[Customer], *, today: dt.date) -> QuerySet[Customer]:
    """Customers whose developer has left: service keeps them."""
    return customers.filter(acquired_by__left_on__lte=today)
