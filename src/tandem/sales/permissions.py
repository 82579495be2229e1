"""Which orders a user may see: those of the customers they may see
(`customers.permissions.visible_customers`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tandem.customers.permissions import visible_customers

from .models import Order


def sees_all_orders(user, *, today: dt.date | None = None) -> bool:
    return not visible_customers(user, today=today).query.has_filters()


def visible_orders(user, *, today: dt.date | None = None) -> QuerySet[Order]:
    customers = visible_customers(user, today=today)
    if not customers.query.has_filters():
        # Everyone's customers: no subquery over the whole customer table.
        return Order.objects.all()
    return Order.objects.filter(customer_id__in=customers.values("pk"))
