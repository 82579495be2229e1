"""The sales domain's rules, as plain functions of values (no database):
amounts, the fields of an order, and the rules that tie refunds to their
orders. `services.order_record`/`refund_record`, the bulk check of an
orders file (`bulk.orders_check_bulk`) and the admin use these, with the
same words.

Dates may be `datetime.date` or ISO text (the bulk path keeps a million
dates as text): every comparison here is between values of one kind, and
ISO text orders as the dates do."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core import money
from tandem.core.money import format_cents
from tandem.core.rules import RuleError, Violation, check_id, check_text, missing

MAX_CATEGORY = 64
# At most twelve digits before the point: below the column's 14 digits.
AMOUNT_MATCH = re.compile(r"\d{1,12}(?:\.\d{1,2})?").fullmatch

D = TypeVar("D", dt.date, str)

# Field names, translated only when a message needs one (a row of a
# large file is checked in microseconds).
_ORDER_ID = gettext_lazy("订单编号")
_CUSTOMER_ID = gettext_lazy("客户编号")
_CATEGORY = gettext_lazy("品类")
_REFUND_OF = gettext_lazy("退款对应订单")
_AMOUNT = gettext_lazy("金额")


# --------------------------------------------------------------------------- #
# Messages
# --------------------------------------------------------------------------- #


def bad_amount(value: Any) -> str:
    return _("金额格式不正确：「%(value)s」（应为用“.”分隔、最多两位小数的数字）") % {"value": value}


def amount_not_positive() -> str:
    return _("金额必须大于 0")


def unknown_order(ident: str) -> str:
    return _("未知的订单「%(id)s」") % {"id": ident}


def refund_of_refund(ident: str) -> str:
    return _("不能对退款再退款（「%(id)s」本身是退款）") % {"id": ident}


def refund_before_order(date: Any, ident: str, order_date: Any) -> str:
    return _("退款日期 %(date)s 早于订单「%(id)s」的日期 %(order_date)s") % {
        "date": date,
        "id": ident,
        "order_date": order_date,
    }


def refunds_exceed(total: str, ident: str, amount: str) -> str:
    return _("退款合计 %(total)s 超过订单「%(id)s」的金额 %(amount)s") % {
        "total": total,
        "id": ident,
        "amount": amount,
    }


def refund_other_customer(customer: str, ident: str, order_customer: str) -> str:
    return _("退款的客户「%(customer)s」与订单「%(id)s」的客户「%(order_customer)s」不同") % {
        "customer": customer,
        "id": ident,
        "order_customer": order_customer,
    }


def amount_below_refunds(amount: str, total: str) -> str:
    return _("修改后的金额 %(amount)s 小于该订单已有的退款合计 %(total)s") % {
        "amount": amount,
        "total": total,
    }


def date_after_refund(ident: str, date: Any) -> str:
    return _("修改后的日期晚于该订单已有退款「%(id)s」的日期 %(date)s") % {"id": ident, "date": date}


def customer_change_with_refunds() -> str:
    return _("该订单已有退款，不能更换客户")


def sale_to_refund_with_refunds() -> str:
    return _("该订单已有退款，不能改为退款")


def recorded_as_refund(ident: str) -> str:
    return _("「%(id)s」已作为退款登记，不能改为订单") % {"id": ident}


def recorded_as_order(ident: str) -> str:
    return _("「%(id)s」已作为订单登记，不能改为退款") % {"id": ident}


# --------------------------------------------------------------------------- #
# Amounts and fields
# --------------------------------------------------------------------------- #


def parse_amount(text: str) -> int | None:
    """An exchange-format amount as cents, or None when malformed (zero is
    well-formed: `check_amount` refuses it)."""
    if not AMOUNT_MATCH(text):
        return None
    whole, _sep, frac = text.partition(".")
    if not frac:
        return int(whole) * 100
    return int(whole) * 100 + int(frac) * (10 if len(frac) == 1 else 1)


def check_amount(text: str) -> Violation | None:
    """An amount cell of the exchange format: present, well-formed, > 0."""
    if not text:
        return missing("amount", _AMOUNT)
    cents = parse_amount(text)
    if cents is None:
        return Violation.of("amount", bad_amount(text))
    if cents <= 0:
        return Violation.of("amount", amount_not_positive())
    return None


def amount_to_cents(amount: Any) -> int:
    """An amount (Decimal, int or exchange-format text) as positive cents.
    Raises RuleError for more than two decimals, more than twelve digits
    before the point, or a value <= 0."""
    if isinstance(amount, str):
        violation = check_amount(amount.strip())
        if violation is not None:
            raise RuleError(violation)
        return parse_amount(amount.strip()) or 0
    if isinstance(amount, bool):
        raise RuleError(Violation.of("amount", bad_amount(amount)))
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise RuleError(Violation.of("amount", bad_amount(amount))) from None
    if not value.is_finite() or value != value.quantize(money.CENT) or value >= 10**12:
        raise RuleError(Violation.of("amount", bad_amount(amount)))
    if value <= 0:
        raise RuleError(Violation.of("amount", amount_not_positive()))
    return int(value * 100)


def order_violations(*, order_id: str, customer_id: str, category: str, refund_of: str = "") -> list[Violation]:
    """The rules of an order's (or a refund's) own fields other than the
    date and the amount, in the exchange format's column order."""
    checks = (
        check_id("order_id", _ORDER_ID, order_id),
        check_id("customer_id", _CUSTOMER_ID, customer_id),
        check_text("category", _CATEGORY, category, MAX_CATEGORY, required=False),
        check_id("refund_of", _REFUND_OF, refund_of, required=False),
    )
    return [v for v in checks if v is not None]


