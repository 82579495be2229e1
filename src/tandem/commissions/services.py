"""Writes of the commissions domain that start from another domain's write:
recording a sale or a refund with its commission previewed at once."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tandem.sales import services as sales_services
from tandem.sales.models import Order


def customer_preview(*, customer_id: str) -> None:
    """Live preview: recompute one customer's lines at once, inside the
    caller's transaction, so a new order's commission shows immediately."""
    from .runs import customer_preview as recompute

    recompute(customer_id=customer_id)


def _customers_of(record_id: str) -> set[str]:
    return set(Order.objects.filter(pk=record_id).values_list("customer_id", flat=True))


def order_record_previewed(**fields: Any) -> Order:
    """`sales.services.order_record`, then the commission of the customers it
    touched (the new one, and the old one of a changed order) recomputed in
    the same transaction."""
    with transaction.atomic():
        before = _customers_of(fields["order_id"])
        order = sales_services.order_record(**fields)
        for customer_id in sorted(before | {order.customer_id}):
            customer_preview(customer_id=customer_id)
    return order


def refund_record_previewed(**fields: Any) -> Order:
    """`sales.services.refund_record` with its commission previewed."""
    with transaction.atomic():
        before = _customers_of(fields["refund_id"])
        refund = sales_services.refund_record(**fields)
        for customer_id in sorted(before | {refund.customer_id}):
            customer_preview(customer_id=customer_id)
    return refund
