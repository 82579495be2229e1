"""Writes of the sales domain: orders and refunds, one at a time.

The same rules as the importer (spec/exchange-format.md): amounts are
positive with at most two decimals, a refund names a sale of the same
customer, is dated on or after it, and the refunds of an order never add up
to more than the order. Each write records, in its transaction, from which
day the customers' orders changed (`tandem.core.changes`); a live preview
of the commission is the caller's (`commissions.services`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from tandem.core import money
from tandem.core.changes import orders_changed
from tandem.core.errors import InvalidInput
from tandem.customers.models import Customer

from .models import Order

MAX_ID = 64


def amount_to_cents(amount: Any) -> int:
    """An amount (Decimal, int or exchange-format text) as positive cents.
    Raises InvalidInput for more than two decimals or a value <= 0."""
    if isinstance(amount, bool):
        raise InvalidInput(_("金额格式不正确：「%(value)s」") % {"value": amount})
    if isinstance(amount, str):
        try:
            cents = money.parse_amount_cents(amount.strip())
        except ValueError:
            raise InvalidInput(_("金额格式不正确：「%(value)s」") % {"value": amount}) from None
    else:
        try:
            value = Decimal(amount)
        except (InvalidOperation, TypeError, ValueError):
            raise InvalidInput(_("金额格式不正确：「%(value)s」") % {"value": amount}) from None
        if not value.is_finite() or value != value.quantize(money.CENT):
            raise InvalidInput(_("金额格式不正确：「%(value)s」") % {"value": amount})
        cents = int(value * 100)
    if cents <= 0:
        raise InvalidInput(_("金额必须大于 0"))
    if cents >= 10**14:
        raise InvalidInput(_("金额格式不正确：「%(value)s」") % {"value": amount})
    return cents


def _check_id(value: str, label: str) -> None:
    if not value:
        raise InvalidInput(_("%(field)s不能为空") % {"field": label})
    if len(value) > MAX_ID:
        raise InvalidInput(
            _("%(field)s长度超过 %(max)d 个字符") % {"field": label, "max": MAX_ID}
        )


def _customer(customer: Customer | str) -> Customer:
    if isinstance(customer, Customer):
        return customer
    found = Customer.objects.filter(pk=customer).first()
    if found is None:
        raise InvalidInput(_("未知的客户「%(id)s」") % {"id": customer})
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
    than refunded, a later date than a refund, another customer."""
    _check_id(order_id, _("订单编号"))
    cents = amount_to_cents(amount)
    category = category or ""
    if len(category) > 64:
        raise InvalidInput(_("%(field)s长度超过 %(max)d 个字符") % {"field": _("品类"), "max": 64})
    customer = _customer(customer)
    value = money.from_cents(cents)
    with transaction.atomic():
        existing = Order.objects.select_for_update().filter(pk=order_id).first()
        changed = {customer.pk: order_date}
        if existing is not None:
            if existing.refund_of_id is not None:
                raise InvalidInput(
                    _("「%(id)s」已作为退款登记，不能改为订单") % {"id": order_id}
                )
            if (
                existing.customer_id == customer.pk
                and existing.order_date == order_date
                and existing.amount == value
                and existing.category == category
            ):
                return existing
            refunds = list(existing.refunds.order_by("order_date", "order_id"))
            refunded = sum(money.to_cents(r.amount) for r in refunds)
            if refunded > cents:
                raise InvalidInput(
                    _("修改后的金额 %(amount)s 小于该订单已有的退款合计 %(total)s")
                    % {"amount": money.format_cents(cents), "total": money.format_cents(refunded)}
                )
            for refund in refunds:
                if refund.order_date < order_date:
                    raise InvalidInput(
                        _("修改后的日期晚于该订单已有退款「%(id)s」的日期 %(date)s")
                        % {"id": refund.order_id, "date": refund.order_date.isoformat()}
                    )
            if refunds and existing.customer_id != customer.pk:
                raise InvalidInput(_("该订单已有退款，不能更换客户"))
            first = min(order_date, existing.order_date)
            changed = {customer.pk: first, existing.customer_id: first}
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
        orders_changed(changed)
    return order


def refund_record(
    *,
    refund_id: str,
    order: Order | str,
    refund_date: dt.date,
    amount: Any,
) -> Order:
    """Record a refund of ``order`` (or change one recorded before, same id),
    dated ``refund_date``. Refuses a refund of a refund, a refund dated
    before its order, and refunds adding up to more than the order."""
    _check_id(refund_id, _("退款编号"))
    cents = amount_to_cents(amount)
    value = money.from_cents(cents)
    with transaction.atomic():
        order_id = order.pk if isinstance(order, Order) else order
        target = Order.objects.select_for_update().filter(pk=order_id).first()
        if target is None:
            raise InvalidInput(_("未知的订单「%(id)s」") % {"id": order_id})
        if target.refund_of_id is not None or target.pk == refund_id:
            raise InvalidInput(
                _("不能对退款再退款（「%(id)s」本身是退款）") % {"id": target.pk}
            )
        if refund_date < target.order_date:
            raise InvalidInput(
                _("退款日期 %(date)s 早于订单「%(id)s」的日期 %(order_date)s")
                % {
                    "date": refund_date.isoformat(),
                    "id": target.pk,
                    "order_date": target.order_date.isoformat(),
                }
            )
        existing = Order.objects.select_for_update().filter(pk=refund_id).first()
        if existing is not None:
            if existing.refund_of_id is None:
                raise InvalidInput(
                    _("「%(id)s」已作为订单登记，不能改为退款") % {"id": refund_id}
                )
            if (
                existing.refund_of_id == target.pk
                and existing.order_date == refund_date
                and existing.amount == value
            ):
                return existing
        others = (
            Order.objects.filter(refund_of_id=target.pk)
            .exclude(pk=refund_id)
            .aggregate(total=Sum("amount"))["total"]
        )
        refunded = money.to_cents(others) if others is not None else 0
        target_cents = money.to_cents(target.amount)
        if refunded + cents > target_cents:
            raise InvalidInput(
                _("退款合计 %(total)s 超过订单「%(id)s」的金额 %(amount)s")
                % {
                    "total": money.format_cents(refunded + cents),
                    "id": target.pk,
                    "amount": money.format_cents(target_cents),
                }
            )
        changed = {target.customer_id: refund_date}
        if existing is not None:
            first = min(refund_date, existing.order_date)
            changed = {target.customer_id: first, existing.customer_id: first}
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
        orders_changed(changed)
    return refund