# --------------------------------------------------------------------------- #
# Refunds and their orders
# --------------------------------------------------------------------------- #


class RefundFacts(NamedTuple):
    """A stored refund of an order, as the rules need it."""

    refund_id: str
    customer_id: str
    date: Any  # dt.date or ISO text, as the order's
    cents: int


def refund_violation(
    *,
    refund_id: str,
    refund_date: D,
    customer_id: str | None,
    cents: int,
    order_id: str,
    order_date: D,
    order_customer_id: str,
    order_cents: int,
    order_is_refund: bool,
    refunded_before: int,
) -> Violation | None:
    """Whether a refund of ``order_id`` may be recorded: not of a refund (nor
    of itself), not dated before the order, of the order's customer (None:
    the caller takes the order's), and with the order's other refunds
    (``refunded_before``, in cents) not more than the order."""
    if order_is_refund or order_id == refund_id:
        return Violation.of("refund_of", refund_of_refund(order_id))
    if refund_date < order_date:
        return Violation.of("order_date", refund_before_order(str(refund_date), order_id, str(order_date)))
    if customer_id is not None and customer_id != order_customer_id:
        return Violation.of("customer_id", refund_other_customer(customer_id, order_id, order_customer_id))
    total = refunded_before + cents
    if total > order_cents:
        return Violation.of("amount", refunds_exceed(format_cents(total), order_id, format_cents(order_cents)))
    return None


def order_change_violation(
    *,
    customer_id: str,
    order_date: D,
    cents: int,
    becomes_refund: bool,
    refunds: Sequence[RefundFacts],
) -> Violation | None:
    """Whether an order that has ``refunds`` (the ones that stay) may become
    this: still a sale, not less than refunded, not dated after a refund,
    of the same customer."""
    if not refunds:
        return None
    if becomes_refund:
        return Violation.of("refund_of", sale_to_refund_with_refunds())
    refunded = sum(r.cents for r in refunds)
    if refunded > cents:
        return Violation.of("amount", amount_below_refunds(format_cents(cents), format_cents(refunded)))
    first_date, first_id = min((r.date, r.refund_id) for r in refunds)
    if first_date < order_date:
        return Violation.of("order_date", date_after_refund(first_id, str(first_date)))
    if any(r.customer_id != customer_id for r in refunds):
        return Violation.of("customer_id", customer_change_with_refunds())
    return None
