"""Writes of the sales domain: orders and refunds, one at a time (the bulk
variant, for the importer, is `bulk`).

The same rules as the importer (`rules`, spec/exchange-format.md): amounts
are positive with at most two decimals, a refund names a sale of the same
customer, is dated on or after it, and the refunds of an order never add up
to more than the order. Each write records, in its transaction, from which
day which orders of which customers changed (`tandem.core.changes`); a live preview
of the commission is the caller's (`commissions.services`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from tandem.core import money
from tandem.core.changes import orders_changed_by_id
from tandem.core.rules import RuleError, Violation, check_id, raise_first
from tandem.customers.models import Customer
from tandem.customers.rules import unknown_customer

from .models import Order
from .rules import (
    RefundFacts,
    amount_to_cents,
    order_change_violation,
    order_violations,
    recorded_as_order,
    recorded_as_refund,
    refund_violation,
    unknown_order,
)

__all__ = ["amount_to_cents", "order_delete", "order_record", "refund_record"]


def _customer(customer: Customer | str) -> Customer:
    if isinstance(customer, Customer):
        return customer
    found = Customer.objects.filter(pk=customer).first()
    if found is None:
        raise RuleError(Violation.of("customer_id", unknown_customer(customer)))
    return found


def order_record(
    *,
    order_id: str,
    customer: Customer | str,
    order_date: dt.date,
    amount: Any,
    category: str = "",
) -> Order:
    """Record a sale (or change one recorded before, same id). Refuses a
    change that its existing refunds would no longer fit: a smaller amount
    than refunded, a later date than a refund, another customer. Raises
    RuleError (an InvalidInput) naming the refused field."""
    category = category or ""
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    raise_first(order_violations(order_id=order_id, customer_id=customer_id, category=category))
    cents = amount_to_cents(amount)
    customer = _customer(customer)
    value = money.from_cents(cents)
    with transaction.atomic():
        existing = Order.objects.select_for_update().filter(pk=order_id).first()
        changed = [(customer.pk, order_id, order_date)]
        if existing is not None:
            if existing.refund_of_id is not None:
                raise RuleError(Violation.of("refund_of", recorded_as_refund(order_id)))
            if (
                existing.customer_id == customer.pk
                and existing.order_date == order_date
                and existing.amount == value
                and existing.category == category
            ):
                return existing
            refunds = [
                RefundFacts(r.order_id, r.customer_id, r.order_date, money.to_cents(r.amount))
                for r in existing.refunds.all()
            ]
            raise_first(
                [
                    order_change_violation(
                        customer_id=customer.pk,
                        order_date=order_date,
                        cents=cents,
                        becomes_refund=False,
                        refunds=refunds,
                    )
                ]
            )
            first = min(order_date, existing.order_date)
            changed = [(customer.pk, order_id, first), (existing.customer_id, order_id, first)]
            existing.customer = customer
            existing.order_date = order_date
            existing.amount = value
            existing.category = category
            existing.save(update_fields=["customer", "order_date", "amount", "category"])
            order = existing
        else:
            order = Order.objects.create(
                order_id=order_id,
                customer=customer,
                order_date=order_date,
                amount=value,
                category=category,
            )
        orders_changed_by_id(changed)
    return order


def refund_record(
    *,
    refund_id: str,
    order: Order | str,
    refund_date: dt.date,
    amount: Any,
) -> Order:
    """Record a refund of ``order`` (or change one recorded before, same id),
    dated ``refund_date``, for the order's customer. Refuses a refund of a
    refund, a refund dated before its order, and refunds adding up to more
    than the order. Raises RuleError (an InvalidInput)."""
    raise_first([check_id("order_id", _("退款编号"), refund_id)])
    cents = amount_to_cents(amount)
    value = money.from_cents(cents)
    with transaction.atomic():
        order_id = order.pk if isinstance(order, Order) else order
        target = Order.objects.select_for_update().filter(pk=order_id).first()
        if target is None:
            raise RuleError(Violation.of("refund_of", unknown_order(order_id)))
        existing = Order.objects.select_for_update().filter(pk=refund_id).first()
        if existing is not None and existing.refund_of_id is None and existing.pk != target.pk:
            raise RuleError(Violation.of("refund_of", recorded_as_order(refund_id)))
        if (
            existing is not None
            and existing.refund_of_id == target.pk
            and existing.order_date == refund_date
            and existing.amount == value
        ):
            return existing
        others = (
            Order.objects.filter(refund_of_id=target.pk)
            .exclude(pk=refund_id)
            .aggregate(total=Sum("amount"))["total"]
        )
        raise_first(
            [
                refund_violation(
                    refund_id=refund_id,
                    refund_date=refund_date,
                    customer_id=None,
                    cents=cents,
                    order_id=target.pk,
                    order_date=target.order_date,
                    order_customer_id=target.customer_id,
                    order_cents=money.to_cents(target.amount),
                    order_is_refund=target.refund_of_id is not None,
                    refunded_before=money.to_cents(others) if others is not None else 0,
                )
            ]
        )
        # The lines that change are the refunded order's (and, for a refund
        # moved to another order, the one it leaves).
        changed = [(target.customer_id, target.pk, refund_date)]
        if existing is not None:
            first = min(refund_date, existing.order_date)
            changed = [(target.customer_id, target.pk, first), (existing.customer_id, existing.refund_of_id or target.pk, first)]
            existing.refund_of = target
            existing.customer_id = target.customer_id
            existing.order_date = refund_date
            existing.amount = value
            existing.save(update_fields=["refund_of", "customer", "order_date", "amount"])
            refund = existing
        else:
            refund = Order.objects.create(
                order_id=refund_id,
                customer_id=target.customer_id,
                order_date=refund_date,
                amount=value,
                refund_of=target,
            )
        orders_changed_by_id(changed)
    return refund


def order_delete(*, order: Order) -> None:
    """Remove an order or a refund; its customer's orders change from its
    date (the database refuses an order that still has refunds:
    ProtectedError)."""
    with transaction.atomic():
        customer_id, day = order.customer_id, order.order_date
        # A refund's removal changes the lines of the order it refunded.
        lines_of = order.refund_of_id or order.order_id
        order.delete()
        orders_changed_by_id([(customer_id, lines_of, day)])
